"""The fan-out without sockets: what a tick's frames cost per client-frame, on the bus
as `infinity serve` runs them.

Same zone as the server bench (5,000 ships, ~80 per view, traffic and
players thrusting: each player an input every 100 ms, each trader one a second; the
players' commands through the fan-out's relay and the zones' inbox), N sessions joined
to a real `Fanout`, each on a link that takes every frame at once, as the game lane's
does (the lane's socket write is what is left out). Per tick: `zone.tick()` (untimed), then the zone's frames
(`ZoneFrames.on_tick`: the watched cells and the close encoded) until every
client's frame is built from them by `CellFrames` (timed). Subtracting this from the
end-to-end marginal CPU per frame leaves the transport: picows, the syscalls,
reading commands.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import numpy as np

from infinity.commands import types as c
from infinity.galaxy.generate import generate
from infinity.gateway.localnet import LocalNet
from infinity.gateway.session import Session
from infinity.sim import rules
from infinity.universe.universe import Universe

try:  # run as a script (bench/ on sys.path) or as a module
    import _fanout_server as server
except ImportError:  # pragma: no cover
    from bench import _fanout_server as server


TICKS_PER_INPUT = round(0.1 * rules.TICK_HZ)


class TakenLink:
    """A link that takes every frame at once and drops it, counting them."""

    sent = 0

    def send(self, data: bytes) -> bool:
        TakenLink.sent += 1
        return True

    async def close(self, code: int, reason: str) -> None:
        return None


def measure_inproc(clients: int, ships: int, ticks: int, warmup: int = 20) -> dict[str, Any]:
    return asyncio.run(_measure(clients, ships, ticks, warmup))


async def _measure(clients: int, ships: int, ticks: int, warmup: int) -> dict[str, Any]:
    universe = Universe(generate(server.SEED))
    accounts = list(range(1, clients + 1))
    traffic = server.populate(universe, accounts, ships, server.SEED)
    net = LocalNet(universe)
    fanout, frames = net.fanout, net.frames
    sessions = {}
    for a in accounts:
        ship = universe.ship_of_account[a]
        sessions[ship] = Session(a, f"bench-{a}", ship, TakenLink())
        fanout.join(sessions[ship])
    stopping = asyncio.Event()
    task = asyncio.create_task(net.run(stopping))
    zone = universe.zones[universe.galaxy.systems[0].id]
    steering = TICKS_PER_INPUT  # pilots steer every 100 ms, as people do; traders once a second
    pilots = [universe.ship_of_account[a] for a in accounts]
    rng = random.Random(server.SEED)
    fan_ns: list[int] = []
    for k in range(warmup + ticks):
        for ship in [
            *pilots[k % steering :: steering],
            *traffic[k % rules.TICK_HZ :: rules.TICK_HZ],
        ]:
            thrust = c.Thrust(
                ship=ship, throttle=rng.choice((0.3, 0.6, 1.0)), turn=rng.uniform(-1, 1)
            )
            if ship in sessions:
                fanout.submit(thrust, sessions[ship])
            else:
                universe.submit(thrust)
        for _ in range(5):  # the relay and the inbox hand the commands to the zone
            await asyncio.sleep(0)
        report = zone.tick()  # not `universe.tick`: its observers are timed apart
        t0 = time.perf_counter_ns()
        sent = TakenLink.sent
        frames.on_tick(zone, report)
        for _ in range(1000):  # the outbox, the bus and the frames until all are built
            if TakenLink.sent - sent >= clients:
                break
            await asyncio.sleep(0)
        if k >= warmup:
            fan_ns.append(time.perf_counter_ns() - t0)
    stopping.set()
    await task
    return {
        "fanout_us_per_frame": float(np.median(fan_ns)) / 1e3 / clients,
        "fanout_ms_per_tick_p99": float(np.percentile(fan_ns, 99)) / 1e6,
    }
