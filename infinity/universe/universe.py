"""All zones of one process and the authority index: which zone owns each ship.

This is the embedded (in-process) bus: commands are routed to the zone
that owns the ship, departures from one zone's tick are admitted by the
destination zone at its next tick boundary, and tick reports go to the
observers (the gateway's fan-out, the store's chat log) synchronously, while
row indices in the report are still valid.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

from prometheus_client import Counter

from infinity.commands.internal import SystemCommand
from infinity.commands.types import Command
from infinity.galaxy.model import Galaxy
from infinity.sim import events as ev
from infinity.sim.zone import ShipState, TickReport, Zone

TickObserver = Callable[[Zone, TickReport], None]

log = logging.getLogger(__name__)

OBSERVER_ERRORS = Counter(
    "infinity_observer_errors_total", "Exceptions raised by tick observers", ["observer"]
)
QUIET_SECONDS: Final = 60.0  # after a traceback, an observer's next errors are only counted


MAX_TIME_SCALE: Final = 100.0


class Observers:
    """The tick observers of a universe. One that raises is logged and counted, never
    allowed to stop the zone or the observers after it."""

    def __init__(self) -> None:
        self._observers: list[TickObserver] = []
        self._logged: dict[str, float] = {}  # observer name -> when its last traceback went out

    def add(self, observer: TickObserver) -> None:
        self._observers.append(observer)

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
    def __init__(self, galaxy: Galaxy, time_scale: float = 1.0) -> None:
        """`time_scale`: simulated seconds per wall second (1 to 100; above 1 the whole
        universe runs faster than life, for tests and research)."""
        if not 1.0 <= time_scale <= MAX_TIME_SCALE:
            raise ValueError(f"time_scale must be between 1 and {MAX_TIME_SCALE:g}")
        self.galaxy = galaxy
        self.time_scale = time_scale
        self.zones: dict[int, Zone] = {
            s.id: Zone(s.id, s.name, s.bodies, time_scale) for s in galaxy.systems
        }
        self.where: dict[int, int] = {}  # ship id -> system id of the zone with authority
        self.roles: dict[int, str] = {}  # ship id -> 'player', 'miner', 'patrol', 'trader', 'crew'
        self.ship_of_account: dict[int, int] = {}
        self.owners: dict[int, int | None] = {}  # ship id -> owning account (None: NPC)
        self.hidden: set[int] = set()  # ships in no player's frames (operator avatars)
        self._hidden_wrecks: dict[int, int] = {}  # wreck of a hidden ship -> its system
        self._observers = Observers()

    def observe(self, observer: TickObserver) -> None:
        self._observers.add(observer)

    def place(self, system_id: int, state: ShipState, role: str) -> None:
        """Put a ship into a zone directly (loading, before or between ticks)."""
        self.zones[system_id].add_ship(state)
        self.where[state.id] = system_id
        self.roles[state.id] = role
        self.owners[state.id] = state.account
        if state.account is not None:
            self.ship_of_account[state.account] = state.id

    def zone_of(self, ship_id: int) -> Zone | None:
        system_id = self.where.get(ship_id)
        return None if system_id is None else self.zones[system_id]

    def submit(self, command: Command | SystemCommand, origin: object = None) -> bool:
        """Queue a command at the zone that owns its ship; False if no zone does."""
        zone = self.zone_of(command.ship)
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
        self._observers.tell(zone, report)
        return report

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
