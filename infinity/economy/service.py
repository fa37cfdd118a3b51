"""The economy service: routes what zones report to the part that settles it, in order.

Zones move goods synchronously; the economy moves credits asynchronously, one
settlement at a time, in event order. The parts, one noun each: `wallets.py`
(accounts and cached balances), `desk.py` (trades, through the states of
`trade.py`, journalled in `journal.py`), `theft.py` (siphons, wrecks, loot),
`bounties.py`, `markets.py` (prices and stock), `upkeep.py` (crew spending).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Coroutine, Mapping
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.commands.notices import Tell
from infinity.economy import accounts
from infinity.economy.bounties import Bounties, Bounty, BountyBoard, BountyWatch
from infinity.economy.desk import RETRY_EVERY, Refund, TradeDesk
from infinity.economy.journal import Journal, mark_delivered
from infinity.economy.law import Law
from infinity.economy.markets import Markets
from infinity.economy.theft import Pilot, Theft
from infinity.economy.upkeep import UPKEEP_EVERY, Upkeep
from infinity.economy.wallets import Wallets
from infinity.ledger import AccountKind, Ledger, LedgerError
from infinity.sim import events as ev
from infinity.sim.zone import TickReport, Zone
from infinity.universe.loop import pause
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

STATION_CAPITAL: Final = 200_000  # each station till's opening grant

Settlement = ev.Event | Refund
_SETTLED = (
    ev.Trade, ev.Siphoned, ev.Wrecked, ev.Looted, ev.WreckExpired, ev.Destroyed, ev.Arrived
)  # fmt: skip


class Economy:
    """Composes the economy's parts over one ledger and the store's engine."""

    def __init__(
        self,
        universe: Universe,
        ledger: Ledger,
        engine: AsyncEngine,
        *,
        tell: Tell,
        crews: Mapping[int, tuple[str, int]] | None = None,
        wallets: Wallets | None = None,
        bounty_watch: BountyWatch | None = None,
        pilot: Pilot | None = None,
    ) -> None:
        """`tell` reaches players (the gateway's fan-out); `wallets`, when given, is the
        balance cache the fan-out already reads; `crews` is the live (name, ship) of each crew;
        `bounty_watch` hears bounties open and close (the hunts' rule); `pilot` names who is
        behind a ship (its crew and captain, or its player), for theft notices and memos."""
        self.universe = universe
        self.ledger = ledger
        self.wallets = wallets if wallets is not None else Wallets(universe, ledger)
        self.markets = Markets(universe.galaxy, engine)
        for world in universe.galaxies.values():  # instances opened before the economy
            self.markets.open(world)
        self.journal = Journal(engine)
        self.board = BountyBoard(engine)
        self.upkeep = Upkeep(self.wallets)
        self.bounties = Bounties(
            self.wallets, self.board, tell, crews if crews is not None else {}, bounty_watch
        )
        self.law = Law(self.wallets, self.bounties)
        self.desk = TradeDesk(self.wallets, self.markets, self.journal, tell, self.law)
        self.theft = Theft(self.wallets, tell, self.law, pilot)
        self._queue: asyncio.Queue[tuple[Zone, Settlement]] = asyncio.Queue()
        universe.observe(self._collect)

    @property
    def credits(self) -> dict[str, int]:
        """Cached balances by ledger account (the HUD's and the purses' view)."""
        return self.wallets.credits

    @property
    def crews(self) -> Mapping[int, tuple[str, int]]:
        """Crew id -> (name, ship), for bounties on a whole crew (kept by the company)."""
        return self.bounties.crews

    # -- start-up ---------------------------------------------------------------

    async def start(self) -> None:
        """Open the system accounts, stock and fund every market, open every ship's wallet,
        and finish what a previous run left half done (bounties, trades, wrecks)."""
        await self.wallets.open_system()
        await self.law.start()
        await self.markets.load()
        for station in self.markets:
            await self.wallets.fund(accounts.market(station), AccountKind.MARKET, STATION_CAPITAL)
        for ship, account in list(self.universe.owners.items()):
            await self.wallets.open_wallet(ship, account)
        await self.bounties.reconcile()
        await self.desk.resume()
        await self.theft.sweep()

    async def open_wallet(self, ship: int, account: int | None) -> None:
        await self.wallets.open_wallet(ship, account)

    # -- reading ----------------------------------------------------------------

    def wallet_of(self, ship: int) -> str:
        return self.wallets.wallet_of(ship)

    def credits_of_ship(self, ship: int) -> int:
        return self.wallets.credits_of_ship(ship)

    def spendable_of_ship(self, ship: int) -> float:
        return self.upkeep.spendable_of_ship(ship)

    # -- what others ask --------------------------------------------------------

    def owe_upkeep(self, ship: int, credits: float) -> None:
        """A crew spent `credits` on upkeep; settled in the ledger with the next batch."""
        self.upkeep.owe(ship, credits)

    async def settle_upkeep(self) -> int:
        return await self.upkeep.settle()

    async def post_bounty(
        self, poster: int, target_kind: str, target_id: int, amount: int
    ) -> Bounty:
        return await self.bounties.post(poster, target_kind, target_id, amount)

    def take_delivered(self) -> set[str]:
        """Trades granted since the last snapshot: the next one stores them with the ships."""
        return self.desk.take_delivered()

    def return_delivered(self, keys: set[str]) -> None:
        self.desk.return_delivered(keys)

    async def mark_delivered(self, connection: AsyncConnection, keys: Collection[str]) -> None:
        """Inside the ship snapshot's transaction: its goods and the journal agree."""
        await mark_delivered(connection, keys)

    # -- settlements ------------------------------------------------------------

    def _collect(self, zone: Zone, report: TickReport) -> None:
        for event in report.events:
            if isinstance(event, ev.Granted | ev.Taken):
                refund = self.desk.moved(event)  # now, while the zone's state holds the goods
                if refund is not None:
                    self._queue.put_nowait((zone, refund))
            elif isinstance(event, _SETTLED):
                self._queue.put_nowait((zone, event))

    async def run(self, stopping: asyncio.Event) -> None:
        """Settle in order until stopped, and beat beside it (markets drift, upkeep settles);
        both are children of this task and end with it."""
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._beat(stopping), name="economy-beat")
                await self._settle_all(stopping)
        finally:
            await self.markets.save()

    async def _settle_all(self, stopping: asyncio.Event) -> None:
        """Settle in order until stopped and drained, retrying what an outage left."""
        retry_at = time.monotonic() + RETRY_EVERY
        while not stopping.is_set() or not self._queue.empty():
            if time.monotonic() >= retry_at:
                retry_at = time.monotonic() + RETRY_EVERY
                await _guarded("retry", self.desk.retry())
            try:
                zone, item = await asyncio.wait_for(self._queue.get(), 0.5)
            except TimeoutError:
                continue
            await _guarded(item, self.settle(zone, item))

    async def _beat(self, stopping: asyncio.Event) -> None:
        """Once a second: markets drift; every few, upkeep settles and stock is saved."""
        beats = 0
        while not await pause(stopping, 1.0 / self.universe.time_scale):  # a simulated second
            if beats % int(UPKEEP_EVERY) == 0:
                await _guarded("upkeep", self.upkeep.settle())
            self.markets.drift(1.0)
            beats += 1
            if beats % 10 == 0:
                await _guarded("market stock", self.markets.save())

    async def settle(self, zone: Zone, item: Settlement) -> None:
        match item:
            case Refund():
                await self.desk.refund(item)
            case ev.Trade():
                await self.desk.open(item)
            case ev.Siphoned(thief, victim):
                await self.theft.siphon(zone, thief, victim)
            case ev.Wrecked(wreck, ship, _):
                await self.theft.spill(wreck, ship)
            case ev.Looted(ship, wreck, _, source):
                await self.theft.loot(ship, wreck, source)
            case ev.WreckExpired(wreck, _, _):
                await self.theft.expire(wreck)
            case ev.Destroyed(ship, killer, _, _):
                await self.bounties.claim(ship, killer)
            case ev.Arrived(ship, gate) if gate >= 0:
                await self.law.freight(zone, ship)


async def _guarded(what: object, settling: Coroutine[Any, Any, object]) -> None:
    """One bad settlement must not stop the economy."""
    try:
        await settling
    except LedgerError as failure:  # the ledger refused: nothing moved
        log.warning("settlement of %r refused: %s", what, failure)
    except Exception:
        log.exception("settlement of %r failed", what)
