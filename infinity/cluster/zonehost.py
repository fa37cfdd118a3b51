"""The zone host process: simulates the zones it owns by lease, over PostgreSQL
(docs/cluster.md "The zone host").

`ZoneHosting` is one zone host: a `ZoneHost` takes its fair share of the galaxy's zones;
each zone gained is loaded from the store (its bodies, clock and ships: the last snapshot)
into a `HostUniverse` that holds only the zones this host owns, gets its commands from
the bus through a `ZoneInbox` and ticks at its own rate; each zone lost stops ticking at
once and is dropped. Ship motion goes to the store every `snapshot_seconds` and once
more at an orderly stop, before the leases are released, so the next host loads it.

Left out for now (docs/cluster.md): the economy, the crews and NPC traffic (commands
that move goods or credits are refused), and the handover of ships between hosts: a
ship may leave only for a zone this host owns; any other departure keeps it in its zone.

    python -m infinity.cluster.zonehost --db postgresql+asyncpg://... --nats nats://...
        --name NAME [--ttl S] [--snapshot-seconds S]

SIGTERM or SIGINT: the orderly stop (stop ticking, save, release the leases, close).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Final, overload

import nats.errors

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from infinity.cluster.ownership import ZoneHost
from infinity.cluster.relay import ZoneInbox
from infinity.cluster.subjects import host_key
from infinity.commands.types import (
    Command,
    Dock,
    Fire,
    Jump,
    LaunchTorpedo,
    Mine,
    MoveTo,
    Say,
    Stop,
    Target,
    Thrust,
    Undock,
)
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim import kinds
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.rules import ENGINE_RULES, ZoneRules
from infinity.sim.zone import Departure, ShipState, TickReport, Zone
from infinity.store.store import Store
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import Hangar
from infinity.universe.loop import TickCosts, pause, run_zones
from infinity.universe.records import SavedShip
from infinity.universe.snapshots import Snapshots
from infinity.universe.universe import MAIN_WORLD, Universe

log = logging.getLogger("infinity.cluster.zonehost")  # the same name under `python -m`

FLIGHT_COMMANDS: Final = (
    Thrust, MoveTo, Stop, Target, Fire, LaunchTorpedo, Dock, Undock, Mine, Jump, Say,
)  # fmt: skip
"""What a zone host applies: flight, combat, mining and talk. Unload, sell, buy, repair,
siphon and loot move goods or credits, which only the economy may settle, and no economy
runs beside a zone host yet: they are refused (counted in `ZoneHosting.refused`)."""

RETRY_SECONDS: Final = 0.05  # a zone whose lease is not surely good looks again a tick later


class NoGalaxy(RuntimeError):
    """The store holds no galaxy: a zone host never makes one; the store is seeded first."""


class HostStopping(RuntimeError):
    """A zone gained while the host stops: not loaded, its lease goes back."""


class HoldingZone(Zone):
    """A zone that keeps a ship whose departure leads to a zone this host does not own.

    The handover of ships between hosts is still to build, so such a ship stays here,
    stopped where it was (a jump), or docked at a station of this zone (a ship sent home
    to another system after its destruction), rather than being lost in between.
    """

    def __init__(
        self,
        system: StarSystem,
        time_scale: float,
        owns: Callable[[int], bool],
        rules: ZoneRules = ENGINE_RULES,
    ) -> None:
        super().__init__(system.id, system.name, system.bodies, time_scale, rules)
        self.held = 0  # departures kept here so far
        self._owns = owns

    def tick(self) -> TickReport:
        report = super().tick()
        if report.departures:
            report.departures = [d for d in report.departures if self._lets_go(d)]
        return report

    def _lets_go(self, departure: Departure) -> bool:
        """True if the ship may leave; else it is admitted here again, at the next tick."""
        if self._owns(departure.to_system):
            return True
        self.held += 1
        self.admit(self._kept(departure.state))
        log.info("zone %s: ship %s kept here: zone %s is on another host (no handover yet)",
                 self.system_id, departure.state.id, departure.to_system)  # fmt: skip
        return False

    def _kept(self, state: ShipState) -> ShipState:
        state = replace(state, vx=0.0, vy=0.0)
        if state.docked_at == NO_ENTITY or state.docked_at in self.bodies.row_of:
            return state
        b, n = self.bodies, self.bodies.n
        stations = b.id[:n][b.kind[:n] == kinds.STATION].tolist()
        return replace(state, docked_at=int(stations[0]) if stations else NO_ENTITY)


class HostUniverse(Universe):
    """The universe of one zone host: the main world's whole map, but only the zones this
    host owns, each a `HoldingZone`; `take_zone` and `drop_zone` follow the leases."""

    def __init__(self, galaxy: Galaxy, owns: Callable[[int], bool]) -> None:
        self._owns = owns
        super().__init__(galaxy)
        for system in list(self.systems_of(MAIN_WORLD)):
            self.remove_zone(system)  # none is owned yet

    def add_zone(self, world: int, system: StarSystem, rules: ZoneRules = ENGINE_RULES) -> Zone:
        super().add_zone(world, system, rules)  # indexes the zone under its world
        zone = self.zones[system.id] = HoldingZone(system, self.time_scale, self._owns, rules)
        return zone

    def take_zone(self, system: StarSystem, tick: int, ships: Sequence[SavedShip]) -> Zone:
        """Add a zone as last stored: its bodies, its clock, its ships."""
        zone = self.add_zone(MAIN_WORLD, system)
        if tick:
            zone.clock.resume(tick)
        for ship in ships:
            self.place(system.id, ship.state, ship.role)
        return zone

    def drop_zone(self, system_id: int) -> None:
        """Forget a zone and every ship in it (another host has them now)."""
        for ship in [s for s, system in self.where.items() if system == system_id]:
            account = self.owners.pop(ship, None)
            if account is not None and self.ship_of_account.get(account) == ship:
                del self.ship_of_account[account]
            self.where.pop(ship, None)
            self.roles.pop(ship, None)
            self.hidden.discard(ship)
        if system_id in self.zones:
            self.remove_zone(system_id)


class _WhileHeld(Sequence[int]):
    """One zone as `run_zones` sees it: there only while this host may tick it, so a host
    whose lease is not surely good skips the tick (`ZoneHost.holds`)."""

    def __init__(self, zone: int, may_tick: Callable[[int], bool]) -> None:
        self._zone = zone
        self._may_tick = may_tick

    def _now(self) -> tuple[int, ...]:
        return (self._zone,) if self._may_tick(self._zone) else ()

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        return self._now()[index]

    def __len__(self) -> int:
        return len(self._now())

    def __iter__(self) -> Iterator[int]:
        return iter(self._now())


class ZoneTicks:
    """The zone loops of one host: one task per owned zone (`run_zones`, at the zone's
    rate, dilating under load), started when the zone is gained, stopped at once when it
    is lost, each tick only while `may_tick(zone)`."""

    def __init__(
        self, universe: Universe, may_tick: Callable[[int], bool], costs: TickCosts | None = None
    ) -> None:
        self._universe = universe
        self._may_tick = may_tick
        self._costs = costs
        self._group: asyncio.TaskGroup | None = None
        self._stops: dict[int, asyncio.Event] = {}

    @property
    def running(self) -> bool:
        """Whether a zone may still start ticking (not before `run`, not once stopping)."""
        return self._group is not None

    @property
    def zones(self) -> frozenset[int]:
        return frozenset(self._stops)

    async def run(self, stopping: asyncio.Event) -> None:
        """Own the zone loops until `stopping` is set; then stop every zone's ticking (each
        finishes the tick it is in) and wait for the loops to end."""
        async with asyncio.TaskGroup() as group:
            self._group = group
            try:
                await stopping.wait()
            finally:
                self.halt()

    def halt(self) -> None:
        """Stop ticking every zone now, and start no other."""
        self._group = None
        self.stop_all()

    def start(self, zone: int) -> None:
        if self._group is None:
            raise HostStopping(f"zone {zone}: the zone loops are not running")
        if zone in self._stops:
            return
        stop = self._stops[zone] = asyncio.Event()
        self._group.create_task(self._tick_while_held(zone, stop), name=f"zone:{zone}")

    def stop(self, zone: int) -> None:
        """No tick of `zone` after this returns."""
        stop = self._stops.pop(zone, None)
        if stop is not None:
            stop.set()

    def stop_all(self) -> None:
        for zone in list(self._stops):
            self.stop(zone)

    async def _tick_while_held(self, zone: int, stop: asyncio.Event) -> None:
        """`run_zones` ends when the zone is not surely ours; it starts again once it is
        (a renewal came in time after all), until the zone is stopped or dropped."""
        view = _WhileHeld(zone, self._may_tick)
        while not stop.is_set() and zone in self._universe.zones:
            await run_zones(self._universe, view, stop, 0.0, self._costs)
            await pause(stop, RETRY_SECONDS)


class ZoneHosting:
    """One zone host: ownership, the universe of its zones, their loops, their commands and
    their snapshots, over one store and one NATS connection. Build it with `open`."""

    def __init__(
        self,
        name: str,
        store: Store,
        bus: NatsBus,
        leases: ZoneLeases,
        roll: HostRoll,
        galaxy: Galaxy,
        snapshot_seconds: float,
    ) -> None:
        self.name = name
        self.refused = 0  # commands not applied here (see FLIGHT_COMMANDS; jumps off-host)
        self._store = store
        self._bus = bus
        self._charts = Charts(store.engine)
        self._hangar = Hangar(store.engine)
        zones = [system.id for system in galaxy.systems]
        self._host = ZoneHost(
            leases, roll, name, zones, self._gain, self._lose, on_give_back=self._give_back
        )
        self.universe = HostUniverse(galaxy, owns=self._owns)
        self.costs = TickCosts()
        self._ticks = ZoneTicks(self.universe, self._host.holds, self.costs)
        self._inbox = ZoneInbox(bus, self._submit)
        self._snapshot_seconds = snapshot_seconds
        self._snapshots = Snapshots(
            self.universe, self._hangar, self._charts, ChatLog(store.engine), snapshot_seconds
        )
        self._saving = asyncio.Lock()  # one snapshot at a time: the last written is the newest

    @classmethod
    async def open(
        cls, db: str, nats_url: str, name: str, ttl: int = 6, snapshot_seconds: float = 5.0
    ) -> ZoneHosting:
        """Open the store (migrated) and NATS, and read the galaxy; `NoGalaxy` if the store
        was never seeded."""
        store = await Store.open(db)
        try:
            galaxy = await Charts(store.engine).load_galaxy()
            if galaxy is None:
                raise NoGalaxy("the store holds no galaxy: seed it first (infinity serve --db)")
            bus = await NatsBus.connect(nats_url, name=f"zone-host-{name}")
        except BaseException:
            await store.close()
            raise
        try:
            js = bus.client.jetstream(timeout=2.0)
            leases = await ZoneLeases.open(js, ttl)
            roll = await HostRoll.open(js, ttl)
            return cls(name, store, bus, leases, roll, galaxy, snapshot_seconds)
        except BaseException:
            await bus.close()
            await store.close()
            raise

    @property
    def owned(self) -> frozenset[int]:
        return self._host.owned

    async def run(self, stopping: asyncio.Event) -> None:
        """Host zones until `stopping` is set, then stop in order: stop ticking, write the
        final snapshot, then leave the roll and release the leases (the ownership loop's
        own orderly stop), so the next host loads the state this one ended with."""
        letting_go = asyncio.Event()
        async with asyncio.TaskGroup() as group:
            group.create_task(self._ticks.run(stopping))
            saving = group.create_task(self._save_every(stopping))
            group.create_task(self._inbox.run(letting_go))
            group.create_task(self._host.run(letting_go))
            try:
                await stopping.wait()
                self._ticks.halt()  # no tick after this: the final snapshot is the end state
                await saving  # a snapshot in progress ends first
                await self._final_snapshot()
            finally:
                letting_go.set()

    async def close(self) -> None:
        """Close the connections: NATS, then the store."""
        try:
            await self._bus.close()
        finally:
            await self._store.close()

    async def _save_every(self, stopping: asyncio.Event) -> None:
        """Flush chat every second and snapshot every `snapshot_seconds` until stopped (as
        `Snapshots.run`, but one save at a time with the give-backs' and the final one)."""
        last = time.monotonic()
        while not await pause(stopping, 1.0):
            try:
                await self._snapshots.flush_chat()
                if time.monotonic() - last >= self._snapshot_seconds:
                    last = time.monotonic()
                    await self._save()
            except Exception:  # a failed write is retried at the next beat
                log.exception("host %s: snapshot failed; will retry", self.name)

    async def _save(self) -> None:
        async with self._saving:
            await self._snapshots.save()

    async def _final_snapshot(self) -> None:
        try:
            await self._snapshots.flush_chat()
            await self._save()
        except Exception:  # the leases still go back; the last periodic snapshot stands
            log.exception("host %s: the final snapshot failed", self.name)
            return
        log.info("host %s: final snapshot of zones %s written", self.name, sorted(self.owned))

    def _owns(self, zone: int) -> bool:
        return zone in self._host.owned

    async def _gain(self, zone: int) -> None:
        """`on_gain`: load the zone as last stored, take its commands, start ticking it."""
        if not self._ticks.running:
            raise HostStopping(f"host {self.name} is stopping: zone {zone} not loaded")
        galaxy = await self._charts.load_galaxy()  # today's ore levels
        clocks = await self._charts.load_clocks()
        ships = [ship for ship in await self._hangar.load_ships() if ship.system_id == zone]
        if galaxy is None:
            raise NoGalaxy("the galaxy is gone from the store")
        self.universe.take_zone(galaxy.system(zone), clocks.get(zone, 0), ships)
        try:
            await self._inbox.open(zone)
            self._ticks.start(zone)
        except BaseException:
            self._lose(zone)
            raise
        log.info("host %s: zone %s loaded with %d ships", self.name, zone, len(ships))

    async def _give_back(self, zone: int) -> None:
        """`on_give_back`: the zone goes to another host for balance: stop ticking it and
        taking its commands, and save it while the lease is still ours."""
        self._ticks.stop(zone)
        self._inbox.shut(zone)
        await self._save()
        log.info("host %s: zone %s saved to be given back", self.name, zone)

    def _lose(self, zone: int) -> None:
        """`on_loss`: stop ticking the zone and taking its commands, now, and forget it."""
        self._ticks.stop(zone)
        self._inbox.shut(zone)
        self.universe.drop_zone(zone)

    def _submit(self, command: Command) -> None:
        """A relayed command to its ship's zone, unless this host must not apply it."""
        if not isinstance(command, FLIGHT_COMMANDS) or not self._may_jump(command):
            self.refused += 1
            return
        self.universe.submit(command)

    def _may_jump(self, command: Command) -> bool:
        """A jump only to a zone this host owns: the handover between hosts is to build."""
        if not isinstance(command, Jump):
            return True
        zone = self.universe.zone_of(command.ship)
        gate = None if zone is None else zone.info.get(command.gate)
        return gate is None or self._owns(gate.leads_to)  # no such gate: the zone refuses it


async def host_zones(db: str, nats_url: str, name: str, ttl: int, snapshot_seconds: float) -> None:
    """Run one zone host until SIGTERM or SIGINT, then stop in order and close."""
    hosting = await ZoneHosting.open(db, nats_url, name, ttl, snapshot_seconds)
    try:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        log.info("host %s: hosting zones (lease TTL %d s)", name, ttl)
        await hosting.run(stopping)
    finally:
        await hosting.close()
    log.info("host %s: stopped", name)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m infinity.cluster.zonehost",
        description="A zone host: simulates the zones it owns by lease, over PostgreSQL.",
    )
    parser.add_argument("--db", required=True, help="postgresql+asyncpg://... (seeded)")
    parser.add_argument("--nats", required=True, help="nats://host:port, JetStream on")
    parser.add_argument("--name", required=True, help="unique per live host: letters, digits, - _")
    parser.add_argument("--ttl", type=int, default=6, help="lease TTL, whole seconds >= 1")
    parser.add_argument(
        "--snapshot-seconds", type=float, default=5.0, help="how often ship motion is saved"
    )
    parser.add_argument("--log-level", default="info", help="debug, info, warning or error")
    options = parser.parse_args(argv)
    if options.ttl < 1:
        parser.error("--ttl must be at least 1")
    try:
        host_key(options.name)
    except ValueError as error:
        parser.error(str(error))
    if not 0.5 <= options.snapshot_seconds <= 300:
        parser.error("--snapshot-seconds must be between 0.5 and 300")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """The zone host's command line; 0 after an orderly stop, 2 when it cannot start."""
    options = parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=options.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        o = options
        asyncio.run(host_zones(o.db, o.nats, o.name, o.ttl, o.snapshot_seconds))
    except (NoGalaxy, ValueError, OSError, nats.errors.Error) as error:
        log.error("zone host %s cannot start: %s", options.name, error)
        return 2
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
