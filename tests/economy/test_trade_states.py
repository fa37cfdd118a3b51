"""A trade's state machine (`economy/trade.py`), and an outage injected at each of its steps.

Every scenario checks the same four things through `check`: the trade is in
exactly one state (the journal row and the desk agree), the player was told
what happened and only that, credits moved at most once, and goods moved at
most once (and only after their credits).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from infinity.commands import types as c
from infinity.commands.errors import Rejection
from infinity.commands.notices import Notice
from infinity.economy import accounts
from infinity.economy.service import Economy
from infinity.economy.tables import deliveries
from infinity.economy.trade import (
    TRANSITIONS,
    Delivery,
    IllegalTransition,
    Trade,
    TradeState,
)
from infinity.economy.wallets import PLAYER_GRANT
from infinity.galaxy.generate import generate
from infinity.ledger import Ledger, LedgerUnavailable, Receipt, TransferRequest
from infinity.sim.zone import ShipState, Zone
from infinity.store.store import Store, sqlite_url
from infinity.universe.hangar import Hangar
from infinity.universe.universe import Universe

ME, ACCOUNT = 1_048_576, 1
SALE, PURCHASE = 20 * 12, 4 * 60  # 20 t of ore at 12, 4 torpedoes at 60: base prices
S = TradeState

# -- the machine alone ----------------------------------------------------------


def a_trade(state: TradeState = S.QUOTED) -> Trade:
    terms = Delivery("trade:x:1", ME, 1, "ore", 1.0, True, "wallet:ship:1", 12, "sold 1 ore")
    return Trade(terms, state=state)


def test_the_happy_path_is_legal() -> None:
    trade = a_trade()
    for state in (S.PENDING, S.CHARGED, S.GRANTED, S.DELIVERED):
        trade.advance(state)
    assert trade.state is S.DELIVERED


@pytest.mark.parametrize(
    ("start", "to"),
    [(a, b) for a, b in itertools.product(S, S) if b not in TRANSITIONS[a]],
)
def test_every_other_transition_raises(start: TradeState, to: TradeState) -> None:
    trade = a_trade(start)
    with pytest.raises(IllegalTransition):
        trade.advance(to)
    assert trade.state is start


def test_cancelled_is_final_and_only_an_uncharged_trade_is_cancelled() -> None:
    assert TRANSITIONS[S.CANCELLED] == frozenset()
    assert {s for s in S if S.CANCELLED in TRANSITIONS[s]} == {S.QUOTED, S.PENDING}


# -- the machine in a running economy ---------------------------------------------


@dataclass
class Outage:
    """Makes the ledger fail transfers whose key contains `which`, before or after committing."""

    real: object
    which: str = ""
    after_commit: bool = False
    on: bool = False
    failed: list[str] = field(default_factory=list)

    def start(self, which: str, *, after_commit: bool = False) -> None:
        self.which, self.after_commit, self.on = which, after_commit, True

    def stop(self) -> None:
        self.on = False

    async def __call__(self, request: TransferRequest) -> Receipt:
        transfer = self.real
        assert callable(transfer)
        if not self.on or self.which not in request.key:
            return await transfer(request)  # type: ignore[no-any-return]
        if self.after_commit:
            await transfer(request)  # committed; the answer is lost on the way back
        self.failed.append(request.key)
        raise LedgerUnavailable("injected outage", request.key)


@dataclass
class World:
    economy: Economy
    told: list[tuple[int, Notice | Rejection]]
    outage: Outage

    @property
    def zone(self) -> Zone:
        zone = self.economy.universe.zone_of(ME)
        assert zone is not None
        return zone


def start_universe(cargo: float = 50.0, torpedoes: int = 0) -> Universe:
    universe = Universe(generate(5))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    state = ShipState(ME, "me", ACCOUNT, station.id, home.id, station.x, station.y, docked_at=station.id, cargo=cargo, torpedoes=torpedoes)  # fmt: skip
    universe.place(home.id, state, "player")
    return universe


async def open_world(universe: Universe, ledger: Ledger, store: Store) -> World:
    told: list[tuple[int, Notice | Rejection]] = []
    economy = Economy(
        universe, ledger, store.engine, tell=lambda ship, message: told.append((ship, message))
    )
    outage = Outage(ledger.transfer)
    ledger.transfer = outage  # type: ignore[method-assign]
    await economy.start()
    return World(economy, told, outage)


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[Store, Ledger]]:
    url = sqlite_url(tmp_path)
    store, ledger = await Store.open(url), await Ledger.open(url)
    try:
        yield store, ledger
    finally:
        await ledger.close()
        await store.close()


@pytest.fixture
async def world(stores: tuple[Store, Ledger]) -> World:
    return await open_world(start_universe(), stores[1], stores[0])


async def tick(world: World, *commands: c.Command, ticks: int = 1) -> None:
    """Run the zone and settle whatever it reported, in order (as `Economy.run` does)."""
    economy = world.economy
    for command in commands:
        economy.universe.submit(command)
    for _ in range(ticks):
        economy.universe.tick(world.zone.system_id)
        while not economy._queue.empty():
            zone, item = economy._queue.get_nowait()
            await economy.settle(zone, item)


def trade_of(selling: bool) -> c.Command:
    if selling:
        return c.Sell(ship=ME, quantity=20.0)
    return c.Buy(ship=ME, good="torpedo", quantity=4.0)


async def journal(world: World) -> dict[str, str]:
    async with world.economy.journal.engine.connect() as connection:
        rows = await connection.execute(sa.select(deliveries.c.key, deliveries.c.status))
        return {row.key: row.status for row in rows}


def heard(world: World) -> list[str]:
    """What the player was told, in order: notice kinds and refusal reasons."""
    return [str(m.kind if isinstance(m, Notice) else m.reason) for _, m in world.told]


async def check(
    world: World, selling: bool, *, state: TradeState | None, row: str, told: list[str], moved: int
) -> None:
    """The one place the scenarios look: state, journal, notices, credits and goods.

    `moved` is how many times the trade's credits and goods moved: 0 or 1.
    """
    (key, status), *others = (await journal(world)).items() or [("", "")]
    assert not others, "one trade, one row"
    assert status == row
    assert world.economy.desk.state_of(key) == state
    assert heard(world) == told
    ledger = world.economy.ledger
    price = SALE if selling else -PURCHASE
    assert await held(world) == PLAYER_GRANT + moved * price
    assert world.economy.credits_of_ship(ME) == PLAYER_GRANT + moved * price  # the HUD's cache
    ship = world.zone.ship_state(ME)
    assert (ship.cargo, ship.torpedoes) == (
        (50.0 - 20 * moved, 0) if selling else (50.0, 4 * moved)
    )
    assert (await ledger.audit()).ok


async def held(world: World) -> int:
    """What the player holds in the ledger: earned credits plus starter credit."""
    earned, starter = await world.economy.wallets.books(accounts.wallet(ME, ACCOUNT))
    return earned + starter


def reserved(world: World) -> float:
    return float(world.zone.bodies.reserved[world.zone.bodies.row_of[ME]])


SIDES = pytest.mark.parametrize("selling", [True, False], ids=["sell", "buy"])


@SIDES
async def test_a_trade_with_no_outage(world: World, selling: bool) -> None:
    await tick(world, trade_of(selling), ticks=2)
    done = "sold" if selling else "bought"
    await check(world, selling, state=S.GRANTED, row="pending", told=[done], moved=1)


@SIDES
async def test_the_journal_failing_cancels_before_anything_moves(
    world: World, selling: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(terms: Delivery) -> None:
        raise OperationalError("INSERT INTO deliveries", {}, Exception("disk I/O error"))

    monkeypatch.setattr(world.economy.journal, "add", broken)
    await tick(world, trade_of(selling), ticks=2)
    assert await journal(world) == {}
    assert heard(world) == ["market_closed"]
    await check(world, selling, state=None, row="", told=["market_closed"], moved=0)
    assert reserved(world) == 0.0  # the sale's ore is free to sell again


@SIDES
@pytest.mark.parametrize("after_commit", [False, True], ids=["before-commit", "after-commit"])
async def test_an_outage_at_the_charge_leaves_it_pending_then_settles_once(
    world: World, selling: bool, after_commit: bool
) -> None:
    world.outage.start("trade:", after_commit=after_commit)
    await tick(world, trade_of(selling), ticks=3)
    pending = "pending"
    if after_commit:  # the credits moved; the cache, the goods and the player wait for a retry
        assert await held(world) != PLAYER_GRANT
    else:
        await check(world, selling, state=S.PENDING, row="pending", told=[pending], moved=0)
    assert heard(world) == [pending]
    assert reserved(world) == (20.0 if selling else 0.0)  # promised ore stays promised
    await world.economy.desk.retry()  # still down: nothing changes, nothing more is said
    assert heard(world) == [pending]
    world.outage.stop()
    await world.economy.desk.retry()
    await tick(world)
    done = "sold" if selling else "bought"
    await check(world, selling, state=S.GRANTED, row="pending", told=[pending, done], moved=1)
    assert reserved(world) == 0.0


async def test_a_sale_an_outage_may_have_paid_for_is_never_released(
    world: World, stores: tuple[Store, Ledger]
) -> None:
    """Issue 8 item 5: a `LedgerUnavailable` after the journal released the ore and said
    `market_closed`, and the next start paid the still-pending sale anyway."""
    world.outage.start("trade:", after_commit=True)
    await tick(world, c.Sell(ship=ME, quantity=20.0), ticks=2)
    assert heard(world) == ["pending"]
    assert reserved(world) == 20.0
    await tick(world, c.Sell(ship=ME, quantity=40.0))  # only 30 t are not promised
    assert heard(world) == ["pending"] and reserved(world) == 20.0
    # the process dies with the ledger still down; the store still says 50 t aboard
    store, ledger = stores
    world.outage.stop()
    again = await open_world(start_universe(cargo=50.0), ledger, store)
    await tick(again)
    await check(again, True, state=S.GRANTED, row="pending", told=["sold"], moved=1)


@SIDES
async def test_a_crash_after_the_charge_before_the_goods_settles_once_at_restart(
    world: World, selling: bool, stores: tuple[Store, Ledger]
) -> None:
    world.economy.universe.submit(trade_of(selling))
    world.economy.universe.tick(world.zone.system_id)
    zone, event = world.economy._queue.get_nowait()
    await world.economy.settle(zone, event)  # charged; the Grant/Take waits for the next tick
    assert world.economy.desk.state_of(next(iter(await journal(world)))) is S.CHARGED
    store, ledger = stores  # the process dies here: no tick, no snapshot
    again = await open_world(start_universe(), ledger, store)
    await tick(again)
    done = "sold" if selling else "bought"
    await check(again, selling, state=S.GRANTED, row="pending", told=[done], moved=1)


async def test_an_outage_at_the_refund_owes_it_then_pays_it_once(world: World) -> None:
    both = (c.Buy(ship=ME, good="torpedo", quantity=6.0),) * 2  # accepted: room for 8 each
    world.outage.start(":refund")
    await tick(world, *both, ticks=3)  # the second gets 2 of its 6: 240 cr back are owed
    assert heard(world) == ["bought", "bought", "pending"]
    first, second = (m.amount or 0 for _, m in world.told[:2] if isinstance(m, Notice))
    refund = second - math.ceil(second * 2 / 6)
    assert await held(world) == PLAYER_GRANT - first - second
    await world.economy.desk.retry()  # still down
    world.outage.stop()
    await world.economy.desk.retry()
    await world.economy.desk.retry()  # paid: nothing left to retry
    assert heard(world) == ["bought", "bought", "pending", "refunded"]
    kept = PLAYER_GRANT - first - second + refund
    assert await held(world) == kept
    assert world.economy.credits_of_ship(ME) == kept
    assert world.zone.ship_state(ME).torpedoes == 8
    assert (await world.economy.ledger.audit()).ok


async def test_a_failed_snapshot_hands_its_trades_to_the_next_one(world: World) -> None:
    await tick(world, trade_of(False), ticks=2)
    economy = world.economy
    (key,) = await journal(world)
    handed = economy.take_delivered()
    assert handed == {key} and economy.desk.state_of(key) is S.DELIVERED
    economy.return_delivered(handed)  # the snapshot's transaction failed
    assert economy.desk.state_of(key) is S.GRANTED
    again = economy.take_delivered()
    await Hangar(economy.journal.engine).save_ships(
        economy.universe.ship_states(), lambda connection: economy.mark_delivered(connection, again)
    )
    assert economy.take_delivered() == set()  # stored: forgotten
    await check(world, False, state=None, row="delivered", told=["bought"], moved=1)
