"""The economy through the real server: HUD credits, starter credit, wallet, bounties, audit."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx

from tests.conftest import Server
from tests.gateway.client import Client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_new_player_holds_starter_credit_it_cannot_post_as_a_bounty(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", seed=21)
    server.start()
    try:
        token = str(server.register("merchant")["token"])
        client = await Client.connect(server.ws_url, token)
        await client.until(lambda c: c.me is not None and c.me.credits == 1000)
        assert client.me is not None and client.me.fuel == 100
        seq = await client.send("sell", quantity=5.0)
        await client.until(lambda c: any(e.seq == seq for e in c.errors))
        assert client.errors[-1].reason == "not_enough"
        seq = await client.send("repair")
        await client.until(lambda c: any(e.seq == seq for e in c.errors))
        assert client.errors[-1].reason == "invalid"  # the hull needs no repair

        wallet = httpx.get(f"{server.url}/api/wallet", headers=auth(token)).json()
        assert (wallet["balance"], wallet["starter"]) == (1000, 1000)
        assert [e["kind"] for e in wallet["history"]] == ["grant"]
        station = client.entities[client.ship].extra["docked_at"]
        market = httpx.get(f"{server.url}/api/market", params={"station": station}).json()
        assert market["prices"]["ore"] > 0

        # starter credit pays for your own needs only: nothing earned, nothing to post
        target = next(i for i, e in client.entities.items() if e.kind == 1 and i != client.ship)
        posted = httpx.post(
            f"{server.url}/api/bounties",
            headers=auth(token),
            json={"target_kind": "ship", "target_id": target, "amount": 250},
        )
        assert (posted.status_code, posted.json()["error"]) == (402, "no_credits")
        assert httpx.get(f"{server.url}/api/bounties").json()["open"] == []
        assert httpx.get(f"{server.url}/api/wallet", headers=auth(token)).json()["balance"] == 1000
        assert client.me is not None and client.me.credits == 1000
        await client.close()
    finally:
        server.stop(signal.SIGTERM)
    audit = subprocess.run(
        [sys.executable, "-m", "infinity", "ledger", "audit", "--data", str(server.data)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "audit passed" in audit.stdout
    balance = subprocess.run(
        [
            sys.executable,
            "-m",
            "infinity",
            "ledger",
            "balance",
            "player:merchant",
            "--data",
            str(server.data),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert balance.returncode == 0, balance.stderr
    assert balance.stdout.split(":")[-1].split()[0] == "0"  # the wallet: earned credits only
