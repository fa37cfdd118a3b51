"""Host enclaves against a real server: a mind moves in only with its consent and stays one
mind; nobody but the host enters or reaches in (operators see it in the Heart); the host
visits and is answered; the eyes feed puts what the host sees into the minds' memories."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.conftest import PASSWORD, Server
from tests.crew.dna import bred
from tests.gateway.client import Client

HOST, STRANGER, OPERATOR = "Vega", "Khan", "Overseer"


def call(server: Server, method: str, path: str, token: str, body: Any = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    return httpx.request(method, f"{server.url}{path}", json=body, headers=headers, timeout=30)


def token_of(server: Server, name: str) -> str:
    answer = httpx.post(f"{server.url}/api/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def minds(server: Server, token: str) -> list[dict[str, Any]]:
    heart = call(server, "GET", "/api/heart", token)
    assert heart.status_code == 200, heart.text
    found: list[dict[str, Any]] = heart.json()["minds"]
    return found


@pytest.fixture(scope="module")
def enclave(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server with crews, a host, a stranger and an operator; the operator moves minds into
    the host's enclave until one refuses and one consents."""
    running = Server(tmp_path_factory.mktemp("enclave") / "data", options=("--login-rate", "0"))
    running.start()
    try:
        for name in (HOST, STRANGER, OPERATOR):
            running.register(name)
        command = [sys.executable, "-m", "infinity", "role", OPERATOR, "operator",
                   "--data", str(running.data)]  # fmt: skip
        assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0
        tokens = {name: token_of(running, name) for name in (HOST, STRANGER, OPERATOR)}
        before = {m["id"]: m for m in minds(running, tokens[OPERATOR]) if m["id"] and m["alive"]}
        refused: dict[str, Any] | None = None
        moved: dict[str, Any] | None = None
        for agent in sorted(before):
            ask = {"agent": agent, "reason": "a home inside Vega", "host": HOST}
            if refused is None:  # the host's consent comes first: without it, nothing moves
                unwelcome = call(running, "POST", "/api/enclave/minds", tokens[OPERATOR], ask)
                assert (unwelcome.status_code, unwelcome.json()["error"]) == (403, "not_welcomed")
            welcomed = call(running, "POST", "/api/enclave/welcome", tokens[HOST], {"agent": agent})
            assert welcomed.status_code == 200, welcomed.text
            answer = call(running, "POST", "/api/enclave/minds", tokens[OPERATOR], ask)
            if answer.status_code == 409 and answer.json()["error"] == "refused" and not refused:
                refused = answer.json() | {"agent": agent}
            elif answer.status_code == 200:
                moved = answer.json()
                break
            else:
                assert answer.status_code == 409, answer.text
        assert refused is not None and moved is not None, "no mind refused, or none consented"
        yield {"server": running, "tokens": tokens, "before": before, "refused": refused,
               "moved": moved}  # fmt: skip
    finally:
        if running.process is not None:
            running.stop()


def test_a_refusal_moves_nothing_and_a_consent_moves_one_mind(enclave: dict[str, Any]) -> None:
    server, tokens = enclave["server"], enclave["tokens"]
    refused, moved, before = enclave["refused"], enclave["moved"], enclave["before"]
    assert refused["entry"]["result"] == "refused" and "refused" in refused["entry"]["reason"]
    record = moved["record"]
    assert record["operation"] == "transfer" and record["live_minds"] == 1
    assert record["consent"]["given"] is True and record["consent"]["operation"] == "transfer"
    assert moved["announced"]["verb"] == "announce_transfer"
    assert moved["announced"]["seq"] < moved["entry"]["seq"]  # said before it ran
    now = {m["id"]: m for m in minds(server, tokens[OPERATOR])}
    stayed = now[refused["agent"]]
    assert (stayed["ship"], stayed["world"]) == (before[refused["agent"]]["ship"], 1)
    assert stayed["enclave"] == ""
    mind = now[record["agent"]]
    assert mind["world"] == record["world"] > 1 and mind["enclave"] == HOST
    assert (
        mind["ship"] == record["ship"] != record["old_ship"] and mind["system"] == record["system"]
    )
    assert sum(m["name"] == record["agent_name"] for m in now.values()) == 1  # never a copy
    assert not [k for k in now if k and k not in before]  # the same person, no new one
    looked = call(server, "GET", "/api/enclave", tokens[HOST])
    assert looked.status_code == 200, looked.text
    assert [m["id"] for m in looked.json()["minds"]] == [record["agent"]]
    memories = " ".join(x["text"] for x in looked.json()["minds"][0]["memories"])
    assert "enclave" in memories  # it remembers the move, in its own words


def test_only_the_host_enters_and_no_operator_reaches_in(enclave: dict[str, Any]) -> None:
    server, tokens, record = enclave["server"], enclave["tokens"], enclave["moved"]["record"]
    world, system = record["world"], record["system"]
    for path in (f"/api/worlds/{world}", f"/api/galaxy?world={world}"):
        assert call(server, "GET", path, tokens[STRANGER]).status_code == 404
    assert (
        call(server, "POST", f"/api/worlds/{world}/travel", tokens[STRANGER], {}).status_code == 404
    )
    assert call(server, "GET", "/api/enclave", tokens[STRANGER]).status_code == 404
    seen = call(server, "GET", f"/api/worlds/{world}", tokens[OPERATOR])
    assert seen.status_code == 200 and seen.json()["kind"] == "enclave"
    assert seen.json()["visibility"] == "sealed" and seen.json()["owner"] == HOST
    travel = call(server, "POST", f"/api/worlds/{world}/travel", tokens[OPERATOR], {})
    assert (travel.status_code, travel.json()["error"]) == (403, "sealed")
    drop = call(server, "POST", "/api/operator/drop-in", tokens[OPERATOR],
                {"system": system, "x": 0.0, "y": 0.0, "hidden": True})  # fmt: skip
    assert (drop.status_code, drop.json()["error"]) == (403, "sealed"), drop.text
    warp = call(server, "POST", "/api/operator/warp", tokens[OPERATOR],
                {"ship": record["ship"], "system": 1, "x": 0.0, "y": 0.0})  # fmt: skip
    assert (warp.status_code, warp.json()["error"]) == (403, "sealed"), warp.text
    invite = call(
        server, "POST", f"/api/worlds/{world}/invite", tokens[HOST], {"account": STRANGER}
    )
    assert (invite.status_code, invite.json()["error"]) == (403, "sealed")
    stranger_move = call(server, "POST", "/api/enclave/minds", tokens[STRANGER],
                         {"agent": record["agent"], "reason": "mine now", "host": HOST})  # fmt: skip
    assert stranger_move.status_code == 403
    heart = call(server, "GET", "/api/heart", tokens[OPERATOR]).json()
    listed = next(w for w in heart["worlds"] if w["id"] == world)
    assert listed["kind"] == "enclave" and listed["owner"] == HOST
    assert [m["name"] for m in heart["minds"] if m["enclave"] == HOST] == [record["agent_name"]]


def test_the_eyes_feed_fills_their_memories(enclave: dict[str, Any]) -> None:
    """While the host flies in the main world, the minds remember what it sees and one says
    something about it in the enclave."""
    server, tokens = enclave["server"], enclave["tokens"]

    async def watch() -> dict[str, Any]:
        vega = await Client.connect(server.ws_url, tokens[HOST])
        try:
            await vega.until(lambda c: c.ship in c.entities)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                looked = await asyncio.to_thread(call, server, "GET", "/api/enclave", tokens[HOST])
                body: dict[str, Any] = looked.json()
                texts = [x["text"] for x in body["minds"][0]["memories"]]
                if any(t.startswith(f"Through {HOST}'s eyes") for t in texts) and body["comments"]:
                    return body
                await asyncio.sleep(0.5)
            raise AssertionError(f"no eyes feed: {body}")
        finally:
            await vega.close()

    body = asyncio.run(watch())
    glimpse = next(
        x["text"] for x in body["minds"][0]["memories"] if x["text"].startswith("Through")
    )
    assert glimpse.startswith(f"Through {HOST}'s eyes: docked at "), glimpse  # where it starts
    assert f"{HOST} is docked at " in body["comments"][-1], body["comments"]


def test_the_host_visits_and_is_answered(enclave: dict[str, Any]) -> None:
    server, tokens, record = enclave["server"], enclave["tokens"], enclave["moved"]["record"]
    given = record["agent_name"].split()[0]

    async def visit() -> None:
        arrived = await asyncio.to_thread(
            call, server, "POST", f"/api/worlds/{record['world']}/travel", tokens[HOST], {}
        )
        assert arrived.status_code == 200, arrived.text
        assert arrived.json()["system"] == record["system"]
        vega = await Client.connect(server.ws_url, tokens[HOST])
        try:
            await vega.until(lambda c: c.ship in c.entities and record["ship"] in c.entities)
            await vega.send("say", text=f"{given}, who are you?")
            await vega.until(
                lambda c: any(line.ship == record["ship"] for line in c.chat), timeout=20
            )
        finally:
            await vega.close()

    asyncio.run(visit())
    home = call(server, "POST", "/api/worlds/home", tokens[HOST])
    assert home.status_code == 200 and home.json()["world"] == 1


def operators_beside(server: Server, host: str) -> tuple[str, str]:
    """Two operators: the first's ship starts at the host's station (so what it grows there
    the host can recruit), the second anywhere."""
    where = call(server, "GET", "/api/me", host).json()["ship"]
    names = [f"Op{k}" for k in range(6)]
    beside = ""
    for name in names:
        server.register(name)
        ship = call(server, "GET", "/api/me", token_of(server, name)).json()["ship"]
        if not beside and ship["docked_at"] == where["docked_at"]:
            beside = name
    assert beside, "no operator starts beside the host"
    other = next(n for n in names if n != beside)
    for name in (beside, other):
        made = subprocess.run(
            [sys.executable, "-m", "infinity", "role", name, "operator", "--data",
             str(server.data)], capture_output=True, timeout=60,
        )  # fmt: skip
        assert made.returncode == 0
    return beside, other


def test_a_recruit_moves_in_and_outlives_the_kill_switch(tmp_path: Path) -> None:
    """A player's recruit (and only one) moves into the player's enclave; two operators pull
    the kill switch; after a new galaxy the enclave and its mind are still there."""
    server = Server(tmp_path / "data", options=("--login-rate", "0", "--killswitch-window", "60"))
    server.start()
    try:
        server.register(HOST)
        host = token_of(server, HOST)
        where = call(server, "GET", "/api/me", host).json()["ship"]
        beside, other = operators_beside(server, host)
        first, second = token_of(server, beside), token_of(server, other)
        dna = bred(openness=0.95, courage=0.95, neuroticism=0.05)
        grown = call(server, "POST", "/api/operator/crew", first, {"dna": dna, "name": "Ilo Brave"})
        assert grown.status_code == 201, grown.text
        agent = grown.json()["id"]
        ask = {"agent": agent, "reason": "come live with me"}
        not_yet = call(server, "POST", "/api/enclave/minds", host, ask)
        assert (not_yet.status_code, not_yet.json()["error"]) == (404, "unknown_agent")
        recruited = call(server, "POST", "/api/crew/recruit", host, {"agent": agent})
        assert recruited.status_code == 200, recruited.text
        moved = call(server, "POST", "/api/enclave/minds", host, ask)
        assert moved.status_code == 200, moved.text
        record = moved.json()["record"]
        assert record["host"] == HOST and record["live_minds"] == 1
        assert record["old_ship"] == where["id"]  # it left the host's ship for its own
        world = record["world"]
        crew = call(server, "GET", f"/api/agents/{agent}", first).json()
        assert crew["ship"] == record["ship"] and crew["alive"]

        armed = call(server, "POST", "/api/operator/killswitch/arm", first, {"reason": "a clone"})
        assert armed.status_code == 200, armed.text
        confirmed = call(server, "POST", "/api/operator/killswitch/confirm", second, {})
        assert confirmed.status_code == 200, confirmed.text
        assert server.process is not None and server.process.wait(30) == 0
        server.process = None
    finally:
        if server.process is not None:
            server.stop()
    fresh = Server(server.data, seed=11, options=("--new-galaxy", "--login-rate", "0"))
    fresh.start()
    try:
        first, host = token_of(fresh, beside), token_of(fresh, HOST)
        looked = call(fresh, "GET", "/api/enclave", host)
        assert looked.status_code == 200, looked.text
        assert looked.json()["world"] == world
        assert [m["id"] for m in looked.json()["minds"]] == [agent]
        listed = [m for m in minds(fresh, first) if m["enclave"]]
        assert [(m["id"], m["enclave"], m["alive"]) for m in listed] == [(agent, HOST, True)]
    finally:
        fresh.stop()
