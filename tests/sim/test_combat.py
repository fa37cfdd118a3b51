from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim import rules
from tests.sim.scenario import ME, STATION, YOU, events, reasons, run, ship, small_zone


def duel(distance: float = 800.0):
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 2000.0))
    zone.add_ship(ship(YOU, distance, 2000.0))
    run(zone, c.Target(ship=ME, target=YOU))
    return zone


def test_beam_hits_shields_first_then_costs_energy_and_cools_down():
    zone = duel()
    reports = run(zone, c.Fire(ship=ME))
    assert events(reports, ev.Beam) == [ev.Beam(ME, YOU)]
    you, me = zone.ship_state(YOU), zone.ship_state(ME)
    assert you.hull == rules.SHIP_HULL
    assert you.shield < rules.SHIP_SHIELD - rules.BEAM_DAMAGE + 1
    assert me.energy < rules.SHIP_ENERGY - rules.BEAM_ENERGY + 1
    assert reasons(run(zone, c.Fire(ship=ME))) == ["cooldown"]


def test_hull_takes_damage_once_shields_are_down():
    zone = duel()
    for _ in range(12):
        run(zone, c.Fire(ship=ME), ticks=int(rules.BEAM_COOLDOWN * 20) + 1)
    assert zone.ship_state(YOU).hull < rules.SHIP_HULL


def test_shields_regenerate():
    zone = duel()
    run(zone, c.Fire(ship=ME))
    hit = zone.ship_state(YOU).shield
    run(zone, ticks=40)
    assert zone.ship_state(YOU).shield > hit


def test_refused_fire_changes_nothing():
    zone = duel(distance=rules.BEAM_RANGE + 500)
    before = (zone.ship_state(ME), zone.ship_state(YOU))
    reports = run(zone, c.Fire(ship=ME))
    assert reasons(reports) == ["out_of_range"]
    assert (zone.ship_state(ME).energy, zone.ship_state(YOU).shield) == (
        before[0].energy,
        before[1].shield,
    )


def test_no_energy_is_refused():
    zone = duel()
    zone.bodies.energy[zone.bodies.row_of[ME]] = rules.BEAM_ENERGY - 2.0
    assert reasons(run(zone, c.Fire(ship=ME))) == ["no_energy"]
    assert zone.ship_state(YOU).shield == rules.SHIP_SHIELD


def test_torpedo_is_an_entity_that_homes_and_detonates():
    zone = duel(distance=1500.0)
    reports = run(zone, c.LaunchTorpedo(ship=ME))
    torpedoes = [i for i in zone.bodies.row_of if i >= 3_000_000_000]
    assert len(torpedoes) == 1
    assert zone.ship_state(ME).torpedoes == rules.SHIP_TORPEDOES - 1
    reports = run(zone, ticks=20 * 4)
    assert events(reports, ev.Detonation)
    assert not [i for i in zone.bodies.row_of if i >= 3_000_000_000]
    assert zone.ship_state(YOU).shield < rules.SHIP_SHIELD - rules.TORPEDO_DAMAGE + 10


def test_torpedo_expires_after_its_lifetime():
    zone = duel(distance=1000.0)
    run(zone, c.LaunchTorpedo(ship=ME))
    run(zone, c.Dock(ship=YOU, station=STATION))  # out of range: refused, target keeps flying
    zone.bodies.pos[zone.bodies.row_of[YOU]] = (1e5, 1e5)  # far beyond any torpedo's reach
    reports = run(zone, ticks=int(rules.TORPEDO_LIFETIME * 20) + 2)
    assert not events(reports, ev.Detonation)
    assert not [i for i in zone.bodies.row_of if i >= 3_000_000_000]


def test_destroyed_ship_respawns_docked_at_home_with_a_fresh_hull():
    zone = duel()
    row = zone.bodies.row_of[YOU]
    zone.bodies.shield[row] = 0.0
    zone.bodies.hull[row] = 5.0
    reports = run(zone, c.Fire(ship=ME))
    assert [e.ship for e in events(reports, ev.Destroyed)] == [YOU]
    you = zone.ship_state(YOU)
    assert you.docked_at == STATION and you.hull == rules.SHIP_HULL
    assert events(reports, ev.Destroyed)[0].killer == ME


def test_docked_ships_are_safe():
    zone = small_zone()
    zone.add_ship(ship(ME, 900.0, 0.0))
    zone.add_ship(ship(YOU, 1000.0, 0.0, docked_at=STATION))
    reports = run(zone, c.Target(ship=ME, target=YOU), c.Fire(ship=ME))
    assert reasons(reports) == ["docked"]
