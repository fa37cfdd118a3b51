"""Hunting over a real server: an operator shares a thief's location with its victims; the
victim's client gets the notice and a marker a second, a bystander gets nothing, the thief is
told; a player may not share; every act is in the audit log, which still verifies.

The theft is written into the server's ledger by this test, as `Theft.siphon` writes one
(a THEFT transfer from the victim's earned credits naming thief and victim): a siphon in
flight needs minutes of mining first. tests/operators/test_hunting.py siphons for real."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from infinity.economy import accounts
from infinity.gateway import wire
from infinity.ledger import Ledger, TransferKind, TransferRequest
from infinity.store.store import sqlite_url
from tests.conftest import Server
from tests.gateway.client import Client
from tests.gateway.test_heart_api import operator


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Player:
    token: str
    account: int
    ship: int

    @classmethod
    def register(cls, server: Server, name: str) -> Player:
        answer: dict[str, Any] = server.register(name)
        return cls(answer["token"], answer["account"]["id"], answer["ship"])

    @property
    def wallet(self) -> str:
        return accounts.wallet(self.ship, self.account)


async def rob(server: Server, thief: Player, victim: Player) -> None:
    """The victim earns 100 cr (granted from the mint), then the thief siphons 40 of them."""
    ledger = await Ledger.open(sqlite_url(server.data))
    try:
        earned = TransferRequest.move("test-earned", TransferKind.GRANT, accounts.MINT, victim.wallet, 100)  # fmt: skip
        await ledger.transfer(earned)
        siphon = TransferRequest.move(
            "test-siphon", TransferKind.THEFT, victim.wallet, thief.wallet, 40,
            actors={"thief": thief.ship, "victim": victim.ship}, memo="siphon",
        )  # fmt: skip
        await ledger.transfer(siphon)
    finally:
        await ledger.close()


def notices(client: Client, kind: str) -> list[wire.NoticeMessage]:
    return [m for m in client.messages if isinstance(m, wire.NoticeMessage) and m.kind == kind]


def markers(client: Client) -> list[list[wire.MarkerRecord]]:
    return [m.markers for m in client.messages if isinstance(m, wire.Markers)]


async def listen(client: Client, seconds: float) -> None:
    """Read whatever comes for `seconds`."""
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while (left := until - loop.time()) > 0:
        try:
            await client.recv(left)
        except TimeoutError:
            return


async def test_a_victim_sees_the_thief_until_the_share_is_revoked(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", npcs=False)
    server.start()
    try:
        thief, victim, idle = (Player.register(server, n) for n in ("Corsair", "Mark", "Idle"))
        warden = operator(server, "Warden")
        await rob(server, thief, victim)
        clients = [await Client.connect(server.ws_url, p.token) for p in (thief, victim, idle)]  # fmt: skip
        at_thief, at_victim, at_idle = clients
        request = {"subject_kind": "player", "subject_id": thief.account, "audience": "victims", "minutes": 5}  # fmt: skip

        refused = httpx.post(f"{server.url}/api/operator/share", json=request, headers=auth(idle.token))  # fmt: skip
        assert refused.status_code == 403
        assert refused.json()["entry"]["result"] == "refused"

        made = httpx.post(f"{server.url}/api/operator/share", json=request, headers=auth(warden))
        assert made.status_code == 201, made.text
        share = made.json()["share"]
        assert (share["name"], share["members"]) == ("Corsair", 1)
        assert made.json()["entry"]["result"] == "done"

        await at_victim.until(lambda c: bool(notices(c, "hunt")) and any(markers(c)))
        (seen,) = next(m for m in markers(at_victim) if m)
        assert (seen.share, seen.ship, seen.name) == (share["id"], thief.ship, "Corsair")
        await at_thief.until(lambda c: bool(notices(c, "hunted")))
        await listen(at_idle, 2.5)
        assert markers(at_idle) == [] and notices(at_idle, "hunt") == []

        listed = httpx.get(f"{server.url}/api/operator/shares", headers=auth(warden)).json()
        assert [s["id"] for s in listed["shares"]] == [share["id"]]
        ended = httpx.delete(f"{server.url}/api/operator/share/{share['id']}", headers=auth(warden))  # fmt: skip
        assert ended.status_code == 200 and ended.json()["share"]["ended"] == "revoked"
        assert ended.json()["entry"]["verb"] == "revoke_share"
        assert ended.json()["entry"]["seq"] > made.json()["entry"]["seq"]
        await at_victim.until(lambda c: bool(notices(c, "hunt_ended")) and markers(c)[-1] == [])
        for client in clients:  # the closing handshake waits behind unread frames: be brief
            client.ws.close_timeout = 0.5
            await client.close()
    finally:
        server.stop()
    verify = subprocess.run(
        [sys.executable, "-m", "infinity", "audit", "verify", "--data", str(server.data)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
