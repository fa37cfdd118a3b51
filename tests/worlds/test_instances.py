"""Private instances against a real server: who may see and enter them, isolation of frames
and chat, travel there and back under kill -9, building, limits and closing."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from infinity.gateway import wire
from infinity.sim.kinds import Kind
from tests.conftest import PASSWORD, Server
from tests.gateway.client import Client

INSTANCE_SYSTEMS = 20_000  # instance systems are numbered above this
ARENA = """
name = "arena"
title = "Arena"
[galaxy]
kind = "fixed"
[[galaxy.systems]]
name = "Pit"
x = 10.0
y = 10.0
stations = [{ name = "Pit Gate", x = 500.0, y = 0.0 }]
[rules]
permadeath = true
"""


def call(server: Server, method: str, path: str, token: str, body: Any = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    return httpx.request(method, f"{server.url}{path}", json=body, headers=headers, timeout=30)


def token_of(server: Server, name: str) -> str:
    answer = httpx.post(f"{server.url}/api/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def me(server: Server, token: str) -> dict[str, Any]:
    ship: dict[str, Any] = call(server, "GET", "/api/me", token).json()["ship"]
    return ship


@pytest.fixture(scope="module")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server (no NPCs) with an owner, a guest, a stranger and an operator."""
    running = Server(tmp_path_factory.mktemp("worlds") / "data", npcs=False,
                     options=("--login-rate", "0"))  # fmt: skip
    (running.data / "templates").mkdir(parents=True)
    (running.data / "templates" / "arena.toml").write_text(ARENA)
    running.start()
    try:
        for name in ("Kirk", "Spock", "Khan", "Overseer"):
            running.register(name)
        command = [sys.executable, "-m", "infinity", "role", "Overseer", "operator",
                   "--data", str(running.data)]  # fmt: skip
        assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0
        tokens = {name: token_of(running, name) for name in ("Kirk", "Spock", "Khan", "Overseer")}
        made = call(running, "POST", "/api/worlds", tokens["Kirk"],
                    {"template": "space-fleet", "name": "Enterprise"})  # fmt: skip
        assert made.status_code == 201, made.text
        yield {"server": running, "tokens": tokens, "world": made.json()["id"]}
    finally:
        if running.process is not None:
            running.stop()


def test_a_private_instance_exists_only_for_its_people(universe: dict[str, Any]) -> None:
    server, tokens, world = universe["server"], universe["tokens"], universe["world"]
    listed = call(server, "GET", "/api/worlds", tokens["Khan"]).json()["worlds"]
    assert [w["id"] for w in listed] == [1]
    for path in (f"/api/worlds/{world}", f"/api/galaxy?world={world}"):
        assert call(server, "GET", path, tokens["Khan"]).status_code == 404
    refused = call(server, "POST", f"/api/worlds/{world}/travel", tokens["Khan"], {})
    assert refused.status_code == 404 and me(server, tokens["Khan"])["system"] < INSTANCE_SYSTEMS
    seen = call(server, "GET", "/api/worlds", tokens["Overseer"]).json()["worlds"]
    assert world in [w["id"] for w in seen]  # never hidden from operators
    mine = call(server, "GET", f"/api/worlds/{world}", tokens["Kirk"]).json()
    assert mine["owner"] == "Kirk" and mine["visibility"] == "invite"
    assert mine["theme"]["hud_labels"]["shield"] == "DEFLECTORS"
    assert call(server, "POST", f"/api/worlds/{world}/invite", tokens["Khan"],
                {"account": "Khan"}).status_code == 404  # fmt: skip


def test_members_see_only_their_world(universe: dict[str, Any]) -> None:
    """A guest in the instance receives no frame or chat of the main world, and the main
    world's players no longer see the guest's ship."""
    server, tokens, world = universe["server"], universe["tokens"], universe["world"]
    invited = call(
        server, "POST", f"/api/worlds/{world}/invite", tokens["Kirk"], {"account": "spock"}
    )
    assert invited.json()["members"] == ["Spock"]

    async def play() -> None:
        khan = await Client.connect(server.ws_url, tokens["Khan"])
        spock = await Client.connect(server.ws_url, tokens["Spock"])
        await khan.until(lambda c: c.ship in c.entities)
        await spock.until(lambda c: c.ship in c.entities)
        same_system = spock.ship in khan.entities
        arrived = await asyncio.to_thread(
            call, server, "POST", f"/api/worlds/{world}/travel", tokens["Spock"], {"key": "t1"}
        )
        assert arrived.status_code == 200, arrived.text
        assert arrived.json()["system"] > INSTANCE_SYSTEMS
        await spock.ws.close()  # a fresh connection: only what it is sent from now on
        spock = await Client.connect(server.ws_url, tokens["Spock"])
        await spock.until(lambda c: c.ship in c.entities)
        if same_system:
            await khan.until(lambda c: spock.ship not in c.entities)
        seq = await spock.send("say", text="fascinating")
        await spock.acked(seq)
        seq = await khan.send("say", text="from the main world")
        await khan.acked(seq)
        await asyncio.sleep(0.5)
        for _ in range(10):
            await khan.recv()
            await spock.recv()
        assert not any(line.text == "fascinating" for line in khan.chat)
        assert not any(line.text == "from the main world" for line in spock.chat)
        statics = [e for e in spock.entities.values() if e.kind in (Kind.STATION, Kind.GATE)]
        assert statics and all(e.id >= 1 << 31 for e in statics)  # the instance's own bodies
        await khan.ws.close()
        await spock.ws.close()

    asyncio.run(play())
    again = call(server, "POST", f"/api/worlds/{world}/travel", tokens["Spock"], {"key": "t1"})
    assert again.json()["system"] == me(server, tokens["Spock"])["system"]  # never twice
    home = call(server, "POST", "/api/worlds/home", tokens["Spock"]).json()
    assert home["world"] == 1 and me(server, tokens["Spock"])["system"] == home["system"]


def test_building_never_strands_a_docked_ship(universe: dict[str, Any]) -> None:
    server, tokens, world = universe["server"], universe["tokens"], universe["world"]
    assert (
        call(server, "POST", f"/api/worlds/{world}/travel", tokens["Kirk"], {}).status_code == 200
    )
    docked = me(server, tokens["Kirk"])
    station = docked["docked_at"]
    assert station > 0
    refused = call(server, "POST", f"/api/worlds/{world}/build", tokens["Spock"],
                   {"commands": [{"op": "remove_body", "system": docked["system"], "body": station}]})  # fmt: skip
    assert refused.status_code == 403  # a member, not the owner: space-fleet's builders = owner
    built = call(server, "POST", f"/api/worlds/{world}/build", tokens["Kirk"], {"commands": [
        {"op": "found_system", "name": "Tarsus", "x": 70.0, "y": 20.0},
        {"op": "add_station", "system": "Tarsus", "name": "Tarsus Dock", "x": 900.0, "y": 0.0},
        {"op": "link", "system": "Tarsus", "to": docked["system"]},
        {"op": "remove_body", "system": docked["system"], "body": station},
    ]})  # fmt: skip
    assert built.status_code == 200, built.text
    economy = {"commands": [{"op": "set_rules", "economy": True}]}  # space-fleet has none
    assert (
        call(server, "POST", f"/api/worlds/{world}/build", tokens["Kirk"], economy).json()["error"]
        == "template_forbids"
    )
    time.sleep(0.5)
    after = me(server, tokens["Kirk"])
    assert after["id"] == docked["id"] and after["system"] == docked["system"]
    assert after["docked_at"] == -1  # put out at a safe distance, not destroyed
    galaxy = call(server, "GET", f"/api/galaxy?world={world}", tokens["Kirk"]).json()
    names = {s["name"]: s for s in galaxy["systems"]}
    assert "Tarsus" in names and [b["name"] for b in names["Tarsus"]["stations"]] == ["Tarsus Dock"]
    assert all(b["id"] != station for s in galaxy["systems"] for b in s["stations"])
    audit = call(server, "GET", "/api/operator/audit?limit=50", tokens["Overseer"]).json()
    builds = [e for e in audit["entries"] if e["verb"] == "build"]
    assert [e["result"] for e in builds][-6:] == [
        "refused",
        "done",
        "done",
        "done",
        "done",
        "refused",
    ]
    call(server, "POST", "/api/worlds/home", tokens["Kirk"])


def test_the_flagship_is_flown_from_its_bridge_under_the_captains_orders(
    universe: dict[str, Any],
) -> None:
    server, tokens, world = universe["server"], universe["tokens"], universe["world"]
    view = call(server, "GET", f"/api/worlds/{world}", tokens["Kirk"]).json()
    flagship = view["flagship"]
    assert flagship and [p["post"] for p in view["posts"]][:2] == ["captain", "helm"]
    assert view["posts"][0]["holder"] == ""  # the captain is not in the chair yet
    helm = {"post": "helm"}
    assert call(server, "POST", f"/api/worlds/{world}/bridge", tokens["Spock"], helm).json()[
        "error"
    ] in ("captains_orders", "not_aboard")
    assigned = {"post": "helm", "account": "Spock"}
    refused = call(server, "POST", f"/api/worlds/{world}/bridge", tokens["Kirk"], assigned)
    assert refused.status_code == 409 and refused.json()["error"] == "not_aboard"
    assert (
        call(server, "POST", f"/api/worlds/{world}/travel", tokens["Spock"], {}).status_code == 200
    )
    own = me(server, tokens["Spock"])["id"]

    async def fly() -> None:
        spock = await Client.connect(server.ws_url, tokens["Spock"])
        await spock.until(lambda c: c.ship in c.entities)
        taken = await asyncio.to_thread(
            call, server, "POST", f"/api/worlds/{world}/bridge", tokens["Kirk"], assigned
        )
        assert taken.status_code == 200, taken.text
        await spock.until(lambda c: any(isinstance(m, wire.Seat) for m in c.messages))
        seat = next(m for m in spock.messages if isinstance(m, wire.Seat))
        assert (seat.ship, seat.post) == (flagship, "helm") and "thrust" in (seat.commands or [])
        spock.welcome.ship = flagship  # what the browser does on `seat`: command the flagship
        await spock.until(lambda c: flagship in c.entities)
        await spock.send("undock")  # refused if a builder put it out already: either is fine
        await spock.acked(await spock.send("thrust", throttle=1.0, turn=0.0))
        start = spock.positions[flagship]
        await asyncio.sleep(1.0)
        await spock.until(lambda c: c.positions[flagship] != start)
        seq = await spock.send("fire")
        await spock.until(
            lambda c: any(e.seq == seq and e.reason == "not_your_post" for e in c.errors)
        )
        await spock.ws.close()
        again = await Client.connect(server.ws_url, tokens["Spock"])  # back at the post
        await again.until(lambda c: any(isinstance(m, wire.Seat) for m in c.messages))
        await again.ws.close()

    asyncio.run(fly())
    relieved = call(server, "POST", f"/api/worlds/{world}/bridge/leave", tokens["Kirk"],
                    {"account": "Spock"}).json()  # fmt: skip
    assert next(p for p in relieved["posts"] if p["post"] == "helm")["holder"] == ""
    assert call(server, "POST", f"/api/worlds/{world}/bridge/leave", tokens["Spock"],
                {"account": "Kirk"}).status_code == 403  # fmt: skip
    assert me(server, tokens["Spock"])["id"] == own
    call(server, "POST", "/api/worlds/home", tokens["Spock"])


def test_the_builder_plans_then_runs_or_is_cancelled(universe: dict[str, Any]) -> None:
    server, tokens, world = universe["server"], universe["tokens"], universe["world"]
    brief = {"brief": "three systems in a chain around a blue giant, with one pirate den"}
    proposed = call(server, "POST", f"/api/worlds/{world}/plans", tokens["Kirk"], brief)
    assert proposed.status_code == 201, proposed.text
    plan = proposed.json()
    assert plan["status"] == "proposed" and plan["steps"] and plan["done"] == 0
    cancelled = call(server, "DELETE", f"/api/plans/{plan['id']}", tokens["Kirk"]).json()
    assert cancelled["status"] == "cancelled"
    assert call(server, "POST", f"/api/plans/{plan['id']}/run", tokens["Kirk"]).status_code == 409
    hub = {"brief": "two systems with a busy trade hub"}  # space-fleet runs no economy
    assert (
        call(server, "POST", f"/api/worlds/{world}/plans", tokens["Kirk"], hub).status_code == 422
    )
    plan = call(server, "POST", f"/api/worlds/{world}/plans", tokens["Kirk"], brief).json()
    assert call(server, "POST", f"/api/plans/{plan['id']}/run", tokens["Kirk"]).status_code == 200
    deadline = time.monotonic() + 30
    while plan["status"] in ("proposed", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        plan = call(server, "GET", f"/api/plans/{plan['id']}", tokens["Kirk"]).json()
    assert plan["status"] == "done" and plan["done"] == len(plan["steps"]) == len(plan["log"])
    galaxy = call(server, "GET", f"/api/galaxy?world={world}", tokens["Kirk"]).json()
    founded = [s["command"]["name"] for s in plan["steps"] if s["command"]["op"] == "found_system"]
    assert set(founded) <= {s["name"] for s in galaxy["systems"]}
    assert call(server, "GET", f"/api/plans/{plan['id']}", tokens["Khan"]).status_code == 404


def test_limits_and_closing_send_everyone_home(universe: dict[str, Any]) -> None:
    server, tokens = universe["server"], universe["tokens"]
    made = [call(server, "POST", "/api/worlds", tokens["Khan"],
                 {"template": "space-fleet", "name": f"Botany Bay {k}"}) for k in range(4)]  # fmt: skip
    assert [m.status_code for m in made] == [201, 201, 201, 429]
    world = made[0].json()["id"]
    call(server, "POST", f"/api/worlds/{world}/invite", tokens["Khan"], {"account": "Spock"})
    before = me(server, tokens["Spock"])
    assert (
        call(server, "POST", f"/api/worlds/{world}/travel", tokens["Spock"], {}).status_code == 200
    )
    assert call(server, "DELETE", f"/api/worlds/{world}", tokens["Spock"]).status_code == 403
    assert call(server, "DELETE", f"/api/worlds/{world}", tokens["Khan"]).status_code == 200
    after = me(server, tokens["Spock"])
    assert (after["system"], after["docked_at"]) == (before["system"], before["docked_at"])
    assert call(server, "GET", f"/api/worlds/{world}", tokens["Khan"]).status_code == 404


def _home(ship: dict[str, Any] | None) -> bool:
    return ship is not None and ship["system"] <= INSTANCE_SYSTEMS


def test_permadeath_sends_the_fallen_home_for_good(universe: dict[str, Any]) -> None:
    server, tokens = universe["server"], universe["tokens"]
    made = call(
        server, "POST", "/api/worlds", tokens["Overseer"], {"template": "arena", "name": "Pit"}
    )
    assert made.status_code == 201, made.text
    world = made.json()["id"]
    call(server, "POST", f"/api/worlds/{world}/invite", tokens["Overseer"], {"account": "Spock"})
    before = me(server, tokens["Spock"])
    assert (
        call(server, "POST", f"/api/worlds/{world}/travel", tokens["Spock"], {}).status_code == 200
    )
    ship = me(server, tokens["Spock"])["id"]
    killed = call(server, "POST", "/api/operator/destroy", tokens["Overseer"],
                  {"ship": ship, "reason": "arena"})  # fmt: skip
    assert killed.status_code == 200, killed.text
    deadline = time.monotonic() + 10
    while not _home(me(server, tokens["Spock"])) and time.monotonic() < deadline:
        time.sleep(0.1)  # `me` has no ship for the tick it spends between zones
    after = me(server, tokens["Spock"])
    assert (after["id"], after["system"]) == (ship, before["system"])  # home, the same ship
    view = call(server, "GET", f"/api/worlds/{world}", tokens["Overseer"]).json()
    assert "Spock" not in view["members"]
    again = call(server, "POST", f"/api/worlds/{world}/travel", tokens["Spock"], {})
    assert again.status_code == 404  # gone from that world for good (until invited again)


@pytest.mark.slow
def test_travel_under_kill_9_leaves_the_ship_in_exactly_one_world(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Kill the server at different moments of a travel; after each restart the ship is in
    one world (the stored row's), whole, and can go on travelling."""
    server = Server(tmp_path_factory.mktemp("kill") / "data", npcs=False, snapshot_seconds=0.5)
    server.start()
    try:
        server.register("Kirk")
        token = token_of(server, "Kirk")
        world = call(server, "POST", "/api/worlds", token,
                     {"template": "space-fleet", "name": "Enterprise"}).json()["id"]  # fmt: skip
        origin = me(server, token)
        for delay in (0.0, 0.005, 0.02, 0.05, 0.2):
            target = world if me(server, token)["system"] < INSTANCE_SYSTEMS else 1
            threading.Thread(
                target=_quietly, args=(call, server, "POST", f"/api/worlds/{target}/travel", token, {}),
                daemon=True,
            ).start()  # fmt: skip
            time.sleep(delay)
            server.stop(signal.SIGKILL)
            server.start()
            token = token_of(server, "Kirk")
            ship = me(server, token)
            assert ship is not None and ship["id"] == origin["id"]  # one ship, placed in a zone
            worlds = [
                w for w in call(server, "GET", "/api/worlds", token).json()["worlds"] if w["ships"]
            ]
            assert sum(w["here"] for w in worlds) == 1
            if ship["system"] < INSTANCE_SYSTEMS:
                assert ship["system"] == origin["system"]
        home = call(server, "POST", "/api/worlds/home", token)
        assert home.status_code == 200 and me(server, token)["system"] == origin["system"]
    finally:
        if server.process is not None:
            server.stop()


def _quietly(*args: Any) -> None:
    with contextlib.suppress(httpx.TransportError):  # killed mid-request: that is the point
        args[0](*args[1:])
