from infinity.commands import internal as ci
from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim import rules
from tests.sim.scenario import GATE, ME, STATION, YOU, events, reasons, run, ship, small_zone


def test_selling_reserves_ore_until_paid_then_takes_it_once():
    zone = small_zone()
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION, cargo=40.0))
    reports = run(zone, c.Sell(ship=ME, quantity=25.0, seq=3))
    assert events(reports, ev.Trade) == [ev.Trade(ME, STATION, "ore", 25.0, True, 3)]
    assert zone.ship_state(ME).cargo == 40.0  # still aboard, promised to the sale
    assert reasons(run(zone, c.Sell(ship=ME, quantity=20.0))) == ["not_enough"]
    run(
        zone,
        ci.Take(ship=ME, quantity=25.0, key="paid"),
        ci.Take(ship=ME, quantity=25.0, key="paid"),
    )
    assert zone.ship_state(ME).cargo == 15.0


def test_an_unpaid_sale_releases_the_ore():
    zone = small_zone()
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION, cargo=40.0))
    run(zone, c.Sell(ship=ME, quantity=40.0))
    run(zone, ci.Take(ship=ME, quantity=40.0, key="refused", paid=False))
    assert zone.ship_state(ME).cargo == 40.0
    assert reasons(run(zone, c.Sell(ship=ME, quantity=40.0))) == []


def test_buying_and_repairs_need_a_dock_and_room():
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 0.0))
    assert reasons(run(zone, c.Buy(ship=ME, good="fuel", quantity=5.0))) == ["not_docked"]
    zone.add_ship(ship(YOU, 1000.0, 0.0, docked_at=STATION, fuel=90.0, hull=60.0))
    assert reasons(run(zone, c.Buy(ship=YOU, good="fuel", quantity=20.0))) == ["cargo_full"]
    reports = run(zone, c.Buy(ship=YOU, good="fuel", quantity=10.0), c.Repair(ship=YOU))
    trades = events(reports, ev.Trade)
    assert [(t.good, t.quantity, t.selling) for t in trades] == [
        ("fuel", 10.0, False),
        ("repair", 40.0, False),
    ]
    assert zone.ship_state(YOU).fuel == 90.0  # nothing granted until the ledger settles


def test_grants_deliver_once_per_key():
    zone = small_zone()
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION, fuel=50.0))
    run(zone, ci.Grant(ship=ME, good="fuel", quantity=10.0, key="k1"))
    run(zone, ci.Grant(ship=ME, good="fuel", quantity=10.0, key="k1"))
    assert zone.ship_state(ME).fuel == 60.0


def test_jumping_burns_fuel_and_an_empty_tank_is_refused():
    zone = small_zone()
    zone.add_ship(ship(ME, -4800.0, 0.0, fuel=5.0))
    assert reasons(run(zone, c.Jump(ship=ME, gate=GATE))) == ["no_fuel"]
    zone.bodies.fuel[zone.bodies.row_of[ME]] = 50.0
    reports = run(zone, c.Jump(ship=ME, gate=GATE))
    assert reports[0].departures[0].state.fuel == 50.0 - rules.JUMP_FUEL


def test_siphon_drains_each_second_and_breaks_out_of_range():
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 2000.0))
    zone.add_ship(ship(YOU, 500.0, 2000.0))
    reports = run(zone, c.Siphon(ship=ME, target=YOU), ticks=20 * 3 + 1)
    assert len(events(reports, ev.Siphoned)) == 3
    zone.bodies.pos[zone.bodies.row_of[YOU]] = (5000.0, 2000.0)
    reports = run(zone)
    assert events(reports, ev.SiphonBroken) == [ev.SiphonBroken(ME, YOU, "range")]


def test_the_victim_breaks_a_siphon_by_shooting_the_thief():
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 2000.0))
    zone.add_ship(ship(YOU, 500.0, 2000.0))
    run(zone, c.Siphon(ship=ME, target=YOU), c.Target(ship=YOU, target=ME))
    reports = run(zone, c.Fire(ship=YOU))
    assert events(reports, ev.SiphonBroken) == [ev.SiphonBroken(ME, YOU, "shot")]


def test_a_destroyed_ship_leaves_a_wreck_to_loot():
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 2000.0))
    zone.add_ship(ship(YOU, 250.0, 2000.0, cargo=30.0))
    row = zone.bodies.row_of[YOU]
    zone.bodies.hull[row], zone.bodies.shield[row] = 1.0, 0.0
    reports = run(zone, c.Target(ship=ME, target=YOU), c.Fire(ship=ME))
    wreck = events(reports, ev.Wrecked)[0]
    assert (wreck.ship, wreck.ore) == (YOU, 30.0)
    assert zone.ship_state(YOU).cargo == 0.0
    run(zone)  # the wreck appears at the end of the tick it was made
    reports = run(zone, c.Loot(ship=ME, wreck=wreck.wreck), ticks=2)
    assert events(reports, ev.Looted) == [ev.Looted(ME, wreck.wreck, 30.0, YOU)]
    assert zone.ship_state(ME).cargo == 30.0
    assert wreck.wreck not in zone.bodies.row_of
