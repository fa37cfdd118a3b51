"""A zone: one star system's simulation. `Zone.tick` is a function of (state, commands, dt).

The zone owns its entities' authority: a ship is in exactly one zone's
`bodies`. Ships leave only as `Departure`s in a tick report and enter only
through `admit`, so a handoff moves one record and never copies it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np

from infinity.commands.errors import Rejected, Rejection
from infinity.commands.internal import SystemCommand
from infinity.commands.types import Command
from infinity.sim import events as ev
from infinity.sim import handlers, kinds, rules, systems
from infinity.sim.bodies import NO_ENTITY, Bodies
from infinity.sim.clock import ZoneClock
from infinity.sim.kinds import Kind
from infinity.sim.rules import ENGINE_RULES, ZoneRules

# A ship's changing state, in the column order of `Zone.ship_columns` (what snapshots store).
SHIP_COLUMNS: Final = (
    "x", "y", "vx", "vy", "heading", "hull", "shield", "energy", "cargo", "torpedoes", "fuel",
    "docked_at",
)  # fmt: skip
TRANSIENT_ID_BASE: Final = 3_000_000_000  # torpedoes and wrecks: ids that never reach the store
REMEMBERED_KEYS: Final = 10_000


@dataclass(slots=True)
class EntityInfo:
    """What an entity is beyond its columns: names and links that never change per tick."""

    name: str
    account: int | None = None  # owning account of a player ship
    home_station: int = NO_ENTITY
    home_system: int = NO_ENTITY
    leads_to: int = NO_ENTITY  # a gate's destination system
    dest_gate: int = NO_ENTITY  # the gate you arrive at on the other side
    delivered: float = 0.0  # a station's ore received


@dataclass(frozen=True, slots=True)
class StaticBody:
    """A star, station, asteroid or gate as the galaxy defines it."""

    id: int
    kind: Kind
    name: str
    x: float
    y: float
    ore: float = 0.0
    leads_to: int = NO_ENTITY
    dest_gate: int = NO_ENTITY


@dataclass(frozen=True, slots=True)
class ShipState:
    """A ship as a portable record: what the store snapshots and a gate hands over."""

    id: int
    name: str
    account: int | None
    home_station: int
    home_system: int
    x: float = 0.0
    y: float = 0.0
    vx: float = 0.0
    vy: float = 0.0
    heading: float = 0.0
    hull: float = rules.SHIP_HULL
    shield: float = rules.SHIP_SHIELD
    energy: float = rules.SHIP_ENERGY
    cargo: float = 0.0
    torpedoes: int = rules.SHIP_TORPEDOES
    docked_at: int = NO_ENTITY
    fuel: float = rules.SHIP_FUEL


@dataclass(frozen=True, slots=True)
class Departure:
    """A ship leaving this zone: through a gate, or to respawn at a home in another system."""

    state: ShipState
    to_system: int
    arrival_gate: int  # NO_ENTITY: arrive docked at `state.docked_at`


@dataclass(slots=True)
class TickReport:
    """Everything a tick changed that the outside world needs to see.

    Row indices are valid until the zone's next tick.
    """

    tick: int
    sim_time: float
    dilation: float
    events: list[ev.Event]
    rejections: list[tuple[object, Rejection]]
    moved: np.ndarray
    status: np.ndarray
    # (entity id, old cell, new cell); -1 for a spawn's old or a despawn's new cell
    cell_changes: list[tuple[int, int, int]]
    departures: list[Departure]


_NO_ROWS: Final = np.empty(0, dtype=np.int64)
_NO_ROWS.flags.writeable = False


@dataclass(slots=True)
class _Pending:
    """Deferred structural changes, applied at the tick boundary."""

    arrivals: list[tuple[ShipState, int]] = field(default_factory=list)
    spawns: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    despawns: set[int] = field(default_factory=set)
    departures: list[Departure] = field(default_factory=list)
    reshown: set[int] = field(default_factory=set)  # re-sent whole to clients (`reshow`)


class Zone:
    """One star system: entity columns, a clock, a command inbox and per-tick outputs."""

    def __init__(
        self,
        system_id: int,
        name: str,
        statics: Iterable[StaticBody] = (),
        time_scale: float = 1.0,  # simulated seconds per wall second at full speed
        rules: ZoneRules = ENGINE_RULES,
    ) -> None:
        self.system_id = system_id
        self.name = name
        self.rules = rules  # the world's; changed only between ticks (`set_rules`)
        self.bodies = Bodies()
        self._rule_bodies(rules)
        self.info: dict[int, EntityInfo] = {}
        self.clock = ZoneClock(scale=time_scale)
        self._inbox: list[tuple[Command | SystemCommand, object]] = []
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._pending = _Pending()
        self._events: list[ev.Event] = []
        self._next_transient = 0
        self._still = False  # at rest at the last tick, and nothing has come in since
        for body in statics:
            self._add_static(body)
        systems.update_cells(self.bodies)

    # -- inputs ---------------------------------------------------------------

    def submit(self, command: Command | SystemCommand, origin: object = None) -> None:
        """Queue a command for the start of the next tick; `origin` comes back with a rejection."""
        self._inbox.append((command, origin))

    def admit(self, state: ShipState, arrival_gate: int = NO_ENTITY) -> None:
        """Queue a ship to enter this zone at the next tick boundary."""
        self._pending.arrivals.append((state, arrival_gate))

    def add_ship(self, state: ShipState) -> None:
        """Place a ship immediately (loading a snapshot, before the zone runs)."""
        self._still = False
        self._spawn_ship(state)

    def set_rules(self, rules: ZoneRules) -> None:
        """Apply a world's new rules from the next tick on (call between ticks, never inside one).

        The zone is woken: a zone at rest skips its systems, so whether it rests is looked at
        again at the next tick instead of carried over from a tick under the old rules.
        """
        self.rules = rules
        self._rule_bodies(rules)
        self._still = False

    def _rule_bodies(self, world: ZoneRules) -> None:
        """Give the systems the rules they read as scalars on the bodies (`Bodies.max_speed`)."""
        self.bodies.max_speed = rules.SHIP_MAX_SPEED * world.max_speed
        self.bodies.mine_rate = rules.MINE_RATE * world.mining

    # -- the tick -------------------------------------------------------------

    def tick(self) -> TickReport:
        """Advance one fixed step: arrivals, commands, systems, damage, deferred changes."""
        dt = self.clock.advance()
        b = self.bodies
        if self._resting():
            systems.regrow_ore(b, dt)  # the one thing that changes in a zone at rest
            return self._quiet_report()
        self._still = False
        cell_changes: list[tuple[int, int, int]] = []
        self._events = []
        for state, gate in self._pending.arrivals:
            self._spawn_ship(state, gate)
            self._events.append(ev.Arrived(state.id, gate))
        self._pending.arrivals.clear()
        rejections = self._apply_commands()
        for system in systems.FIXED_UPDATE:
            system(b, dt)
        torpedo_damage = rules.TORPEDO_DAMAGE * self.rules.damage
        for torpedo, target in systems.torpedo_fuses(b, torpedo_damage):
            self._events.append(ev.Detonation(torpedo, target))
            self._pending.despawns.add(torpedo)
        drained, ended = systems.siphons(b, dt)
        self._events.extend(ev.Siphoned(thief, victim) for thief, victim in drained)
        self._events.extend(ev.SiphonBroken(t, v, why) for t, v, why in ended)
        self._expire_transients()
        for row in systems.apply_damage(b).tolist():
            self._destroy(row)
        self._apply_structural(cell_changes)
        old_cells = b.cell[: b.n].copy()
        for row in systems.update_cells(b).tolist():
            old = int(old_cells[row])
            cell_changes.append((int(b.id[row]), old, int(b.cell[row])))
        self._reshown(cell_changes)
        status = systems.update_shown(b)
        departures, self._pending.departures = self._pending.departures, []
        return TickReport(
            tick=self.clock.tick,
            sim_time=self.clock.sim_time,
            dilation=self.clock.dilation,
            events=self._events,
            rejections=rejections,
            moved=self._moved_rows(),
            status=status,
            cell_changes=cell_changes,
            departures=departures,
        )

    def _resting(self) -> bool:
        """Nothing queued, nothing pending, and no system with work (`systems.at_rest`).
        Between ticks the columns change only through the queues and `add_ship`, so a zone
        that rested last tick and has nothing queued rests still: no need to look again."""
        pending = self._pending
        if self._inbox or pending.arrivals or pending.spawns or pending.despawns:
            return False
        if pending.departures:
            return False
        if not self._still:
            self._still = systems.at_rest(self.bodies)
        return self._still

    def _quiet_report(self) -> TickReport:
        self._events = []
        return TickReport(
            tick=self.clock.tick,
            sim_time=self.clock.sim_time,
            dilation=self.clock.dilation,
            events=self._events,
            rejections=[],
            moved=_NO_ROWS,
            status=_NO_ROWS,
            cell_changes=[],
            departures=[],
        )

    def _apply_commands(self) -> list[tuple[object, Rejection]]:
        inbox, self._inbox = self._inbox, []
        rejections: list[tuple[object, Rejection]] = []
        for command, origin in inbox:
            try:
                handlers.apply(self, command)
            except Rejected as refusal:
                rejections.append((origin, Rejection(refusal.reason, refusal.detail, command.seq)))
        return rejections

    def _moved_rows(self) -> np.ndarray:
        b, n = self.bodies, self.bodies.n
        kind = b.kind[:n]
        mobile = (kind == kinds.SHIP) | (kind == kinds.TORPEDO)
        moving = (b.vel[:n, 0] != 0.0) | (b.vel[:n, 1] != 0.0) | (b.turn[:n] != 0.0)
        return np.flatnonzero(mobile & moving & (b.docked_at[:n] < 0))

    # -- structural changes ---------------------------------------------------

    def queue_spawn(self, kind: Kind, name: str = "", **values: object) -> int:
        """Create a transient entity (torpedo, wreck) at the end of this tick; returns its id."""
        self._next_transient = (self._next_transient + 1) % 1_000_000
        entity_id = TRANSIENT_ID_BASE + (self.system_id % 1000) * 1_000_000 + self._next_transient
        self._pending.spawns.append((entity_id, {"kind": kind, **values}))
        if name:
            self.info[entity_id] = EntityInfo(name=name)
        return entity_id

    def queue_static(self, body: StaticBody) -> None:
        """Build a station, gate or asteroid at the end of this tick, as the galaxy's are at
        load (`_add_static`): its row joins with the other deferred spawns, and clients see it
        enter its cell on the next frame."""
        self._pending.spawns.append(
            (body.id, {"kind": body.kind, "pos": (body.x, body.y), "ore": body.ore})
        )
        self.info[body.id] = EntityInfo(
            name=body.name, leads_to=body.leads_to, dest_gate=body.dest_gate
        )

    def reshow(self, entity_id: int) -> None:
        """Send the entity whole on the next frame (renamed, moved by building, put out of a
        razed station): it leaves and re-enters its cell, the protocol's way to replace a
        record, since moves and status carry neither names nor `extra`."""
        self._pending.reshown.add(entity_id)

    def rehome(self, station: int, home: int) -> list[int]:
        """Ships here whose home station was `station` call `home` home; returns them. Ships
        arriving or departing this tick are rehomed too, so none keeps a razed home."""
        ships = [i for i, info in self.info.items() if info.home_station == station]
        for ship_id in ships:
            self.info[ship_id].home_station = home
        pending = self._pending
        pending.arrivals = [(_rehomed(s, station, home), g) for s, g in pending.arrivals]
        pending.departures = [
            replace(d, state=_rehomed(d.state, station, home)) for d in pending.departures
        ]
        return ships

    def _reshown(self, cell_changes: list[tuple[int, int, int]]) -> None:
        """Re-send each `reshow`n entity still here: leaving and entering its own cell, unless
        it crossed into another this tick and is already sent whole."""
        if not self._pending.reshown:
            return
        crossed = {entity_id for entity_id, _, _ in cell_changes}
        b = self.bodies
        for entity_id in self._pending.reshown - crossed:
            row = b.row(entity_id)
            if row is not None:
                cell = int(b.cell[row])
                cell_changes.append((entity_id, cell, cell))
        self._pending.reshown.clear()

    def queue_departure(self, row: int, to_system: int, arrival_gate: int) -> None:
        ship_id = int(self.bodies.id[row])
        state = self.ship_state(ship_id)
        self._pending.departures.append(Departure(state, to_system, arrival_gate))
        self.remove(ship_id)
        self._events.append(ev.Departed(ship_id, arrival_gate))

    def emit(self, event: ev.Event) -> None:
        self._events.append(event)

    def remove(self, entity_id: int) -> None:
        """Despawn an entity at the end of this tick; it is `gone` from now on."""
        self._pending.despawns.add(entity_id)
        row = self.bodies.row(entity_id)
        if row is not None:
            self.bodies.gone[row] = True

    def gone(self, entity_id: int) -> bool:
        """Removed this tick (looted, departed, spent): its row lasts until the tick ends,
        but no command or system may use it again, or what it held could move twice."""
        row = self.bodies.row(entity_id)
        return row is not None and bool(self.bodies.gone[row])

    def live_row(self, entity_id: int) -> int | None:
        """The entity's row, or None when it is not here or already `gone` this tick."""
        return None if self.gone(entity_id) else self.bodies.row(entity_id)

    def first_time(self, key: str) -> bool:
        """True the first time a settlement key is seen (recent keys are remembered)."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > REMEMBERED_KEYS:
            self._keys.popitem(last=False)
        return True

    def _apply_structural(self, cell_changes: list[tuple[int, int, int]]) -> None:
        b = self.bodies
        for entity_id in self._pending.despawns:
            row = b.row(entity_id)
            if row is None:
                continue
            cell_changes.append((entity_id, int(b.cell[row]), -1))
            b.despawn(entity_id)
            self.info.pop(entity_id, None)
        self._pending.despawns.clear()
        for entity_id, values in self._pending.spawns:
            b.spawn(entity_id, **values)
        self._pending.spawns.clear()

    def _expire_transients(self) -> None:
        """Spent torpedoes and wrecks go; a wreck is reported, for its credits to go back."""
        b, n = self.bodies, self.bodies.n
        transient = (b.kind[:n] == kinds.TORPEDO) | (b.kind[:n] == kinds.WRECK)
        spent = np.flatnonzero(transient & (b.life[:n] <= 0) & ~b.gone[:n])
        for row in spent.tolist():
            entity = int(b.id[row])
            if b.kind[row] == Kind.WRECK:
                self._events.append(ev.WreckExpired(entity, int(b.owner[row]), float(b.cargo[row])))
            self.remove(entity)

    def _destroy(self, row: int) -> None:
        """A ship's hull is gone: show it, and respawn it docked at its home station.

        `rules.respawn` is not read here: False would mean "not back at home", but ships are
        never deleted and home is the one safe place to put one, so a world without respawn
        does exactly this too. Sending it home as a departure instead of respawning it in place
        would end in the same place a tick later, with a needless jump for its client.
        """
        b = self.bodies
        ship_id = int(b.id[row])
        x, y = float(b.pos[row, 0]), float(b.pos[row, 1])
        self._events.append(ev.Destroyed(ship_id, int(b.last_hit_by[row]), x, y))
        ore = float(b.cargo[row])
        wreck = self.queue_spawn(
            Kind.WRECK,
            f"Wreck of {self.info[ship_id].name}",
            pos=(x, y),
            cargo=ore,
            owner=ship_id,
            life=rules.WRECK_LIFETIME,
        )
        self._events.append(ev.Wrecked(wreck, ship_id, ore))
        b.siphon[row] = NO_ENTITY
        info = self.info[ship_id]
        home = info.home_station
        fresh = ShipState(ship_id, info.name, info.account, home, info.home_system, docked_at=home)
        if info.home_system == self.system_id and home in b.row_of:
            station = b.row_of[home]
            self._set_ship_columns(row, fresh, float(b.pos[station, 0]), float(b.pos[station, 1]))
        else:
            self._pending.departures.append(Departure(fresh, info.home_system, NO_ENTITY))
            self.remove(ship_id)
            self._events.append(ev.Departed(ship_id, NO_ENTITY))

    # -- building blocks ------------------------------------------------------

    def _add_static(self, body: StaticBody) -> None:
        self.bodies.spawn(body.id, kind=body.kind, pos=(body.x, body.y), ore=body.ore)
        self.info[body.id] = EntityInfo(
            name=body.name, leads_to=body.leads_to, dest_gate=body.dest_gate
        )

    def _spawn_ship(self, state: ShipState, arrival_gate: int = NO_ENTITY) -> None:
        b = self.bodies
        x, y = state.x, state.y
        if arrival_gate in b.row_of:
            gate = b.row_of[arrival_gate]
            gx, gy = float(b.pos[gate, 0]), float(b.pos[gate, 1])
            inward = np.arctan2(-gy, -gx)
            x = gx + np.cos(inward) * rules.JUMP_ARRIVAL_OFFSET
            y = gy + np.sin(inward) * rules.JUMP_ARRIVAL_OFFSET
            state = _with_heading(state, float(inward))
        elif state.docked_at in b.row_of:
            station = b.row_of[state.docked_at]
            x, y = float(b.pos[station, 0]), float(b.pos[station, 1])
        else:
            state = _with_dock(state, NO_ENTITY)
        row = b.spawn(state.id, kind=Kind.SHIP)
        self.info[state.id] = EntityInfo(
            name=state.name,
            account=state.account,
            home_station=state.home_station,
            home_system=state.home_system,
        )
        self._set_ship_columns(row, state, x, y)

    def _set_ship_columns(self, row: int, s: ShipState, x: float, y: float) -> None:
        b = self.bodies
        b.pos[row] = (x, y)
        b.vel[row] = (s.vx, s.vy) if s.docked_at == NO_ENTITY else (0.0, 0.0)
        b.heading[row] = s.heading
        b.hull[row] = s.hull
        b.shield[row] = s.shield
        b.energy[row] = s.energy
        b.cargo[row] = s.cargo
        b.torpedoes[row] = s.torpedoes
        b.fuel[row] = s.fuel
        b.reserved[row] = 0.0
        b.docked_at[row] = s.docked_at
        b.throttle[row] = b.turn[row] = 0.0
        b.autopilot[row] = False
        b.target[row] = b.mining[row] = b.last_hit_by[row] = NO_ENTITY
        b.damage[row] = b.beam_cd[row] = b.torp_cd[row] = 0.0

    # -- reading --------------------------------------------------------------

    def ship_state(self, ship_id: int) -> ShipState:
        b = self.bodies
        row = b.row_of[ship_id]
        info = self.info[ship_id]
        return ShipState(
            id=ship_id,
            name=info.name,
            account=info.account,
            home_station=info.home_station,
            home_system=info.home_system,
            x=float(b.pos[row, 0]),
            y=float(b.pos[row, 1]),
            vx=float(b.vel[row, 0]),
            vy=float(b.vel[row, 1]),
            heading=float(b.heading[row]),
            hull=float(b.hull[row]),
            shield=float(b.shield[row]),
            energy=float(b.energy[row]),
            cargo=float(b.cargo[row]),
            torpedoes=int(b.torpedoes[row]),
            docked_at=int(b.docked_at[row]),
            fuel=float(b.fuel[row]),
        )

    def arriving(self) -> list[tuple[ShipState, int]]:
        """Ships admitted but not yet placed (they enter at the next tick)."""
        return list(self._pending.arrivals)

    def ship_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """Every ship here as (ids, values): copies, one row per ship, `SHIP_COLUMNS` order.

        Vectorised, for snapshots of thousands of ships without a Python loop; integer
        columns (torpedoes, docked_at) are exact in float64.
        """
        b, n = self.bodies, self.bodies.n
        rows = np.flatnonzero(b.kind[:n] == kinds.SHIP)
        values = np.column_stack(
            (
                b.pos[rows], b.vel[rows], b.heading[rows], b.hull[rows], b.shield[rows],
                b.energy[rows], b.cargo[rows], b.torpedoes[rows], b.fuel[rows], b.docked_at[rows],
            )
        ).astype(np.float64, copy=False)  # fmt: skip
        return b.id[rows].astype(np.int64), values

    def ship_ids(self) -> list[int]:
        b, n = self.bodies, self.bodies.n
        return [int(i) for i in b.id[:n][b.kind[:n] == kinds.SHIP]]

    def ore_levels(self) -> dict[int, float]:
        b, n = self.bodies, self.bodies.n
        rocks = np.flatnonzero(b.kind[:n] == kinds.ASTEROID)
        return dict(zip(b.id[rocks].tolist(), b.ore[rocks].tolist(), strict=True))


def _with_heading(state: ShipState, heading: float) -> ShipState:
    return replace(state, heading=heading, vx=0.0, vy=0.0, docked_at=NO_ENTITY)


def _with_dock(state: ShipState, docked_at: int) -> ShipState:
    return replace(state, docked_at=docked_at)


def _rehomed(state: ShipState, station: int, home: int) -> ShipState:
    """`state` with `home` for the razed `station`, as its home and as where it arrives docked."""
    if state.home_station == station:
        state = replace(state, home_station=home)
    return replace(state, docked_at=home) if state.docked_at == station else state
