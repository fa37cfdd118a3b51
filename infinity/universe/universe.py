"""All zones of one process and the authority index: which zone owns each ship.

This is the embedded (in-process) bus: commands are routed to the zone
that owns the ship, departures from one zone's tick are admitted by the
destination zone at its next tick boundary, and tick reports go to the
observers (the gateway's fan-out, the store's chat log) synchronously, while
row indices in the report are still valid.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Final

from prometheus_client import Counter

from infinity.commands.internal import BodyCommand, Rehome, ShipCommand
from infinity.commands.types import Command
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim import events as ev
from infinity.sim.kinds import Kind
from infinity.sim.rules import ENGINE_RULES, ZoneRules
from infinity.sim.zone import ShipState, TickReport, Zone

TickObserver = Callable[[Zone, TickReport], None]

log = logging.getLogger(__name__)

OBSERVER_ERRORS = Counter(
    "infinity_observer_errors_total", "Exceptions raised by tick observers", ["observer"]
)
QUIET_SECONDS: Final = 60.0  # after a traceback, an observer's next errors are only counted


MAX_TIME_SCALE: Final = 100.0
MAIN_WORLD: Final = 1  # the world every account starts in; instances count up from 2


class Observers:
    """The tick observers of a universe. One that raises is logged and counted, never
    allowed to stop the zone or the observers after it."""

    def __init__(self) -> None:
        self._observers: list[TickObserver] = []
        self._logged: dict[str, float] = {}  # observer name -> when its last traceback went out

    def add(self, observer: TickObserver) -> None:
        self._observers.append(observer)

    def remove(self, observer: TickObserver) -> None:
        """Stop telling `observer` (absent: nothing happens)."""
        with contextlib.suppress(ValueError):
            self._observers.remove(observer)

    def tell(self, zone: Zone, report: TickReport) -> None:
        for observer in self._observers:
            try:
                observer(zone, report)
            except Exception:
                self._failed(observer, zone)

    def _failed(self, observer: TickObserver, zone: Zone) -> None:
        name = getattr(observer, "__qualname__", type(observer).__name__)
        OBSERVER_ERRORS.labels(observer=name).inc()
        now = time.monotonic()
        if now - self._logged.get(name, -QUIET_SECONDS) >= QUIET_SECONDS:
            self._logged[name] = now
            log.exception("tick observer %s failed in zone %s; the zone goes on", name, zone.name)


class Universe:
    """Every world of this process: the main world's galaxy and each instance's, as zones.

    System ids are unique across worlds, so a zone is found by its system id alone and the
    authority index is two steps: `where` (ship -> system) and `world_of` (system -> world).
    """

    def __init__(
        self, galaxy: Galaxy, time_scale: float = 1.0, rules: ZoneRules = ENGINE_RULES
    ) -> None:
        """`galaxy`: the main world's. `time_scale`: simulated seconds per wall second (1 to
        100; above 1 the whole universe runs faster than life, for tests and research)."""
        if not 1.0 <= time_scale <= MAX_TIME_SCALE:
            raise ValueError(f"time_scale must be between 1 and {MAX_TIME_SCALE:g}")
        self.time_scale = time_scale
        self.zones: dict[int, Zone] = {}
        self.world_of: dict[int, int] = {}  # system id -> the world it belongs to
        self.galaxies: dict[int, Galaxy] = {}  # world id -> its galaxy as it stands
        self._systems: dict[int, list[int]] = {}  # world id -> its system ids (a live list)
        self.add_world(MAIN_WORLD, galaxy, rules)
        self.where: dict[int, int] = {}  # ship id -> system id of the zone with authority
        self.roles: dict[int, str] = {}  # ship id -> 'player', 'miner', 'patrol', 'trader', 'crew'
        self.ship_of_account: dict[int, int] = {}
        self.owners: dict[int, int | None] = {}  # ship id -> owning account (None: NPC)
        self.hidden: set[int] = set()  # ships in no player's frames (operator avatars)
        self._hidden_wrecks: dict[int, int] = {}  # wreck of a hidden ship -> its system
        self._observers = Observers()

    @property
    def galaxy(self) -> Galaxy:
        """The main world's galaxy (NPC traffic and the crews live there)."""
        return self.galaxies[MAIN_WORLD]

    def add_world(self, world: int, galaxy: Galaxy, rules: ZoneRules = ENGINE_RULES) -> None:
        """Make a zone for each of `galaxy`'s systems; their ids must be new to this universe."""
        clash = [s.id for s in galaxy.systems if s.id in self.zones]
        if clash or world in self.galaxies:
            raise ValueError(f"world {world} or its systems {clash} already exist")
        self.chart_world(world, galaxy)
        for s in galaxy.systems:
            self.add_zone(world, s, rules)

    def chart_world(self, world: int, galaxy: Galaxy) -> None:
        """Know `world`'s map (anew, if known), with no zone added: a zone host adds only
        the zones it holds."""
        self.galaxies[world] = galaxy
        self._systems.setdefault(world, [])

    def add_zone(self, world: int, system: StarSystem, rules: ZoneRules = ENGINE_RULES) -> Zone:
        """A zone for one system of `world` (a world being made, or a system just founded)."""
        if system.id in self.zones:
            raise ValueError(f"system {system.id} already exists")
        zone = self.zones[system.id] = Zone(
            system.id, system.name, system.bodies, self.time_scale, rules
        )
        self.world_of[system.id] = world
        self._systems[world].append(system.id)
        return zone

    def remove_zone(self, system_id: int) -> None:
        """Drop one zone; refused while any ship is in it or on its way there."""
        aboard = [ship for ship, system in self.where.items() if system == system_id]
        if aboard:
            raise ValueError(f"system {system_id} still holds ships {aboard[:5]}")
        del self.zones[system_id]
        self._systems[self.world_of.pop(system_id)].remove(system_id)

    def remove_world(self, world: int) -> None:
        """Drop a world's zones; refused while any ship is in one or on its way there."""
        for system in list(self.systems_of(world)):
            self.remove_zone(system)
        del self.galaxies[world]
        del self._systems[world]

    def systems_of(self, world: int) -> Sequence[int]:
        """The world's system ids: a live view that follows building (empty if none)."""
        return self._systems.get(world, ())

    def star_system(self, system_id: int) -> StarSystem:
        """A system of any world (KeyError if none has it)."""
        return self.galaxies[self.world_of[system_id]].system(system_id)

    def world_of_ship(self, ship_id: int) -> int | None:
        system = self.where.get(ship_id)
        return None if system is None else self.world_of[system]

    def set_rules(self, world: int, rules: ZoneRules) -> None:
        """New rules for every zone of a world, from their next tick."""
        for system in self.systems_of(world):
            self.zones[system].set_rules(rules)

    def observe(self, observer: TickObserver) -> None:
        self._observers.add(observer)

    def unobserve(self, observer: TickObserver) -> None:
        """Stop telling `observer` about ticks (a company that stopped thinking here)."""
        self._observers.remove(observer)

    def place(self, system_id: int, state: ShipState, role: str) -> None:
        """Put a ship into a zone directly (loading, before or between ticks)."""
        self.zones[system_id].add_ship(state)
        self.where[state.id] = system_id
        self.roles[state.id] = role
        self.owners[state.id] = state.account
        if state.account is not None:
            self.ship_of_account[state.account] = state.id

    def retire(self, ship_id: int) -> None:
        """Take a ship out of the universe for good (a closed world's flagship): its zone
        despawns it at the end of its next tick, and no index knows it from now on."""
        zone = self.zone_of(ship_id)
        if zone is not None and ship_id in zone.bodies.row_of:
            zone.remove(ship_id)
        for index in (self.where, self.roles, self.owners):
            index.pop(ship_id, None)

    def zone_of(self, ship_id: int) -> Zone | None:
        system_id = self.where.get(ship_id)
        return None if system_id is None else self.zones[system_id]

    def submit(self, command: Command | ShipCommand, origin: object = None) -> bool:
        """Queue a command at the zone that owns its ship; False if no zone does."""
        zone = self.zone_of(command.ship)
        if zone is None:
            return False
        zone.submit(command, origin)
        return True

    def submit_to(self, system_id: int, command: BodyCommand, origin: object = None) -> bool:
        """Queue a building command at the zone of `system_id`; False if this process runs
        no such zone. Bodies never change zone, so the builder names it, not a ship."""
        zone = self.zones.get(system_id)
        if zone is None:
            return False
        zone.submit(command, origin)
        return True

    def tick(self, system_id: int) -> TickReport:
        """Run one tick of a zone, hand its departures over, and tell the observers."""
        zone = self.zones[system_id]
        report = zone.tick()
        for leaving in report.departures:
            destination = self.zones.get(leaving.to_system)
            if destination is None:  # a gate to nowhere: the ship stays home
                destination = self.zones[leaving.state.home_system]
            self.where[leaving.state.id] = destination.system_id
            destination.admit(leaving.state, leaving.arrival_gate)
        if self.hidden:
            self._hide_wrecks(zone, report)
        self._rehome_elsewhere(zone, report)
        self._observers.tell(zone, report)
        return report

    def _rehome_elsewhere(self, zone: Zone, report: TickReport) -> None:
        """A razed station's zone rehomed its own ships; ships that call it home but are
        away, in other zones' keeping, are rehomed there at their next tick."""
        for event in report.events:
            if isinstance(event, ev.Razed) and event.kind == Kind.STATION:
                rehome = Rehome(station=event.body, home=event.home)
                for other in self.zones.values():
                    if other is not zone:
                        other.submit(rehome)

    def _hide_wrecks(self, zone: Zone, report: TickReport) -> None:
        """A hidden ship's wreck is hidden too: seen, it would betray the avatar it was.
        A wreck that is gone leaves the set again, so it never grows with old wrecks."""
        for event in report.events:
            if isinstance(event, ev.Wrecked) and event.ship in self.hidden:
                self.hidden.add(event.wreck)
                self._hidden_wrecks[event.wreck] = zone.system_id
        for wreck in [w for w, s in self._hidden_wrecks.items() if s == zone.system_id]:
            if wreck not in zone.bodies.row_of:
                del self._hidden_wrecks[wreck]
                self.hidden.discard(wreck)

    def ship_states(self) -> list[tuple[int, ShipState]]:
        """Every ship with the system that owns it, for snapshots.

        Ships in flight between zones (admitted but not yet ticked in) are
        reported at their destination with their departure state.
        """
        out: list[tuple[int, ShipState]] = []
        for system_id, zone in self.zones.items():
            out.extend((system_id, zone.ship_state(i)) for i in zone.ship_ids())
            out.extend((system_id, state) for state, _ in zone.arriving())
        return out
