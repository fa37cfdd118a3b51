"""Persistence across restarts: a clean stop keeps everything, kill -9 loses at most one
snapshot interval of motion, and the galaxy is loaded, never regenerated."""

from __future__ import annotations

import asyncio
import math
import signal
from pathlib import Path

import httpx2 as httpx

from infinity.sim import rules
from tests.conftest import PASSWORD, Server
from tests.gateway.client import Client


async def fly_a_little(
    server: Server, token: str, seconds: float
) -> tuple[Client, tuple[float, float]]:
    client = await Client.connect(server.ws_url, token)
    await client.until(lambda c: c.ship in c.entities)
    await client.send("undock")
    seq = await client.send("thrust", throttle=1.0, turn=0.2)
    await client.acked(seq)
    await asyncio.sleep(seconds)
    seq = await client.send("say", text="still here")
    await client.acked(seq)
    await client.until(lambda c: c.frames > 0)
    return client, client.positions[client.ship]


async def next_frame(client: Client, timeout: float) -> None:
    frames = client.frames
    await client.until(lambda c: c.frames > frames, timeout)


async def parked(client: Client, timeout: float = 30.0) -> None:
    """Wait until the ship has not moved for half a second."""
    last, still = client.positions[client.ship], 0
    while still < 10:
        await client.until(lambda c: c.frames > 0, timeout)
        await next_frame(client, timeout)
        here = client.positions[client.ship]
        still = still + 1 if math.dist(here, last) < 0.05 else 0
        last = here


async def resume(server: Server, name: str) -> Client:
    login = httpx.post(f"{server.url}/api/login", json={"name": name, "password": PASSWORD})
    assert login.status_code == 200
    client = await Client.connect(server.ws_url, login.json()["token"])
    await client.until(lambda c: c.ship in c.entities)
    return client


async def test_clean_restart_resumes_everything(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", seed=11)
    server.start()
    try:
        await clean_restart(server)
    finally:
        server.stop()


def chart(server: Server) -> dict[str, object]:
    """The stored galaxy as /api/galaxy shows it, less the belts' ore, which mining and
    regrowth change from second to second."""
    galaxy: dict[str, object] = httpx.get(f"{server.url}/api/galaxy").json()
    for system in galaxy["systems"]:  # type: ignore[attr-defined]
        for belt in system.get("belts", []):
            belt.pop("ore", None)
    return galaxy


async def clean_restart(server: Server) -> None:
    galaxy = chart(server)
    token = str(server.register("survivor")["token"])
    client, where = await fly_a_little(server, token, 1.0)
    x, y = client.positions[client.ship]
    await client.send("move_to", x=x + 300.0, y=y)  # the autopilot brings it to a dead stop
    await parked(client)
    where = client.positions[client.ship]
    await client.close()
    # uvicorn re-raises the signal after its graceful shutdown, as supervisors expect
    assert server.stop(signal.SIGTERM) in (0, -signal.SIGTERM)

    server.seed = 99  # a different seed must not regenerate the stored galaxy
    server.start()
    assert chart(server) == galaxy
    again = await resume(server, "survivor")
    assert again.entities[again.ship].extra["docked_at"] == -1
    assert math.dist(again.positions[again.ship], where) < 0.5
    assert any(line.text == "still here" for line in again.welcome.chat)
    await again.close()
    # the session token from before the restart still works
    old = await Client.connect(server.ws_url, token)
    assert old.welcome.ship == again.ship
    await old.close()


async def test_kill_9_loses_at_most_one_snapshot_interval_of_motion(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", seed=12, snapshot_seconds=1.0)
    server.start()
    server.register("crasher")
    login = httpx.post(f"{server.url}/api/login", json={"name": "crasher", "password": PASSWORD})
    client, where = await fly_a_little(server, login.json()["token"], 3.0)
    await client.until(lambda c: c.frames > 0)
    where = client.positions[client.ship]
    server.stop(signal.SIGKILL)
    await client.ws.close()

    ready = server.start()
    try:
        assert ready < 10.0  # measured against the 2 s target in BENCHMARKS.md, not here
        again = await resume(server, "crasher")
        lost = math.dist(again.positions[again.ship], where)
        assert lost <= rules.SHIP_MAX_SPEED * (server.snapshot_seconds + 1.0)
        await again.close()
    finally:
        server.stop()


async def test_simulated_time_survives_a_restart(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", seed=13, snapshot_seconds=1.0)
    server.start()
    token = str(server.register("timekeeper")["token"])
    first = await Client.connect(server.ws_url, token)
    await next_frame(first, 10.0)
    await asyncio.sleep(2.5)
    await next_frame(first, 10.0)
    before = first.tick
    await first.close()
    server.stop(signal.SIGTERM)
    server.start()
    try:
        again = await Client.connect(server.ws_url, token)
        await next_frame(again, 10.0)
        assert again.tick >= before  # the zone's clock went on from where it stopped
        await again.close()
    finally:
        server.stop()
