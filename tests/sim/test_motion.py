import math

import numpy as np

from infinity.commands import types as c
from infinity.sim import rules
from tests.sim.scenario import ME, run, ship, small_zone


def position(zone, ship_id=ME):
    s = zone.ship_state(ship_id)
    return np.array([s.x, s.y])


def test_full_throttle_accelerates_along_heading_and_caps_speed():
    zone = small_zone()
    zone.add_ship(ship(heading=0.0))
    run(zone, c.Thrust(ship=ME, throttle=1.0), ticks=20)
    s = zone.ship_state(ME)
    assert s.x > 0 and abs(s.y) < 1e-6
    assert math.isclose(s.vx, rules.SHIP_ACCEL * 1.0, rel_tol=0.02)
    run(zone, ticks=400)
    s = zone.ship_state(ME)
    assert math.hypot(s.vx, s.vy) <= rules.SHIP_MAX_SPEED + 1e-6


def test_turning_changes_heading_at_the_turn_rate():
    zone = small_zone()
    zone.add_ship(ship())
    run(zone, c.Thrust(ship=ME, turn=1.0), ticks=20)
    assert math.isclose(zone.ship_state(ME).heading, rules.SHIP_TURN_RATE, rel_tol=1e-3)


def test_coasting_bleeds_speed_and_stop_cuts_engines():
    zone = small_zone()
    zone.add_ship(ship())
    run(zone, c.Thrust(ship=ME, throttle=1.0), ticks=40)
    fast = zone.ship_state(ME).vx
    run(zone, c.Stop(ship=ME), ticks=40)
    assert zone.ship_state(ME).vx < fast / 2


def test_move_to_arrives_and_stops_near_the_point():
    zone = small_zone()
    zone.add_ship(ship())
    run(zone, c.MoveTo(ship=ME, x=2000.0, y=1500.0), ticks=20 * 40)
    assert np.hypot(*(position(zone) - (2000.0, 1500.0))) < 150.0
    s = zone.ship_state(ME)
    assert math.hypot(s.vx, s.vy) < 10.0


def test_simulation_is_deterministic():
    def trace():
        zone = small_zone()
        zone.add_ship(ship())
        run(zone, c.MoveTo(ship=ME, x=-800.0, y=900.0), ticks=100)
        return position(zone)

    assert np.array_equal(trace(), trace())
