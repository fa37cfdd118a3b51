from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim import rules
from infinity.sim.clock import ZoneClock
from tests.sim.scenario import (
    GATE,
    ME,
    OTHER,
    ROCK,
    STATION,
    events,
    reasons,
    run,
    ship,
    small_zone,
)


def test_dock_and_undock():
    zone = small_zone()
    zone.add_ship(ship(ME, 1100.0, 0.0))
    reports = run(zone, c.Dock(ship=ME, station=STATION))
    assert events(reports, ev.Docked) == [ev.Docked(ME, STATION)]
    assert zone.ship_state(ME).docked_at == STATION
    assert reasons(run(zone, c.Thrust(ship=ME, throttle=1.0))) == ["docked"]
    run(zone, c.Undock(ship=ME))
    assert zone.ship_state(ME).docked_at == -1
    assert reasons(run(zone, c.Undock(ship=ME))) == ["not_docked"]


def test_dock_out_of_range_and_at_a_non_station_are_refused():
    zone = small_zone()
    zone.add_ship(ship(ME, 3000.0, 0.0))
    assert reasons(run(zone, c.Dock(ship=ME, station=STATION))) == ["out_of_range"]
    assert reasons(run(zone, c.Dock(ship=ME, station=ROCK))) == ["wrong_kind"]
    assert reasons(run(zone, c.Dock(ship=ME, station=999))) == ["unknown_entity"]


def test_mining_fills_cargo_and_drains_the_asteroid_then_unload():
    zone = small_zone()
    zone.add_ship(ship(ME, 3100.0, 0.0))
    run(zone, c.Mine(ship=ME, asteroid=ROCK), ticks=20 * 5)
    cargo = zone.ship_state(ME).cargo
    assert abs(cargo - rules.MINE_RATE * 5) < 1.0
    assert zone.ore_levels()[ROCK] < 50.0 - cargo + 1.0
    zone.bodies.pos[zone.bodies.row_of[ME]] = (1050.0, 0.0)
    run(zone, c.Dock(ship=ME, station=STATION))
    reports = run(zone, c.Unload(ship=ME))
    assert events(reports, ev.Delivered)[0].tonnes == cargo
    assert events(reports, ev.Trade)[0].quantity == cargo  # the station buys it all
    assert reasons(run(zone, c.Unload(ship=ME))) == ["not_enough"]  # all of it is on sale


def test_mining_stops_when_the_asteroid_runs_dry():
    zone = small_zone()
    zone.add_ship(ship(ME, 3100.0, 0.0))
    run(zone, c.Mine(ship=ME, asteroid=ROCK), ticks=20 * 12)
    assert zone.ore_levels()[ROCK] < rules.DEPLETED_BELOW + 0.5  # slow regrowth since
    assert zone.bodies.mining[zone.bodies.row_of[ME]] == -1
    assert zone.ship_state(ME).cargo <= 50.0 + 1e-3


def test_jump_hands_the_ship_over_exactly_once():
    zone = small_zone()
    zone.add_ship(ship(ME, -4800.0, 0.0))
    reports = run(zone, c.Jump(ship=ME, gate=GATE))
    assert [d.state.id for r in reports for d in r.departures] == [ME]
    departure = reports[0].departures[0]
    assert departure.to_system == OTHER and departure.arrival_gate == 9
    assert ME not in zone.bodies.row_of
    assert reasons(run(zone, c.Thrust(ship=ME, throttle=1.0))) == ["unknown_entity"]


def test_jump_out_of_range_is_refused():
    zone = small_zone()
    zone.add_ship(ship(ME))
    assert reasons(run(zone, c.Jump(ship=ME, gate=GATE))) == ["out_of_range"]
    assert ME in zone.bodies.row_of


def test_admitted_ship_arrives_near_the_gate():
    zone = small_zone()
    zone.admit(ship(ME, 99999.0, 0.0), GATE)
    reports = run(zone)
    assert events(reports, ev.Arrived) == [ev.Arrived(ME, GATE)]
    s = zone.ship_state(ME)
    assert abs(s.x - (-5000.0 + rules.JUMP_ARRIVAL_OFFSET)) < 1.0


def test_say_is_heard_and_control_characters_are_stripped():
    zone = small_zone()
    zone.add_ship(ship(ME))
    reports = run(zone, c.Say(ship=ME, text="hello\x00 there\x1b"))
    assert events(reports, ev.Chat) == [ev.Chat(ME, f"ship{ME}", "hello there")]


def test_say_strips_bidi_overrides_and_invisible_format_characters():
    zone = small_zone()
    zone.add_ship(ship(ME))
    spoof = "\u202eevil\u202c \u2066gpj.exe\u2069 zero\u200bwidth\ufeff line\u2028break\u00a0!"
    reports = run(zone, c.Say(ship=ME, text=spoof), c.Say(ship=ME, text="\u202e\u200b\u2067"))
    [said] = events(reports, ev.Chat)
    assert said.text == "evil gpj.exe zerowidth line break !"
    assert reasons(reports) == ["invalid"]  # nothing visible was left to say


def test_time_dilation_slows_the_clock_under_load_and_recovers():
    clock = ZoneClock()
    for _ in range(30):
        clock.observe(0.2)  # every tick costs 4x its budget
    assert abs(clock.dilation - 0.25) < 0.01
    assert abs(clock.period - 0.2) < 0.01
    assert clock.dt == rules.TICK_SECONDS  # every tick still advances a full fixed step
    for _ in range(30):
        clock.observe(5.0)
    assert abs(clock.dilation - rules.DILATION_FLOOR) < 1e-6
    for _ in range(200):
        clock.observe(0.001)
    assert clock.dilation > 0.99


def test_commands_are_never_dropped_under_dilation():
    zone = small_zone()
    zone.add_ship(ship())
    zone.clock.dilation = 0.1
    for seq in range(1, 6):
        zone.submit(c.Thrust(ship=ME, throttle=0.5, seq=seq))
    report = zone.tick()
    assert report.rejections == []
    assert zone.bodies.throttle[zone.bodies.row_of[ME]] == 0.5
