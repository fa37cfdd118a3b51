"""A zone applies its world's rules (`ZoneRules`): damage, mining and speed multipliers, a world
without an economy, and rules changed between ticks (`Zone.set_rules`)."""

from __future__ import annotations

import math

import pytest

from infinity.commands import internal as ci
from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim import rules
from infinity.sim.rules import ENGINE_RULES, ZoneRules
from infinity.sim.zone import TickReport, Zone
from tests.sim.scenario import HOME, ME, ROCK, STATION, YOU, events, reasons, run, ship, small_zone

NO_ECONOMY = ZoneRules(economy=False)


def ruled(world: ZoneRules) -> Zone:
    zone = small_zone()
    zone.set_rules(world)
    return zone


def duel(world: ZoneRules, distance: float = 800.0) -> Zone:
    zone = ruled(world)
    zone.add_ship(ship(ME, 0.0, 2000.0))
    zone.add_ship(ship(YOU, distance, 2000.0))
    run(zone, c.Target(ship=ME, target=YOU))
    return zone


def harm(zone: Zone) -> float:
    """Shield and hull the target has lost."""
    you = zone.ship_state(YOU)
    return (rules.SHIP_SHIELD - you.shield) + (rules.SHIP_HULL - you.hull)


def speed(zone: Zone, ship_id: int = ME) -> float:
    s = zone.ship_state(ship_id)
    return math.hypot(s.vx, s.vy)


def test_a_zone_made_with_rules_applies_them_and_the_default_is_the_engines_game() -> None:
    assert Zone(HOME, "Plain").rules is ENGINE_RULES
    assert Zone(HOME, "Plain").bodies.max_speed == rules.SHIP_MAX_SPEED
    slow = Zone(HOME, "Slow", rules=ZoneRules(max_speed=0.5, mining=2.0))
    assert slow.bodies.max_speed == rules.SHIP_MAX_SPEED * 0.5
    assert slow.bodies.mine_rate == rules.MINE_RATE * 2.0


@pytest.mark.parametrize("damage", [1.0, 2.0, 0.5])
def test_damage_multiplies_a_beam_hit(damage: float) -> None:
    zone = duel(ZoneRules(damage=damage))
    run(zone, c.Fire(ship=ME))
    assert harm(zone) == pytest.approx(rules.BEAM_DAMAGE * damage)


def test_damage_multiplies_a_torpedo_hit() -> None:
    zone = duel(ZoneRules(damage=2.0), distance=1500.0)
    reports = run(zone, c.LaunchTorpedo(ship=ME))
    for _ in range(200):
        if events(reports, ev.Detonation):
            break
        reports = run(zone)
    assert events(reports, ev.Detonation)
    assert harm(zone) == pytest.approx(rules.TORPEDO_DAMAGE * 2.0)


def mined(world: ZoneRules, ticks: int = 20) -> float:
    zone = ruled(world)
    zone.add_ship(ship(ME, 3100.0, 0.0))
    run(zone, c.Mine(ship=ME, asteroid=ROCK), ticks=ticks)
    return zone.ship_state(ME).cargo


def test_mining_multiplies_ore_mined_per_second() -> None:
    assert mined(ENGINE_RULES) == pytest.approx(rules.MINE_RATE * 20 * rules.TICK_SECONDS)
    assert mined(ZoneRules(mining=0.5)) == pytest.approx(mined(ENGINE_RULES) / 2)


def test_max_speed_caps_a_ship_at_full_throttle() -> None:
    zone = ruled(ZoneRules(max_speed=0.5))
    zone.add_ship(ship(heading=0.0))
    run(zone, c.Thrust(ship=ME, throttle=1.0), ticks=400)
    assert rules.SHIP_MAX_SPEED * 0.45 < speed(zone) <= rules.SHIP_MAX_SPEED * 0.5 + 1e-6


def test_economy_off_refuses_every_trade_with_its_reason_and_changes_nothing() -> None:
    zone = ruled(NO_ECONOMY)
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION, cargo=40.0, fuel=50.0, hull=60.0))
    before = zone.ship_state(ME)
    reports = run(
        zone,
        c.Sell(ship=ME, quantity=25.0, seq=4),
        c.Buy(ship=ME, good="fuel", quantity=10.0),
        c.Repair(ship=ME),
        c.Unload(ship=ME),
    )
    assert reasons(reports) == ["no_economy"] * 4
    rejection = reports[0].rejections[0][1]
    assert rejection.seq == 4 and "no economy" in rejection.detail
    assert events(reports, ev.Trade) == [] and events(reports, ev.Delivered) == []
    assert zone.ship_state(ME) == before
    assert zone.bodies.reserved[zone.bodies.row_of[ME]] == 0.0
    assert zone.info[STATION].delivered == 0.0


def test_a_sale_made_before_the_economy_closed_still_settles() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION, cargo=40.0))
    run(zone, c.Sell(ship=ME, quantity=25.0))
    zone.set_rules(NO_ECONOMY)
    zone.submit(ci.Take(ship=ME, quantity=25.0, key="paid"))  # the ledger paid for it
    zone.tick()
    assert zone.ship_state(ME).cargo == 15.0
    assert reasons(run(zone, c.Undock(ship=ME))) == []  # nothing left on sale holds it


def test_new_rules_take_effect_at_the_next_tick() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 2000.0, heading=0.0, vx=300.0))
    zone.add_ship(ship(YOU, 800.0, 2000.0, vx=300.0))
    run(zone, c.Target(ship=ME, target=YOU))
    assert speed(zone) > rules.SHIP_MAX_SPEED * 0.5
    zone.set_rules(ZoneRules(max_speed=0.5, damage=2.0))
    assert speed(zone) > rules.SHIP_MAX_SPEED * 0.5  # nothing changes between ticks
    run(zone, c.Fire(ship=ME))
    assert speed(zone) <= rules.SHIP_MAX_SPEED * 0.5 + 1e-6
    assert speed(zone, YOU) <= rules.SHIP_MAX_SPEED * 0.5 + 1e-6
    assert harm(zone) == pytest.approx(rules.BEAM_DAMAGE * 2.0)
    zone.set_rules(ENGINE_RULES)
    run(zone, c.Thrust(ship=ME, throttle=1.0), ticks=40)
    assert speed(zone) > rules.SHIP_MAX_SPEED * 0.5


def test_new_rules_wake_a_resting_zone_and_it_rests_again() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION))
    for _ in range(3):
        zone.tick()
    assert zone._resting()
    zone.set_rules(NO_ECONOMY)
    assert not zone._still  # the next tick looks again rather than trusting the old rest
    report: TickReport = zone.tick()
    assert report.rejections == []
    assert zone._resting()
    assert reasons(run(zone, c.Sell(ship=ME, quantity=1.0))) == ["no_economy"]
