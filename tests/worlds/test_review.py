"""Review of issue 12 (private instances, building, the builder in the Heart) as a hostile
player, a careless owner and an operator would use it: each test is one defect found."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from tests.conftest import Server
from tests.worlds.test_instances import INSTANCE_SYSTEMS, call, me, token_of

HEART = 10_000
NAMES = ("Ada", "Bea", "Cyd", "Bob", "Opa")  # owner, member, stranger, builder, operator


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server (no NPCs, snapshots rare so a kill -9 loses what only a snapshot would
    write) with Ada's space-fleet instance, Bea invited to it."""
    running = Server(tmp_path_factory.mktemp("review") / "data", npcs=False,
                     snapshot_seconds=300.0, options=("--login-rate", "0"))  # fmt: skip
    running.start()
    try:
        for name in NAMES:
            running.register(name)
        for name, role in (("Bob", "builder"), ("Opa", "operator")):
            command = [sys.executable, "-m", "infinity", "role", name, role,
                       "--data", str(running.data)]  # fmt: skip
            assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0
        tokens = {name: token_of(running, name) for name in NAMES}
        made = call(running, "POST", "/api/worlds", tokens["Ada"],
                    {"template": "space-fleet", "name": "Argo"})  # fmt: skip
        assert made.status_code == 201, made.text
        world = made.json()["id"]
        invited = call(running, "POST", f"/api/worlds/{world}/invite", tokens["Ada"],
                       {"account": "Bea"})  # fmt: skip
        assert invited.status_code == 200, invited.text
        yield {"server": running, "tokens": tokens, "world": world}
    finally:
        if running.process is not None:
            running.stop()


def galaxy(server: Server, token: str, world: int) -> list[dict[str, Any]]:
    systems: list[dict[str, Any]] = call(server, "GET", f"/api/galaxy?world={world}", token).json()[
        "systems"
    ]
    return systems


def test_a_builder_can_neither_reach_nor_raze_the_heart(review: dict[str, Any]) -> None:
    """The Heart is outside the gate graph (docs/operators.md): a builder (not an operator)
    linked a main-world system to it by id, which answered 500 half done and left a public
    gate leading there on /api/galaxy; `remove_system` removed the Heart itself."""
    server, tokens = review["server"], review["tokens"]
    for command in (
        {"op": "link", "system": 1, "to": HEART},
        {"op": "link", "system": HEART, "to": 1},
        {"op": "add_station", "system": HEART, "name": "Way In", "x": 0.0, "y": 0.0},
        {"op": "remove_system", "system": HEART},
    ):
        answer = call(server, "POST", "/api/worlds/1/build", tokens["Bob"], {"commands": [command]})
        assert answer.status_code == 404, (command, answer.status_code, answer.text)
        assert answer.json()["error"] == "unknown_system"
    public = httpx.get(f"{server.url}/api/galaxy").json()
    assert all(HEART not in lane for lane in public["lanes"])
    assert all(g["leads_to"] != HEART for s in public["systems"] for g in s["gates"])
    assert call(server, "GET", "/api/heart", tokens["Opa"]).status_code == 200  # still there
    planned = call(server, "POST", "/api/worlds/1/plans", tokens["Bob"],
                   {"brief": "a ring of six systems with a shipyard"})  # fmt: skip
    assert planned.status_code == 201, planned.text
    steps = [s["command"] for s in planned.json()["steps"]]
    assert all(HEART not in (c.get("system"), c.get("to")) for c in steps)
    assert all("Heart of Infinity" not in (c.get("system"), c.get("to")) for c in steps)
    call(server, "DELETE", f"/api/plans/{planned.json()['id']}", tokens["Bob"])


def test_a_system_holds_at_most_400_bodies(review: dict[str, Any]) -> None:
    """`MAX_BODIES` (400 per system) was never enforced: an owner added belts without end
    (800 rocks in two requests), costing every zone's tick and the store."""
    server, tokens, world = review["server"], review["tokens"], review["world"]
    system = galaxy(server, tokens["Ada"], world)[-1]["id"]
    belts = [
        {
            "op": "add_belt",
            "system": system,
            "name": f"Rubble {k}",
            "x": 5e4,
            "y": 5e4,
            "rocks": 40,
        }
        for k in range(11)
    ]
    answer = call(server, "POST", f"/api/worlds/{world}/build", tokens["Ada"], {"commands": belts})
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"] == "limit"
    held = next(s for s in galaxy(server, tokens["Ada"], world) if s["id"] == system)
    bodies = 1 + len(held["stations"]) + len(held["gates"]) + sum(b["rocks"] for b in held["belts"])
    assert 360 <= bodies <= 400
    for k in range(11):  # leave the system as it was for the other tests
        removed = [{"op": "remove_body", "system": system, "body": f"Rubble {k} {n}"}
                   for n in range(1, 41)]  # fmt: skip
        call(server, "POST", f"/api/worlds/{world}/build", tokens["Ada"], {"commands": removed})


def test_uninviting_the_owner_leaves_the_owner_in_their_world(review: dict[str, Any]) -> None:
    """The owner is no member: uninviting them (themselves, or an operator) sent them home
    from their own world and off the captain's chair."""
    server, tokens, world = review["server"], review["tokens"], review["world"]
    assert call(server, "POST", f"/api/worlds/{world}/travel", tokens["Ada"], {}).status_code == 200
    seated = call(server, "POST", f"/api/worlds/{world}/bridge", tokens["Ada"], {"post": "captain"})
    assert seated.status_code == 200, seated.text
    for who in ("Ada", "Opa"):
        call(server, "POST", f"/api/worlds/{world}/uninvite", tokens[who], {"account": "Ada"})
        assert me(server, tokens["Ada"])["system"] > INSTANCE_SYSTEMS, who
    view = call(server, "GET", f"/api/worlds/{world}", tokens["Ada"]).json()
    assert view["posts"][0]["holder"] == "Ada"
    assert call(server, "POST", "/api/worlds/home", tokens["Ada"]).status_code == 200


def test_a_waiting_plan_is_not_pushed_out_by_another_accounts_churn(
    review: dict[str, Any],
) -> None:
    """Plans are kept 50 to a server, the oldest idle forgotten first: a stranger proposing
    and cancelling in their own instance erased everyone else's waiting plans."""
    server, tokens, world = review["server"], review["tokens"], review["world"]
    brief = {"brief": "two systems in a chain"}
    mine = call(server, "POST", f"/api/worlds/{world}/plans", tokens["Ada"], brief)
    assert mine.status_code == 201, mine.text
    theirs = call(server, "POST", "/api/worlds", tokens["Cyd"],
                  {"template": "space-fleet", "name": "Churn"}).json()["id"]  # fmt: skip
    for _ in range(55):
        planned = call(server, "POST", f"/api/worlds/{theirs}/plans", tokens["Cyd"], brief)
        assert planned.status_code == 201, planned.text
        call(server, "DELETE", f"/api/plans/{planned.json()['id']}", tokens["Cyd"])
    kept = call(server, "GET", f"/api/plans/{mine.json()['id']}", tokens["Ada"])
    assert kept.status_code == 200 and kept.json()["status"] == "proposed"
    call(server, "DELETE", f"/api/plans/{mine.json()['id']}", tokens["Ada"])
    assert call(server, "DELETE", f"/api/worlds/{theirs}", tokens["Cyd"]).status_code == 200


def test_the_last_station_of_a_world_stays(review: dict[str, Any]) -> None:
    """ "A world keeps at least one system with a station" held for remove_system only:
    remove_body took the last station, and then no one could travel in (422 no_station),
    not even the owner, and ships docked there had no station to be rehomed to."""
    server, tokens, world = review["server"], review["tokens"], review["world"]
    stations = [(s["id"], t["id"]) for s in galaxy(server, tokens["Ada"], world)
                for t in s["stations"]]  # fmt: skip
    assert len(stations) >= 2
    build = f"/api/worlds/{world}/build"
    for system, station in stations[1:]:
        command = {"op": "remove_body", "system": system, "body": station}
        assert (
            call(server, "POST", build, tokens["Ada"], {"commands": [command]}).status_code == 200
        )
    system, station = stations[0]
    last = {"op": "remove_body", "system": system, "body": station}
    refused = call(server, "POST", build, tokens["Ada"], {"commands": [last]})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "last_system"
    assert call(server, "POST", f"/api/worlds/{world}/travel", tokens["Ada"], {}).status_code == 200
    assert call(server, "POST", "/api/worlds/home", tokens["Ada"]).status_code == 200
    for k, (system, _) in enumerate(stations[1:]):  # as it was, for the tests below
        again = {"op": "add_station", "system": system, "name": f"Outpost {k}", "x": 2e3, "y": 0.0}
        assert call(server, "POST", build, tokens["Ada"], {"commands": [again]}).status_code == 200


def test_a_system_may_be_renamed_to_its_own_name_in_another_case(
    review: dict[str, Any],
) -> None:
    """Names are unique in a world whatever the case, but a system's own name counted too:
    "Kronos Drift" could not become "KRONOS DRIFT" (409 name_taken)."""
    server, tokens, world = review["server"], review["tokens"], review["world"]
    path = f"/api/worlds/{world}/build"
    for old, new in (("Kronos Drift", "KRONOS DRIFT"), ("KRONOS DRIFT", "Kronos Drift")):
        command = {"op": "rename_system", "system": old, "name": new}
        answer = call(server, "POST", path, tokens["Ada"], {"commands": [command]})
        assert answer.status_code == 200, answer.text
    taken = {"op": "rename_system", "system": "Kronos Drift", "name": "vulcanis"}
    refused = call(server, "POST", path, tokens["Ada"], {"commands": [taken]})
    assert refused.status_code == 409 and refused.json()["error"] == "name_taken"


def test_home_when_the_origin_is_gone_and_the_first_system_has_no_station(
    review: dict[str, Any],
) -> None:
    """A ship whose origin system was removed goes home to the main world's first system's
    first station; when that system had none (a builder removed it), going home, closing
    or uninviting answered 500 (IndexError) and the guest was stranded in the instance."""
    server, tokens, world = review["server"], review["tokens"], review["world"]
    origin = me(server, tokens["Bea"])
    first = httpx.get(f"{server.url}/api/galaxy").json()["systems"][0]
    if origin["system"] == first["id"]:
        pytest.skip("the guest starts in the first system")
    assert call(server, "POST", f"/api/worlds/{world}/travel", tokens["Bea"], {}).status_code == 200
    build = "/api/worlds/1/build"
    for station in first["stations"]:
        command = {"op": "remove_body", "system": first["id"], "body": station["id"]}
        assert (
            call(server, "POST", build, tokens["Bob"], {"commands": [command]}).status_code == 200
        )
    gone = {"op": "remove_system", "system": origin["system"]}
    assert call(server, "POST", build, tokens["Bob"], {"commands": [gone]}).status_code == 200
    home = call(server, "POST", "/api/worlds/home", tokens["Bea"])
    assert home.status_code == 200, home.text
    assert home.json()["world"] == 1 and home.json()["station"] > 0
    assert me(server, tokens["Bea"])["system"] < INSTANCE_SYSTEMS


def test_a_builder_reads_no_private_instances_audit(review: dict[str, Any]) -> None:
    server, tokens, world = review["server"], review["tokens"], review["world"]
    command = {"op": "rename_system", "system": "Kronos Drift", "name": "Kronos Hollow"}
    built = call(
        server, "POST", f"/api/worlds/{world}/build", tokens["Ada"], {"commands": [command]}
    )
    assert built.status_code == 200, built.text
    operator = call(server, "GET", "/api/operator/audit?limit=200", tokens["Opa"]).json()
    assert any(e["world"] == world for e in operator["entries"])  # operators see it all
    answer = call(server, "GET", "/api/operator/audit?limit=200", tokens["Bob"])
    assert answer.status_code == 200, answer.text
    seen = [e for e in answer.json()["entries"] if e["world"] == world or "Kronos" in e["args"]]
    assert seen == []


def test_a_strangers_market_lookup_does_not_reveal_an_instance(review: dict[str, Any]) -> None:
    server, tokens = review["server"], review["tokens"]
    made = call(server, "POST", "/api/worlds", tokens["Ada"],
                {"template": "infinity", "name": "Walled Garden", "seed": 3})  # fmt: skip
    assert made.status_code == 201, made.text
    world = made.json()["id"]
    try:
        station = galaxy(server, tokens["Ada"], world)[0]["stations"][0]["id"]
        assert (
            call(server, "GET", f"/api/market?station={station}", tokens["Ada"]).status_code == 200
        )
        assert (
            call(server, "GET", f"/api/market?station={station}", tokens["Cyd"]).status_code == 404
        )
        assert httpx.get(f"{server.url}/api/market?station={station}").status_code == 404
    finally:
        call(server, "DELETE", f"/api/worlds/{world}", tokens["Ada"])


def test_a_travel_retried_with_its_key_never_moves_the_ship_twice(review: dict[str, Any]) -> None:
    server, tokens, world = review["server"], review["tokens"], review["world"]
    path = f"/api/worlds/{world}/travel"
    try:
        assert call(server, "POST", path, tokens["Bea"], {"key": "once-only"}).status_code == 200
        assert call(server, "POST", "/api/worlds/home", tokens["Bea"]).status_code == 200
        home = me(server, tokens["Bea"])
        call(server, "POST", path, tokens["Bea"], {"key": "once-only"})  # the retry
        assert me(server, tokens["Bea"])["system"] == home["system"]
    finally:
        call(server, "POST", "/api/worlds/home", tokens["Bea"])


def test_kill_9_after_removing_a_guests_system_keeps_the_guest_in_one_place(
    review: dict[str, Any],
) -> None:
    server, tokens, world = review["server"], review["tokens"], review["world"]
    origin = me(server, tokens["Bea"])
    arrived = call(server, "POST", f"/api/worlds/{world}/travel", tokens["Bea"], {})
    assert arrived.status_code == 200, arrived.text
    removed = call(server, "POST", f"/api/worlds/{world}/build", tokens["Ada"],
                   {"commands": [{"op": "remove_system", "system": arrived.json()["system"]}]})  # fmt: skip
    assert removed.status_code == 200, removed.text
    assert me(server, tokens["Bea"])["system"] > INSTANCE_SYSTEMS  # moved within the world
    server.stop(signal.SIGKILL)
    server.start()
    review["tokens"] = {name: token_of(server, name) for name in NAMES}
    now = me(server, review["tokens"]["Bea"])
    at_origin = (now["system"], now["docked_at"]) == (origin["system"], origin["docked_at"])
    assert now["system"] > INSTANCE_SYSTEMS or at_origin, (origin, now)
