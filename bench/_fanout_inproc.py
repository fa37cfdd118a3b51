"""The fan-out without sockets: what `Fanout.on_tick` costs per client-frame.

Same zone as the server bench (5,000 ships, ~80 per view, traffic and
players thrusting), N sessions joined to a real `Fanout`, each on a link
that takes every frame at once, as the game lane's does (the lane's socket
write is what is left out). Per tick: `zone.tick()` (untimed), then
`fanout.on_tick` (timed). Subtracting this from the end-to-end marginal CPU
per frame leaves the transport: picows, the syscalls, reading commands.
"""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np

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


class TakenLink:
    """A link that takes every frame at once and drops it."""

    def send(self, data: bytes) -> bool:
        return True

    async def close(self, code: int, reason: str) -> None:
        return None


def measure_inproc(clients: int, ships: int, ticks: int, warmup: int = 20) -> dict[str, Any]:
    universe = Universe(generate(server.SEED))
    accounts = list(range(1, clients + 1))
    traffic = server.populate(universe, accounts, ships, server.SEED)
    fanout = Fanout(universe)
    for a in accounts:
        fanout.join(Session(a, f"bench-{a}", universe.ship_of_account[a], TakenLink()))
    zone = universe.zones[universe.galaxy.systems[0].id]
    flying = [*traffic, *(universe.ship_of_account[a] for a in accounts)]
    rng = random.Random(server.SEED)
    fan_ns: list[int] = []
    for k in range(warmup + ticks):
        for ship in flying[k % rules.TICK_HZ :: rules.TICK_HZ]:
            thrust = c.Thrust(
                ship=ship, throttle=rng.choice((0.3, 0.6, 1.0)), turn=rng.uniform(-1, 1)
            )
            universe.submit(thrust)
        report = zone.tick()
        t0 = time.perf_counter_ns()
        fanout.on_tick(zone, report)
        if k >= warmup:
            fan_ns.append(time.perf_counter_ns() - t0)
    return {
        "fanout_us_per_frame": float(np.median(fan_ns)) / 1e3 / clients,
        "fanout_ms_per_tick_p99": float(np.percentile(fan_ns, 99)) / 1e6,
    }
