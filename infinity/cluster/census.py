"""Zones seen from afar: a zone's whole state once a simulated second, for crew workers
(docs/cluster.md "Crew workers").

A zone host's `ZoneCensus` publishes, for every zone it holds, a `Census` each simulated
second: the zone's entity table as its columns' bytes (`Bodies.export`), what each
ship and wreck is (names, owners, roles), and the events of the ticks since the last one.
A crew worker's `ReplicaUniverse` loads each census into a copy of that zone and tells
its observers the events, as if it had ticked: the crews' company runs on it unchanged,
perceiving what the zone was a moment ago. It never ticks; its `submit` sends a command
to the zone's host, the path players' commands take.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any, Final

import msgspec
import numpy as np

from infinity.commands.types import Command
from infinity.galaxy.model import Galaxy
from infinity.gateway.bus import Message, Outbox
from infinity.gateway.subjects import zone_census, zone_of_subject
from infinity.sim import events as ev
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.zone import EntityInfo, TickReport, Zone
from infinity.universe.universe import MAIN_WORLD, Universe

log = logging.getLogger(__name__)

CENSUS_SECONDS: Final = 1.0
"""Simulated seconds between two censuses of a zone: the crews' decision pace."""

MAX_EVENTS: Final = 4096
"""Events one census carries at most (the newest): a flood is cut, never unbounded."""

EVENT_TYPES: Final[dict[str, type]] = {cls.__name__: cls for cls in ev.Event.__args__}


class Info(msgspec.Struct, array_like=True, frozen=True):
    """What a ship, wreck or torpedo is beyond its columns (the zone's `EntityInfo`)."""

    id: int
    name: str
    account: int | None
    home_station: int
    home_system: int
    role: str  # a ship's ('player', 'crew', …); "" for anything else


class Census(msgspec.Struct, array_like=True):
    """One zone as it stands after a tick."""

    zone: int
    tick: int
    sim_time: float
    n: int
    columns: dict[str, bytes]
    infos: list[Info]
    events: list[tuple[str, dict[str, Any]]]


_census = msgspec.msgpack.Decoder(Census)
_encode = msgspec.msgpack.Encoder().encode
_BAD = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError)


# -- the zone host's side --------------------------------------------------------------


class ZoneCensus:
    """A zone host's censuses: a tick observer that keeps each zone's events and, once a
    simulated second, puts the zone's census in the host's `outbox`, while `wanted()`;
    the main world's zones only, where the crews live."""

    def __init__(
        self, outbox: Outbox, universe: Universe, wanted: Callable[[], bool] = lambda: True
    ) -> None:
        self._out = outbox
        self._universe = universe
        self._wanted = wanted  # whether anyone reads censuses now (a crew worker is up)
        self._events: dict[int, list[ev.Event]] = {}
        self._last: dict[int, float] = {}  # zone -> simulated time of its last census
        self._static: dict[int, frozenset[int]] = {}  # zone -> its stations, gates, rocks

    def forget(self, zone: int) -> None:
        """The zone left this host: its next host sends its censuses."""
        self._events.pop(zone, None)
        self._last.pop(zone, None)

    def on_tick(self, zone: Zone, report: TickReport) -> None:
        z = zone.system_id
        if not self._wanted() or self._universe.world_of.get(z) != MAIN_WORLD:
            self._events.pop(z, None)  # nobody reads them (the crews live in the main world)
            return
        if report.events:
            kept = self._events.setdefault(z, [])
            kept.extend(report.events)
            del kept[:-MAX_EVENTS]
        if report.sim_time - self._last.get(z, -CENSUS_SECONDS) < CENSUS_SECONDS - 1e-9:
            return
        self._last[z] = report.sim_time
        census = Census(
            zone=z,
            tick=report.tick,
            sim_time=report.sim_time,
            n=zone.bodies.n,
            columns=zone.bodies.export(),
            infos=self._infos(zone),
            events=[(type(e).__name__, dataclasses.asdict(e)) for e in self._events.pop(z, [])],
        )
        self._out.put(zone_census(z), _encode(census))

    def _infos(self, zone: Zone) -> list[Info]:
        static = self._static.get(zone.system_id)
        if static is None:
            system = self._universe.star_system(zone.system_id)
            static = self._static[zone.system_id] = frozenset(b.id for b in system.bodies)
        roles = self._universe.roles
        return [
            Info(entity, i.name, i.account, i.home_station, i.home_system, roles.get(entity, ""))
            for entity, i in zone.info.items()
            if entity not in static
        ]


# -- the crew worker's side ------------------------------------------------------------


class ReplicaUniverse(Universe):
    """Copies of the main world's zones, each as its last census showed it. Nothing here
    ticks; a command goes to `send` (a relay to the zone's host)."""

    def __init__(self, galaxy: Galaxy, send: Callable[[Command], bool]) -> None:
        super().__init__(galaxy)
        self.censuses = 0
        self.bad = 0
        self._send = send
        self._static = {z: dict(zone.info) for z, zone in self.zones.items()}
        self._host_time: dict[int, float] = {}  # zone -> sim time of its last census

    def submit(self, command: object, origin: object = None) -> bool:
        """Relay a command to the host of its ship's zone; False for a ship in no zone, or
        for what is no client command (the company's internal ones stay here)."""
        if not isinstance(command, Command) or command.ship not in self.where:
            return False
        return self._send(command)

    def tick(self, system_id: int) -> TickReport:
        raise RuntimeError("a replica never ticks: its zones tick on their hosts")

    async def on_census(self, message: Message) -> None:
        """The bus handler: load a census, if it is one, and tell the observers."""
        try:
            zone = zone_of_subject(message.subject)
            census = _census.decode(message.data)
            if census.zone != zone or zone not in self.zones:
                raise ValueError(f"a census of zone {census.zone} on {message.subject}")
            report = self.load(census)
        except (ValueError, TypeError, KeyError, *_BAD) as error:
            self.bad += 1
            log.warning("replica: dropped a bad census: %s", error)
            return
        self.censuses += 1
        self._observers.tell(self.zones[zone], report)

    def load(self, census: Census) -> TickReport:
        """The zone becomes what the census shows; the events come back as a report whose
        time is the replica's own (monotonic: it advances as the host's does)."""
        events: list[ev.Event] = [
            msgspec.convert(fields, EVENT_TYPES[name]) for name, fields in census.events
        ]
        zone = self.zones[census.zone]
        zone.bodies.load(census.n, census.columns)
        zone.info = {**self._static[census.zone], **_entity_infos(census.infos)}
        zone.clock.tick = census.tick
        zone.clock.sim_time = self._replica_time(zone, census.sim_time)
        self._index(census)
        none = np.empty(0, dtype=np.int64)
        return TickReport(census.tick, zone.clock.sim_time, 1.0, events, [], none, none, [], [])

    def _replica_time(self, zone: Zone, host_time: float) -> float:
        """The zone's time here: the minds' own clock (raised to their latest memory when
        they were restored) moved on by as much as the host's moved since its last census."""
        last = self._host_time.get(zone.system_id)
        self._host_time[zone.system_id] = host_time
        if last is None or host_time < last:  # the first census, or its host restarted it
            return max(zone.clock.sim_time, host_time)
        return zone.clock.sim_time + (host_time - last)

    def _index(self, census: Census) -> None:
        """`where`, owners, roles and accounts follow the ships this census shows."""
        z = census.zone
        shown = {i.id for i in census.infos if i.role}
        for ship in [s for s, zone in self.where.items() if zone == z and s not in shown]:
            self.where.pop(ship, None)
            account = self.owners.pop(ship, None)
            self.roles.pop(ship, None)
            if account is not None and self.ship_of_account.get(account) == ship:
                del self.ship_of_account[account]
        for info in census.infos:
            if not info.role:
                continue
            self.where[info.id] = z
            self.roles[info.id] = info.role
            self.owners[info.id] = info.account
            if info.account is not None:
                self.ship_of_account[info.account] = info.id


def _entity_infos(infos: list[Info]) -> dict[int, EntityInfo]:
    return {i.id: EntityInfo(i.name, i.account, i.home_station, i.home_system) for i in infos}


__all__ = ["MAIN_WORLD", "NO_ENTITY", "Census", "ReplicaUniverse", "ZoneCensus"]
