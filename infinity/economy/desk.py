"""The trade desk: moves every trade through the states of `trade.py`, and nothing else does.

Goods move only after their credits commit, and every step that can fail
leaves the trade in exactly one state, with the player told that state:
refused (CANCELLED, with a `Rejection`), waiting on the ledger (PENDING, a
`pending` notice, then bought/sold once a retry with the same key settles
it), or done (CHARGED, a bought/sold notice). A `LedgerUnavailable` never
cancels: the transfer may have committed, and only the journal's key can
tell, so a cancelled-but-charged trade cannot happen.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, cast

from sqlalchemy.exc import SQLAlchemyError

from infinity.commands.errors import Reason, Rejection
from infinity.commands.internal import Good, Grant, Take
from infinity.commands.notices import Notice, NoticeKind, Tell
from infinity.economy import accounts
from infinity.economy.journal import Journal
from infinity.economy.law import Law
from infinity.economy.market import Refused
from infinity.economy.markets import Markets
from infinity.economy.trade import Delivery, Trade, TradeState
from infinity.economy.wallets import Wallets
from infinity.ledger import LedgerError, LedgerUnavailable, Overdraft, TransferKind
from infinity.ledger import TransferRequest as Request
from infinity.sim import events as ev

log = logging.getLogger(__name__)

RETRY_EVERY: Final = 5.0  # seconds between retries of what an outage left unsettled


@dataclass(frozen=True, slots=True)
class Refund:
    """Credits back for bought goods that no longer fit; keyed by its trade, so paid once."""

    key: str
    ship: int
    wallet: str
    station: int
    amount: int


class TradeDesk:
    """Owns every open trade of this process, by key, and each one's state."""

    def __init__(
        self, wallets: Wallets, markets: Markets, journal: Journal, tell: Tell, law: Law
    ) -> None:
        self.wallets = wallets
        self.law = law  # fugitive crews are paid less, wanted ships refused
        self.universe = wallets.universe
        self.markets = markets
        self.journal = journal
        self.tell = tell
        self._open: dict[str, Trade] = {}
        self._refunds: dict[str, Refund] = {}  # owed after an outage, retried by key

    def state_of(self, key: str) -> TradeState | None:
        """The state of an open trade (None once it is forgotten, or was never opened)."""
        trade = self._open.get(key)
        return None if trade is None else trade.state

    # -- a new trade: QUOTED -> PENDING -> CHARGED ----------------------------------

    async def open(self, event: ev.Trade) -> None:
        """Settle a zone's `Trade` event; an outage leaves it PENDING, retried later."""
        trade = self._quote(event)
        if trade is None or not await self._journal(trade):
            return
        try:
            await self._charge(trade)
        except LedgerUnavailable as outage:
            log.warning("trade %s pending: %s", trade.key, outage)
            text = f"{trade.terms.memo} for {trade.terms.credits} cr: pending, settles shortly"
            pending = Notice(kind=NoticeKind.PENDING, text=text, amount=trade.terms.credits)
            self.tell(trade.terms.ship, pending)

    def _quote(self, event: ev.Trade) -> Trade | None:
        """Price the trade, or refuse it before anything is written."""
        key = self.wallets.key("trade")
        market = self.markets.get(event.station)
        try:
            if market is None:
                raise Refused("this station has no market")
            if self.law.refuses(event.ship):
                raise Refused("the station does not deal with wanted ships")
            price = market.quote(event.good, event.quantity, event.selling)
            if event.selling:
                price = self.law.pays(event.ship, price)
            if price <= 0:
                raise Refused("too small to trade")
        except Refused as refusal:
            self._release(event.ship, event.quantity, event.selling, key)
            self.tell(event.ship, Rejection(Reason.MARKET_CLOSED, str(refusal), event.seq))
            return None
        memo = f"{'sold' if event.selling else 'bought'} {event.quantity:g} {event.good}"
        wallet = self.wallets.wallet_of(event.ship)
        if not event.selling:  # a purchase is the wallet's own need: starter credit may pay
            wallet = self.wallets.payer(wallet, price)
        terms = Delivery(
            key, event.ship, event.station, event.good, event.quantity, event.selling, wallet,
            price, memo,
        )  # fmt: skip
        return Trade(terms, seq=event.seq)

    async def _journal(self, trade: Trade) -> bool:
        """QUOTED -> PENDING; or CANCELLED when the journal cannot take it (nothing charged)."""
        try:
            await self.journal.add(trade.terms)
        except SQLAlchemyError as failure:
            log.warning("trade %s not journalled: %s", trade.key, failure)
            with contextlib.suppress(SQLAlchemyError):  # in case the insert committed after all
                await self.journal.cancel(trade.key)
            self._cancelled(trade, Reason.MARKET_CLOSED, "the market's books are closed")
            return False
        trade.advance(TradeState.PENDING)
        self._open[trade.key] = trade
        return True

    async def _charge(self, trade: Trade) -> None:
        """PENDING -> CHARGED (the zone is asked for the goods) or CANCELLED (refused).

        Raises `LedgerUnavailable` with the trade still PENDING: the transfer may
        have committed, and only a retry by the same key can say.
        """
        try:
            await self.wallets.transfer(self._transfer(trade.terms))
        except LedgerUnavailable:
            raise
        except LedgerError as refusal:
            reason = Reason.NO_CREDITS if isinstance(refusal, Overdraft) else Reason.MARKET_CLOSED
            await self.journal.cancel(trade.key)  # the durable decision first
            self._cancelled(trade, reason, str(refusal))
            return
        trade.advance(TradeState.CHARGED)
        self._ask_for_goods(trade.terms)
        if not trade.resumed:  # a resumed trade's stock was saved with or without it: unknown
            self.markets[trade.terms.station].settle(
                trade.terms.good, trade.terms.quantity, trade.terms.selling
            )
        self._tell_charged(trade.terms)

    @staticmethod
    def _transfer(terms: Delivery) -> Request:
        till = accounts.market(terms.station)
        source, dest = (till, terms.wallet) if terms.selling else (terms.wallet, till)
        return Request.move(
            terms.key, TransferKind.TRADE, source, dest, terms.credits, memo=terms.memo,
            actors={"ship": terms.ship, "station": terms.station},
        )  # fmt: skip

    def _ask_for_goods(self, terms: Delivery) -> None:
        if terms.selling:
            self.universe.submit(Take(ship=terms.ship, quantity=terms.quantity, key=terms.key))
        else:
            good = cast(Good, terms.good)
            grant = Grant(ship=terms.ship, good=good, quantity=terms.quantity, key=terms.key)
            self.universe.submit(grant)

    def _tell_charged(self, terms: Delivery) -> None:
        kind = NoticeKind.SOLD if terms.selling else NoticeKind.BOUGHT
        text = f"{terms.memo} for {terms.credits} cr"
        self.tell(terms.ship, self.wallets.notice(kind, text, terms.wallet, terms.credits))

    def _cancelled(self, trade: Trade, reason: Reason, detail: str) -> None:
        trade.advance(TradeState.CANCELLED)
        self._open.pop(trade.key, None)
        terms = trade.terms
        self._release(terms.ship, terms.quantity, terms.selling, terms.key)
        self.tell(terms.ship, Rejection(reason, detail, trade.seq))

    def _release(self, ship: int, quantity: float, selling: bool, key: str) -> None:
        """Give back the ore a refused sale had reserved in the zone."""
        if selling:
            self.universe.submit(
                Take(ship=ship, quantity=quantity, key=f"{key}:release", paid=False)
            )

    # -- the zone moved the goods: CHARGED -> GRANTED -> DELIVERED --------------------

    def moved(self, event: ev.Granted | ev.Taken) -> Refund | None:
        """Called in the tick's observer, while the zone's state holds the goods."""
        trade = self._open.get(event.key)
        if trade is None or trade.state is not TradeState.CHARGED:
            return None  # a released reservation, not a trade
        trade.advance(TradeState.GRANTED)
        if isinstance(event, ev.Taken):
            return None
        terms = trade.terms
        refund = terms.credits - math.ceil(terms.credits * event.quantity / terms.quantity)
        if refund <= 0:
            return None
        return Refund(f"{terms.key}:refund", event.ship, terms.wallet, terms.station, refund)

    def take_delivered(self) -> set[str]:
        """Keys of trades granted since the last call, for the next ship snapshot to store.

        Snapshots run one at a time, and a failed one returns its keys first, so
        trades still DELIVERED at the next call were stored: they are forgotten.
        """
        for key in [k for k, t in self._open.items() if t.state is TradeState.DELIVERED]:
            del self._open[key]
        handed = {k for k, t in self._open.items() if t.state is TradeState.GRANTED}
        for key in handed:
            self._open[key].advance(TradeState.DELIVERED)
        return handed

    def return_delivered(self, keys: set[str]) -> None:
        """A snapshot failed: these trades go with the next one."""
        for key in keys:
            trade = self._open.get(key)
            if trade is not None and trade.state is TradeState.DELIVERED:
                trade.advance(TradeState.GRANTED)

    def forget(self, ships: Collection[int]) -> None:
        """The zone of `ships` went to another host: their open trades are its to finish
        (from the journal), and their goods can no longer be granted here."""
        for key in [k for k, t in self._open.items() if t.terms.ship in ships]:
            del self._open[key]

    # -- refunds, retries, restarts ---------------------------------------------

    async def refund(self, refund: Refund) -> None:
        """Pay a refund; an outage leaves it owed and retried by the same key."""
        self._refunds[refund.key] = refund
        try:
            await self._pay(refund)
        except LedgerUnavailable as outage:
            log.warning("refund %s owed: %s", refund.key, outage)
            text = f"refund of {refund.amount} cr: pending, settles shortly"
            self.tell(refund.ship, Notice(kind=NoticeKind.PENDING, text=text, amount=refund.amount))

    async def _pay(self, refund: Refund) -> None:
        request = Request.move(
            refund.key, TransferKind.TRADE, accounts.market(refund.station), refund.wallet,
            refund.amount, actors={"ship": refund.ship}, memo="refund: no room",
        )  # fmt: skip
        try:
            await self.wallets.transfer(request)
        except LedgerUnavailable:
            raise
        except LedgerError:
            del self._refunds[refund.key]  # refused: nothing moved, nothing to retry
            raise
        del self._refunds[refund.key]
        text = f"refunded {refund.amount} cr"
        notice = self.wallets.notice(NoticeKind.REFUNDED, text, refund.wallet, refund.amount)
        self.tell(refund.ship, notice)

    async def retry(self) -> None:
        """Charge again what an outage left PENDING, and pay refunds still owed (same keys)."""
        for trade in [t for t in self._open.values() if t.state is TradeState.PENDING]:
            with contextlib.suppress(LedgerUnavailable):
                await self._charge(trade)
        for refund in list(self._refunds.values()):
            with contextlib.suppress(LedgerUnavailable):
                await self._pay(refund)

    async def resume(
        self, ships: Collection[int] | None = None, before: float | None = None
    ) -> None:
        """Trades a previous run (or another zone host) left pending: charge them by key.

        Goods no stored snapshot holds are granted again; a transfer that committed
        answers as a replay, so nothing is charged or granted twice. `ships`: only theirs
        (a zone just loaded); `before`: only those journalled before that wall-clock time
        (orphans: older than any trade still in flight elsewhere). A trade open here is
        this process's own, and left alone.
        """
        for terms in await self.journal.pending(ships, before):
            if terms.ship not in self.universe.where or terms.key in self._open:
                continue
            trade = Trade.journalled(terms)
            self._open[trade.key] = trade
            with contextlib.suppress(LedgerUnavailable):
                await self._charge(trade)
