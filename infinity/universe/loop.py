"""Zone loops: each zone ticks on its own schedule, dilating when it cannot keep up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque

from prometheus_client import Counter, Gauge, Histogram

from infinity.universe.universe import QUIET_SECONDS, Universe

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
    """Tick one zone until `stopping` is set; the tick in progress always completes.

    `phase` staggers zones so they do not all tick at the same instant; each tick's
    cost also goes to `costs` (the Heart's recorder) when given.
    """
    zone = universe.zones[system_id]
    loop = asyncio.get_running_loop()
    histogram = TICK_SECONDS.labels(zone=zone.name)
    gauge = DILATION.labels(zone=zone.name)
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
        started = time.perf_counter()
        try:
            universe.tick(system_id)
        except Exception:  # a bug in one tick must not end the zone, nor (via the group) all
            TICK_ERRORS.labels(zone=zone.name).inc()
            if started - logged >= QUIET_SECONDS:  # one traceback a minute, every error counted
                logged = started
                log.exception("zone %s: a tick failed; ticking on", zone.name)
        cost = time.perf_counter() - started
        histogram.observe(cost)
        if costs is not None:
            costs.record(system_id, cost)
        zone.clock.observe(cost + min(late, 1.0))
        gauge.set(zone.clock.dilation)
        scheduled = max(scheduled + zone.clock.period, loop.time())


def note_lag(late: float) -> None:
    """Record how late the loop woke a zone. The zones' staggered timers are the loop's lag
    probe (14 zones at 20 Hz wake it every few ms), so no probe of its own wakes it more."""
    LOOP_LAG.observe(late)
    if late > STALL_SECONDS:
        LOOP_STALLS.inc()
