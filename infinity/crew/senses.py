"""What a crew member can know: its own ship's HUD, the chart of its system, contacts in
sensor range, who fired on it, what was said. Nothing here reaches past what a player sees.

`Perception` is plain data so tests (and the language-model mind) can build
one by hand; `Sensors` and `Chart` are built once per zone per decision
round and shared by every agent in that zone, and `Perception.nearby` asks
the sensors only when a mind actually looks (most decisions never do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from infinity.crew.orders import Order
from infinity.sim import rules
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind
from infinity.sim.zone import Zone

Floats = npt.NDArray[np.float64]
MIN_ORE: Final = 20.0  # tonnes; a rock with less is not worth the trip
HAIL_RANGE: Final = rules.SENSOR_RANGE


@dataclass(slots=True)  # not frozen: a frozen init costs 10x, and 10,000 are made a second
class ShipView:
    """The agent's own ship, as its HUD shows it. `docked_at`, `target`, `mining`: -1 if none."""

    id: int
    x: float
    y: float
    hull: float = rules.SHIP_HULL
    shield: float = rules.SHIP_SHIELD
    energy: float = rules.SHIP_ENERGY
    cargo: float = 0.0
    torpedoes: int = rules.SHIP_TORPEDOES
    docked_at: int = NO_ENTITY
    target: int = NO_ENTITY
    mining: int = NO_ENTITY
    autopilot: bool = False
    dest_x: float = 0.0
    dest_y: float = 0.0
    beam_ready: bool = True
    torpedo_ready: bool = True


@dataclass(slots=True)  # not frozen: a frozen init costs 10x, and 10,000 are made a second
class Contact:
    """Another ship in sensor range. `owner` is the account flying it; None for crews/NPCs."""

    id: int
    kind: Kind
    name: str
    x: float
    y: float
    hull: float
    owner: int | None = None
    docked: bool = False


@dataclass(slots=True)  # not frozen: a frozen init costs 10x, and 10,000 are made a second
class Place:
    """A station, asteroid or gate on the chart."""

    id: int
    kind: Kind
    name: str
    x: float
    y: float
    ore: float = 0.0


class Chart:
    """The fixed places of one star system with numpy positions for nearest-place questions."""

    def __init__(self, system: int, places: Sequence[Place]) -> None:
        self.system = system
        self.stations = tuple(p for p in places if p.kind == Kind.STATION)
        self.asteroids = tuple(p for p in places if p.kind == Kind.ASTEROID)
        self.gates = tuple(p for p in places if p.kind == Kind.GATE)
        self._by_id = {p.id: p for p in places}
        self._station_xy = np.array([(p.x, p.y) for p in self.stations]).reshape(-1, 2)
        rich = [p for p in self.asteroids if p.ore >= MIN_ORE]
        self._rich = tuple(rich)
        self._rich_xy = np.array([(p.x, p.y) for p in rich]).reshape(-1, 2)
        self.can_mine = bool(self.stations) and bool(rich)

    @classmethod
    def of_zone(cls, zone: Zone) -> Chart:
        """Read stations, asteroids (with today's ore) and gates from a zone's columns."""
        b, n = zone.bodies, zone.bodies.n
        kinds = b.kind[:n]
        rows = np.flatnonzero(
            (kinds == Kind.STATION) | (kinds == Kind.ASTEROID) | (kinds == Kind.GATE)
        )
        places = [
            Place(
                id=int(b.id[row]),
                kind=Kind(int(b.kind[row])),
                name=zone.info[int(b.id[row])].name,
                x=float(b.pos[row, 0]),
                y=float(b.pos[row, 1]),
                ore=float(b.ore[row]),
            )
            for row in rows.tolist()
        ]
        return cls(zone.system_id, places)

    def place(self, entity: int) -> Place | None:
        return self._by_id.get(entity)

    def nearest_station(self, x: float, y: float) -> Place | None:
        return _nearest(self.stations, self._station_xy, x, y)

    def nearest_rock(self, x: float, y: float) -> Place | None:
        """The nearest asteroid with at least MIN_ORE tonnes, None if the field is mined out."""
        return _nearest(self._rich, self._rich_xy, x, y)


def _nearest(places: tuple[Place, ...], xy: Floats, x: float, y: float) -> Place | None:
    if not places:
        return None
    dx, dy = xy[:, 0] - x, xy[:, 1] - y
    return places[int(np.argmin(dx * dx + dy * dy))]


@dataclass(frozen=True, slots=True)
class Heard:
    """A line said near the agent. `to_me`: a hail, or the agent's name was spoken."""

    speaker: int  # ship id, or -1 for an operator/system voice
    name: str
    text: str
    at: float
    to_me: bool = False
    from_agent: bool = False


class Sensors:
    """A snapshot of the ships of one zone, answering "who is near (x, y)?" in a few µs.

    Built once per decision round; the 3x3-cell lookup index is made on the first question.
    """

    def __init__(self, zone: Zone) -> None:
        b, n = zone.bodies, zone.bodies.n
        rows = np.flatnonzero(b.kind[:n] == Kind.SHIP)
        self._info = zone.info
        self.ids = b.id[rows].copy()
        self.pos = b.pos[rows].copy()
        self.hull = b.hull[rows].astype(np.float64)
        self.docked = b.docked_at[rows] >= 0
        self._row_of = {int(i): k for k, i in enumerate(self.ids.tolist())}
        self._cells: dict[tuple[int, int], npt.NDArray[np.intp]] | None = None

    def _index(self) -> dict[tuple[int, int], npt.NDArray[np.intp]]:
        if self._cells is None:
            cx = np.floor_divide(self.pos[:, 0], HAIL_RANGE).astype(np.int64)
            cy = np.floor_divide(self.pos[:, 1], HAIL_RANGE).astype(np.int64)
            order = np.lexsort((cy, cx))
            keys = np.stack((cx[order], cy[order]), axis=1)
            cells: dict[tuple[int, int], npt.NDArray[np.intp]] = {}
            if order.size:
                edges = np.flatnonzero((keys[1:] != keys[:-1]).any(axis=1)) + 1
                for chunk in np.split(order, edges):
                    first = chunk[0]
                    cells[(int(cx[first]), int(cy[first]))] = chunk
            self._cells = cells
        return self._cells

    def contact(self, entity_id: int) -> Contact | None:
        """A ship of this zone by id (if it is here), as sensors see it."""
        k = self._row_of.get(entity_id)
        return None if k is None else self._contact(k)

    def around(
        self, x: float, y: float, radius: float = HAIL_RANGE, limit: int = 8, exclude: int = -1
    ) -> tuple[Contact, ...]:
        """Up to `limit` ships within `radius` (<= HAIL_RANGE) of (x, y), nearest first."""
        cells = self._index()
        cx, cy = int(x // HAIL_RANGE), int(y // HAIL_RANGE)
        chunks = [
            cells[key]
            for key in ((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
            if key in cells
        ]
        if not chunks:
            return ()
        near = np.concatenate(chunks)
        gaps = np.hypot(self.pos[near, 0] - x, self.pos[near, 1] - y)
        keep = (gaps <= radius) & (self.ids[near] != exclude)
        near, gaps = near[keep], gaps[keep]
        order = np.argsort(gaps, kind="stable")[:limit]
        return tuple(self._contact(int(k)) for k in near[order])

    def _contact(self, k: int) -> Contact:
        entity = int(self.ids[k])
        info = self._info.get(entity)
        return Contact(
            id=entity,
            kind=Kind.SHIP,
            name=info.name if info else f"ship {entity}",
            x=float(self.pos[k, 0]),
            y=float(self.pos[k, 1]),
            hull=float(self.hull[k]),
            owner=info.account if info else None,
            docked=bool(self.docked[k]),
        )


@dataclass(slots=True)
class Perception:
    """Everything one agent knows at one decision. `ship` is None when it has no ship here.

    `nearby` is given directly (tests, other hosts) or looked up from `sensors`
    the first time a mind reads it.
    """

    agent: int
    time: float  # the zone's simulated clock, seconds
    ship: ShipView | None
    chart: Chart | None = None
    attackers: tuple[int, ...] = ()  # ships that fired on us lately, most recent first
    crew_attackers: tuple[int, ...] = ()  # ships that fired on our captain or crew lately
    credits: float = 0.0
    orders: tuple[Order, ...] = ()  # captain's orders not yet answered, oldest first
    heard: tuple[Heard, ...] = ()
    aboard: int = 0  # living crewmates on the same ship
    friends: frozenset[int] = frozenset()  # ships besides our own we never prey on (crew)
    sensors: Sensors | None = None
    _nearby: tuple[Contact, ...] | None = field(default=None, repr=False)

    @property
    def nearby(self) -> tuple[Contact, ...]:
        if self._nearby is None:
            if self.sensors is None or self.ship is None:
                self._nearby = ()
            else:
                ship = self.ship
                self._nearby = self.sensors.around(ship.x, ship.y, exclude=ship.id)
        return self._nearby

    def find(self, entity_id: int) -> Contact | None:
        """A ship by id if sensors can see it (given contacts first, then the zone snapshot)."""
        if self._nearby is not None or self.sensors is None:
            for contact in self.nearby:
                if contact.id == entity_id:
                    return contact
            return None
        found = self.sensors.contact(entity_id)
        if found is None or self.ship is None:
            return found
        reach = np.hypot(found.x - self.ship.x, found.y - self.ship.y)
        return found if reach <= rules.SENSOR_RANGE * 1.5 else None


def ship_views(zone: Zone, ship_ids: Sequence[int]) -> list[ShipView | None]:
    """Own-ship HUDs for many ships of one zone at once (None where a ship is not here)."""
    b = zone.bodies
    get = b.row_of.get
    rows = np.array([get(ship, -1) for ship in ship_ids], dtype=np.intp)
    present = rows >= 0
    safe = np.where(present, rows, 0)
    cols = (
        b.pos[safe, 0].tolist(),
        b.pos[safe, 1].tolist(),
        b.hull[safe].tolist(),
        b.shield[safe].tolist(),
        b.energy[safe].tolist(),
        b.cargo[safe].tolist(),
        b.torpedoes[safe].tolist(),
        b.docked_at[safe].tolist(),
        b.target[safe].tolist(),
        b.mining[safe].tolist(),
        b.autopilot[safe].tolist(),
        b.dest[safe, 0].tolist(),
        b.dest[safe, 1].tolist(),
        (b.beam_cd[safe] <= 0).tolist(),
        (b.torp_cd[safe] <= 0).tolist(),
    )
    return [
        ShipView(*values) if here else None
        for here, values in zip(present.tolist(), zip(ship_ids, *cols, strict=True), strict=True)
    ]
