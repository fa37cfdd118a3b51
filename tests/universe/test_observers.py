"""A failing tick observer is logged and counted; the zone and the other observers go on."""

from __future__ import annotations

import asyncio
import logging

import pytest

from infinity.galaxy.generate import generate
from infinity.sim.zone import TickReport, Zone
from infinity.universe.loop import run_zone
from infinity.universe.universe import OBSERVER_ERRORS, Universe


def broken(zone: Zone, report: TickReport) -> None:
    raise RuntimeError("a bug in an observer")


def test_an_observer_that_raises_stops_neither_the_tick_nor_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    universe = Universe(generate(3))
    seen: list[int] = []
    universe.observe(broken)
    universe.observe(lambda zone, report: seen.append(report.tick))
    system = universe.galaxy.systems[0].id
    before = OBSERVER_ERRORS.labels(observer="broken")._value.get()
    with caplog.at_level(logging.ERROR):
        for _ in range(5):
            universe.tick(system)
    assert seen == [1, 2, 3, 4, 5]
    assert OBSERVER_ERRORS.labels(observer="broken")._value.get() == before + 5
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert len(tracebacks) == 1  # one traceback, then only counted: no log flood


async def test_a_zone_loop_survives_a_tick_that_raises() -> None:
    universe = Universe(generate(3))
    system = universe.galaxy.systems[0].id
    zone = universe.zones[system]
    calls = 0
    original = zone.tick

    def flaky() -> TickReport:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("a bug in one tick")
        return original()

    zone.tick = flaky  # type: ignore[method-assign]
    stopping = asyncio.Event()
    loop = asyncio.create_task(run_zone(universe, system, stopping, 0.0))
    await asyncio.sleep(0.3)
    stopping.set()
    await asyncio.wait_for(loop, 2.0)  # it ended because it was told to, not by the error
    assert calls >= 4 and zone.clock.tick >= 3
