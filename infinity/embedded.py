"""The composition root of the embedded universe: one process, one store, in-process bus.

Every service is built here, once, with what it needs passed to its
constructor; nothing is wired by assigning attributes afterwards. The order
follows the dependencies: store and universe, ledger, wallets, the bus and both
its ends (the zones' inbox and frames, the gateway's fan-out: commands and frames
travel the `LocalBus` as a cluster's travel NATS), the economy (which tells players
through the fan-out), the shipyard (which opens a wallet for every new ship), the
crews, then the loops.

`run_embedded` owns every long-running task (zone loops, economy, NPC pilots,
crews, snapshots) in one TaskGroup and shuts them down in order: stop the
loops after their current tick, take a final snapshot, close the store. After the kill
switch (`operators/killswitch.py`) the erase takes the final snapshot's place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from starlette.applications import Starlette

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.accounts.service import Accounts
from infinity.audit.log import ANCHOR, AuditLog
from infinity.company.archive import DatabaseArchive
from infinity.company.company import Company
from infinity.company.purse import ShipPurses
from infinity.crew.llm import LlmConfig, LlmMind
from infinity.crew.mind import Minds
from infinity.economy.bounties import BountyBoard
from infinity.economy.service import Economy
from infinity.economy.wallets import Wallets
from infinity.galaxy.generate import generate
from infinity.galaxy.heart import with_heart
from infinity.gateway.app import create_app
from infinity.gateway.localnet import LocalNet
from infinity.gateway.socket import Close
from infinity.gateway.state import Game
from infinity.heart.heart import Heart
from infinity.ledger import Ledger
from infinity.minds.enclave import Enclaves
from infinity.minds.moving import Moves
from infinity.minds.transfer import Transfers, settle
from infinity.operators import killswitch
from infinity.operators.hunting import Hunts
from infinity.operators.killswitch import KillHooks, KillSwitch
from infinity.operators.service import Hooks, Operators
from infinity.store.store import Store, sqlite_url
from infinity.traffic.pilots import NPC_ROLES, Pilots
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import Hangar
from infinity.universe.loop import TickCosts, ZoneLoops
from infinity.universe.records import FLAGSHIP_ROLE
from infinity.universe.shipyard import Shipyard, berth
from infinity.universe.snapshots import Snapshots
from infinity.universe.universe import Universe
from infinity.worlds.atlas import Atlas
from infinity.worlds.commissions import Commissions
from infinity.worlds.service import Opened, Worlds, open_worlds, place_of
from infinity.worlds.template import catalogue
from infinity.worlds.works import Works

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settings:
    data: Path = Path("data")
    db: str | None = None
    seed: int = 1
    snapshot_seconds: float = 5.0
    npcs: bool = True
    llm_url: str | None = None  # an OpenAI-compatible endpoint for the crews' dialogue and goals
    llm_model: str = "default"
    # "process": ledger commits run in a child process (more throughput, a second core)
    ledger_writer: Literal["thread", "process"] = "thread"
    time_scale: float = 1.0  # simulated seconds per wall second (tests, research: up to 100)
    killswitch_window: float = killswitch.WINDOW  # seconds a second operator has to confirm

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.data)


def web_app(settings: Settings) -> Starlette:
    """The gateway over an embedded universe: what `infinity serve` runs."""
    return create_app(lambda: run_embedded(settings))


class Berths:
    """Gives each player account its one ship, built at a starter station the first time."""

    def __init__(self, universe: Universe, shipyard: Shipyard) -> None:
        self._universe = universe
        self._shipyard = shipyard
        self._lock = asyncio.Lock()

    async def ensure_ship(self, account: Account) -> int:
        """The account's ship, built and docked at a home station if it has none yet."""
        async with self._lock:
            existing = self._universe.ship_of_account.get(account.id)
            if existing is not None:
                return existing
            home, station = berth(self._universe.galaxy, account.id)
            ship = await self._shipyard.commission(
                account.name, account.id, "player", home, station
            )
            if allowed(account.role, Verb.DROP_IN):  # an avatar: in the world once dropped in
                self._universe.hidden.add(ship)
            return ship


class CrewRegister(Mapping[int, tuple[str, int]]):
    """The economy's live view of crews (name, ship) for bounties on a whole crew, and of who
    is behind a ship, for theft notices."""

    def __init__(self, minds: Minds, universe: Universe) -> None:
        self._crews = minds.crews
        self._universe = universe

    def pilot_of(self, ship: int) -> str | None:
        """ "Crew of the Kestrel, captain Zore Katon", "player Vega", or None (an NPC)."""
        for crew in self._crews.values():
            if crew.ship == ship:
                return f"{crew.name}, captain {crew.captain.name}"
        if self._universe.owners.get(ship) is None:
            return None
        zone = self._universe.zone_of(ship)
        info = None if zone is None else zone.info.get(ship)
        return "a player" if info is None else f"player {info.name}"

    def __getitem__(self, crew_id: int) -> tuple[str, int]:
        crew = self._crews[crew_id]
        return crew.name, crew.ship

    def __iter__(self) -> Iterator[int]:
        return iter(self._crews)

    def __len__(self) -> int:
        return len(self._crews)


async def _load(
    hangar: Hangar, charts: Charts, atlas: Atlas, settings: Settings
) -> tuple[Universe, Opened]:
    """Load the stored universe and its instances, or make and store a new one on the
    first start."""
    galaxy = await charts.load_galaxy()
    if galaxy is None:
        galaxy = generate(settings.seed)
        await charts.save_galaxy(galaxy)
        log.info(
            "generated a new galaxy of %d systems from seed %d", len(galaxy.systems), settings.seed
        )
    universe = Universe(with_heart(galaxy), settings.time_scale)  # the Heart is run, never charted
    for system, tick in (await charts.load_clocks()).items():
        if system in universe.zones:
            universe.zones[system].clock.resume(tick)
    opened = await open_worlds(atlas, universe)  # instances' zones, before their ships
    for ship in await hangar.load_ships():
        system = place_of(universe, ship.state.id, ship.system_id, ship.state.home_system, opened)
        universe.place(system, ship.state, ship.role)
    return universe, opened


async def _seed_traffic(shipyard: Shipyard, universe: Universe) -> None:
    """First start: a few miners, a patrol and a trader at every system's stations."""
    if any(role != "player" for role in universe.roles.values()):
        return
    for system in universe.galaxy.systems:
        stations = system.stations()
        if not stations:  # the Heart of Infinity: no one flies there but operators
            continue
        for k, role in enumerate(NPC_ROLES):
            station = stations[k % len(stations)]
            name = f"{role.capitalize()} {system.name[:3].upper()}-{k + 1}"
            await shipyard.commission(name, None, role, system, station)


def _llm(settings: Settings, max_tokens: int = 200, timeout: float = 4.0) -> LlmMind | None:
    """The configured language model: short answers for the crews' dialogue, long ones (a
    whole plan) for the builder."""
    if settings.llm_url is None:
        return None
    config = LlmConfig(settings.llm_url, settings.llm_model, timeout=timeout, max_tokens=max_tokens)
    return LlmMind(config)


@contextlib.asynccontextmanager
async def run_embedded(settings: Settings) -> AsyncIterator[Game]:
    """Open the store and ledger, load the universe, run it; on exit stop in order and save.

    Everything long-lived has an owner here: the store and the ledger (with its writer)
    belong to `owned` and close last; every loop is a child of one TaskGroup.
    """
    async with contextlib.AsyncExitStack() as owned:
        store = await Store.open(settings.db_url)
        owned.push_async_callback(store.close)
        hangar, charts, chat = Hangar(store.engine), Charts(store.engine), ChatLog(store.engine)
        atlas = Atlas(store.engine, charts)
        ledger = await Ledger.open(settings.db_url, writer=settings.ledger_writer)
        owned.push_async_callback(ledger.close)
        settings.data.mkdir(parents=True, exist_ok=True)  # the audit anchor lives there
        audit = AuditLog(store.engine, settings.data / ANCHOR)
        await audit.publish()
        await killswitch.settle(store.engine, ledger, audit)  # an erase a crash interrupted
        if await killswitch.erased_at(store.engine) is not None:
            raise killswitch.Erased("the universe was erased; start a new galaxy: --new-galaxy")
        universe, opened = await _load(hangar, charts, atlas, settings)
        minds = Minds(settings.seed)
        wallets = Wallets(universe, ledger, era=await killswitch.era(store.engine))
        net = LocalNet(universe, credits=wallets.credits_of_ship)
        fanout = net.fanout
        crews = CrewRegister(minds, universe)
        hunts = Hunts(
            universe, ledger, BountyBoard(store.engine), tell=fanout.tell,
            show=fanout.show_markers, crews=crews, agents=minds.agents, audit=audit,
            online=lambda account: account in fanout.by_account,
        )  # fmt: skip
        economy = Economy(
            universe, ledger, store.engine, tell=fanout.tell, crews=crews,
            wallets=wallets, bounty_watch=hunts, pilot=crews.pilot_of,
        )  # fmt: skip
        await economy.start()
        await hunts.start()
        shipyard = Shipyard(hangar, universe, christen=economy.open_wallet)
        company: Company | None = None
        in_transit = await settle(store.engine)  # minds moving away: kept away (docs/mind.md)
        if settings.npcs:
            await _seed_traffic(shipyard, universe)
            archive = DatabaseArchive(store.engine)
            purses = ShipPurses(economy, minds)
            company = Company(
                universe, minds, archive, shipyard, purses=purses, llm=_llm(settings),
                interval=settings.snapshot_seconds,
            )  # fmt: skip
            company.away.update(in_transit)
            await company.start()
        snapshots = Snapshots(
            universe, hangar, charts, chat, settings.snapshot_seconds, deliveries=economy
        )

        costs = TickCosts()
        accounts = Accounts(store)
        await accounts.sanctions.load()
        loops = ZoneLoops(universe, costs)
        worlds = Worlds(
            universe, atlas, opened, catalogue(settings.data / "templates"), loops,
            find_account=accounts.registry.account_by_name, open_markets=economy.markets.open,
            commission=lambda name, system, station: shipyard.commission(
                name, None, FLAGSHIP_ROLE, system, station
            ),
            seat=fanout.seat,
        )  # fmt: skip
        await worlds.settle()
        works = Works(worlds, atlas, charts, loops, audit, tell=fanout.tell)
        commissions = Commissions(works, llm=_llm(settings, max_tokens=4000, timeout=30.0))
        heart = Heart(
            universe, economy, audit, costs, sessions=lambda: len(fanout.by_account),
            company=company, registry=worlds,
        )  # fmt: skip
        berths = Berths(universe, shipyard)
        operators = Operators(
            universe, wallets, accounts.registry, accounts.sanctions, audit, company,
            Hooks(
                disconnect=lambda account, why: fanout.disconnect(account, Close.BANNED, why),
                refresh=fanout.resync_system, ensure_ship=berths.ensure_ship,
            ),
            sealed=worlds.sealed,
        )  # fmt: skip
        await operators.start()
        moves, enclaves = None, None  # minds move and live in enclaves only where crews run
        if company is not None:
            moves = Moves(company, worlds)
            enclaves = Enclaves(moves, online=lambda account: account in fanout.by_account)
        transfers = Transfers(store.engine, company)
        owned.push_async_callback(transfers.close)
        stopping = asyncio.Event()

        async def close_sessions(reason: str) -> int:
            closing = list(fanout.by_account)
            for account in closing:
                await fanout.disconnect(account, Close.ERASED, reason)
            return len(closing)

        kill = KillSwitch(
            store.engine, ledger, audit, KillHooks(halt=stopping.set, close_sessions=close_sessions),
            window=settings.killswitch_window,
        )  # fmt: skip
        game = Game(
            # the universe and who plays in it
            universe=universe,
            accounts=accounts,
            ensure_ship=berths.ensure_ship,
            fanout=fanout,
            recent_chat=snapshots.recent_chat,
            # the operators
            operators=operators,
            audit=audit,
            heart=heart,
            killswitch=kill,
            # the economy and the crews
            economy=economy,
            hunts=hunts,
            company=company,
            commissions=commissions,
            # worlds, and minds moving between them
            worlds=worlds,
            works=works,
            enclaves=enclaves,
            moves=moves,
            transfers=transfers,
        )
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(net.run(stopping))
            tasks.create_task(loops.run(stopping))
            tasks.create_task(worlds.run(stopping))
            tasks.create_task(commissions.run(stopping))
            tasks.create_task(heart.run(stopping))
            tasks.create_task(snapshots.run(stopping))
            tasks.create_task(economy.run(stopping))
            tasks.create_task(hunts.run(stopping))
            tasks.create_task(transfers.run(stopping))
            if company is not None:
                pilots = Pilots(
                    universe, settings.seed, crewed=company.ships, wanted=economy.law.wanted
                )
                tasks.create_task(pilots.run(stopping))
                tasks.create_task(company.run(stopping))
            if enclaves is not None:
                tasks.create_task(enclaves.run(stopping))
            try:
                yield game
            finally:
                # Stop the loops; each finishes the tick it is in; the economy settles what is left.
                stopping.set()
        if kill.confirmed:  # two operators pulled the kill switch: nothing is saved, all erased
            await kill.erase()
            return
        # Every loop has stopped: this snapshot is the final state.
        await snapshots.flush_chat()
        await snapshots.save()
        if company is not None:
            await company.save()
