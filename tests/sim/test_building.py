"""Building in a running zone: bodies raised, renamed, moved and razed at a tick boundary,
ships never stranded, and every change in the tick report the fan-out reads."""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pytest

from infinity.commands import internal as ci
from infinity.commands import types as c
from infinity.commands.internal import SystemCommand
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.gateway import wire
from infinity.sim import events as ev
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.building import SAFE_DISTANCE
from infinity.sim.kinds import Kind
from infinity.sim.systems import cell_of
from infinity.sim.zone import StaticBody, TickReport, Zone
from infinity.universe.universe import Universe
from tests.sim.scenario import (
    GATE,
    HOME,
    ME,
    ROCK,
    STAR,
    STATION,
    YOU,
    events,
    reasons,
    run,
    ship,
    small_zone,
)

SPARE = 20  # a second station, far enough from the first to be in another cell
BUILT = 50  # the id the worlds service took from the store's counter


def two_stations() -> Zone:
    """`small_zone` with a second station at (1000, 8000)."""
    zone = small_zone()
    zone.queue_static(StaticBody(SPARE, Kind.STATION, "Spare Station", 1000.0, 8000.0))
    zone.tick()
    return zone


def build(zone: Zone, *commands: SystemCommand | c.Command, ticks: int = 1) -> list[TickReport]:
    for command in commands:
        zone.submit(command, origin="builder")
    return [zone.tick() for _ in range(ticks)]


def cell_at(x: float, y: float) -> int:
    return int(cell_of(np.array([x]), np.array([y]))[0])


def test_a_raised_station_takes_ships_from_the_next_tick() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 2100.0, 0.0))
    [report] = build(zone, ci.Raise(body=BUILT, kind="station", name="Newport", x=2000, y=0))
    assert (BUILT, -1, cell_at(2000, 0)) in report.cell_changes  # the fan-out's `entered`
    assert zone.info[BUILT].name == "Newport"
    assert Kind(int(zone.bodies.kind[zone.bodies.row_of[BUILT]])) == Kind.STATION
    reports = run(zone, c.Dock(ship=ME, station=BUILT))
    assert events(reports, ev.Docked) == [ev.Docked(ME, BUILT)]


def test_a_body_is_placed_at_the_tick_boundary_not_before() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 2100.0, 0.0))
    reports = build(
        zone,
        ci.Raise(body=BUILT, kind="station", name="Newport", x=2000, y=0),
        c.Dock(ship=ME, station=BUILT),  # the same tick: the row does not exist yet
    )
    assert reasons(reports) == ["unknown_entity"]


def test_a_gate_and_an_asteroid_carry_what_they_are() -> None:
    zone = small_zone()
    build(
        zone,
        ci.Raise(body=BUILT, kind="gate", name="Gate to Far", x=0, y=900, leads_to=7, dest_gate=8),
        ci.Raise(body=BUILT + 1, kind="asteroid", name="Lump", x=0, y=-900, ore=120.0),
    )
    gate = zone.info[BUILT]
    assert (gate.leads_to, gate.dest_gate) == (7, 8)
    assert zone.bodies.ore[zone.bodies.row_of[BUILT + 1]] == pytest.approx(120.0)


def test_a_taken_id_or_a_gate_to_nowhere_is_refused() -> None:
    zone = small_zone()
    reports = build(
        zone,
        ci.Raise(body=STATION, kind="station", name="Twin", x=0, y=0),
        ci.Raise(body=BUILT, kind="gate", name="Gate to Nowhere", x=0, y=0),
    )
    assert reasons(reports) == ["invalid", "invalid"]
    assert BUILT not in zone.bodies.row_of


def test_razing_a_station_puts_its_ships_out_safe_and_rehomes_them() -> None:
    zone = two_stations()
    for ship_id in (ME, YOU):
        zone.add_ship(ship(ship_id, docked_at=STATION, heading=0.5 * (ship_id - ME)))
    [report] = build(zone, ci.Raze(body=STATION))
    b = zone.bodies
    assert STATION not in b.row_of and STATION not in zone.info
    for ship_id in (ME, YOU):
        row = b.row_of[ship_id]
        assert b.docked_at[row] == NO_ENTITY
        assert not b.vel[row].any() and not b.autopilot[row] and b.throttle[row] == 0.0
        assert math.hypot(b.pos[row, 0] - 1000.0, b.pos[row, 1]) == pytest.approx(SAFE_DISTANCE)
        assert b.hull[row] > 0
        assert zone.info[ship_id].home_station == SPARE
    assert events([report], ev.Evicted) == [ev.Evicted(ME, STATION), ev.Evicted(YOU, STATION)]
    assert len(events([report], ev.Undocked)) == 2
    assert not events([report], ev.Destroyed)
    assert events([report], ev.Razed) == [ev.Razed(STATION, int(Kind.STATION), SPARE)]
    cell = cell_at(1000, 0)
    assert (STATION, cell, -1) in report.cell_changes  # the fan-out's `left`
    for ship_id in (ME, YOU):  # re-sent whole: others held them with `docked_at`
        assert any(i == ship_id and new >= 0 for i, _, new in report.cell_changes)
    assert not zone.tick().rejections  # and the zone runs on


def test_a_ship_destroyed_after_its_home_was_razed_respawns_at_the_new_home() -> None:
    zone = two_stations()
    zone.add_ship(ship(ME, docked_at=STATION))
    build(zone, ci.Raze(body=STATION))
    build(zone, ci.Destroy(ship=ME))
    row = zone.bodies.row_of[ME]
    assert zone.bodies.docked_at[row] == SPARE
    assert tuple(zone.bodies.pos[row]) == (1000.0, 8000.0)


def test_razing_the_last_station_leaves_no_home_and_no_ship_stranded() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, docked_at=STATION))
    [report] = build(zone, ci.Raze(body=STATION))
    assert zone.info[ME].home_station == NO_ENTITY
    assert events([report], ev.Razed) == [ev.Razed(STATION, int(Kind.STATION), NO_ENTITY)]
    [destroyed] = build(zone, ci.Destroy(ship=ME))
    [back] = destroyed.departures  # the respawn path: home system, no station to dock at
    assert (back.to_system, back.state.docked_at) == (HOME, NO_ENTITY)
    zone.admit(back.state, back.arrival_gate)  # what the universe does with it
    zone.tick()
    row = zone.bodies.row_of[ME]
    assert zone.bodies.hull[row] > 0 and zone.bodies.docked_at[row] == NO_ENTITY


def test_razing_a_gate_stops_ships_making_for_it_and_leaves_the_rest() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, -3000.0, 0.0))
    zone.add_ship(ship(YOU, 0.0, 0.0, docked_at=STATION))
    run(zone, c.MoveTo(ship=ME, x=-5000.0, y=0.0), c.Target(ship=ME, target=GATE), ticks=5)
    before = zone.bodies.pos[zone.bodies.row_of[ME]].copy()
    [report] = build(zone, ci.Raze(body=GATE))
    b = zone.bodies
    row = b.row_of[ME]
    assert not b.autopilot[row] and b.throttle[row] == 0.0
    assert b.target[row] == NO_ENTITY
    assert math.hypot(*(b.pos[row] - before)) < 100.0  # it coasts on where it was
    assert b.docked_at[b.row_of[YOU]] == STATION
    assert GATE not in b.row_of
    assert events([report], ev.Razed) == [ev.Razed(GATE, int(Kind.GATE), NO_ENTITY)]
    assert not events([report], ev.Evicted)


def test_razing_an_asteroid_stops_its_miner() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 3100.0, 0.0))
    run(zone, c.Mine(ship=ME, asteroid=ROCK), ticks=3)
    b = zone.bodies
    assert b.mining[b.row_of[ME]] == ROCK
    cargo = float(b.cargo[b.row_of[ME]])
    build(zone, ci.Raze(body=ROCK), ticks=2)
    assert b.mining[b.row_of[ME]] == NO_ENTITY
    assert float(b.cargo[b.row_of[ME]]) == pytest.approx(cargo)  # nothing mined after


def test_a_razed_body_is_gone_for_the_rest_of_the_tick() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 1100.0, 0.0))
    reports = build(zone, ci.Raze(body=STATION), c.Dock(ship=ME, station=STATION))
    assert reasons(reports) == ["unknown_entity"]


def test_only_stations_gates_and_asteroids_are_razed_or_moved() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME))
    reports = build(
        zone,
        ci.Raze(body=STAR),
        ci.Raze(body=ME),
        ci.Relocate(body=STAR, x=5, y=5),
        ci.Raze(body=999),
    )
    assert reasons(reports) == ["wrong_kind", "wrong_kind", "wrong_kind", "unknown_entity"]


def test_a_rename_is_sent_whole_on_the_next_frame() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, 900.0, 0.0))
    zone.tick()
    [report] = build(zone, ci.Rename(body=STATION, name="Testa Prime"))
    assert zone.info[STATION].name == "Testa Prime"
    cell = cell_at(1000, 0)
    assert report.cell_changes == [(STATION, cell, cell)]
    changes = wire.changes_of(zone, report)
    assert STATION in changes.left[cell] and STATION in changes.entered[cell]
    sent = msgspec.msgpack.decode(wire.encode_cell(zone, cell, changes), type=wire.Cell)
    assert sent.left == [STATION]
    assert [(e.id, e.name) for e in sent.entered] == [(STATION, "Testa Prime")]


def test_a_move_within_its_cell_and_across_cells_reaches_the_fanout() -> None:
    zone = small_zone()
    zone.add_ship(ship(ME, docked_at=STATION))
    [near] = build(zone, ci.Relocate(body=STATION, x=1200.0, y=100.0))
    cell = cell_at(1000, 0)
    assert cell == cell_at(1200, 100)
    assert (STATION, cell, cell) in near.cell_changes
    b = zone.bodies
    assert tuple(b.pos[b.row_of[STATION]]) == (1200.0, 100.0)
    assert tuple(b.pos[b.row_of[ME]]) == (1200.0, 100.0)  # docked ships ride along
    [far] = build(zone, ci.Relocate(body=STATION, x=1000.0, y=9000.0))
    there = cell_at(1000, 9000)
    moved = [change for change in far.cell_changes if change[0] == STATION]
    assert moved == [(STATION, cell, there)]  # once: left here, entered there
    assert (ME, cell, there) in far.cell_changes
    assert b.docked_at[b.row_of[ME]] == STATION


def test_a_station_razed_in_one_zone_rehomes_its_ships_in_another() -> None:
    here = StarSystem(
        HOME,
        "Testa",
        0.0,
        0.0,
        (
            StaticBody(STATION, Kind.STATION, "Testa Station", 1000.0, 0.0),
            StaticBody(SPARE, Kind.STATION, "Spare Station", 1000.0, 8000.0),
        ),
    )
    there = StarSystem(2, "Other", 5.0, 0.0, (StaticBody(30, Kind.STATION, "Far", 0.0, 0.0),))
    universe = Universe(Galaxy(1, (here, there)))
    universe.place(2, ship(ME, docked_at=30), "player")
    assert universe.submit_to(HOME, ci.Raze(body=STATION))
    assert not universe.submit_to(99, ci.Raze(body=STATION))
    universe.tick(HOME)
    universe.tick(2)
    assert universe.zones[2].info[ME].home_station == SPARE
