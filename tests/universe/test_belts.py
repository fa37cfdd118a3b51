"""Asteroid belts: one in sensor range of every starting station, regrowing slowly, on the map."""

from __future__ import annotations

import math

import pytest

from infinity.galaxy.generate import generate
from infinity.gateway.rest import _belts, ore_of
from infinity.sim import rules, systems
from infinity.sim.kinds import Kind
from infinity.universe.universe import Universe


@pytest.mark.parametrize("seed", [1, 2, 7, 42])
def test_the_nearest_belt_is_on_sensors_from_every_first_station(seed: int) -> None:
    for system in generate(seed).systems:
        home = system.stations()[0]
        nearest = min(
            math.hypot(b.x - home.x, b.y - home.y) for b in system.bodies if b.kind == Kind.ASTEROID
        )
        assert nearest < rules.SENSOR_RANGE, system.name


def test_a_mined_out_rock_regrows_slowly_up_to_its_cap() -> None:
    universe = Universe(generate(1))
    zone = universe.zones[universe.galaxy.systems[0].id]
    b = zone.bodies
    rocks = [r for r in range(b.n) if b.kind[r] == Kind.ASTEROID]
    bare, rich = rocks[0], rocks[1]
    b.ore[bare], b.ore[rich] = 0.0, rules.ORE_CAP + 100.0
    for _ in range(60 * rules.TICK_HZ):  # one simulated minute
        systems.regrow_ore(b, rules.TICK_SECONDS)
    assert b.ore[bare] == pytest.approx(60 * rules.ORE_REGROWTH, rel=1e-3)
    assert b.ore[rich] == pytest.approx(rules.ORE_CAP + 100.0)  # never cut back


def test_belts_are_listed_with_their_ore_as_the_galaxy_api_shows_them() -> None:
    universe = Universe(generate(1))
    system = universe.galaxy.systems[0]
    belts = _belts(system, ore_of(universe.zones[system.id]))
    rocks = [b for b in system.bodies if b.kind == Kind.ASTEROID]
    assert sum(belt.rocks for belt in belts) == len(rocks)
    assert belts[0].name == f"{system.name} Belt"
    home = system.stations()[0]
    assert math.hypot(belts[0].x - home.x, belts[0].y - home.y) < rules.SENSOR_RANGE
    zone = universe.zones[system.id]
    zone.bodies.ore[zone.bodies.row_of[rocks[0].id]] = 0.0  # mined out: the map shows today's ore
    assert _belts(system, ore_of(zone))[0].ore == round(belts[0].ore - rocks[0].ore)
