"""The authorisation matrix: every REST route, as anonymous, a bad token, an expired token,
a player, another player and an operator, checked against the one permission table; and a
hidden operator avatar in no player's frames, against a real server."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx2 as httpx
import pytest
import websockets

from infinity.accounts.permissions import Verb, allowed
from infinity.gateway.app import create_app
from infinity.gateway.rest import Endpoint
from tests.conftest import PASSWORD, Server
from tests.gateway.client import Client, encode

# The verb each elevated route needs (every /api/operator/ and /api/heart route must be here);
# routes not listed need only a login (auth=True) or nothing.
VERB_OF: dict[tuple[str, str], Verb] = {
    ("POST", "/api/operator/drop-in"): Verb.DROP_IN,
    ("POST", "/api/operator/leave"): Verb.LEAVE,
    ("POST", "/api/operator/warp"): Verb.WARP,
    ("POST", "/api/operator/kick"): Verb.KICK,
    ("POST", "/api/operator/mute"): Verb.MUTE,
    ("POST", "/api/operator/ban"): Verb.BAN,
    ("POST", "/api/operator/unban"): Verb.BAN,
    ("POST", "/api/operator/credits"): Verb.GRANT,
    ("POST", "/api/operator/destroy"): Verb.DESTROY,
    ("POST", "/api/operator/repair"): Verb.REPAIR,
    ("GET", "/api/operator/inspect"): Verb.INSPECT,
    ("GET", "/api/operator/audit"): Verb.READ_AUDIT,
    ("POST", "/api/operator/crew"): Verb.GROW_AGENT,
    ("POST", "/api/operator/share"): Verb.SHARE_LOCATION,
    ("DELETE", "/api/operator/share/{id}"): Verb.SHARE_LOCATION,
    ("GET", "/api/operator/shares"): Verb.SHARE_LOCATION,
    ("GET", "/api/heart"): Verb.HEART,
    ("GET", "/api/operator/killswitch"): Verb.KILL_SWITCH,
    ("POST", "/api/operator/killswitch/arm"): Verb.KILL_SWITCH,
    ("POST", "/api/operator/killswitch/confirm"): Verb.KILL_SWITCH,  # the armer: refused 409
    ("POST", "/api/operator/killswitch/disarm"): Verb.KILL_SWITCH,
    ("POST", "/api/operator/minds/{id}/copy"): Verb.GROW_AGENT,
    ("POST", "/api/operator/minds/{id}/transfer"): Verb.GROW_AGENT,
    ("POST", "/api/minds/admit"): Verb.GROW_AGENT,
}
ELEVATED = ("/api/operator/", "/api/heart")


def endpoints() -> list[Endpoint]:
    """Every REST route the app serves (logout last: it ends the session)."""
    app = create_app(lambda: None)  # type: ignore[arg-type, return-value]
    found: list[Endpoint] = list(app.state.endpoints)
    return sorted(found, key=lambda e: e.path == "/api/logout")


def example(e: Endpoint, other: dict[str, Any], serial: int) -> tuple[str, dict[str, Any] | None]:
    """A URL and a well-formed body for `e`, aimed at `other` (a player) where it names one."""
    ship, account = other["ship"], other["account"]["id"]
    path = e.path.replace("{id}", "1")
    query = {"/api/market": "?station=1", "/api/operator/inspect": f"?kind=account&id={account}",
             "/api/wallet": "?limit=5", "/api/operator/audit": "?after=0&limit=5"}  # fmt: skip
    bodies: dict[str, dict[str, Any]] = {
        "/api/register": {"name": f"Guest{serial}", "password": PASSWORD},
        "/api/login": {"name": other["account"]["name"], "password": PASSWORD},
        "/api/bounties": {"target_kind": "ship", "target_id": ship, "amount": 1},
        "/api/crew/orders": {"text": "hold position"},
        "/api/crew/recruit": {"agent": 1},
        "/api/operator/crew": {"dna": "not dna"},
        "/api/operator/drop-in": {"system": 1, "x": 0.0, "y": 0.0, "hidden": True},
        "/api/operator/leave": {},
        "/api/operator/warp": {"ship": ship, "system": 1, "x": 100.0, "y": 100.0},
        "/api/operator/kick": {"account": account, "reason": "matrix"},
        "/api/operator/mute": {"account": account, "seconds": 1.0, "reason": "matrix"},
        "/api/operator/ban": {"account": account, "seconds": 1.0, "reason": "matrix"},
        "/api/operator/unban": {"account": account, "reason": "matrix"},
        "/api/operator/credits": {"account": account, "amount": 1, "reason": "matrix",
                                  "direction": "grant"},
        "/api/operator/destroy": {"ship": ship, "reason": "matrix"},
        "/api/operator/repair": {"ship": ship, "reason": "matrix"},
        "/api/operator/share": {"subject_kind": "ship", "subject_id": ship, "audience": "victims",
                                "minutes": 1.0},
        "/api/operator/minds/{id}/copy": {"reason": "matrix"},
        "/api/operator/minds/{id}/transfer": {"to": "http://127.0.0.1:1", "token": "matrix",
                                              "reason": "matrix"},
        "/api/minds/admit": {"key": "0" * 32, "document": {"format": "infinity.mind"}},
        "/api/minds/transfers/status": {"key": "0" * 32},
        "/api/minds/transfers/cancel": {"key": "1" * 32},
        "/api/enclave/minds": {"agent": 10**9, "reason": "matrix"},
        "/api/enclave/welcome": {"agent": 10**9},
        "/api/minds/{id}/move": {"world": 1, "reason": "matrix"},
        "/api/operator/killswitch/arm": {"reason": "matrix"},
        "/api/operator/killswitch/confirm": {},
        "/api/operator/killswitch/disarm": {},
        "/api/worlds": {"template": "space-fleet", "name": f"World {serial}"},
        "/api/worlds/{id}/invite": {"account": other["account"]["name"]},
        "/api/worlds/{id}/uninvite": {"account": other["account"]["name"]},
        "/api/worlds/{id}/travel": {},
        "/api/worlds/{id}/bridge": {"post": "helm"},
        "/api/worlds/{id}/bridge/leave": {},
        "/api/worlds/{id}/build": {"commands": [{"op": "set_rules", "damage": 1.0}]},
        "/api/worlds/{id}/plans": {"brief": "two systems around a yellow star"},
    }  # fmt: skip
    if e.body is not None:
        assert e.path in bodies, f"give {e.method} {e.path} an example body in this test"
    return path + query.get(e.path, ""), bodies.get(e.path) if e.body is not None else None


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server with a player, another player and an operator (made with the CLI)."""
    data = tmp_path_factory.mktemp("matrix") / "data"
    running = Server(data, options=("--login-rate", "0"))
    running.start()
    try:
        running.register("Alpha")
        running.register("Beta")
        running.register("Overseer")
        made = _cli("role", "Overseer", "operator", "--data", str(running.data))
        assert made.returncode == 0, made.stderr
        player, other = _login(running, "Alpha"), _login(running, "Beta")
        operator = _login(running, "Overseer")
        yield {"server": running, "player": player, "other": other, "operator": operator,
               "expired": _expired_token(running, int(player["account"]["id"]))}  # fmt: skip
    finally:
        running.stop()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "infinity", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def _login(server: Server, name: str) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/api/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _expired_token(server: Server, account: int) -> str:
    """A real session of `account` that has just expired (written as the registry would)."""
    token = "expired-" + "x" * 32
    digest = hashlib.sha256(token.encode()).hexdigest()
    with closing(sqlite3.connect(server.data / "infinity.db")) as db, db:
        db.execute(
            "INSERT INTO sessions (token_hash, account_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (digest, account, time.time() - 100, time.time() + 0.5),
        )
    time.sleep(0.6)
    return token


def _call(server: Server, e: Endpoint, url: str, body: Any, token: str | None) -> httpx.Response:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    return httpx.request(e.method, server.url + url, json=body, headers=headers, timeout=10)


@pytest.mark.parametrize("caller", ["anonymous", "bad token", "expired token"])
def test_without_a_valid_token_every_auth_route_is_401(world: dict[str, Any], caller: str) -> None:
    token = {"anonymous": None, "bad token": "not-a-token", "expired token": world["expired"]}
    for serial, e in enumerate(endpoints()):
        url, body = example(e, world["other"], serial)
        answer = _call(world["server"], e, url, body, token[caller])
        assert answer.status_code < 500, (e.method, e.path, answer.text)
        if e.auth:
            assert answer.status_code == 401, (caller, e.method, e.path, answer.text)


@pytest.mark.parametrize("caller", ["bad token", "expired token"])
def test_without_a_valid_token_the_game_socket_closes_4001(
    world: dict[str, Any], caller: str
) -> None:
    token = {"bad token": "not-a-token", "expired token": world["expired"]}[caller]
    asyncio.run(_refused_hello(world["server"], token))


async def _refused_hello(server: Server, token: str) -> None:
    async with websockets.connect(server.ws_url, compression=None) as ws:
        await ws.send(encode({"t": "hello", "v": 1, "token": token}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001


@pytest.mark.parametrize("who", ["player", "other", "operator"])
def test_each_role_gets_what_the_permission_table_gives(world: dict[str, Any], who: str) -> None:
    session = world[who]
    role, token = session["account"]["role"], session["token"]
    target = world["player"] if who == "other" else world["other"]
    for serial, e in enumerate(endpoints()):
        verb = VERB_OF.get((e.method, e.path))
        if e.path.startswith(ELEVATED):
            assert verb is not None, f"say which verb {e.method} {e.path} needs in VERB_OF"
        url, body = example(e, target, 100 + serial)
        answer = _call(world["server"], e, url, body, token)
        where = (who, e.method, e.path, answer.status_code, answer.text[:200])
        assert answer.status_code < 500, where
        if e.auth:
            assert answer.status_code != 401, where
        if verb is not None:
            assert (answer.status_code == 403) == (not allowed(role, verb)), where
        if _is_act(e):
            _has_audit_entry(answer, where)


def _is_act(e: Endpoint) -> bool:
    """Operator acts (not reads: the audit, the shares) are audited, done or refused."""
    act = e.method != "GET" or e.path == "/api/operator/inspect"
    return act and e.path.startswith("/api/operator/") and e.path != "/api/operator/crew"


def _has_audit_entry(answer: httpx.Response, where: object) -> None:
    """Operator acts answer with the audit entry they wrote, done or refused."""
    if answer.status_code in (401, 422):
        return
    body = answer.json()
    entry = body.get("entry") or body.get("audit")
    if entry is None and "entries" in body:
        return
    if entry is None and "shares" in body:
        return
    assert entry is not None and entry["seq"] >= 1 and len(entry["hash"]) == 64, where


def test_the_matrix_left_the_audit_chain_whole(world: dict[str, Any]) -> None:
    done = _cli("audit", "verify", "--data", str(world["server"].data))
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_hidden_avatar_is_in_no_players_frames(world: dict[str, Any]) -> None:
    server = world["server"]
    asyncio.run(_watch_hidden_drop_in(server, _login(server, "Overseer")["token"]))


async def _watch_hidden_drop_in(server: Server, operator_token: str) -> None:
    watcher = _login(server, "Alpha")  # never a target of the operator's acts above
    client = await Client.connect(server.ws_url, str(watcher["token"]))
    try:
        await client.until(lambda c: c.me is not None and c.ship in c.positions)
        x, y = client.positions[client.ship]
        system = client.welcome.system.id
        headers = {"authorization": f"Bearer {operator_token}"}
        body = {"system": system, "x": x + 30.0, "y": y, "hidden": True}
        async with httpx.AsyncClient(base_url=server.url, headers=headers) as api:
            dropped = await api.post("/api/operator/drop-in", json=body)
            assert dropped.status_code == 200, dropped.text
            avatar = dropped.json()["record"]["ship"]
            await client.until(lambda c: avatar not in c.entities, timeout=3.0)  # was docked
            for _ in range(40):  # 2 s of frames at 20 Hz, the avatar right beside the player
                await client.recv()
                assert avatar not in client.entities
            zone = await api.get(f"/api/operator/inspect?kind=zone&id={system}")
            assert avatar in zone.json()["record"]["hidden"]
            shown = await api.post("/api/operator/drop-in", json={**body, "hidden": False})
            assert shown.status_code == 200, shown.text
            await client.until(lambda c: avatar in c.entities, timeout=5.0)
            assert (await api.post("/api/operator/leave", json={})).status_code == 200
            await client.until(lambda c: avatar not in c.entities, timeout=5.0)
    finally:
        await client.close()


def test_mute_and_ban_are_typed_refusals_on_the_socket_and_at_login(
    world: dict[str, Any],
) -> None:
    asyncio.run(_sanction_alpha(world["server"], _login(world["server"], "Overseer")["token"]))


async def _sanction_alpha(server: Server, operator_token: str) -> None:
    alpha = _login(server, "Alpha")
    account = alpha["account"]["id"]
    client = await Client.connect(server.ws_url, str(alpha["token"]))
    headers = {"authorization": f"Bearer {operator_token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as api:
        muted = {"account": account, "seconds": 60.0, "reason": "shouting"}
        assert (await api.post("/api/operator/mute", json=muted)).status_code == 200
        seq = await client.send("say", text="hello?")
        await client.until(lambda c: any(e.seq == seq for e in c.errors))
        refusal = next(e for e in client.errors if e.seq == seq)
        assert refusal.reason == "muted" and "shouting" in refusal.detail
        ban = {"account": account, "seconds": 60.0, "reason": "cheating"}
        banned = await api.post("/api/operator/ban", json=ban)
        assert banned.json()["record"]["disconnected"] is True
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.until(lambda c: False, timeout=5.0)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4004
        again = httpx.post(f"{server.url}/api/login", json={"name": "Alpha", "password": PASSWORD})
        assert again.status_code == 403 and again.json()["error"] == "banned"
        lifted = {"account": account, "reason": "appeal"}
        assert (await api.post("/api/operator/unban", json=lifted)).status_code == 200
    _login(server, "Alpha")
