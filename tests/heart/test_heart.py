"""The Heart's sampler: figures per zone, credits, thefts, the audit chain, minds, the ring."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from infinity.audit.log import Act, AuditLog
from infinity.company.company import Company
from infinity.company.founding import founder_genome
from infinity.crew.agent import Agent, Death
from infinity.crew.crew import Captain, Crew, Station
from infinity.crew.mind import Minds
from infinity.economy.service import Economy
from infinity.galaxy.generate import generate
from infinity.heart.heart import Heart, percentiles
from infinity.ledger import Ledger
from infinity.sim.zone import ShipState
from infinity.store.store import Store, sqlite_url
from infinity.universe.loop import TickCosts
from infinity.universe.universe import Universe

SHIP, ACCOUNT = 1_048_576, 1


@dataclass
class Clock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Engine:
    heart: Heart
    economy: Economy
    universe: Universe
    costs: TickCosts
    audit: AuditLog
    clock: Clock
    sessions: list[int] = field(default_factory=lambda: [0])


async def _engine(
    tmp_path: Path, company: Company | None = None, window: int = 1800
) -> tuple[Engine, Store, Ledger]:
    url = sqlite_url(tmp_path)
    store = await Store.open(url)
    ledger = await Ledger.open(url)
    universe = Universe(generate(5))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    state = ShipState(SHIP, "me", ACCOUNT, station.id, home.id, station.x, station.y)
    universe.place(home.id, state, "player")
    economy = Economy(universe, ledger, store.engine, tell=lambda ship, m: None, crews={})
    await economy.start()
    audit, costs, clock = AuditLog(store.engine, tmp_path / "anchor"), TickCosts(), Clock()
    sessions = [0]
    heart = Heart(
        universe, economy, audit, costs, sessions=lambda: sessions[0], company=company,
        window=window, clock=clock,
    )  # fmt: skip
    return Engine(heart, economy, universe, costs, audit, clock, sessions), store, ledger


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    built, store, ledger = await _engine(tmp_path)
    try:
        yield built
    finally:
        await ledger.close()
        await store.close()


def test_percentiles_are_in_milliseconds_and_zero_without_ticks() -> None:
    assert percentiles([]) == (0.0, 0.0)
    p50, p99 = percentiles([0.001] * 99 + [0.1])
    assert p50 == pytest.approx(1.0)
    assert 1.0 < p99 <= 100.0


def test_tick_costs_are_bounded_and_taken_once() -> None:
    costs = TickCosts(keep=4)
    for cost in range(10):
        costs.record(7, float(cost))
    assert costs.take(7) == [6.0, 7.0, 8.0, 9.0]
    assert costs.take(7) == []
    assert costs.take(8) == []


async def test_a_sample_reads_zones_sessions_and_ticks(engine: Engine) -> None:
    home = engine.universe.galaxy.systems[0].id
    for _ in range(20):
        engine.costs.record(home, 0.002)
    engine.sessions[0] = 3
    await engine.heart.sample()
    snapshot = engine.heart.snapshot()
    zone = next(z for z in snapshot.zones if z.id == home)
    assert (zone.ships, zone.players, zone.agents) == (1, 1, 0)
    assert zone.tick_p50_ms == pytest.approx(2.0) and zone.tick_p99_ms == pytest.approx(2.0)
    assert zone.dilation == pytest.approx(1.0)
    assert len(snapshot.zones) == len(engine.universe.zones)
    assert snapshot.sessions == 3 and snapshot.series.sessions == [3]
    assert snapshot.series.tick_p50_ms == [pytest.approx(2.0)]
    assert [w.name for w in snapshot.worlds] == ["the main universe"]
    assert snapshot.worlds[0].zones == sorted(engine.universe.zones)


async def test_a_zone_that_did_not_tick_keeps_its_last_figures(engine: Engine) -> None:
    home = engine.universe.galaxy.systems[0].id
    engine.costs.record(home, 0.004)
    await engine.heart.sample()
    engine.clock.now += 1
    await engine.heart.sample()
    zone = next(z for z in engine.heart.snapshot().zones if z.id == home)
    assert zone.tick_p50_ms == pytest.approx(4.0)


async def test_credits_follow_the_mint_and_the_books_are_audited(engine: Engine) -> None:
    await engine.economy.open_wallet(SHIP, ACCOUNT)  # the opening grant is minted
    await engine.heart.sample()
    credits = engine.heart.snapshot().credits
    assert credits.minted > 0 and credits.burnt == 0
    assert credits.held == credits.minted - credits.burnt
    assert credits.books_ok is True and credits.books_problems == []
    assert engine.heart.snapshot().series.credits == [credits.held]


async def test_the_books_are_audited_at_most_every_books_every(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = engine.economy.ledger
    audits = 0
    real = ledger.audit

    async def counted():  # type: ignore[no-untyped-def]
        nonlocal audits
        audits += 1
        return await real()

    monkeypatch.setattr(ledger, "audit", counted)
    for _ in range(31):
        await engine.heart.sample()
        engine.clock.now += 1
    assert audits == 2  # at 0 s and at 30 s


async def test_thefts_are_counted_per_sample(engine: Engine) -> None:
    await engine.heart.sample()
    engine.economy.theft.thefts += 2
    engine.clock.now += 1
    await engine.heart.sample()
    engine.clock.now += 1
    await engine.heart.sample()
    assert engine.heart.snapshot().series.thefts == [0, 2, 0]


async def test_the_audit_chain_shows_its_head_and_new_entries(engine: Engine) -> None:
    await engine.heart.sample()
    assert engine.heart.snapshot().audit.length == 0
    entry = await engine.audit.append(Act(1, "Ada", "operator", "kick", "ship:9", {}))
    await engine.heart.sample()
    chain = engine.heart.snapshot().audit
    assert (chain.length, chain.head) == (1, entry.hash)
    assert [(line.actor_name, line.verb) for line in chain.tail] == [("Ada", "kick")]


async def test_snapshot_since_sends_only_newer_points_and_the_ring_is_bounded(
    tmp_path: Path,
) -> None:
    built, store, ledger = await _engine(tmp_path, window=3)
    try:
        for _ in range(5):
            await built.heart.sample()
            built.clock.now += 1
        series = built.heart.snapshot().series
        assert series.t == [1_002.0, 1_003.0, 1_004.0]
        assert built.heart.snapshot(since=1_003.0).series.t == [1_004.0]
        assert built.heart.snapshot(since=1_004.0).series.sessions == []
    finally:
        await ledger.close()
        await store.close()


async def test_every_mind_is_listed_alive_or_dead_with_crew_and_place(tmp_path: Path) -> None:
    minds = Minds(1)
    crew = Crew(1, "Wing", SHIP, Captain("Ace", agent=1))
    minds.add_crew(crew)
    pilot, ghost = Agent(1, founder_genome(0)), Agent(2, founder_genome(1))
    crew.join(pilot, Station.HELM)
    ghost.death = Death("a reaver's torpedo", 5.0)
    minds.add(pilot)
    minds.add(ghost)
    away = {1}  # leaving for another server: listed as in transit
    company = cast(Company, SimpleNamespace(minds=minds, aboard=lambda: {}, away=away))
    built, store, ledger = await _engine(tmp_path, company=company)
    try:
        listed = {m.id: m for m in built.heart.snapshot().minds}
        assert listed[1].in_transit and not listed[2].in_transit
        home = built.universe.galaxy.systems[0]
        assert listed[1].alive and listed[1].crew == "Wing" and listed[1].system == home.id
        assert listed[1].system_name == home.name and listed[1].world == 1
        assert not listed[2].alive and "reaver" in listed[2].death and listed[2].system is None
    finally:
        await ledger.close()
        await store.close()


async def test_the_snapshot_lists_hidden_ships_with_name_and_system(engine: Engine) -> None:
    assert engine.heart.snapshot().hidden == []
    engine.universe.hidden.add(SHIP)
    engine.universe.hidden.add(99)  # hidden, yet in no zone: listed all the same
    home = engine.universe.galaxy.systems[0].id
    listed = [(h.ship, h.name, h.system) for h in engine.heart.snapshot().hidden]
    assert listed == [(99, "", None), (SHIP, "me", home)]
