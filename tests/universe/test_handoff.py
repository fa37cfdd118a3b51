"""Gate jumps between zones: authority moves with the ship, never duplicated or lost."""

from __future__ import annotations

from infinity.commands import types as c
from infinity.galaxy.generate import generate
from infinity.sim.zone import ShipState
from infinity.universe.universe import Universe

SHIP = 1_048_576


def holders(universe: Universe, ship: int) -> list[int]:
    """Every zone that holds the ship, placed or arriving."""
    return [
        sid
        for sid, zone in universe.zones.items()
        if ship in zone.bodies.row_of or any(s.id == ship for s, _ in zone.arriving())
    ]


def test_a_jump_moves_the_ship_to_exactly_one_other_zone() -> None:
    universe = Universe(generate(3))
    home = universe.galaxy.systems[0]
    gate = home.gates()[0]
    station = home.stations()[0]
    universe.place(
        home.id, ShipState(SHIP, "jumper", 1, station.id, home.id, gate.x + 100, gate.y), "player"
    )
    universe.submit(c.Jump(ship=SHIP, gate=gate.id))
    seen: list[list[int]] = []
    for _ in range(3):
        for sid in sorted(universe.zones):
            universe.tick(sid)
            seen.append(holders(universe, SHIP))
    assert all(len(h) == 1 for h in seen), seen
    assert universe.where[SHIP] == gate.leads_to
    there = universe.zones[gate.leads_to]
    assert SHIP in there.bodies.row_of
    arrival = there.bodies.row_of[gate.dest_gate]
    row = there.bodies.row_of[SHIP]
    assert abs(there.bodies.pos[row] - there.bodies.pos[arrival]).max() < 700.0
    assert universe.submit(c.Stop(ship=SHIP))  # commands now route to the new zone
    assert [(system, s.id) for system, s in universe.ship_states()] == [(gate.leads_to, SHIP)]


def test_a_ship_destroyed_away_from_home_respawns_at_home() -> None:
    universe = Universe(generate(3))
    home, away = universe.galaxy.systems[0], universe.galaxy.systems[1]
    station = home.stations()[0]
    universe.place(
        away.id, ShipState(SHIP, "unlucky", 1, station.id, home.id, 0.0, 5000.0), "player"
    )
    zone = universe.zones[away.id]
    row = zone.bodies.row_of[SHIP]
    zone.bodies.hull[row] = 0.5
    zone.bodies.shield[row] = 0.0
    zone.bodies.damage[row] = 10.0
    universe.tick(away.id)
    universe.tick(home.id)
    assert universe.where[SHIP] == home.id
    state = universe.zones[home.id].ship_state(SHIP)
    assert state.docked_at == station.id and state.hull == 100.0
