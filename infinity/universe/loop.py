"""Zone loops: each zone ticks on its own schedule, dilating when it cannot keep up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence

from prometheus_client import Counter, Gauge, Histogram

from infinity.sim.zone import Zone
from infinity.universe.universe import MAIN_WORLD, QUIET_SECONDS, Universe

TICK_SECONDS = Histogram(
    "infinity_zone_tick_seconds",
    "Wall time of one zone tick including its fan-out",
    ["zone"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25),
)
DILATION = Gauge("infinity_zone_dilation", "Simulated seconds per wall second", ["zone"])
LOOP_LAG = Histogram(
    "infinity_event_loop_lag_seconds",
    "How late the event loop woke a zone for its tick (a stall delays every zone and client)",
    buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
LOOP_STALLS = Counter("infinity_event_loop_stalls_total", "Zone wake-ups more than 5 ms late")
STALL_SECONDS = 0.005  # design.md "No stalls": nothing may hold the loop longer
TICK_ERRORS = Counter("infinity_zone_tick_errors_total", "Zone ticks that raised", ["zone"])

log = logging.getLogger(__name__)


class TickCosts:
    """Each zone's latest tick costs, for the Heart's percentiles: O(1) per tick, and
    bounded (`keep` per zone) so nothing grows when no one reads them."""

    def __init__(self, keep: int = 256) -> None:
        self._keep = keep
        self._costs: dict[int, deque[float]] = {}

    def record(self, zone: int, cost: float) -> None:
        costs = self._costs.get(zone)
        if costs is None:
            costs = self._costs[zone] = deque(maxlen=self._keep)
        costs.append(cost)

    def take(self, zone: int) -> list[float]:
        """The costs recorded since the last take (at most `keep`), oldest first."""
        costs = self._costs.get(zone)
        if not costs:
            return []
        taken = list(costs)
        costs.clear()
        return taken


async def pause(stopping: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`, waking early when `stopping` is set; True if it is."""
    if seconds > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), seconds)
    return stopping.is_set()


async def run_zone(
    universe: Universe,
    system_id: int,
    stopping: asyncio.Event,
    phase: float,
    costs: TickCosts | None = None,
) -> None:
    """Tick one zone until `stopping` is set or the zone is removed; the tick in progress
    always completes.

    `phase` staggers zones so they do not all tick at the same instant; each tick's
    cost also goes to `costs` (the Heart's recorder) when given.
    """
    await run_zones(universe, (system_id,), stopping, phase, costs)


async def run_zones(
    universe: Universe,
    systems: Sequence[int],
    stopping: asyncio.Event,
    phase: float,
    costs: TickCosts | None = None,
) -> None:
    """Tick `systems` in turn on one timer (a whole instance: one wake-up a tick, not one per
    zone) until `stopping` is set or none of them is left. `systems` may be a live view that
    grows and shrinks as the world is built."""
    loop = asyncio.get_running_loop()
    scheduled = loop.time() + phase
    logged = -QUIET_SECONDS
    while not stopping.is_set():
        # A plain sleep (a timer), not `pause`: its `wait_for` costs a task per tick, the
        # most of an idle zone's cost. Stopping is seen within one tick period.
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        if stopping.is_set():
            break
        late = max(0.0, loop.time() - scheduled)
        note_lag(late)
        zones = [universe.zones[s] for s in list(systems) if s in universe.zones]
        if not zones:
            break
        for zone in zones:
            logged = _tick(universe, zone, late, logged, costs)
        scheduled = max(scheduled + max(z.clock.period for z in zones), loop.time())


def _tick(
    universe: Universe, zone: Zone, late: float, logged: float, costs: TickCosts | None
) -> float:
    """One tick of one zone, timed and contained; returns when a traceback last went out."""
    started = time.perf_counter()
    try:
        universe.tick(zone.system_id)
    except Exception:  # a bug in one tick must not end the zone, nor (via the group) all
        TICK_ERRORS.labels(zone=zone.name).inc()
        if started - logged >= QUIET_SECONDS:  # one traceback a minute, every error counted
            logged = started
            log.exception("zone %s: a tick failed; ticking on", zone.name)
    cost = time.perf_counter() - started
    TICK_SECONDS.labels(zone=zone.name).observe(cost)
    if costs is not None:
        costs.record(zone.system_id, cost)
    zone.clock.observe(cost + min(late, 1.0))
    DILATION.labels(zone=zone.name).set(zone.clock.dilation)
    return logged


class ZoneLoops:
    """Owns every zone loop: one task per main-world zone, one per instance (all its zones
    on one timer), started and stopped while the universe runs.

    `run` is the owner (a TaskGroup child of the composition root); `start_world` and
    `stop_world` may be called before it runs (the loops wait for it) or while it runs.
    """

    def __init__(self, universe: Universe, costs: TickCosts | None = None) -> None:
        self._universe = universe
        self._costs = costs
        self._group: asyncio.TaskGroup | None = None
        self._stops: dict[int, asyncio.Event] = {}  # world (or -system: one zone) -> its stop
        self._waiting: list[tuple[int, Sequence[int]]] = []

    async def run(self, stopping: asyncio.Event) -> None:
        """Run the main world's zones and every started world until `stopping` is set."""
        main = sorted(self._universe.systems_of(MAIN_WORLD))
        async with asyncio.TaskGroup() as group:
            self._group = group
            for index, system in enumerate(main):
                self._spawn(-system, (system,), 0.05 * index / max(1, len(main)))
            for key, systems in self._waiting:
                self._spawn(key, systems, 0.0)
            self._waiting.clear()
            await stopping.wait()
            self._group = None
            for stop in self._stops.values():
                stop.set()

    def start_world(self, world: int) -> None:
        """Tick an instance's zones from now on (all of them on one timer)."""
        self._start(world, self._universe.systems_of(world))

    def start_zone(self, system: int) -> None:
        """Tick one zone of the main world on its own timer (a system just founded)."""
        self._start(-system, (system,))

    def stop_world(self, world: int) -> None:
        stop = self._stops.pop(world, None)
        if stop is not None:
            stop.set()

    def _start(self, key: int, systems: Sequence[int]) -> None:
        if self._group is None:
            self._waiting.append((key, systems))
        else:
            self._spawn(key, systems, 0.0)

    def _spawn(self, key: int, systems: Sequence[int], phase: float) -> None:
        assert self._group is not None
        stop = self._stops[key] = asyncio.Event()
        self._group.create_task(run_zones(self._universe, systems, stop, phase, self._costs))


def note_lag(late: float) -> None:
    """Record how late the loop woke a zone. The zones' staggered timers are the loop's lag
    probe (14 zones at 20 Hz wake it every few ms), so no probe of its own wakes it more."""
    LOOP_LAG.observe(late)
    if late > STALL_SECONDS:
        LOOP_STALLS.inc()
