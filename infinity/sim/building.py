"""Building handlers: stations, gates and asteroids raised, renamed, moved and razed while
the zone runs (issue 12, docs/building.md).

The worlds service has already checked the builder and chosen every id; these apply the
change at the tick boundary like any command, guard clauses first. Rows are never added
or removed here: a raised body joins the deferred spawns and a razed one is `gone` until
the tick ends. A body that changes in place is `reshow`n, so clients get it whole on the
next frame. No ship is ever stranded: those docked at a razed station are put out, stopped,
at a safe distance, and every ship that called it home gets the nearest station left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from infinity.commands import internal as ci
from infinity.commands.errors import Reason, Rejected
from infinity.commands.text import printable
from infinity.sim import events as ev
from infinity.sim import kinds, rules
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind

if TYPE_CHECKING:
    from infinity.sim.zone import Zone

SAFE_DISTANCE: Final = 800.0  # m from a razed station, where its docked ships are put out
BUILT_KINDS: Final = {"station": Kind.STATION, "gate": Kind.GATE, "asteroid": Kind.ASTEROID}
# how near a ship's autopilot destination must be to a body to count as making for it
_REACH: Final = {Kind.STATION: rules.DOCK_RANGE, Kind.GATE: rules.GATE_RANGE}


def _built_row(zone: Zone, body: int, *allowed: Kind) -> int:
    """The body's row, if it is here, not razed this tick, and of a kind building may change."""
    row = zone.live_row(body)
    if row is None:
        raise Rejected(Reason.UNKNOWN_ENTITY, f"nothing with id {body} in {zone.name}")
    kind = int(zone.bodies.kind[row])
    if kind not in allowed:
        raise Rejected(Reason.WRONG_KIND, f"{body} is a {Kind(kind).name.lower()}")
    return row


def _docked_at(zone: Zone, station: int) -> np.ndarray:
    """Rows of the ships docked at `station` (none `gone`)."""
    b, n = zone.bodies, zone.bodies.n
    docked: np.ndarray = np.flatnonzero(
        (b.kind[:n] == kinds.SHIP) & (b.docked_at[:n] == station) & ~b.gone[:n]
    )
    return docked


def raise_body(zone: Zone, cmd: ci.Raise) -> None:
    """A new station, gate or asteroid, placed at the end of the tick (ships may dock at,
    jump through or mine it from the next one)."""
    from infinity.sim.zone import StaticBody  # the zone imports the handlers, which import us

    if cmd.body in zone.info or cmd.body in zone.bodies:
        raise Rejected(Reason.INVALID, f"id {cmd.body} is taken in {zone.name}")
    name = printable(cmd.name)
    if not name:
        raise Rejected(Reason.INVALID, "a body needs a name")
    kind = BUILT_KINDS[cmd.kind]
    if kind == Kind.GATE and cmd.leads_to == NO_ENTITY:
        raise Rejected(Reason.INVALID, "a gate must lead somewhere")
    ore = cmd.ore if kind == Kind.ASTEROID else 0.0
    gate = kind == Kind.GATE
    zone.queue_static(
        StaticBody(
            cmd.body,
            kind,
            name,
            cmd.x,
            cmd.y,
            ore=ore,
            leads_to=cmd.leads_to if gate else NO_ENTITY,
            dest_gate=cmd.dest_gate if gate else NO_ENTITY,
        )
    )


def rename(zone: Zone, cmd: ci.Rename) -> None:
    """A body's new name (a star's too: it is the system's, renamed by the worlds service)."""
    _built_row(zone, cmd.body, Kind.STATION, Kind.GATE, Kind.ASTEROID, Kind.STAR)
    name = printable(cmd.name)
    if not name:
        raise Rejected(Reason.INVALID, "a body needs a name")
    zone.info[cmd.body].name = name
    zone.reshow(cmd.body)


def relocate(zone: Zone, cmd: ci.Relocate) -> None:
    """Move a body; ships docked at a station ride along, as they do while it stands still."""
    row = _built_row(zone, cmd.body, Kind.STATION, Kind.GATE, Kind.ASTEROID)
    b = zone.bodies
    b.pos[row] = (cmd.x, cmd.y)
    zone.reshow(cmd.body)
    if int(b.kind[row]) == Kind.STATION:
        docked = _docked_at(zone, cmd.body)
        b.pos[docked] = (cmd.x, cmd.y)
        for ship in b.id[docked].tolist():
            zone.reshow(int(ship))


def raze(zone: Zone, cmd: ci.Raze) -> None:
    """Remove a body. Ships aiming at it let go; miners of a razed asteroid stop; ships
    flying to a razed station or gate stop where they are; a razed station puts out its
    docked ships and rehomes those that called it home."""
    row = _built_row(zone, cmd.body, Kind.STATION, Kind.GATE, Kind.ASTEROID)
    b, n = zone.bodies, zone.bodies.n
    kind = int(b.kind[row])
    ships = (b.kind[:n] == kinds.SHIP) & ~b.gone[:n]
    b.target[np.flatnonzero(ships & (b.target[:n] == cmd.body))] = NO_ENTITY
    b.mining[np.flatnonzero(ships & (b.mining[:n] == cmd.body))] = NO_ENTITY
    reach = _REACH.get(Kind(kind))
    if reach is not None:
        _halt_approaches(zone, row, ships, reach)
    home = NO_ENTITY
    if kind == Kind.STATION:
        _evict(zone, row, cmd.body)
        home = _nearest_station(zone, row)
        zone.rehome(cmd.body, home)
    zone.remove(cmd.body)
    zone.emit(ev.Razed(cmd.body, kind, home))


def rehome(zone: Zone, cmd: ci.Rehome) -> None:
    """Ships here whose home was razed in another zone take the home it chose."""
    zone.rehome(cmd.station, cmd.home)


def _halt_approaches(zone: Zone, row: int, ships: np.ndarray, reach: float) -> None:
    """Ships on autopilot to the body stop steering for it (the place is gone); they coast
    down as after any `Stop`, wherever they are."""
    b, n = zone.bodies, zone.bodies.n
    gap = np.hypot(*(b.dest[:n] - b.pos[row]).T)
    bound = np.flatnonzero(ships & b.autopilot[:n] & (gap <= reach))
    b.autopilot[bound] = False
    b.throttle[bound] = 0.0
    b.turn[bound] = 0.0


def _evict(zone: Zone, row: int, station: int) -> None:
    """Put every ship docked at the station out, stopped, `SAFE_DISTANCE` off where it was
    along the ship's own heading (so they do not stack), and tell who was evicted."""
    b = zone.bodies
    docked = _docked_at(zone, station)
    if docked.size == 0:
        return
    heading = b.heading[docked]
    offset = np.column_stack((np.cos(heading), np.sin(heading))) * SAFE_DISTANCE
    b.pos[docked] = b.pos[row] + offset
    b.vel[docked] = 0.0
    b.throttle[docked] = 0.0
    b.turn[docked] = 0.0
    b.autopilot[docked] = False
    b.mining[docked] = NO_ENTITY
    b.docked_at[docked] = NO_ENTITY
    for ship in b.id[docked].tolist():
        zone.reshow(int(ship))  # other clients hold it with `docked_at` in its record
        zone.emit(ev.Undocked(int(ship), station))
        zone.emit(ev.Evicted(int(ship), station))


def _nearest_station(zone: Zone, row: int) -> int:
    """The station nearest the razed one, ties to the lowest id (the store's rule too,
    `Charts.remove_body`); NO_ENTITY when the system has no other."""
    b, n = zone.bodies, zone.bodies.n
    others = np.flatnonzero((b.kind[:n] == kinds.STATION) & ~b.gone[:n])
    others = others[others != row]
    if others.size == 0:
        return NO_ENTITY
    gap = np.hypot(*(b.pos[others] - b.pos[row]).T)
    best = min(zip(gap.tolist(), b.id[others].tolist(), strict=True))
    return int(best[1])
