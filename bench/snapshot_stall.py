"""How long a ship snapshot blocks the event loop, with thousands of ships moving in a zone.

The server snapshots every `--snapshot-seconds` while zones tick on the same
event loop; a snapshot that holds the loop delays every zone's tick and every
client's frame. This bench stores N ships (a real SQLite store, as `infinity
serve` opens it), places them in one zone with thrust so they all move, and
runs `Snapshots.save()` repeatedly while the zone ticks at 20 Hz and a probe
task measures the loop's lag (how late a 1 ms sleep wakes). It reports the
longest stall and the wall time of a snapshot; the target (design.md, "No
stalls") is no stall over 5 ms. The floor, measured in the same run, is the
probe's lag with the zone ticking and no snapshot at all; `stall / floor` is the
figure to compare across machines.

This isolates the snapshot: one zone ticking, no clients, no other loops. The
whole server under steering pilots (`infinity serve`'s configuration, snapshots
on) is measured by `gateway_fanout.py`, whose table counts the server's own
event-loop stalls over 5 ms (`infinity_event_loop_stalls_total`).

Usage: python bench/snapshot_stall.py [--quick] [--ships N ...] [--saves N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import numpy as np
import sqlalchemy as sa

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
except ImportError:  # pragma: no cover
    from bench import _common as common

from infinity.commands import types as c
from infinity.galaxy.generate import generate
from infinity.sim import rules
from infinity.sim.zone import ShipState
from infinity.store.store import Store, sqlite_url
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import Hangar
from infinity.universe.snapshots import Snapshots
from infinity.universe.tables import FIRST_SHIP_ID, ships
from infinity.universe.universe import Universe

STALL_TARGET_MS: Final = 5.0
PROBE_SECONDS: Final = 0.001


class LagProbe:
    """Sleeps 1 ms over and over; every wake-up later than that is loop lag."""

    def __init__(self) -> None:
        self.lags: list[float] = []

    async def run(self, until: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not until.is_set():
            asked = loop.time()
            await asyncio.sleep(PROBE_SECONDS)
            self.lags.append(max(0.0, loop.time() - asked - PROBE_SECONDS))

    def take(self) -> list[float]:
        lags, self.lags = self.lags, []
        return lags


async def stored_universe(store: Store, count: int) -> Universe:
    """A galaxy with `count` ships stored and placed, all thrusting, in its first system."""
    galaxy = generate(1)
    await Charts(store.engine).save_galaxy(galaxy)
    universe = Universe(galaxy)
    system = galaxy.systems[0]
    home = system.stations()[0].id
    rng = np.random.default_rng(1)
    xy = rng.uniform(-20_000, 20_000, size=(count, 2))
    rows: list[dict[str, Any]] = []
    for i in range(count):
        state = ShipState(FIRST_SHIP_ID + i, f"Ship-{i}", None, home, system.id, *xy[i])
        universe.place(system.id, state, "trader")
        rows.append(_row(system.id, state))
    async with store.engine.begin() as connection:  # one insert: the bench's setup, not its work
        await connection.execute(sa.insert(ships), rows)
    for i in range(count):
        turn = float(rng.uniform(-1, 1))
        universe.submit(c.Thrust(ship=FIRST_SHIP_ID + i, throttle=0.8, turn=turn))
    return universe


def _row(system_id: int, s: ShipState) -> dict[str, Any]:
    return {
        "id": s.id, "account_id": None, "name": s.name, "role": "trader", "system_id": system_id,
        "x": s.x, "y": s.y, "vx": s.vx, "vy": s.vy, "heading": s.heading, "hull": s.hull,
        "shield": s.shield, "energy": s.energy, "cargo": s.cargo, "torpedoes": s.torpedoes,
        "fuel": s.fuel, "docked_at": s.docked_at, "home_station": s.home_station,
        "home_system": s.home_system, "updated_at": 0.0,
    }  # fmt: skip


async def tick_zone(universe: Universe, system: int, until: asyncio.Event) -> None:
    """The zone at 20 Hz, as its loop runs it (without dilation bookkeeping)."""
    while not until.is_set():
        universe.tick(system)
        await asyncio.sleep(rules.TICK_SECONDS)


async def measure(count: int, saves: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(sqlite_url(Path(tmp)))
        try:
            universe = await stored_universe(store, count)
            engine = store.engine
            snapshots = Snapshots(universe, Hangar(engine), Charts(engine), ChatLog(engine))
            return await _run(universe, snapshots, saves)
        finally:
            await store.close()


async def _run(universe: Universe, snapshots: Snapshots, saves: int) -> dict[str, float]:
    probe, until = LagProbe(), asyncio.Event()
    system = universe.galaxy.systems[0].id
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(probe.run(until))
        tasks.create_task(tick_zone(universe, system, until))
        await asyncio.sleep(1.0)  # warm up: every ship moving
        probe.take()
        await asyncio.sleep(1.0)
        floor = probe.take()
        walls: list[float] = []
        for _ in range(saves):
            started = time.perf_counter()
            await snapshots.save()
            walls.append(time.perf_counter() - started)
            await asyncio.sleep(0.2)
        during = probe.take()
        until.set()
    return {
        "floor_max_ms": 1e3 * max(floor, default=0.0),
        "stall_max_ms": 1e3 * max(during, default=0.0),
        "stall_p99_ms": 1e3 * common.pct(during, 99),
        "stalls_over_5ms": float(sum(lag > STALL_TARGET_MS / 1e3 for lag in during)),
        "save_median_ms": 1e3 * common.median(walls),
        # The stall against the loop's own jitter in the same run: what survives a machine change.
        "stall_to_floor": max(during, default=0.0) / max(max(floor, default=0.0), 1e-4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one size, fewer saves")
    parser.add_argument("--ships", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    sizes = [5_000] if args.quick else args.ships
    saves = 4 if args.quick else args.saves
    results = {str(n): asyncio.run(measure(n, saves)) for n in sizes}
    common.table(
        "Snapshot stall: longest event-loop lag while ships are saved (target <= 5 ms)",
        ["ships", "floor max ms", "stall max ms", "stall / floor", "stall p99 ms", "stalls > 5 ms",
         "save ms"],
        [
            (int(n), r["floor_max_ms"], r["stall_max_ms"], r["stall_to_floor"], r["stall_p99_ms"],
             int(r["stalls_over_5ms"]), r["save_median_ms"])
            for n, r in results.items()
        ],
    )  # fmt: skip
    common.emit({"machine": common.machine(), "sizes": common.rounded(results)})


if __name__ == "__main__":
    main()
