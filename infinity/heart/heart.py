"""The Heart: samples the running engine once a second into a 30-minute ring of points.

Everything it reads is already kept for other reasons (zone clocks, the authority
index, the crews, the ledger's balances, the audit chain); the only hooks are the
zone loop's `TickCosts` and the economy's theft count, both O(1) per event. The
books' full audit is costly, so it runs every `books_every` seconds, not every sample.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import KW_ONLY, InitVar, dataclass, field
from typing import Final

import msgspec
import numpy as np

from infinity.audit.log import MAIN_WORLD, AuditLog, Entry
from infinity.company.company import Company
from infinity.crew.agent import Agent
from infinity.crew.crew import Crew
from infinity.crew.lineage import describe, kin_of, siblings
from infinity.economy import accounts
from infinity.economy.service import Economy
from infinity.galaxy.heart import HEART_NAME, HEART_SYSTEM
from infinity.heart.records import (
    AuditChain,
    AuditLine,
    Credits,
    Hidden,
    Mind,
    Series,
    Snapshot,
    World,
    ZoneFigures,
)
from infinity.ledger import UnknownAccount
from infinity.universe.loop import TickCosts, pause
from infinity.universe.universe import Universe
from infinity.worlds.builder import builder_persona
from infinity.worlds.service import Worlds

log = logging.getLogger(__name__)

WINDOW: Final = 1800  # samples kept: 30 minutes at one a second
SAMPLE_SECONDS: Final = 1.0
BOOKS_SECONDS: Final = 30.0  # `Ledger.audit` reads every posting: not every second
AUDIT_TAIL: Final = 12
MAIN_WORLD_NAME: Final = "the main universe"


def percentiles(costs: Iterable[float]) -> tuple[float, float]:
    """(p50, p99) of tick costs in milliseconds; (0, 0) when there were none."""
    values = np.fromiter(costs, dtype=np.float64)
    if values.size == 0:
        return 0.0, 0.0
    p50, p99 = np.percentile(values, (50.0, 99.0))
    return float(p50) * 1000.0, float(p99) * 1000.0


@dataclass(eq=False, repr=False)
class Heart:
    """The engine's live figures for the operators' console (`snapshot`)."""

    universe: Universe
    economy: Economy
    audit: AuditLog
    costs: TickCosts
    sessions: Callable[[], int]
    company: Company | None = None
    registry: Worlds | None = None  # the worlds service; None: only the main world runs
    _: KW_ONLY
    window: InitVar[int] = WINDOW
    books_every: float = BOOKS_SECONDS
    clock: Callable[[], float] = time.time
    _columns: dict[str, deque[float]] = field(init=False)
    _zones: list[ZoneFigures] = field(init=False, default_factory=list)
    _credits: Credits = field(init=False, default_factory=lambda: Credits(0, 0, 0, None, [], 0.0))
    _chain: AuditChain = field(init=False, default_factory=lambda: AuditChain(0, "", []))
    _thefts: int = field(init=False)
    _last_tick: dict[int, tuple[float, float]] = field(init=False, default_factory=dict)
    _sampled: asyncio.Event = field(init=False, default_factory=asyncio.Event)

    def __post_init__(self, window: int) -> None:
        self._columns = {name: deque(maxlen=window) for name in Series.__struct_fields__}
        self._thefts = self.economy.theft.thefts

    async def run(self, stopping: asyncio.Event) -> None:
        """Sample once a second, on a fixed beat, until `stopping`; a failed sample is
        logged, never fatal (the Heart shares the TaskGroup with the zone loops)."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not stopping.is_set():
            try:
                await self.sample()
            except Exception:
                log.exception("the Heart could not sample the engine")
            due = max(due + SAMPLE_SECONDS, loop.time())  # on a fixed beat, never catching up
            if await pause(stopping, due - loop.time()):
                break

    async def sample(self) -> None:
        """Read the engine once and append one point to every chart."""
        now = self.clock()
        taken = {system: self.costs.take(system) for system in self.universe.zones}
        self._zones = self._zone_figures(taken)
        self._credits = await self._read_credits(now)
        self._chain = await self._read_chain()
        thefts, self._thefts = self.economy.theft.thefts - self._thefts, self.economy.theft.thefts
        p50, p99 = percentiles(cost for costs in taken.values() for cost in costs)
        point = {
            "t": now,
            "tick_p50_ms": p50,
            "tick_p99_ms": p99,
            "dilation": min((z.dilation for z in self._zones), default=1.0),
            "sessions": self.sessions(),
            "thefts": thefts,
            "credits": self._credits.held,
        }
        for name, value in point.items():
            self._columns[name].append(value)
        sampled, self._sampled = self._sampled, asyncio.Event()
        sampled.set()

    async def next_sample(self, timeout: float) -> None:
        """Wait for the next sample, at most `timeout` seconds: a live feed pushes each
        point as soon as it exists, and still pushes on time if a sample fails."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._sampled.wait(), timeout)

    def snapshot(self, since: float = 0.0) -> Snapshot:
        """The current figures, with the chart points sampled after `since` (a reader
        sends 0 once for the whole 30 minutes, then the time of the last point it has)."""
        times = self._columns["t"]
        fresh = sum(1 for _ in _newer(times, since))
        series = {
            name: list(column)[len(column) - fresh :] for name, column in self._columns.items()
        }
        return Snapshot(
            at=times[-1] if times else self.clock(),
            zones=self._zones,
            sessions=self.sessions(),
            credits=self._credits,
            audit=self._chain,
            worlds=self.worlds(),
            minds=self.minds(),
            hidden=self.hidden(),
            series=Series(**series),  # type: ignore[arg-type]
        )

    def worlds(self) -> list[World]:
        """Every world with its owner, members, rules and who is in it now."""
        if self.registry is None:
            return [World(MAIN_WORLD, MAIN_WORLD_NAME, "main", sorted(self.universe.zones))]
        where, roles, world_of = self.universe.where, self.universe.roles, self.universe.world_of
        ships = Counter(world_of.get(system) for system in where.values())  # one pass, not one
        players = Counter(  # per world
            world_of.get(system) for ship, system in where.items() if roles.get(ship) == "player"
        )
        listed = []
        for w in self.registry.all():
            zones = sorted(self.universe.systems_of(w.id))
            members = [name for _, name in w.members]
            rules = msgspec.to_builtins(w.rules)
            record = World(w.id, w.name, w.kind, zones, w.template, w.visibility, w.owner_name,
                           members, rules, ships[w.id], players[w.id])  # fmt: skip
            listed.append(record)
        return listed

    def hidden(self) -> list[Hidden]:
        """Every ship hidden from players (`Universe.hidden`), with its name and system."""
        listed = []
        for ship in sorted(self.universe.hidden):
            system = self.universe.where.get(ship)
            zone = self.universe.zones.get(system) if system is not None else None
            info = zone.info.get(ship) if zone is not None else None
            listed.append(Hidden(ship, "" if info is None else info.name, system))
        return listed

    def minds(self) -> list[Mind]:
        """Every agent, alive or dead, with where it is and its crew, and the builder who
        lives here: nothing is hidden."""
        found = [] if self.registry is None else [self._builder()]
        if self.company is None:
            return found
        crews, everyone = self.company.minds.crews, self.company.minds.agents.values()
        kin = kin_of(everyone)
        return found + [self._mind(a, crews, kin) for a in everyone]

    def _builder(self) -> Mind:
        """The builder in the Heart: a mind of no crew and no ship, at home in the Heart."""
        name = builder_persona().name
        return Mind(0, name, True, "", "the builder", None, HEART_SYSTEM, HEART_NAME, MAIN_WORLD)

    def _mind(
        self, agent: Agent, crews: Mapping[int, Crew], kin: Mapping[str, list[Agent]]
    ) -> Mind:
        system = self.universe.where.get(agent.ship) if agent.ship is not None else None
        zone = self.universe.zones.get(system) if system is not None else None
        crew = crews.get(agent.crew) if agent.crew is not None else None
        world = MAIN_WORLD if system is None else self.universe.world_of.get(system, MAIN_WORLD)
        return Mind(
            id=agent.id,
            name=agent.name,
            alive=agent.death is None,
            death="" if agent.death is None else agent.death.cause,
            crew="" if crew is None else crew.name,
            ship=agent.ship,
            system=system,
            system_name="" if zone is None else zone.name,
            world=world,
            lineage=describe(agent.lineage, [a.name for a in siblings(agent, kin)]),
            enclave=self._host_of(world),
            in_transit=self.company is not None and agent.id in self.company.away,
        )

    def _host_of(self, world: int) -> str:
        """The host of an enclave world ("" for any other world)."""
        found = None if self.registry is None else self.registry.enclave_host(world)
        return found or ""

    def _zone_figures(self, taken: dict[int, list[float]]) -> list[ZoneFigures]:
        where, roles = self.universe.where, self.universe.roles
        ships = Counter(where.values())
        players = Counter(system for ship, system in where.items() if roles.get(ship) == "player")
        aboard = self.company.aboard() if self.company is not None else {}
        figures = []
        for system, zone in sorted(self.universe.zones.items()):
            costs = taken.get(system)
            tick = percentiles(costs) if costs else self._last_tick.get(system, (0.0, 0.0))
            self._last_tick[system] = tick
            figures.append(
                ZoneFigures(
                    id=system,
                    name=zone.name,
                    world=self.universe.world_of.get(system, MAIN_WORLD),
                    tick_p50_ms=tick[0],
                    tick_p99_ms=tick[1],
                    dilation=float(zone.clock.dilation),
                    ships=ships[system],
                    players=players[system],
                    agents=len(aboard.get(system, ())),
                )
            )
        return figures

    async def _read_credits(self, now: float) -> Credits:
        """Minted and burnt from the mint's and the burn's balances; the books' audit when due."""
        minted = -await self._balance(accounts.MINT)
        burnt = await self._balance(accounts.BURN)
        books_ok, problems, checked = (
            self._credits.books_ok, self._credits.books_problems, self._credits.books_checked_at
        )  # fmt: skip
        if books_ok is None or now - checked >= self.books_every:
            report = await self.economy.ledger.audit()
            books_ok, problems, checked = not report.problems, list(report.problems), now
        return Credits(minted, burnt, minted - burnt, books_ok, problems, checked)

    async def _balance(self, account: str) -> int:
        try:
            return await self.economy.ledger.balance(account)
        except UnknownAccount:
            return 0

    async def _read_chain(self) -> AuditChain:
        """The audit chain's length and head; its tail is read again only when it grew."""
        length, head = await self.audit.head()
        if length == self._chain.length and self._chain.head == head:
            return self._chain
        tail = await self.audit.tail(AUDIT_TAIL)
        return AuditChain(length, head, [_line(entry) for entry in tail])


def _newer(times: Iterable[float], since: float) -> Iterable[float]:
    return (t for t in times if t > since)


def _line(entry: Entry) -> AuditLine:
    return AuditLine(
        entry.seq, entry.at, entry.actor_name, entry.role, entry.verb, entry.target,
        entry.result, entry.hash,
    )  # fmt: skip
