"""Moving a mind between the worlds of one server, against a real server: only with its
consent, only by its captain or an operator, never into an enclave this way, always one
live mind, and where it went survives a restart."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from infinity._faults import FAULT
from tests.conftest import Server
from tests.crew.dna import bred
from tests.minds.test_enclave import call, minds, operators_beside, token_of

CAPTAIN, STRANGER = "Vega", "Khan"
BRAVE = bred(openness=0.95, courage=0.95, neuroticism=0.05)
TIMID = bred(openness=0.05, courage=0.05, neuroticism=0.95)


def grow(server: Server, token: str, dna: str, name: str) -> int:
    grown = call(server, "POST", "/api/operator/crew", token, {"dna": dna, "name": name})
    assert grown.status_code == 201, grown.text
    return int(grown.json()["id"])


def move(server: Server, token: str, agent: int, world: int) -> Any:
    return call(
        server, "POST", f"/api/minds/{agent}/move", token, {"world": world, "reason": "a test"}
    )


def where(server: Server, token: str, agent: int) -> dict[str, Any]:
    return next(m for m in minds(server, token) if m["id"] == agent)


def test_a_mind_moves_between_worlds_as_one_mind(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", options=("--login-rate", "0"))
    server.start()
    try:
        for name in (CAPTAIN, STRANGER):
            server.register(name)
        captain, stranger = token_of(server, CAPTAIN), token_of(server, STRANGER)
        beside, _ = operators_beside(server, captain)
        operator = token_of(server, beside)
        grown = []
        for dna, name in ((BRAVE, "Ilo Brave"), (TIMID, "Oma Timid")):
            # Recruited at once: a grown mind decides for itself, and may soon undock.
            agent = grow(server, operator, dna, name)
            recruited = call(server, "POST", "/api/crew/recruit", captain, {"agent": agent})
            assert recruited.status_code == 200, recruited.text
            grown.append(agent)
        brave, timid = grown
        fleet = call(
            server, "POST", "/api/worlds", captain, {"template": "space-fleet", "name": "Fleet"}
        )
        assert fleet.status_code == 201, fleet.text
        world = int(fleet.json()["id"])
        before = where(server, operator, brave)
        assert before["world"] == 1 and not before["in_transit"]

        probed = move(server, stranger, brave, world)  # a stranger learns nothing of it
        assert (probed.status_code, probed.json()["error"]) == (404, "unknown_agent")
        assert "Ilo" not in probed.text and "Brave" not in probed.text
        nobody = move(server, stranger, 999_999, world)  # the same answer as for no mind
        assert (nobody.status_code, nobody.json()["error"]) == (404, "unknown_agent")
        assert nobody.json()["detail"] == probed.json()["detail"].replace(str(brave), "999999")
        assert move(server, captain, brave, 424242).json()["error"] == "unknown_world"
        assert move(server, captain, brave, 1).json()["error"] == "already_there"
        call(server, "POST", "/api/enclave", captain)
        enclave = call(server, "GET", "/api/enclave", captain).json()["world"]
        assert move(server, captain, brave, enclave).json()["error"] == "sealed"
        bad = call(server, "POST", f"/api/minds/{brave}/move", captain, {"world": "x"})
        assert bad.status_code == 422

        refused = move(server, captain, timid, world)
        assert (refused.status_code, refused.json()["error"]) == (409, "refused"), refused.text
        assert where(server, operator, timid)["world"] == 1  # nothing moved

        moved = move(server, captain, brave, world)
        assert moved.status_code == 200, moved.text
        record = moved.json()["record"]
        assert record["operation"] == "transfer" and record["live_minds"] == 1
        assert record["world"] == world and record["old_ship"] == before["ship"]
        assert moved.json()["announced"]["seq"] < moved.json()["entry"]["seq"]
        now = minds(server, operator)
        assert sum(m["name"] == "Ilo Brave" for m in now) == 1  # never a copy
        there = where(server, operator, brave)
        assert (there["world"], there["ship"]) == (world, record["ship"])
        assert there["crew"] == ""  # it left the crew with the crew's ship
        told = call(server, "GET", f"/api/agents/{brave}", operator).json()
        assert any("Fleet" in m["text"] for m in told["memories"])  # in its own words

        # No longer in the captain's crew: only an operator may move it home again.
        assert move(server, captain, brave, 1).json()["error"] == "unknown_agent"
        home = move(server, operator, brave, 1)
        assert home.status_code == 200, home.text
        server.stop()
        server.start()
        operator = token_of(server, beside)
        back = where(server, operator, brave)
        assert (back["world"], back["ship"], back["alive"]) == (
            1,
            home.json()["record"]["ship"],
            True,
        )
    finally:
        if server.process is not None:
            server.stop()


@pytest.mark.parametrize("point", ["commissioned", "boarded", "saved"])
def test_killed_at_any_step_of_a_move_one_mind_lives_on(tmp_path: Path, point: str) -> None:
    """SIGKILL at each step of a move (INFINITY_FAULT=move:<point>); after a restart exactly
    one live mind with this identity exists, its memories whole, where its last save put it:
    home before the save, in the new world after it."""
    os.environ[FAULT] = f"move:{point}"
    server = Server(tmp_path / "data", snapshot_seconds=1.0, options=("--login-rate", "0"))
    try:
        server.start()
    finally:
        del os.environ[FAULT]
    try:
        server.register(CAPTAIN)
        captain = token_of(server, CAPTAIN)
        beside, _ = operators_beside(server, captain)
        operator = token_of(server, beside)
        brave = grow(server, operator, BRAVE, "Ilo Brave")
        fleet = call(
            server, "POST", "/api/worlds", operator, {"template": "space-fleet", "name": "Fleet"}
        )
        assert fleet.status_code == 201, fleet.text
        world = int(fleet.json()["id"])
        time.sleep(1.5)  # the company's save: its memories so far are in the store
        remembered = len(call(server, "GET", f"/api/agents/{brave}", operator).json()["memories"])
        with pytest.raises(httpx.TransportError):
            move(server, operator, brave, world)
        assert server.process is not None and server.process.wait(15) == -signal.SIGKILL
        server.process = None
    finally:
        if server.process is not None:
            server.stop()
    server.start()
    try:
        operator = token_of(server, beside)
        now = minds(server, operator)
        alive = [m for m in now if m["name"] == "Ilo Brave" and m["alive"]]
        assert len(alive) == 1 and alive[0]["id"] == brave  # never two, never none
        assert alive[0]["world"] == (world if point == "saved" else 1)
        detail = call(server, "GET", f"/api/agents/{brave}", operator).json()
        assert len(detail["memories"]) >= remembered
    finally:
        server.stop()
