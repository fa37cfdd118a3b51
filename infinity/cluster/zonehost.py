"""The zone host process: simulates the zones it owns by lease, over PostgreSQL
(docs/cluster.md "The zone host").

`ZoneHosting` is one zone host: a `ZoneHost` takes its fair share of the galaxy's zones;
each zone gained is loaded from the store (its bodies, clock and ships: the last snapshot)
into a `HostUniverse` that holds only the zones this host owns, gets its commands from
the bus through a `ZoneInbox` and ticks at its own rate; each zone lost stops ticking at
once and is dropped. Ship motion goes to the store every `snapshot_seconds` and once
more at an orderly stop, before the leases are released, so the next host loads it.

A jump into a zone of another host is a handover (`handover.py`, docs/cluster.md
"Handover between hosts"): the ship's row moves to the new zone in one transaction with
an idempotency key, then the new zone's host loads it (nudged over NATS, or found by its
once-a-second sweep). A departure toward a zone nobody holds keeps the ship in its zone.

NPC pilots fly the NPC ships of the zones this host holds (`--no-npcs`: none); the crews'
ships are flown by a crew worker (crewworker.py). The economy settles the events of this
host's zones (trades, thefts, wrecks, bounties) in the shared PostgreSQL ledger, exactly as
in one process; a zone gained takes its stations' stock, its ships' wallets and the trades
they left pending, and a zone lost leaves them to its next host (docs/cluster.md "The
economy on zone hosts").

    python -m infinity.cluster.zonehost --db postgresql+asyncpg://... --nats nats://...
        --name NAME [--ttl S] [--snapshot-seconds S]

SIGTERM or SIGINT: the orderly stop (stop ticking, save, release the leases, close).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, overload

import nats.errors
import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from infinity.cluster import handover, voyages
from infinity.cluster.census import ZoneCensus
from infinity.cluster.handover import ALL_ARRIVALS, Fenced, Nudge, fault, host_ships, zone_arrivals
from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.open_worlds import OpenWorlds
from infinity.cluster.ownership import ZoneHost
from infinity.cluster.role import (
    Links,
    NoGalaxy,
    arguments,
    parse_role,
    role_parser,
    run_role,
    until_signalled,
)
from infinity.cluster.subjects import CREW_WORKERS_BUCKET, WALLETS_CHANGED
from infinity.cluster.targets import stored_crews
from infinity.cluster.voyages import TravelAnswer, TravelOrder
from infinity.commands import internal as ci
from infinity.commands.types import Command
from infinity.economy.service import Economy
from infinity.economy.wallets import Wallets
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.gateway.bus import Message, Outbox, Subscription
from infinity.gateway.frames import ZoneFrames
from infinity.gateway.relay import Origin, ZoneInbox
from infinity.operators import killswitch
from infinity.sim import events as ev
from infinity.sim import kinds
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.rules import ENGINE_RULES, ZoneRules
from infinity.sim.zone import Departure, ShipState, TickReport, Zone
from infinity.traffic.pilots import Pilots
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import AlsoWrite, Hangar
from infinity.universe.loop import TickCosts, pause, run_zones
from infinity.universe.records import CREW_ROLE, FLAGSHIP_ROLE, SavedShip
from infinity.universe.snapshots import Snapshots
from infinity.universe.universe import MAIN_WORLD, Universe
from infinity.worlds.atlas import Atlas, Berth, end_voyage, record_voyage
from infinity.worlds.service import arrival_berth

log = logging.getLogger("infinity.cluster.zonehost")  # the same name under `python -m`

FALLEN_TRIES: Final = 50  # a lost ship between systems is tried again, 0.1 s apart
RETRY_SECONDS: Final = 0.05  # a zone whose lease is not surely good looks again a tick later
SWEEP_SECONDS: Final = 1.0  # how often a host looks for ships its zones' rows name
BOOKS_EVERY: Final = 10  # sweeps between looks at the books (wanted ships, orphaned trades)

HandOver = Callable[[Departure], bool]
"""Take a departure toward a zone of another host into a handover: True if taken."""


class HostStopping(RuntimeError):
    """A zone gained while the host stops: not loaded, its lease goes back."""


class HoldingZone(Zone):
    """A zone whose departures toward zones this host does not own are handed over
    (`hand_over`, when another host holds the zone) or else kept here: stopped where it
    was (a jump), or docked at a station of this zone (a ship sent home to another system
    after its destruction), rather than being lost in between.
    """

    def __init__(
        self,
        system: StarSystem,
        time_scale: float,
        owns: Callable[[int], bool],
        rules: ZoneRules = ENGINE_RULES,
        hand_over: HandOver | None = None,
    ) -> None:
        super().__init__(system.id, system.name, system.bodies, time_scale, rules)
        self.held = 0  # departures kept here so far
        self._owns = owns
        self._hand_over = hand_over

    def tick(self) -> TickReport:
        report = super().tick()
        if report.departures:
            report.departures = [d for d in report.departures if self._lets_go(d)]
        return report

    def _lets_go(self, departure: Departure) -> bool:
        """True if the ship may leave; else it is admitted here again, at the next tick.
        `hand_over` is asked first: a travel to another world is handed over even into a
        zone this host owns (its commit writes the voyage)."""
        if self._hand_over is not None and self._hand_over(departure):
            return False  # handing over: out of this zone, not yet in the other
        if self._owns(departure.to_system):
            return True
        self.keep(departure.state)
        log.info("zone %s: ship %s kept here: nobody else holds zone %s",
                 self.system_id, departure.state.id, departure.to_system)  # fmt: skip
        return False

    def keep(self, state: ShipState) -> None:
        """Take back a ship whose handover did not happen: kept here, at the next tick."""
        self.held += 1
        self.admit(self._kept(state))

    def _kept(self, state: ShipState) -> ShipState:
        state = replace(state, vx=0.0, vy=0.0)
        if state.docked_at == NO_ENTITY or state.docked_at in self.bodies.row_of:
            return state
        b, n = self.bodies, self.bodies.n
        stations = b.id[:n][b.kind[:n] == kinds.STATION].tolist()
        return replace(state, docked_at=int(stations[0]) if stations else NO_ENTITY)


class HostUniverse(Universe):
    """The universe of one zone host: the maps of the worlds whose zones it owns (the main
    world's always), but only those zones, each a `HoldingZone`; `take_zone` and
    `drop_zone` follow the leases."""

    def __init__(
        self, galaxy: Galaxy, owns: Callable[[int], bool], hand_over: HandOver | None = None
    ) -> None:
        self._owns = owns
        self._hand_over = hand_over
        self._players: np.ndarray | None = None  # players' ship ids; None: to be remade
        super().__init__(galaxy)
        for system in list(self.systems_of(MAIN_WORLD)):
            self.remove_zone(system)  # none is owned yet

    def add_zone(self, world: int, system: StarSystem, rules: ZoneRules = ENGINE_RULES) -> Zone:
        super().add_zone(world, system, rules)  # indexes the zone under its world
        zone = self.zones[system.id] = HoldingZone(
            system, self.time_scale, self._owns, rules, self._hand_over
        )
        return zone

    def take_zone(
        self,
        system: StarSystem,
        tick: int,
        ships: Sequence[SavedShip],
        world: int = MAIN_WORLD,
        galaxy: Galaxy | None = None,
        rules: ZoneRules = ENGINE_RULES,
    ) -> Zone:
        """Add a zone of `world` as last stored: its bodies, its clock, its ships, under its
        world's rules; `galaxy`: the world's map as stored now (None: as known)."""
        if galaxy is not None:
            self.chart_world(world, galaxy)
        zone = self.add_zone(world, system, rules)
        if tick:
            zone.clock.resume(tick)
        for ship in ships:
            if ship.state.id not in self.where:  # never twice in this universe
                self.place(system.id, ship.state, ship.role)
        return zone

    def place(self, system_id: int, state: ShipState, role: str) -> None:
        super().place(system_id, state, role)
        self._players = None

    def player_ships(self) -> np.ndarray:
        """The ids of every ship players fly here, their own and the worlds' flagships
        (flown from their bridges), sorted; remade only after a change."""
        if self._players is None:
            ids = [
                ship
                for ship, account in self.owners.items()
                if account is not None or self.roles.get(ship) == FLAGSHIP_ROLE
            ]
            self._players = np.array(sorted(ids), dtype=np.int64)
        return self._players

    def drop_zone(self, system_id: int) -> None:
        """Forget a zone and every ship in it (another host has them now)."""
        for ship in [s for s, system in self.where.items() if system == system_id]:
            self.forget(ship)
        if system_id in self.zones:
            world = self.world_of[system_id]
            self.remove_zone(system_id)
            if world != MAIN_WORLD and not self.systems_of(world):
                self.remove_world(world)  # no zone of it here: its map goes too

    def forget(self, ship: int) -> None:
        """Drop a ship from every index (it is in no zone's arrays: gone elsewhere)."""
        account = self.owners.pop(ship, None)
        if account is not None and self.ship_of_account.get(account) == ship:
            del self.ship_of_account[account]
        self.where.pop(ship, None)
        self.roles.pop(ship, None)
        self.hidden.discard(ship)
        self._players = None


class CrewFlown(Collection[int]):
    """The ships the crews fly (role `crew`), as a live view of the universe's roles: the
    NPC pilots leave them to the crew worker."""

    def __init__(self, roles: Mapping[int, str]) -> None:
        self._roles = roles

    def __contains__(self, ship: object) -> bool:
        return isinstance(ship, int) and self._roles.get(ship) == CREW_ROLE

    def __iter__(self) -> Iterator[int]:
        return (ship for ship, role in self._roles.items() if role == CREW_ROLE)

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
            if not stop.is_set():  # the partition test reads this line's time
                log.warning("zone %s: ticks stopped: its lease is not surely good", zone)
            await pause(stop, RETRY_SECONDS)


@dataclass(slots=True)
class Travelling:
    """A ship this host sends to another world (`voyages.py`), until its handover commits
    or the travel is given up."""

    order: TravelOrder
    source: int  # the zone it leaves
    before: ShipState  # as it was: kept so when the travel does not happen
    done: asyncio.Future[TravelAnswer]
    since: float = field(default_factory=time.monotonic)

    def end(self, answer: TravelAnswer) -> None:
        if not self.done.done():
            self.done.set_result(answer)

    def origin(self) -> Berth:
        """Where it set out from: it comes back there."""
        b = self.before
        return Berth(self.source, b.x, b.y, b.docked_at, b.home_station, b.home_system)


@dataclass(frozen=True, slots=True)
class Handing:
    """A ship this host is handing over: out of its zone, committed to `to_zone` next."""

    key: str  # the idempotency key
    source: int  # the zone it leaves (still its zone in `where` until the commit)
    to_zone: int
    departure: Departure
    travel: Travelling | None = None  # a travel to another world: its voyage is written too

    @property
    def kept_state(self) -> ShipState:
        """The ship as kept in its zone when the handover does not happen."""
        return self.departure.state if self.travel is None else self.travel.before


class ZoneHosting:
    """One zone host: ownership, the universe of its zones, their loops, their commands and
    their snapshots, over one store and one NATS connection. Build it with `open`."""

    def __init__(
        self,
        name: str,
        links: Links,
        zones: OpenWorlds,
        leases: ZoneLeases,
        roll: HostRoll,
        snapshot_seconds: float,
        npcs: bool = True,
        crew_roll: HostRoll | None = None,
        era: int = 0,
    ) -> None:
        self.name = name
        self.refused = 0  # commands not applied here (their ships are handing over)
        self.handed_over = 0  # ships whose rows this host moved to a zone of another host
        self.arrived = 0  # ships loaded because their rows name a zone of this host
        store, bus, galaxy = links.store, links.bus, links.galaxy
        self._links = links
        self._store = store
        self._bus = bus
        self._leases = leases
        self._roll = roll
        self._epochs_seen: set[str] = set()  # the live hosts' epochs at the last look
        self._taken: set[int] = set()  # the zones anyone holds, as last listed
        self._epochs: dict[int, str] = {}  # zone -> the epoch this host wrote at its gain
        self._handing: dict[int, Handing] = {}  # ship -> its handover, until committed
        self._travelling: dict[int, Travelling] = {}  # ship -> its travel, until it ends
        # (ship, world, tries): players' ships lost in a world without respawn, to send home
        self._fallen: asyncio.Queue[tuple[int, int, int]] = asyncio.Queue()
        self._group: asyncio.TaskGroup | None = None  # for the commits, while running
        self._charts = Charts(store.engine)
        self._hangar = Hangar(store.engine)
        self._atlas = Atlas(store.engine, self._charts)
        self._zones = zones  # every open world's systems: what the hosts lease
        self.universe = HostUniverse(galaxy, owns=self._owns, hand_over=self._hand_over)
        wallets = Wallets(self.universe, links.ledger, era)
        self._host = ZoneHost(
            leases, roll, name, zones, self._gain, self._lose, on_give_back=self._give_back,
            about=wallets.epoch.encode(),  # whose wrecks' escrows are still live
        )  # fmt: skip
        self.costs = TickCosts()
        self._ticks = ZoneTicks(self.universe, self._host.holds, self.costs)
        self._inbox = ZoneInbox(bus, self._submit)
        u = self.universe
        self._outbox = Outbox(bus)
        self._frames = ZoneFrames(
            bus, self._outbox, self._inbox.acks, u.player_ships, u.where, wallets.credits_of_ship,
            u.hidden,
        )  # fmt: skip
        u.observe(self._frames.on_tick)
        self._crews: dict[int, tuple[str, int]] = {}  # as the store says: bounties on crews
        self.economy = Economy(
            u, links.ledger, store.engine, tell=self._frames.tell, crews=self._crews,
            wallets=wallets,
        )  # fmt: skip
        self._sweeps = 0
        # Censuses only while a crew worker is on its roll (checked by the sweep); always
        # when no roll is given.
        self._crew_roll = crew_roll
        self._crews_listen = crew_roll is None
        self._census = ZoneCensus(self._outbox, u, lambda: self._crews_listen)
        u.observe(self._census.on_tick)
        u.observe(self._note_fallen)
        # The NPC pilots of this host's zones; the crews' ships are flown by a crew worker.
        wanted = self.economy.law.wanted
        self._pilots = Pilots(u, galaxy.seed, CrewFlown(u.roles), wanted) if npcs else None
        self._snapshot_seconds = snapshot_seconds
        self._snapshots = Snapshots(
            u, self._hangar, self._charts, ChatLog(store.engine), snapshot_seconds,
            deliveries=self.economy,
        )  # fmt: skip
        self._saving = asyncio.Lock()  # one snapshot at a time: the last written is the newest

    @classmethod
    async def open(
        cls,
        db: str,
        nats_url: str,
        name: str,
        ttl: int = 6,
        snapshot_seconds: float = 5.0,
        npcs: bool = True,
    ) -> ZoneHosting:
        """Open the store (migrated), the ledger and NATS, read the galaxy, and open the
        books; `NoGalaxy` if the store was never seeded."""
        links = await Links.open(db, nats_url, f"zone-host-{name}", hear=True)
        try:
            js = links.bus.client.jetstream(timeout=2.0)
            leases = await ZoneLeases.open(js, ttl)
            roll = await HostRoll.open(js, ttl)
            crews = await HostRoll.open(js, ttl, CREW_WORKERS_BUCKET)
            era = await killswitch.era(links.store.engine)
            zones = await OpenWorlds.read_from(links.store.engine)
            hosting = cls(name, links, zones, leases, roll, snapshot_seconds, npcs, crews, era)
            await hosting.economy.open_books()
            return hosting
        except BaseException:
            await links.close()
            raise

    @property
    def owned(self) -> frozenset[int]:
        return self._host.owned

    async def run(self, stopping: asyncio.Event) -> None:
        """Host zones until `stopping` is set, then stop in order: stop ticking, let the
        economy settle what the last ticks reported, write the final snapshot (with the
        goods those trades delivered), then leave the roll and release the leases (the
        ownership loop's own orderly stop), so the next host loads the state this one
        ended with."""
        letting_go = asyncio.Event()
        subscriptions: list[Subscription] = []
        try:
            subscriptions.append(await self._bus.subscribe(ALL_ARRIVALS, self._on_nudge))
            subscriptions.append(await self._bus.subscribe(host_ships(self.name), self._on_ask))
            subscriptions.append(await self._bus.subscribe(WALLETS_CHANGED, self._on_wallet))
            subscriptions.append(await self._bus.subscribe(voyages.ALL_TRAVELS, self._on_travel))
            async with asyncio.TaskGroup() as group:
                self._group = group
                group.create_task(self._ticks.run(stopping))
                settling = group.create_task(self.economy.run(stopping))
                saving = group.create_task(self._save_every(stopping))
                sweeping = group.create_task(self._sweep_every(stopping))
                group.create_task(self._inbox.run(letting_go))
                group.create_task(self._frames.run(letting_go))
                group.create_task(self._outbox.run(letting_go))
                if self._pilots is not None:
                    group.create_task(self._pilots.run(stopping))
                group.create_task(self._host.run(letting_go))
                group.create_task(self._send_fallen_home(stopping))
                try:
                    await stopping.wait()
                    self._ticks.halt()  # no tick after this: the final snapshot is the end state
                    self._group = None  # no handover starts now; those begun end first
                    await saving  # a snapshot in progress ends first
                    await sweeping
                    await settling  # drained: every trade granted is in the final snapshot
                    await self._final_snapshot()
                finally:
                    self._group = None
                    letting_go.set()
        finally:
            for subscription in subscriptions:
                with contextlib.suppress(Exception):
                    await subscription.close()

    async def close(self) -> None:
        """Close the connections: NATS, the ledger, then the store."""
        await self._links.close()

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
        world = self._zones.world_of(zone)
        if world is None:
            raise KeyError(f"zone {zone} is in no open world")
        epoch = uuid.uuid4().hex
        await handover.claim_zone(self._store.engine, zone, self.name, epoch)  # the fence
        self._epochs[zone] = epoch
        galaxy = await self._charts.load_galaxy(world.id, None if world.main else world.seed)
        clocks = await self._charts.load_clocks()
        ships = [ship for ship in await self._hangar.load_ships() if ship.system_id == zone]
        if galaxy is None or zone not in {system.id for system in galaxy.systems}:
            raise NoGalaxy(f"world {world.id}'s galaxy is gone from the store")
        if not world.main and world.rules.economy:
            self.economy.markets.chart(galaxy)
        system = galaxy.system(zone)
        clock = clocks.get(zone, 0)
        self.universe.take_zone(system, clock, ships, world.id, galaxy, world.rules)
        try:
            await self.economy.take_zone(zone)  # before its first tick can trade
            await self._inbox.open(zone)
            self._ticks.start(zone)
        except BaseException:
            self._lose(zone)
            raise
        log.info("host %s: zone %s loaded with %d ships", self.name, zone, len(ships))
        try:  # handovers into the zone whose ships came with it are complete
            await handover.mark_done(self._store.engine, [s.state.id for s in ships], zone)
        except Exception:  # only the record: the ships are here all the same
            log.exception("host %s: zone %s: handovers not marked done", self.name, zone)

    async def _give_back(self, zone: int) -> None:
        """`on_give_back`: the zone goes to another host for balance: stop ticking it and
        taking its commands, and save it while the lease is still ours."""
        self._ticks.stop(zone)
        self._inbox.shut(zone)
        await self._save()
        try:  # its stations' stock as it is now, for the next host
            await self.economy.markets.save()
        except Exception:  # the last periodic save stands: a little drift lost
            log.exception("host %s: zone %s: market stock not saved", self.name, zone)
        log.info("host %s: zone %s saved to be given back", self.name, zone)

    def _lose(self, zone: int) -> None:
        """`on_loss`: stop ticking the zone and taking its commands, now, and forget it."""
        self._ticks.stop(zone)
        self._inbox.shut(zone)
        self._frames.forget(zone)
        self._census.forget(zone)
        self._epochs.pop(zone, None)
        for ship in [s for s, h in self._handing.items() if h.source == zone]:
            del self._handing[ship]  # not committed: the zone's next owner loads it there
        for ship in [s for s, t in self._travelling.items() if t.source == zone]:
            self._travelling.pop(ship).end(voyages.IN_TRANSIT)  # its row says where it is
        self.economy.drop_zone(zone)
        self.universe.drop_zone(zone)
        log.info("host %s: zone %s lost: dropped", self.name, zone)

    def _submit(self, command: Command, origin: Origin) -> bool:
        """A relayed command to its ship's zone, unless the ship is handing over."""
        if command.ship in self._handing:
            self.refused += 1
            return False
        return self.universe.submit(command, origin)  # refusals go to its client

    # -- the handover (docs/cluster.md "Handover between hosts") ------------------------

    def _hand_over(self, departure: Departure) -> bool:
        """In a tick: a ship leaves for a zone this host does not own. Another host holds
        it: mark the ship handing over (out of its zone, no more commands) and commit it
        next; True. Nobody holds it (or this host is gaining it): False, it is kept."""
        to, ship = departure.to_system, departure.state.id
        source = self.universe.where.get(ship)
        travel = self._travelling.get(ship)
        if travel is not None:
            return self._send_away(travel, departure)
        if (
            self._group is None
            or to not in self._taken
            or to in self._epochs
            or source is None
            or source not in self._epochs
            or to not in self._zones_gated(source)
        ):
            return False
        self._start_handover(Handing(uuid.uuid4().hex, source, to, departure))
        return True

    def _zones_gated(self, source: int) -> Collection[int]:
        """The systems a gate of `source` may lead to: those of its own world."""
        world = self.universe.world_of.get(source)
        galaxy = self.universe.galaxies.get(world) if world is not None else None
        return () if galaxy is None else {system.id for system in galaxy.systems}

    def _send_away(self, travel: Travelling, departure: Departure) -> bool:
        """In a tick: a travelling ship left its zone for another world. Hand it over,
        even into a zone of this host (the commit writes its voyage); if it cannot go, it
        is kept in its zone as it was. True: this departure is taken care of."""
        to, ship = departure.to_system, departure.state.id
        if (
            self._group is None
            or travel.source not in self._epochs
            or self.universe.where.get(ship) != travel.source
            or (to not in self._taken and to not in self._epochs)
        ):
            del self._travelling[ship]
            travel.end(voyages.UNHOSTED)
            zone = self.universe.zones.get(travel.source)
            if isinstance(zone, HoldingZone):
                zone.keep(travel.before)
            return True
        key = travel.order.handover_key()
        self._start_handover(Handing(key, travel.source, to, departure, travel))
        return True

    def _start_handover(self, handing: Handing) -> None:
        """Mark the ship handing over (out of its zone, no more commands), commit it next."""
        assert self._group is not None
        ship = handing.departure.state.id
        self._handing[ship] = handing
        self._group.create_task(self._commit(ship), name=f"handover:{ship}")
        log.info("host %s: ship %s handing over from zone %s to zone %s (key %s)",
                 self.name, ship, handing.source, handing.to_zone, handing.key)  # fmt: skip

    async def _commit(self, ship: int) -> None:
        """Move the ship's row to its new zone under the snapshot lock (no snapshot in
        flight can write it back into the old one), forget it here, and nudge the new
        zone's host. A commit refused or fenced keeps the ship in its zone (if still
        ours); one whose outcome is unknown forgets it, and the store decides: the sweep of
        whichever host owns the zone its row names loads it."""
        handing = self._handing.get(ship)
        if handing is None:
            return
        fault("marked")
        moved = False
        async with self._saving:
            if self._handing.get(ship) is not handing:
                return  # its zone was lost meanwhile: its next owner loads it from the store
            state, also = self._arrival(handing)
            known = True  # whether the store surely has what `moved` says
            try:
                if not self._host.holds(handing.source):
                    raise Fenced(f"zone {handing.source}'s lease is not surely good")
                moved = await handover.commit(
                    self._store.engine, handing.key, self.name, dict(self._epochs),
                    handing.to_zone, state, also,
                )  # fmt: skip
            except Fenced as error:
                log.warning("host %s: ship %s not handed over: %s", self.name, ship, error)
            except Exception:  # the commit may have landed or not: the store decides
                log.exception("host %s: handover of ship %s failed", self.name, ship)
                known = False
            fault("committed")
            if self._handing.get(ship) is handing:
                del self._handing[ship]
                if moved or not known:
                    self.universe.forget(ship)  # if its row names a zone of ours, the sweep
                else:  # loads it again from there
                    self._keep(handing)
            self._end_travel(handing, moved)
        if not moved:
            return
        self.handed_over += 1
        log.info("host %s: ship %s committed to zone %s", self.name, ship, handing.to_zone)
        nudge = Nudge(handing.key, ship, handing.to_zone)
        try:
            await self._bus.publish(zone_arrivals(handing.to_zone), nudge.encode())
        except Exception:  # the new zone's host finds it at its next sweep
            log.exception("host %s: nudge for ship %s not sent", self.name, ship)
        fault("nudged")

    def _arrival(self, handing: Handing) -> tuple[ShipState, AlsoWrite | None]:
        """The ship's state where it arrives, and what its commit also writes: through a
        gate, nothing; a travel arrives docked at its station (the `Voyage` put it there),
        and writes its voyage, or its end."""
        departure, travel = handing.departure, handing.travel
        if travel is None:
            galaxy = self.universe.galaxies[self.universe.world_of[handing.source]]
            system = galaxy.system(handing.to_zone)  # a gate leads within its world
            return handover.arrival(system, departure.state, departure.arrival_gate), None
        order, origin = travel.order, travel.origin()

        async def write(connection: AsyncConnection) -> None:
            if order.away:
                await record_voyage(connection, order.voyage(origin))
            else:
                await end_voyage(connection, order.ship)

        return departure.state, write

    def _end_travel(self, handing: Handing, moved: bool) -> None:
        travel = handing.travel
        if travel is None:
            return
        ship = handing.departure.state.id
        if self._travelling.get(ship) is travel:
            del self._travelling[ship]
        if not moved:
            travel.end(voyages.IN_TRANSIT)
            return
        order = travel.order
        travel.end(TravelAnswer("", "", order.world, order.to.system, order.to.docked_at))

    def _keep(self, handing: Handing) -> None:
        """The handover did not happen: the ship stays in its zone, stopped (a travel's
        ship as it was before it set out)."""
        zone = self.universe.zones.get(handing.source)
        ship = handing.departure.state.id
        if isinstance(zone, HoldingZone) and self.universe.where.get(ship) == handing.source:
            zone.keep(handing.kept_state)
        else:
            self.universe.forget(ship)

    async def _on_travel(self, message: Message) -> None:
        """A gateway sends a ship of a zone of this host to another world (`voyages.py`);
        the host of another zone keeps quiet. Answered in a task of its own, once the
        ship is committed or the travel given up, so other orders are not held up."""
        zone = _zone_in(message.subject)
        if zone is None or not self._owns(zone) or not message.reply or self._group is None:
            return
        try:
            order = voyages.decode_order(message.data)
        except ValueError as error:
            answer = TravelAnswer("bad_order", str(error))
            await self._bus.publish(message.reply, voyages.encode(answer))
            return
        self._group.create_task(self._answer_travel(zone, order, message.reply))

    async def _answer_travel(self, zone: int, order: TravelOrder, reply: str) -> None:
        answer = await self._travel(zone, order)
        with contextlib.suppress(Exception):  # the asker times out and asks again
            await self._bus.publish(reply, voyages.encode(answer))

    async def _travel(self, zone_id: int, order: TravelOrder) -> TravelAnswer:
        """Send the ship: a `Voyage` at the zone's next tick, then the handover (`_send_away`)."""
        ship, to = order.ship, order.to
        zone = self.universe.zones.get(zone_id)
        if (
            zone is None
            or ship in self._travelling
            or ship in self._handing
            or self.universe.where.get(ship) != zone_id
            or ship not in zone.bodies.row_of
        ):
            answer = voyages.IN_TRANSIT
        elif to.system not in self._taken and to.system not in self._epochs:
            answer = voyages.UNHOSTED
        else:
            done = asyncio.get_running_loop().create_future()
            travel = self._travelling[ship] = Travelling(
                order, zone_id, zone.ship_state(ship), done
            )
            self.universe.submit(
                ci.Voyage(
                    ship=ship, system=to.system, station=to.docked_at, x=to.x, y=to.y,
                    home_station=to.home_station, home_system=to.home_system,
                )
            )  # fmt: skip
            try:
                async with asyncio.timeout(voyages.TRAVEL_SECONDS):
                    answer = await asyncio.shield(travel.done)
            except TimeoutError:  # a retry finds the ship where its row says
                answer = voyages.IN_TRANSIT
        return answer

    # -- a world's rules on lost ships (as the worlds' service does in one process) -------

    def _note_fallen(self, zone: Zone, report: TickReport) -> None:
        """Tick observer: players' ships destroyed in a world without respawn, or with
        permadeath, are to be sent home (O(events), not per ship)."""
        if not report.events:
            return
        world = self._zones.world_of(zone.system_id)
        if world is None or world.main or (world.rules.respawn and not world.permadeath):
            return
        for event in report.events:
            if isinstance(event, ev.Wrecked) and self.universe.roles.get(event.ship) == "player":
                self._fallen.put_nowait((event.ship, world.id, 0))

    async def _send_fallen_home(self, stopping: asyncio.Event) -> None:
        """Send home each player whose ship a world without respawn destroyed (respawned in
        that world: a zone never deletes a ship); with permadeath the account is also
        taken off the world's members. Between systems, a ship is tried again shortly."""
        while not stopping.is_set():
            try:
                ship, world, tries = await asyncio.wait_for(self._fallen.get(), 0.5)
            except TimeoutError:
                continue
            try:
                answer = await self._send_home(ship, world)
            except Exception:  # the store away: the ship stays in the world, playable
                log.exception("host %s: ship %s not sent home", self.name, ship)
                continue
            if not answer.arrived and tries < FALLEN_TRIES:
                await asyncio.sleep(0.1)
                self._fallen.put_nowait((ship, world, tries + 1))

    async def _send_home(self, ship: int, world: int) -> TravelAnswer:
        """Send the ship back where its voyage set out from (nothing if it left `world`)."""
        zone = self.universe.where.get(ship)
        if zone is None or self.universe.world_of.get(zone) != world:
            return TravelAnswer()  # gone already: nothing to do
        account = self.universe.owners.get(ship)
        voyage = await self._atlas.voyage(ship)
        origin = None if voyage is None else voyage.origin
        found = None if origin is None else self._zones.world_of(origin.system)
        order = voyages.homeward(
            ship, uuid.uuid4().hex, origin, None if found is None else found.id,
            self.universe.galaxy,
        )  # fmt: skip
        answer = await self._travel(zone, order)
        perished = self._zones.world_of(zone)
        if answer.arrived and account is not None and perished and perished.permadeath:
            await self._atlas.remove_member(world, account)
            log.info("host %s: account %s gone from world %s for good", self.name, account, world)
        return answer

    def _forget_stale_travels(self) -> None:
        """Travels whose `Voyage` never took effect (refused: the ship was destroyed, say)
        end, so the ship may travel again."""
        stale = time.monotonic() - 2 * voyages.TRAVEL_SECONDS
        for ship, travel in list(self._travelling.items()):
            if travel.since < stale and ship not in self._handing:
                del self._travelling[ship]
                travel.end(voyages.IN_TRANSIT)

    async def _on_nudge(self, message: Message) -> None:
        """A ship was committed to a zone: its host loads it now (a retried nudge, or one
        for a ship already here, does nothing)."""
        try:
            nudge = Nudge.decode(message.data)
        except ValueError as error:
            log.warning("host %s: dropped a bad nudge: %s", self.name, error)
            return
        if nudge.zone not in self.universe.zones:
            return  # another host's zone
        fault("arriving")
        if await handover.is_done(self._store.engine, nudge.key):
            return
        await self._load_missing([nudge.zone])

    async def _on_wallet(self, message: Message) -> None:
        """A player's wallet changed elsewhere: if its ship is here, read it again."""
        try:
            account = int(message.data.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            log.warning("host %s: dropped a bad wallet notice", self.name)
            return
        ship = self.universe.ship_of_account.get(account)
        if ship is not None:
            await self.economy.open_wallets([ship])

    async def _sweep_every(self, stopping: asyncio.Event) -> None:
        """Once a second: read the open worlds (their zones are what the hosts lease), list
        the held zones (who may take a handover), and load the ships whose rows name a zone
        of this host but which it does not simulate."""
        while not await pause(stopping, SWEEP_SECONDS):
            await self._read_worlds()
            self._forget_stale_travels()
            try:
                async with asyncio.timeout(SWEEP_SECONDS):
                    self._taken = await self._leases.held()
            except (TimeoutError, nats.errors.Error) as error:
                log.warning("host %s: cannot list the held zones: %r", self.name, error)
            await self._hear_crews()
            try:
                await self._load_missing(sorted(self.owned))
                if self._sweeps % BOOKS_EVERY == 0:
                    await self._read_books()
            except Exception:
                log.exception("host %s: sweep failed; will retry", self.name)
            self._sweeps += 1

    async def _read_worlds(self) -> None:
        """The open worlds as the store has them now; a world whose rules changed has them
        in its zones here from their next tick."""
        try:
            changed = await self._zones.read()
        except Exception:  # the last read stands until the next sweep
            log.exception("host %s: cannot read the open worlds", self.name)
            return
        for world in changed:
            self.universe.set_rules(world.id, world.rules)

    async def _read_books(self) -> None:
        """What other processes wrote: ships stranded by a closed world (sent home), the
        crews' ships (for bounties on a crew), ships posted wanted or paid off, trades a
        host that lost their zone left half done, and wrecks whose host is gone (their
        credits go back)."""
        economy = self.economy
        moved = await self._atlas.home_strays(arrival_berth(self.universe.galaxy))
        if moved:
            log.info("host %s: ships %s, stranded by a closed world, sent home", self.name, moved)
        crews = await stored_crews(self._store.engine)
        self._crews.clear()
        self._crews.update(crews)
        await economy.bounties.reconcile()
        await economy.resume_orphans()
        live = {about.decode(errors="replace") for about in (await self._roll.about()).values()}
        await economy.theft.sweep(keep=live | self._epochs_seen)  # gone from two looks
        self._epochs_seen = live

    async def _hear_crews(self) -> None:
        """Whether a crew worker is on its roll (and censuses worth sending); unchanged
        when NATS does not answer."""
        if self._crew_roll is None:
            return
        with contextlib.suppress(TimeoutError, nats.errors.Error):
            async with asyncio.timeout(SWEEP_SECONDS):
                self._crews_listen = bool(await self._crew_roll.live())

    async def _load_missing(self, zones: Sequence[int]) -> None:
        """Place every ship whose row names one of `zones` (owned here) and that this host
        does not simulate or hand over; under the snapshot lock, so no handover commits
        between the read and the placing."""
        async with self._saving:
            mine = [zone for zone in zones if zone in self.universe.zones and self._owns(zone)]
            found = await handover.ships_of(self._store.engine, mine)
            placed: dict[int, list[int]] = defaultdict(list)
            for saved in found:
                ship, zone = saved.state.id, saved.system_id
                if ship in self.universe.where or ship in self._handing:
                    continue
                if zone not in self.universe.zones or not self._owns(zone):
                    continue  # lost while reading
                self.universe.place(zone, saved.state, saved.role)
                placed[zone].append(ship)
            for zone, ships in placed.items():
                self.arrived += len(ships)
                log.info("host %s: ships %s arrived in zone %s", self.name, ships, zone)
                await handover.mark_done(self._store.engine, ships, zone)
        for ships in placed.values():  # new ships get their wallet, arrivals their balance
            await self.economy.open_wallets(ships)

    async def _on_ask(self, message: Message) -> None:
        """Answer which ships this host has authority over, by zone (a ship handing over
        counts in the zone it leaves until its commit), and which are handing over."""
        if not message.reply:
            return
        zones: dict[str, list[int]] = {str(zone): [] for zone in sorted(self.universe.zones)}
        for ship, zone in sorted(self.universe.where.items()):
            zones.setdefault(str(zone), []).append(ship)
        answer = {"host": self.name, "zones": zones, "handing": sorted(self._handing)}
        await self._bus.publish(message.reply, json.dumps(answer).encode())


def _zone_in(subject: str) -> int | None:
    """Z of `zone.<Z>.travel`."""
    parts = subject.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return int(parts[1])


def main(argv: Sequence[str] | None = None) -> int:
    """The zone host's command line, as `infinity cluster up` runs it; 0 after an orderly
    stop, 2 when it cannot start."""
    parser = role_parser(
        "python -m infinity.cluster.zonehost",
        "A zone host: simulates the zones it owns by lease, over PostgreSQL.",
        lease="lease TTL, whole seconds >= 1",
        saves=("--snapshot-seconds", "how often ship motion is saved"),
    )
    parser.add_argument(
        "--no-npcs", dest="npcs", action="store_false", help="no NPC pilots fly this host's ships"
    )
    o = parse_role(parser, arguments(argv))
    hosting = ZoneHosting.open(o.db, o.nats, o.name, o.ttl, o.snapshot_seconds, o.npcs)
    doing = f"hosting zones (lease TTL {o.ttl} s)"
    return run_role("zone host", o, until_signalled(hosting, "host", doing))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
