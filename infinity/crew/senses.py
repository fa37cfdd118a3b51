"""What a crew member can know: its own ship's HUD, the chart of its system, contacts in
sensor range, who fired on it, what was said. Nothing here reaches past what a player sees.

`Perception` is plain data so tests (and the language-model mind) can build
one by hand; the company builds a `Chart` and `Sensing` once per zone per
decision round (`company.sensors`), shared by every agent in that zone, and
`Perception.nearby` asks the sensors only when a mind actually looks (most
decisions never do). Nothing here reads a zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from infinity.crew.orders import Order
from infinity.sim import rules
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind

Floats = npt.NDArray[np.float64]
MIN_ORE: Final = 20.0  # tonnes; a rock with less is not worth the trip
HAIL_RANGE: Final = rules.SENSOR_RANGE


@dataclass(slots=True)  # not frozen: a frozen init costs 10x, and 10,000 are made a second
class OwnShip:
    """The agent's own ship, as its HUD shows it. `docked_at`, `target`, `mining`: -1 if none."""

    id: int
    x: float
    y: float
    hull: float = rules.SHIP_HULL
    shield: float = rules.SHIP_SHIELD
    energy: float = rules.SHIP_ENERGY
    cargo: float = 0.0  # tonnes of ore in the hold
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
class Blip:
    """Something a crew member can see, moving or fixed: what it is, its name, where it is."""

    id: int
    kind: Kind
    name: str
    x: float
    y: float


@dataclass(slots=True)
class Contact(Blip):
    """Another ship in sensor range. `owner` is the account flying it; None for crews/NPCs."""

    hull: float
    owner: int | None = None
    docked: bool = False
    role: str = ""  # "player", "miner", "patrol", "trader" or "crew" ("" when unknown)


@dataclass(slots=True)
class Place(Blip):
    """A station, asteroid or gate on the chart."""

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


class Sensing(Protocol):
    """What sensors answer about the ships of one zone (`company.sensors.Sensors`)."""

    def contact(self, entity_id: int) -> Contact | None: ...

    def around(
        self, x: float, y: float, radius: float = ..., limit: int = ..., exclude: int = ...
    ) -> tuple[Contact, ...]: ...


@dataclass(slots=True)
class Perception:
    """Everything one agent knows at one decision. `ship` is None when it has no ship here.

    `nearby` is given directly (tests, other hosts) or looked up from `sensors`
    the first time a mind reads it.
    """

    agent: int
    time: float  # the zone's simulated clock, seconds
    ship: OwnShip | None
    chart: Chart | None = None
    attackers: tuple[int, ...] = ()  # ships that fired on us lately, most recent first
    crew_attackers: tuple[int, ...] = ()  # ships that fired on our captain or crew lately
    credits: float = 0.0
    orders: tuple[Order, ...] = ()  # captain's orders not yet answered, oldest first
    heard: tuple[Heard, ...] = ()
    aboard: int = 0  # living crewmates on the same ship
    friends: frozenset[int] = frozenset()  # ships besides our own we never prey on (crew)
    sensors: Sensing | None = None
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
