"""The Heart of Infinity as a place: outside the gate graph, on operators' maps only."""

from __future__ import annotations

import time

import httpx2 as httpx

from infinity.galaxy.generate import generate
from infinity.galaxy.heart import HEART_NAME, HEART_SYSTEM, with_heart
from tests.conftest import Server
from tests.gateway.test_heart_api import operator


def test_the_heart_is_a_system_no_gate_leads_to() -> None:
    charted = generate(5)
    run = with_heart(charted)
    assert with_heart(run) is run  # added once
    heart = run.system(HEART_SYSTEM)
    assert heart.name == HEART_NAME and heart.gates() == [] and heart.stations() == []
    assert run.lanes() == charted.lanes()
    assert all(g.leads_to != HEART_SYSTEM for s in run.systems for g in s.gates())
    assert run.route(charted.systems[0].id, HEART_SYSTEM) == []
    assert heart.y > max(s.y for s in charted.systems)  # drawn apart from the charted map


def test_only_operators_see_the_heart_on_the_galaxy_map(server: Server) -> None:
    def systems(token: str | None) -> dict[int, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = httpx.get(f"{server.url}/api/galaxy", headers=headers).json()
        assert body["heart"] == (
            HEART_SYSTEM if HEART_SYSTEM in [s["id"] for s in body["systems"]] else None
        )
        return {s["id"]: s["name"] for s in body["systems"]}

    player = str(server.register("Looker")["token"])
    assert HEART_SYSTEM not in systems(None)
    assert HEART_SYSTEM not in systems(player)
    assert HEART_SYSTEM not in systems("not-a-token")
    assert systems(operator(server, "Keeper"))[HEART_SYSTEM] == HEART_NAME
    assert httpx.get(f"{server.url}/healthz").json()["zones"] == len(systems(None)) + 1


def test_an_operator_drops_into_the_heart(server: Server) -> None:
    token = operator(server, "Pilgrim")
    auth = {"Authorization": f"Bearer {token}"}
    done = httpx.post(
        f"{server.url}/api/operator/drop-in", headers=auth, json={"system": HEART_SYSTEM}
    )
    assert done.status_code == 200, done.text
    for _ in range(50):
        ship = httpx.get(f"{server.url}/api/me", headers=auth).json()["ship"]
        if ship is not None and ship["system"] == HEART_SYSTEM:  # None while in transit
            break
        time.sleep(0.1)
    assert ship is not None and (ship["system"], ship["system_name"]) == (HEART_SYSTEM, HEART_NAME)
