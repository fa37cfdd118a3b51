from infinity.commands import internal as ci
from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim import rules
from infinity.sim.zone import Zone
from tests.sim.scenario import GATE, ME, STATION, THIRD, YOU, events, reasons, run, ship, small_zone


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


def _wreck_of(zone: Zone, victim: int, cargo: float) -> int:
    """Destroy `victim` (flying at 250, 2000 with `cargo`) and return its wreck, spawned."""
    zone.add_ship(ship(victim, 250.0, 2000.0, cargo=cargo, hull=1.0, shield=0.0))
    zone.bodies.damage[zone.bodies.row_of[victim]] = 10.0
    wreck = events(run(zone), ev.Wrecked)[0]
    assert isinstance(wreck, ev.Wrecked)
    return wreck.wreck


def test_a_wreck_is_looted_once_however_many_loot_it_in_one_tick():
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 2000.0))
    zone.add_ship(ship(THIRD, 100.0, 2000.0))
    wreck = _wreck_of(zone, YOU, 30.0)
    reports = run(
        zone,
        c.Loot(ship=ME, wreck=wreck),
        c.Loot(ship=ME, wreck=wreck),
        c.Loot(ship=THIRD, wreck=wreck),
    )
    assert events(reports, ev.Looted) == [ev.Looted(ME, wreck, 30.0, YOU)]
    assert reasons(reports) == ["unknown_entity", "unknown_entity"]
    assert zone.ship_state(ME).cargo + zone.ship_state(THIRD).cargo == 30.0


def test_a_wreck_keeps_what_does_not_fit_in_the_hold():
    zone = small_zone()
    zone.add_ship(ship(ME, 0.0, 2000.0, cargo=90.0))
    zone.add_ship(ship(THIRD, 100.0, 2000.0))
    wreck = _wreck_of(zone, YOU, 30.0)
    run(zone, c.Loot(ship=ME, wreck=wreck), c.Loot(ship=THIRD, wreck=wreck))
    assert (zone.ship_state(ME).cargo, zone.ship_state(THIRD).cargo) == (100.0, 20.0)
    assert wreck not in zone.bodies.row_of


def test_a_ship_that_jumped_is_gone_for_the_rest_of_the_tick():
    zone = small_zone()
    zone.add_ship(ship(ME, -4800.0, 0.0, cargo=30.0, hull=1.0, shield=0.0))
    zone.add_ship(ship(YOU, -4700.0, 0.0))
    zone.bodies.damage[zone.bodies.row_of[ME]] = 10.0  # a fatal hit lands in the same tick
    reports = run(
        zone, c.Jump(ship=ME, gate=GATE), c.Say(ship=ME, text="bye"), c.Target(ship=YOU, target=ME)
    )
    assert reasons(reports) == ["unknown_entity", "unknown_entity"]
    assert reports[0].departures[0].state.cargo == 30.0
    assert events(reports, ev.Wrecked) == []  # its hold left with it: no second copy


def test_ore_on_sale_cannot_sink_with_its_ship_before_the_station_pays():
    """Undock, die, and the wreck would hold the ore the station is paying for."""
    zone = small_zone()
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION, cargo=40.0, hull=1.0, shield=0.0))
    zone.add_ship(ship(YOU, 1400.0, 0.0))
    sell = (c.Sell(ship=ME, quantity=25.0), c.Undock(ship=ME))
    shoot = (c.Target(ship=YOU, target=ME), c.Fire(ship=YOU))
    assert reasons(run(zone, *sell, *shoot)) == ["sale_pending", "docked"]
    reports = run(zone, ci.Take(ship=ME, quantity=25.0, key="paid"))
    assert events(reports, ev.Taken) == [ev.Taken(ME, "ore", 25.0, "paid")]
    assert reasons(run(zone, c.Undock(ship=ME))) == []
    assert zone.ship_state(ME).cargo == 15.0
