"""All zones of one process and the authority index: which zone owns each ship.

This is the embedded (in-process) bus: commands are routed to the zone
that owns the ship, departures from one zone's tick are admitted by the
destination zone at its next tick boundary, and tick reports go to the
observers (the gateway's fan-out, the store's chat log) synchronously, while
row indices in the report are still valid.
"""

from __future__ import annotations

from collections.abc import Callable

from infinity.commands.internal import SystemCommand
from infinity.commands.types import Command
from infinity.galaxy.model import Galaxy
from infinity.sim.zone import ShipState, TickReport, Zone

TickObserver = Callable[[Zone, TickReport], None]


class Universe:
    def __init__(self, galaxy: Galaxy) -> None:
        self.galaxy = galaxy
        self.zones: dict[int, Zone] = {s.id: Zone(s.id, s.name, s.bodies) for s in galaxy.systems}
        self.where: dict[int, int] = {}  # ship id -> system id of the zone with authority
        self.roles: dict[int, str] = {}  # ship id -> 'player', 'miner', 'patrol', 'trader'
        self.ship_of_account: dict[int, int] = {}
        self.owners: dict[int, int | None] = {}  # ship id -> owning account (None: NPC)
        self._observers: list[TickObserver] = []

    def observe(self, observer: TickObserver) -> None:
        self._observers.append(observer)

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
        for observer in self._observers:
            observer(zone, report)
        return report

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
