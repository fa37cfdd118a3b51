"""The crew in a real `infinity serve`: founded crews on the roster, a hail answered in local
chat, orders after recruiting, and minds that survive a restart."""

from __future__ import annotations

import time
from typing import Any

import httpx2 as httpx

from tests.conftest import PASSWORD, Server
from tests.gateway.client import Client


def roster(server: Server, token: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/api/agents", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    agents: list[dict[str, Any]] = answer.json()["agents"]
    return agents


def test_the_founding_crews_are_on_the_roster_and_at_work(server: Server) -> None:
    token = str(server.register("rosterer")["token"])
    seen = roster(server, token)
    assert len(seen) == 8 and all(a["alive"] for a in seen)  # two crews in each starter system
    assert all(a["persona"]["name"] == a["name"] and a["crew"] for a in seen)
    deadline = time.monotonic() + 10
    while not any(a["plan"] for a in roster(server, token)):
        assert time.monotonic() < deadline, "nobody made a plan"
        time.sleep(0.5)


async def test_a_hail_in_local_chat_is_answered_in_character(server: Server) -> None:
    session = server.register("hailer")
    token = str(session["token"])
    agent = roster(server, token)[0]
    client = await Client.connect(server.ws_url, token)
    try:
        await client.send("say", text=f"{agent['persona']['given_name']}, who are you?")
        await client.until(lambda c: any(agent["name"] in line.text for line in c.chat), timeout=10)
    finally:
        await client.close()


def test_minds_survive_a_restart(server: Server) -> None:
    token = str(server.register("rememberer")["token"])
    time.sleep(server.snapshot_seconds + 1)
    before = {a["id"]: (a["name"], a["alive"]) for a in roster(server, token)}
    server.stop()
    server.start()
    login = httpx.post(f"{server.url}/api/login", json={"name": "rememberer", "password": PASSWORD})
    after = roster(server, login.json()["token"])
    assert {a["id"]: (a["name"], a["alive"]) for a in after} == before
    assert any(a["memories"] for a in after)
