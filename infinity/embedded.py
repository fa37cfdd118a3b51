"""The embedded universe: one process, a SQLite (or PostgreSQL) store, in-process bus.

`run_embedded` owns every long-running task (zone loops, NPC pilots,
snapshots) in one TaskGroup and shuts them down in order: stop the loops
after their current tick, take a final snapshot, close the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from infinity.accounts.service import Accounts
from infinity.crew.agent import Agent
from infinity.crew.company import Company
from infinity.crew.crew import Crew
from infinity.crew.llm import LlmConfig, LlmMind
from infinity.economy.purse import WalletPurse
from infinity.economy.service import Economy
from infinity.galaxy.generate import generate
from infinity.galaxy.model import Galaxy
from infinity.gateway.fanout import Fanout
from infinity.ledger import Ledger
from infinity.store.economy import Board
from infinity.store.records import Account
from infinity.store.store import Store, sqlite_url
from infinity.traffic.pilots import NPC_ROLES, Pilots
from infinity.universe.loop import run_zone
from infinity.universe.shipyard import commission
from infinity.universe.snapshots import Snapshots
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

STARTER_SYSTEMS = 3  # new players start together in the first few systems, not scattered


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

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.data)


class World:
    """What the gateway may ask of the universe: accounts, ships, chat, the galaxy."""

    def __init__(
        self,
        store: Store,
        universe: Universe,
        accounts: Accounts,
        economy: Economy,
        company: Company | None = None,
    ) -> None:
        self.company = company  # the crews (None when run without NPCs)
        self.store = store
        self.universe = universe
        self.accounts = accounts
        self.economy = economy
        self.fanout = Fanout(universe, credits=economy.credits_of_ship)
        economy.tell = self.fanout.tell
        self._ship_lock = asyncio.Lock()

    @property
    def galaxy(self) -> Galaxy:
        return self.universe.galaxy

    async def ensure_ship(self, account: Account) -> int:
        """The account's ship, built and docked at a home station if it has none yet."""
        async with self._ship_lock:
            existing = self.universe.ship_of_account.get(account.id)
            if existing is not None:
                return existing
            starters = self.galaxy.systems[:STARTER_SYSTEMS]
            home = starters[account.id % len(starters)]
            station = home.stations()[0]
            ship = await commission(
                self.store, self.universe, account.name, account.id, "player", home, station
            )
            await self.economy.open_wallet(ship, account.id)
            return ship

    async def recent_chat(self, system_id: int) -> list[list[Any]]:
        lines = await self.store.recent_chat(system_id)
        return [[line.ship_id, line.name, line.text] for line in lines]


class CrewRegister(Mapping[int, tuple[str, int]]):
    """The economy's live view of crews (name, ship) for bounties on a whole crew."""

    def __init__(self, company: Company) -> None:
        self._crews = company.minds.crews

    def __getitem__(self, crew_id: int) -> tuple[str, int]:
        crew = self._crews[crew_id]
        return crew.name, crew.ship

    def __iter__(self) -> Iterator[int]:
        return iter(self._crews)

    def __len__(self) -> int:
        return len(self._crews)


def give_purses(company: Company, economy: Economy) -> None:
    """Crew members spend from their ship's wallet in the ledger, shared by those aboard."""
    minds = company.minds
    for agent in minds.agents.values():
        crew = minds.crews.get(agent.crew) if agent.crew is not None else None

        def aboard(crew: Crew | None = crew) -> int:
            return len(crew.members) if crew is not None else 1

        def ship(agent: Agent = agent) -> int | None:
            return agent.ship

        agent.purse = WalletPurse(economy, ship, aboard)


async def _load(store: Store, settings: Settings) -> Universe:
    """Load the stored universe, or make and store a new one on the first start."""
    galaxy = await store.load_galaxy()
    if galaxy is None:
        galaxy = generate(settings.seed)
        await store.save_galaxy(galaxy)
        log.info(
            "generated a new galaxy of %d systems from seed %d", len(galaxy.systems), settings.seed
        )
    universe = Universe(galaxy)
    for system, tick in (await store.load_clocks()).items():
        if system in universe.zones:
            universe.zones[system].clock.resume(tick)
    saved = await store.load_ships()
    for ship in saved:
        system = ship.system_id if ship.system_id in universe.zones else ship.state.home_system
        universe.place(system, ship.state, ship.role)
    if settings.npcs and not any(s.role != "player" for s in saved):
        await _seed_traffic(store, universe)
    return universe


async def _seed_traffic(store: Store, universe: Universe) -> None:
    """First start: a few miners, a patrol and a trader at every system's stations."""
    for system in universe.galaxy.systems:
        stations = system.stations()
        for k, role in enumerate(NPC_ROLES):
            station = stations[k % len(stations)]
            name = f"{role.capitalize()} {system.name[:3].upper()}-{k + 1}"
            await commission(store, universe, name, None, role, system, station)


@contextlib.asynccontextmanager
async def run_embedded(settings: Settings) -> AsyncIterator[World]:
    """Open the store and ledger, load the universe, run it; on exit stop in order and save."""
    store = await Store.open(settings.db_url)
    ledger: Ledger | None = None
    try:
        universe = await _load(store, settings)
        llm = (
            None
            if settings.llm_url is None
            else LlmMind(LlmConfig(settings.llm_url, settings.llm_model))
        )
        company = Company(
            universe, store, settings.seed, llm=llm, interval=settings.snapshot_seconds
        )
        if settings.npcs:  # before the economy starts, so the crews' ships get wallets
            await company.start()
            universe.observe(company.witness_tick)
        ledger = await Ledger.open(settings.db_url, writer=settings.ledger_writer)
        economy = Economy(universe, ledger, Board(store.engine))
        await economy.start()
        company.on_commission = lambda ship: economy.open_wallet(ship, None)
        if settings.npcs:
            give_purses(company, economy)
            economy.crews = CrewRegister(company)
        crews = company if settings.npcs else None
        world = World(store, universe, Accounts(store), economy, crews)
        snapshots = Snapshots(universe, store, settings.snapshot_seconds, economy)
        pilots = Pilots(universe, settings.seed, crewed=company.ships)
        stopping = asyncio.Event()
        async with asyncio.TaskGroup() as tasks:
            count = len(universe.zones)
            for index, system_id in enumerate(sorted(universe.zones)):
                phase = 0.05 * index / count
                tasks.create_task(run_zone(universe, system_id, stopping, phase))
            tasks.create_task(snapshots.run(stopping))
            tasks.create_task(economy.run(stopping))
            if settings.npcs:
                tasks.create_task(pilots.run(stopping))
                tasks.create_task(company.run(stopping))
            try:
                yield world
            finally:
                # Stop the loops; each finishes the tick it is in; the economy settles what is left.
                stopping.set()
        # Every loop has stopped: this snapshot is the final state.
        await snapshots.flush_chat()
        await snapshots.save()
        if settings.npcs:
            await company.save()
    finally:
        if ledger is not None:
            await ledger.close()
        await store.close()
