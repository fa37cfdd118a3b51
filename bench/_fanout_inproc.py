"""The fan-out without sockets: what `Fanout.on_tick` and the session writers cost per frame.

Same zone as the server bench (5,000 ships, ~80 per view, traffic thrusting
once a second), N sessions joined to a real `Fanout`, each with its real
writer task (`Session.write`) whose `send` is a coroutine that returns at
once. Per tick: `zone.tick()` (untimed), then `fanout.on_tick` (timed), then
the writers drain their queues (timed). Subtracting these from the end-to-end
server CPU per frame leaves the transport: Starlette, uvicorn's sansio
WebSocket, syscalls, reading commands.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import numpy as np
import uvloop

from infinity.commands import types as c
from infinity.galaxy.generate import generate
from infinity.gateway.fanout import Fanout
from infinity.gateway.session import Session
from infinity.sim import rules
from infinity.universe.universe import Universe

try:  # run as a script (bench/ on sys.path) or as a module
    import _fanout_server as server
except ImportError:  # pragma: no cover
    from bench import _fanout_server as server


async def _discard(data: bytes) -> None:
    return None


async def _drain(sessions: list[Session]) -> None:
    """Let every writer task send what it holds (they never block on a no-op send)."""
    while any(s._queue for s in sessions):  # the outbox; read-only peek
        await asyncio.sleep(0)


async def _run(clients: int, ships: int, ticks: int, warmup: int) -> dict[str, float]:
    universe = Universe(generate(server.SEED))
    accounts = list(range(1, clients + 1))
    traffic = server.populate(universe, accounts, ships, server.SEED)
    fanout = Fanout(universe)
    sessions = [Session(a, f"bench-{a}", universe.ship_of_account[a], _discard) for a in accounts]
    for session in sessions:
        fanout.join(session)
    writers = [asyncio.create_task(s.write()) for s in sessions]
    zone = universe.zones[universe.galaxy.systems[0].id]
    flying = [*traffic, *(universe.ship_of_account[a] for a in accounts)]
    rng = random.Random(server.SEED)
    fan_ns: list[int] = []
    write_ns: list[int] = []
    for k in range(warmup + ticks):
        for ship in flying[k % rules.TICK_HZ :: rules.TICK_HZ]:
            thrust = c.Thrust(
                ship=ship, throttle=rng.choice((0.3, 0.6, 1.0)), turn=rng.uniform(-1, 1)
            )
            universe.submit(thrust)
        report = zone.tick()
        t0 = time.perf_counter_ns()
        fanout.on_tick(zone, report)
        t1 = time.perf_counter_ns()
        await _drain(sessions)
        t2 = time.perf_counter_ns()
        if k >= warmup:
            fan_ns.append(t1 - t0)
            write_ns.append(t2 - t1)
    for session in sessions:
        session.close()
    await asyncio.gather(*writers)
    return {
        "fanout_us_per_frame": float(np.median(fan_ns)) / 1e3 / clients,
        "writer_us_per_frame": float(np.median(write_ns)) / 1e3 / clients,
        "fanout_ms_per_tick_p99": float(np.percentile(fan_ns, 99)) / 1e6,
    }


def measure_inproc(clients: int, ships: int, ticks: int, warmup: int = 20) -> dict[str, Any]:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_run(clients, ships, ticks, warmup))
