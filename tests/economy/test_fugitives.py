"""Fugitive crews in the books: thieves named in the victim's history, fugitive prices, the
stations' law posting bold thieves wanted, and every credit staying inside the ledger."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infinity.commands import types as c
from infinity.commands.errors import Rejection
from infinity.commands.notices import Notice
from infinity.economy import accounts
from infinity.economy.law import FREIGHT, FUGITIVE_SHARE, MIN_WANTED, WANTED_AFTER
from infinity.economy.service import Economy
from infinity.economy.theft import SIPHON_PER_SECOND
from infinity.galaxy.generate import generate
from infinity.ledger import Ledger, TransferKind
from infinity.sim import events as ev
from infinity.sim.zone import ShipState
from infinity.store.store import Store, sqlite_url
from infinity.universe.universe import Universe

ME, CREW_SHIP, TRADER = 1_048_576, 1_048_600, 1_048_601
MY_ACCOUNT = 1


@contextlib.asynccontextmanager
async def opened(data: Path) -> AsyncIterator[Economy]:
    """A player docked with 50 t of ore, a crew ship ("Kestrel") beside them, an NPC trader."""
    url = sqlite_url(data)
    store = await Store.open(url)
    ledger = await Ledger.open(url)
    universe = Universe(generate(5))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    universe.place(home.id, ShipState(ME, "Vega", MY_ACCOUNT, station.id, home.id, station.x, station.y, docked_at=station.id, cargo=50.0), "player")  # fmt: skip
    universe.place(home.id, ShipState(CREW_SHIP, "Kestrel", None, station.id, home.id, station.x, station.y, docked_at=station.id, cargo=50.0), "crew")  # fmt: skip
    universe.place(home.id, ShipState(TRADER, "Trader X", None, station.id, home.id, 0.0, 5000.0), "trader")  # fmt: skip
    told: list[tuple[int, Notice | Rejection]] = []

    def pilot(ship: int) -> str | None:
        return "Crew of the Kestrel, captain Zore Katon" if ship == CREW_SHIP else None

    crews = {1: ("Crew of the Kestrel", CREW_SHIP)}
    economy = Economy(
        universe, ledger, store.engine, tell=lambda s, m: told.append((s, m)), crews=crews,
        pilot=pilot,
    )  # fmt: skip
    await economy.start()
    for ship in (CREW_SHIP, TRADER):
        await economy.open_wallet(ship, None)
    economy.told = told  # type: ignore[attr-defined]
    try:
        yield economy
    finally:
        await ledger.close()
        await store.close()


@pytest.fixture
async def economy(tmp_path: Path) -> AsyncIterator[Economy]:
    async with opened(tmp_path) as found:
        yield found


async def tick(economy: Economy, *commands: c.Command, ticks: int = 1) -> None:
    home = economy.universe.galaxy.systems[0].id
    for command in commands:
        economy.universe.submit(command)
    for _ in range(ticks):
        economy.universe.tick(home)
        while not economy._queue.empty():
            zone, event = economy._queue.get_nowait()
            await economy.settle(zone, event)


def beside(economy: Economy, ship: int, other: int, dx: float = 300.0) -> None:
    zone = economy.universe.zone_of(ship)
    assert zone is not None
    b = zone.bodies
    b.pos[b.row_of[ship]] = b.pos[b.row_of[other]] + (dx, 0.0)


async def test_a_station_pays_a_fugitive_crew_less(economy: Economy) -> None:
    market = economy.markets.get(economy.universe.galaxy.systems[0].stations()[0].id)
    assert market is not None
    honest = market.quote("ore", 50.0, selling=True)
    await tick(economy, c.Unload(ship=CREW_SHIP), ticks=2)
    theirs = await economy.ledger.balance(accounts.wallet(CREW_SHIP, None))
    assert theirs == int(honest * FUGITIVE_SHARE)


async def test_the_victims_history_names_the_thief_its_crew_and_captain(economy: Economy) -> None:
    await tick(economy, c.Unload(ship=ME), ticks=2)  # 600 cr earned: something to steal
    await tick(economy, c.Undock(ship=ME), c.Undock(ship=CREW_SHIP))
    beside(economy, CREW_SHIP, ME)
    await tick(economy, c.Siphon(ship=CREW_SHIP, target=ME), ticks=20 * 2 + 1)
    thief = "Kestrel (Crew of the Kestrel, captain Zore Katon)"
    history, _ = await economy.wallets.statement(accounts.wallet(0, MY_ACCOUNT), None, 10)
    thefts = [r for r in history if r.kind == TransferKind.THEFT]
    assert [r.memo for r in thefts] == [f"siphon by {thief} from Vega"] * 2
    told = [m for ship, m in economy.told if ship == ME]  # type: ignore[attr-defined]
    texts = {m.text for m in told if isinstance(m, Notice) and m.kind == "siphoned"}
    assert texts == {f"siphoned: -{SIPHON_PER_SECOND} cr by {thief}"}


async def test_a_bold_thief_is_posted_wanted_refused_at_market_and_paid_for(
    economy: Economy,
) -> None:
    await tick(economy, c.Unload(ship=ME), ticks=2)
    mine = accounts.wallet(0, MY_ACCOUNT)
    await economy.wallets.move(TransferKind.TRADE, accounts.market(economy.universe.galaxy.systems[0].stations()[0].id), mine, WANTED_AFTER, "test: a rich mark")  # fmt: skip
    await tick(economy, c.Undock(ship=ME), c.Undock(ship=CREW_SHIP))
    beside(economy, CREW_SHIP, ME)
    seconds = int(1.3 * WANTED_AFTER / SIPHON_PER_SECOND)  # the tally fades a little meanwhile
    await tick(economy, c.Siphon(ship=CREW_SHIP, target=ME), ticks=20 * seconds + 1)
    assert economy.law.wanted == {CREW_SHIP}
    (bounty,) = await economy.board.bounties("open")
    assert (bounty.poster, bounty.target_id) == (accounts.LAW_POSTER, CREW_SHIP)
    assert bounty.amount >= MIN_WANTED
    # a wanted ship cannot sell
    await tick(economy, c.Siphon(ship=CREW_SHIP, target=ME))  # stop
    zone = economy.universe.zone_of(CREW_SHIP)
    assert zone is not None
    station = economy.universe.galaxy.systems[0].stations()[0]
    zone.bodies.pos[zone.bodies.row_of[CREW_SHIP]] = (station.x, station.y)
    await tick(economy, c.Dock(ship=CREW_SHIP, station=station.id), ticks=2)
    await tick(economy, c.Unload(ship=CREW_SHIP), ticks=2)
    refused = [m for s, m in economy.told if s == CREW_SHIP and isinstance(m, Rejection)]  # type: ignore[attr-defined]
    assert refused and "wanted" in refused[-1].detail
    # destroyed: the hunter is paid from the law's escrow, and the ship is wanted no more
    await economy.bounties.claim(CREW_SHIP, ME)
    assert economy.law.wanted == set()
    assert (await economy.ledger.audit()).ok


async def test_an_npc_trader_is_paid_freight_through_a_gate(economy: Economy) -> None:
    zone = economy.universe.zone_of(TRADER)
    assert zone is not None
    await economy.settle(zone, ev.Arrived(TRADER, via_gate=12345))
    assert await economy.ledger.balance(accounts.wallet(TRADER, None)) == FREIGHT
    await economy.settle(zone, ev.Arrived(TRADER, via_gate=-1))  # a respawn carries nothing
    assert await economy.ledger.balance(accounts.wallet(TRADER, None)) == FREIGHT


Act = tuple[str, int]
ACTS = st.lists(
    st.tuples(
        st.sampled_from(["siphon", "upkeep", "freight", "bounty", "sell"]), st.integers(1, 40)
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(acts=ACTS)
async def test_thefts_upkeep_and_the_law_never_move_credits_outside_the_ledger(
    tmp_path_factory: pytest.TempPathFactory, acts: list[Act]
) -> None:
    """Whatever mix of theft, upkeep, freight, sales and wanted bounties: every balance the
    economy caches is the ledger's, the books audit clean, and all balances sum to zero."""
    async with opened(tmp_path_factory.mktemp("books")) as economy:
        await tick(economy, c.Unload(ship=ME), c.Undock(ship=ME), c.Undock(ship=CREW_SHIP), ticks=3)  # fmt: skip
        beside(economy, CREW_SHIP, ME)
        zone = economy.universe.zone_of(ME)
        assert zone is not None
        for act, n in acts:
            if act == "siphon":
                await tick(economy, c.Siphon(ship=CREW_SHIP, target=ME), ticks=20 * (n % 5) + 1)
            elif act == "upkeep":
                economy.owe_upkeep(CREW_SHIP, n * 1.5)
                await economy.settle_upkeep()
            elif act == "freight":
                await economy.settle(zone, ev.Arrived(TRADER, via_gate=1))
            elif act == "bounty":
                await economy.law.stole(CREW_SHIP, n * 20)
            else:
                await tick(economy, c.Unload(ship=CREW_SHIP))
        report = await economy.ledger.audit()
        assert report.ok, report.problems
        for account, cached in economy.wallets.credits.items():
            assert cached == await economy.ledger.balance(account), account
        assert report.circulating == report.minted - report.burned
