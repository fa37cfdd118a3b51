"""The kill switch against a real server: two operators erase the universe; sessions close
4010, the server ends, the dry run listed what went, the books and the audit chain check,
a restart brings nothing back until an operator asks for a new galaxy, accounts log in."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import websockets

from tests.conftest import PASSWORD, Server
from tests.gateway.client import Client


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "infinity", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _login(server: Server, name: str) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/api/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _dry_run(data: Path) -> dict[str, Any]:
    done = _cli("killswitch", "--dry-run", "--json", "--data", str(data))
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _entries(data: Path, verb: str) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(data / "infinity.db")) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM audit_log WHERE verb = ? ORDER BY seq", (verb,))
        return [dict(row) for row in rows]


def _balances(data: Path) -> int:
    with closing(sqlite3.connect(data / "infinity.db")) as db:
        return int(db.execute("SELECT SUM(balance) FROM ledger_accounts").fetchone()[0])


@pytest.fixture
def server(tmp_path: Path) -> Server:
    # ten simulated seconds a second: the economy saves its market stock within a second
    options = ("--killswitch-window", "60", "--time-scale", "10")
    return Server(tmp_path / "data", npcs=False, options=options)


def test_two_operators_erase_the_universe_and_only_a_new_galaxy_comes_back(
    server: Server,
) -> None:
    server.start()
    try:
        for name in ("Alpha", "First", "Second"):
            server.register(name)
        for name in ("First", "Second"):
            made = _cli("role", name, "operator", "--data", str(server.data))
            assert made.returncode == 0, made.stderr
        alpha, first, second = (_login(server, n) for n in ("Alpha", "First", "Second"))
        old_ship = asyncio.run(_killed_while_playing(server, alpha, first, second))
        assert server.process is not None
        assert server.process.wait(30) == 0  # the server ended itself, cleanly
        server.process = None
    finally:
        if server.process is not None:
            server.stop()
    data = server.data
    before = json.loads((data / "before.json").read_text())
    erased = _entries(data, "killswitch_erase")
    assert len(erased) == 1
    deleted = json.loads(erased[0]["args"])["deleted"]
    assert deleted == before["erase"]  # the dry run listed exactly what went
    assert before["erase"]["ships"] >= 3 and before["erase"]["systems"] > 0
    burn = json.loads(_entries(data, "killswitch_burn")[0]["args"])
    assert burn["accounts"] == len(before["ledger"]) and burn["credits"] == before["credits"]
    for verb in ("killswitch_arm", "killswitch_confirm", "killswitch_stop"):
        assert [e["result"] for e in _entries(data, verb)][-1] == "done", verb
    after = _dry_run(data)
    assert not any(after["erase"].values()) and after["ledger"] == [] and after["credits"] == 0
    assert after["survive"]["accounts"] == 3
    assert _balances(data) == 0  # double entry: every credit is still accounted for
    for check in (("audit", "verify"), ("ledger", "audit")):
        done = _cli(*check, "--data", str(data))
        assert done.returncode == 0, done.stdout + done.stderr

    # A restart brings nothing back: it refuses until an operator asks for a new galaxy.
    refused = subprocess.run(
        [sys.executable, "-m", "infinity", "serve", "--data", str(data), "--no-npcs",
         "--port", str(server.port)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "--new-galaxy" in refused.stdout + refused.stderr
    assert not any(_dry_run(data)["erase"].values())

    began = _cli("galaxy", "new", "--seed", "11", "--data", str(data))  # an operator asks
    assert began.returncode == 0, began.stdout + began.stderr
    assert "new galaxy (seed 11)" in began.stdout
    twice = _cli("galaxy", "new", "--data", str(data))
    assert twice.returncode == 2 and "not erased" in twice.stderr
    fresh = Server(data, seed=11, npcs=False)
    fresh.start()
    try:
        again = _login(fresh, "Alpha")  # accounts survive; so does a login token
        ship = asyncio.run(_ship_of(fresh, str(again["token"])))
        assert ship != old_ship
        answer = httpx.get(
            f"{fresh.url}/api/wallet", headers={"authorization": f"Bearer {again['token']}"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["starter"] == 1_000  # a new era: the opening grant again
    finally:
        fresh.stop()
    assert len(_entries(data, "galaxy_new")) == 1
    for check in (("audit", "verify"), ("ledger", "audit")):
        done = _cli(*check, "--data", str(data))
        assert done.returncode == 0, done.stdout + done.stderr


async def _ship_of(server: Server, token: str) -> int:
    client = await Client.connect(server.ws_url, token)
    try:
        await client.until(lambda c: c.me is not None)
        return client.ship
    finally:
        await client.close()


async def _killed_while_playing(
    server: Server, alpha: dict[str, Any], first: dict[str, Any], second: dict[str, Any]
) -> int:
    player = await Client.connect(server.ws_url, str(alpha["token"]))
    await player.until(lambda c: c.me is not None)

    def api(who: dict[str, Any]) -> httpx.AsyncClient:
        headers = {"authorization": f"Bearer {who['token']}"}
        return httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30)

    async with api(alpha) as as_player, api(first) as one, api(second) as two:
        refused = await as_player.post("/api/operator/killswitch/arm", json={"reason": "me"})
        assert refused.status_code == 403 and refused.json()["entry"]["result"] == "refused"
        assert (await as_player.get("/api/operator/killswitch")).status_code == 403
        looked = (await one.get("/api/operator/killswitch")).json()
        assert looked["state"]["armed"] is False and looked["state"]["window"] == 60
        dry = _dry_run(server.data)
        for _ in range(100):  # until the market stock is in the store, as the kill finds it
            if dry["erase"]["market_stock"]:
                break
            await asyncio.sleep(0.1)
            dry = _dry_run(server.data)
        assert looked["inventory"]["erase"]["ships"] == dry["erase"]["ships"] >= 3
        (server.data / "before.json").write_text(json.dumps(dry))

        assert (await one.post("/api/operator/killswitch/confirm", json={})).status_code == 409
        armed = await one.post("/api/operator/killswitch/arm", json={"reason": "a clone"})
        assert armed.status_code == 200, armed.text
        assert armed.json()["entry"]["verb"] == "killswitch_arm"
        again = await one.post("/api/operator/killswitch/confirm", json={})
        assert again.status_code == 409 and again.json()["error"] == "same_operator"
        assert again.json()["entry"]["result"] == "refused"
        assert (
            await as_player.post("/api/operator/killswitch/confirm", json={})
        ).status_code == 403
        confirmed = await two.post("/api/operator/killswitch/confirm", json={})
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["record"]["sessions_closed"] >= 1
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await player.until(lambda c: False, timeout=10.0)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4010
    assert "erased" in closed.value.rcvd.reason
    return player.ship


def test_a_confirmation_after_the_window_set_by_the_option_is_refused(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", npcs=False, options=("--killswitch-window", "1"))
    server.start()
    try:
        for name in ("First", "Second"):
            server.register(name)
            made = _cli("role", name, "operator", "--data", str(server.data))
            assert made.returncode == 0, made.stderr
        first, second = (_login(server, n)["token"] for n in ("First", "Second"))
        url = f"{server.url}/api/operator/killswitch"
        armed = httpx.post(
            f"{url}/arm", json={"reason": "test"}, headers={"authorization": f"Bearer {first}"}
        )
        assert armed.status_code == 200 and armed.json()["record"]["window"] == 1
        time.sleep(1.3)
        late = httpx.post(f"{url}/confirm", json={}, headers={"authorization": f"Bearer {second}"})
        assert late.status_code == 409 and late.json()["error"] == "expired", late.text
        assert late.json()["entry"]["result"] == "refused"
        state = httpx.get(url, headers={"authorization": f"Bearer {second}"}).json()["state"]
        assert state["armed"] is False and state["confirmed"] is False
        assert httpx.get(f"{server.url}/healthz").status_code == 200  # still serving
    finally:
        server.stop()
