"""A zone's clock: fixed steps, dilation under load, and a universe faster than life."""

from __future__ import annotations

import pytest

from infinity.galaxy.generate import generate
from infinity.sim import rules
from infinity.sim.clock import ZoneClock
from infinity.universe.universe import MAX_TIME_SCALE, Universe


def test_a_faster_universe_ticks_more_often_with_the_same_steps() -> None:
    clock = ZoneClock(scale=8.0)
    assert clock.period == pytest.approx(rules.TICK_SECONDS / 8)
    assert clock.advance() == rules.TICK_SECONDS  # the simulation itself is unchanged


def test_its_budget_shrinks_with_it() -> None:
    clock = ZoneClock(scale=10.0)
    clock.observe(rules.TICK_SECONDS / 10)  # exactly its wall budget: no dilation
    assert clock.dilation == 1.0
    for _ in range(20):
        clock.observe(rules.TICK_SECONDS / 5)  # twice its budget
    assert clock.dilation < 0.6


def test_every_zone_of_a_universe_shares_its_time_scale() -> None:
    universe = Universe(generate(3), time_scale=16.0)
    assert {z.clock.scale for z in universe.zones.values()} == {16.0}


@pytest.mark.parametrize("scale", [0.5, 0.0, -1.0, MAX_TIME_SCALE + 1])
def test_a_time_scale_out_of_range_is_refused(scale: float) -> None:
    with pytest.raises(ValueError, match="time_scale"):
        Universe(generate(3), time_scale=scale)
