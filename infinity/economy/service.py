"""The economy service: settles what zones report (trades, siphons, wrecks, kills) in the ledger.

Zones move goods synchronously; this service moves credits asynchronously,
in event order, one settlement at a time. Every settlement has an idempotency
key, and goods are granted only after the credits for them are committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

from infinity.commands.errors import Reason
from infinity.commands.internal import Good, Grant, Take
from infinity.economy import accounts
from infinity.economy.market import Market, Refused
from infinity.ledger import (
    AccountKind,
    Ledger,
    LedgerError,
    LedgerUnavailable,
    Overdraft,
    Receipt,
    TransferKind,
    TransferRequest,
)
from infinity.sim import events as ev
from infinity.sim.zone import TickReport, Zone
from infinity.store.economy import Board, Bounty, Delivery
from infinity.universe.loop import pause
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

STATION_CAPITAL: Final = 200_000
PLAYER_GRANT: Final = 1_000
NPC_GRANT: Final = 300
SIPHON_PER_SECOND: Final = 8
WRECK_SPILL: Final = 0.1  # share of a destroyed ship's credits left in its wreck
MIN_BOUNTY: Final = 10

Tell = Callable[[int, dict[str, Any]], None]
_SETTLED = (ev.Trade, ev.Granted, ev.Siphoned, ev.Wrecked, ev.Looted, ev.Destroyed)
UPKEEP_EVERY: Final = 10.0  # wall seconds between upkeep settlements


class BountyRefused(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class Economy:
    def __init__(self, universe: Universe, ledger: Ledger, board: Board) -> None:
        self.universe = universe
        self.ledger = ledger
        self.board = board
        self.epoch = uuid.uuid4().hex[:12]  # keys of this process's settlements never collide
        self.markets: dict[int, Market] = {
            station.id: Market(station.id)
            for system in universe.galaxy.systems
            for station in system.stations()
        }
        self.credits: dict[str, int] = {}
        self.tell: Tell = lambda ship, message: None
        self._queue: asyncio.Queue[tuple[Zone, ev.Event]] = asyncio.Queue()
        self._serial = itertools.count()
        # grant key -> (wallet, till, credits paid, quantity ordered), until delivered
        self._orders: dict[str, Delivery] = {}  # settled, goods not yet moved in the zone
        self._owed: dict[str, float] = {}  # wallet -> upkeep accrued, not yet settled
        self._granted: set[str] = set()  # purchases delivered since the last ship snapshot
        # crew id -> (name, ship): who a "crew" bounty is on (kept current by the crew service)
        self.crews: Mapping[int, tuple[str, int]] = {}
        universe.observe(self._collect)

    # -- start-up ---------------------------------------------------------------

    async def start(self) -> None:
        """Open the system accounts, stock and fund every market, and open every ship's wallet."""
        for name, kind in (
            (accounts.MINT, AccountKind.MINT),
            (accounts.BURN, AccountKind.BURN),
            (accounts.UPKEEP, AccountKind.UPKEEP),
            (accounts.BOUNTY_ESCROW, AccountKind.ESCROW),
        ):
            await self.ledger.open_account(name, kind)
        for station, goods in (await self.board.load_stock()).items():
            if station in self.markets:
                self.markets[station].stock.update(goods)
        for station in self.markets:
            await self._fund(accounts.market(station), AccountKind.MARKET, STATION_CAPITAL)
        for ship, account in list(self.universe.owners.items()):
            await self.open_wallet(ship, account)
        await self._reconcile_bounties()
        await self._redeliver()

    async def _fund(self, name: str, kind: AccountKind, grant: int) -> None:
        """Open an account and give it its one-time grant from the mint (replay-safe)."""
        await self.ledger.open_account(name, kind)
        await self.ledger.transfer(
            TransferRequest.move(
                f"grant:{name}",
                TransferKind.GRANT,
                accounts.MINT,
                name,
                grant,
                memo="opening grant",
            )
        )
        self.credits[name] = await self.ledger.balance(name)

    async def open_wallet(self, ship: int, account: int | None) -> None:
        grant = PLAYER_GRANT if account is not None else NPC_GRANT
        await self._fund(accounts.wallet(ship, account), AccountKind.WALLET, grant)

    # -- reading ----------------------------------------------------------------

    def wallet_of(self, ship: int) -> str:
        return accounts.wallet(ship, self.universe.owners.get(ship))

    def credits_of_ship(self, ship: int) -> int:
        return self.credits.get(self.wallet_of(ship), 0)

    def spendable_of_ship(self, ship: int) -> float:
        """The ship's credits less upkeep already spent but not yet settled in the ledger."""
        wallet = self.wallet_of(ship)
        return max(0.0, self.credits.get(wallet, 0) - self._owed.get(wallet, 0.0))

    # -- settlements ------------------------------------------------------------

    def _collect(self, zone: Zone, report: TickReport) -> None:
        for event in report.events:
            if isinstance(event, ev.Granted | ev.Taken) and event.key in self._orders:
                self._granted.add(event.key)  # now, while the zone's state holds the goods
                if isinstance(event, ev.Taken):  # sales need no refund check
                    del self._orders[event.key]
            if isinstance(event, _SETTLED):
                self._queue.put_nowait((zone, event))

    async def run(self, stopping: asyncio.Event) -> None:
        """Settle events in order until stopped; markets drift and are saved meanwhile."""
        drift = asyncio.get_running_loop().create_task(self._drift(stopping))
        try:
            while not stopping.is_set() or not self._queue.empty():
                try:
                    zone, event = await asyncio.wait_for(self._queue.get(), 0.5)
                except TimeoutError:
                    continue
                try:
                    await self.settle(zone, event)
                except LedgerError as failure:  # the ledger refused: nothing moved
                    log.warning("settlement of %r refused: %s", event, failure)
                except Exception:  # one bad settlement must not stop the economy
                    log.exception("settlement of %r failed", event)
        finally:
            drift.cancel()
            await self.board.save_stock({s: m.stock for s, m in self.markets.items()})

    def owe_upkeep(self, ship: int, credits: float) -> None:
        """A crew spent `credits` on upkeep; settled in the ledger with the next batch."""
        wallet = self.wallet_of(ship)
        self._owed[wallet] = self._owed.get(wallet, 0.0) + credits

    async def settle_upkeep(self) -> int:
        """Move whole credits of accrued upkeep from wallets to the upkeep account, in one batch."""
        requests: list[TransferRequest] = []
        for wallet, owed in list(self._owed.items()):
            amount = min(int(owed), self.credits.get(wallet, 0))
            if amount <= 0:
                continue
            requests.append(
                TransferRequest.move(
                    self._key("upkeep"), TransferKind.UPKEEP, wallet, accounts.UPKEEP, amount,
                    memo="crew upkeep",
                )
            )  # fmt: skip
        if not requests:
            return 0
        paid = 0
        for request, outcome in zip(
            requests, await self.ledger.transfer_many(requests), strict=True
        ):
            if isinstance(outcome, LedgerError):
                continue  # still owed: retried with the next batch
            wallet, amount = request.postings[0].account, request.postings[1].amount
            self._owed[wallet] -= amount
            self._applied(outcome)
            paid += amount
        return paid

    async def _drift(self, stopping: asyncio.Event) -> None:
        beats = 0
        while not await pause(stopping, 1.0):
            if beats % int(UPKEEP_EVERY) == 0:
                await self.settle_upkeep()
            for market in self.markets.values():
                market.drift(1.0)
            beats += 1
            if beats % 10 == 0:
                await self.board.save_stock({s: m.stock for s, m in self.markets.items()})

    async def settle(self, zone: Zone, event: ev.Event) -> None:
        match event:
            case ev.Trade():
                await self._trade(zone, event)
            case ev.Granted():
                await self._delivered(event)
            case ev.Siphoned(thief, victim):
                await self._siphon(thief, victim)
            case ev.Wrecked(wreck, ship, _):
                await self._spill(wreck, ship)
            case ev.Looted(ship, wreck, _, source):
                await self._loot(ship, wreck, source)
            case ev.Destroyed(ship, killer, _, _):
                await self._claim_bounties(ship, killer)

    def _key(self, what: str) -> str:
        return f"{what}:{self.epoch}:{next(self._serial)}"

    async def _move(
        self, kind: TransferKind, source: str, dest: str, amount: int, memo: str, **actors: int
    ) -> None:
        request = TransferRequest.move(
            self._key(kind.value), kind, source, dest, amount, actors=actors, memo=memo
        )
        self._applied(await self.ledger.transfer(request))

    def _applied(self, receipt: Receipt) -> None:
        """Keep the cached balances (HUD, purses) in step with a committed transfer, once."""
        if receipt.replayed:
            return
        for posting in receipt.postings:
            self.credits[posting.account] = self.credits.get(posting.account, 0) + posting.amount

    def _refuse(self, ship: int, reason: Reason, detail: str, seq: int = 0) -> None:
        self.tell(ship, {"t": "error", "reason": str(reason), "detail": detail, "seq": seq})

    async def _deliver(self, d: Delivery) -> None:
        """Charge a purchase (replay-safe: its key is its transfer's) and grant the goods.

        The delivery stays pending until a ship snapshot holding the goods is stored, so
        a crash in between grants them again at the next start, never twice.
        """
        till = accounts.market(d.station)
        source, dest = (till, d.wallet) if d.selling else (d.wallet, till)
        request = TransferRequest.move(
            d.key, TransferKind.TRADE, source, dest, d.credits, memo=d.memo,
            actors={"ship": d.ship, "station": d.station},
        )  # fmt: skip
        try:
            receipt = await self.ledger.transfer(request)
        except LedgerUnavailable:
            raise  # it may have committed: stays pending, retried (same key) at the next start
        except LedgerError:
            await self.board.cancel_delivery(d.key)
            raise
        self._applied(receipt)
        if d.selling:
            self.universe.submit(Take(ship=d.ship, quantity=d.quantity, key=d.key))
        else:
            good = cast(Good, d.good)
            self.universe.submit(Grant(ship=d.ship, good=good, quantity=d.quantity, key=d.key))
        self._orders[d.key] = d

    def take_delivered(self) -> set[str]:
        """Purchase keys granted since the last call (the snapshot stores them with the ships)."""
        keys, self._granted = self._granted, set()
        return keys

    def return_delivered(self, keys: set[str]) -> None:
        """A snapshot failed: these keys go with the next one."""
        self._granted |= keys

    async def _redeliver(self) -> None:
        """Purchases whose goods no stored snapshot holds (a crash in between): grant them now."""
        for delivery in await self.board.pending_deliveries():
            if delivery.ship not in self.universe.where:
                continue
            with contextlib.suppress(LedgerError):
                await self._deliver(delivery)

    async def _delivered(self, granted: ev.Granted) -> None:
        """Refund the part of a purchase that did not fit (two orders raced for the same room)."""
        order = self._orders.pop(granted.key, None)
        if order is None:
            return
        refund = order.credits - math.ceil(order.credits * granted.quantity / order.quantity)
        if refund > 0:
            till = accounts.market(order.station)
            await self._move(
                TransferKind.TRADE, till, order.wallet, refund, "refund: no room", ship=granted.ship
            )
            text = f"refunded {refund} cr"
            self.tell(
                granted.ship, {"t": "notice", "text": text, "credits": self.credits[order.wallet]}
            )

    async def _trade(self, zone: Zone, t: ev.Trade) -> None:
        market = self.markets.get(t.station)
        wallet = self.wallet_of(t.ship)
        try:
            if market is None:
                raise Refused("this station has no market")
            price = market.quote(t.good, t.quantity, t.selling)
            memo = f"{'sold' if t.selling else 'bought'} {t.quantity:g} {t.good}"
            key = self._key("trade")
            delivery = Delivery(
                key, t.ship, t.station, t.good, t.quantity, t.selling, wallet, price, memo
            )
            await self.board.add_delivery(delivery)
            await self._deliver(delivery)
        except (Refused, LedgerError) as failure:
            if t.selling:  # release the ore promised to this sale
                self.universe.submit(
                    Take(ship=t.ship, quantity=t.quantity, key=self._key("release"), paid=False)
                )
            reason = Reason.NO_CREDITS if isinstance(failure, Overdraft) else Reason.MARKET_CLOSED
            self._refuse(t.ship, reason, str(failure), t.seq)
            return
        market.settle(t.good, t.quantity, t.selling)
        self.tell(
            t.ship,
            {"t": "notice", "text": f"{memo} for {price} cr", "credits": self.credits[wallet]},
        )

    async def _siphon(self, thief: int, victim: int) -> None:
        source, dest = self.wallet_of(victim), self.wallet_of(thief)
        amount = min(SIPHON_PER_SECOND, self.credits.get(source, 0))
        if amount <= 0 or source == dest:
            return
        try:
            await self._move(
                TransferKind.THEFT, source, dest, amount, "siphon", thief=thief, victim=victim
            )
        except Overdraft:
            return
        self.tell(
            victim,
            {"t": "notice", "text": f"siphoned: -{amount} cr", "credits": self.credits[source]},
        )

    async def _spill(self, wreck: int, ship: int) -> None:
        wallet = self.wallet_of(ship)
        spill = int(self.credits.get(wallet, 0) * WRECK_SPILL)
        escrow = accounts.wreck(wreck, self.epoch)
        await self.ledger.open_account(escrow, AccountKind.ESCROW)
        if spill > 0:
            await self._move(
                TransferKind.LOOT,
                wallet,
                escrow,
                spill,
                "spilled into a wreck",
                ship=ship,
                wreck=wreck,
            )

    async def _loot(self, ship: int, wreck: int, source: int) -> None:
        escrow = accounts.wreck(wreck, self.epoch)
        amount = self.credits.get(escrow, 0)
        if amount > 0:
            await self._move(
                TransferKind.LOOT,
                escrow,
                self.wallet_of(ship),
                amount,
                "looted",
                ship=ship,
                wreck=wreck,
                wrecked=source,
            )
            self.tell(
                ship,
                {
                    "t": "notice",
                    "text": f"looted {amount} cr",
                    "credits": self.credits_of_ship(ship),
                },
            )

    # -- bounties ---------------------------------------------------------------

    async def post_bounty(
        self, poster: int, target_kind: str, target_id: int, amount: int
    ) -> Bounty:
        """Escrow `amount` from the poster's wallet as a bounty on a ship or a player."""
        name = self._target_name(target_kind, target_id)
        if amount < MIN_BOUNTY:
            raise BountyRefused("invalid", f"a bounty is at least {MIN_BOUNTY} cr")
        if target_kind == "player" and target_id == poster:
            raise BountyRefused("invalid", "you cannot put a bounty on yourself")
        if target_kind == "ship" and self.universe.owners.get(target_id) == poster:
            raise BountyRefused("invalid", "you cannot put a bounty on your own ship")
        bounty = await self.board.add_bounty(poster, target_kind, target_id, name, amount)
        return await self._escrow(bounty)

    def _target_name(self, target_kind: str, target_id: int) -> str:
        if target_kind == "crew":
            crew = self.crews.get(target_id)
            if crew is None:
                raise BountyRefused("unknown_target", f"no crew {target_id} in the universe")
            return crew[0]
        ship = target_id if target_kind == "ship" else self.universe.ship_of_account.get(target_id)
        zone = None if ship is None else self.universe.zone_of(ship)
        if (
            target_kind not in ("ship", "player")
            or ship is None
            or zone is None
            or ship not in zone.info
        ):
            raise BountyRefused("unknown_target", f"no {target_kind} {target_id} in the universe")
        return zone.info[ship].name

    async def _escrow(self, bounty: Bounty) -> Bounty:
        wallet = accounts.wallet(0, bounty.poster)
        request = TransferRequest.move(
            f"bounty-post:{bounty.id}", TransferKind.BOUNTY, wallet, accounts.BOUNTY_ESCROW,
            bounty.amount, actors={"poster": bounty.poster, "bounty": bounty.id}, memo=f"bounty on {bounty.target_name}",
        )  # fmt: skip
        try:
            self._applied(await self.ledger.transfer(request))
        except Overdraft as failure:
            await self.board.set_status(bounty.id, "cancelled")
            raise BountyRefused("no_credits", str(failure)) from None
        await self.board.set_status(bounty.id, "open")
        return dataclasses.replace(bounty, status="open")

    async def _reconcile_bounties(self) -> None:
        """Pending bounties from before a crash: the replay-safe escrow decides their fate."""
        for bounty in await self.board.bounties("pending"):
            with contextlib.suppress(BountyRefused):
                await self._escrow(bounty)
        for bounty in await self.board.bounties("claiming"):
            await self._pay(bounty, int(bounty.paid_to or 0))

    async def _claim_bounties(self, ship: int, killer: int) -> None:
        if killer < 0 or killer == ship:
            return
        owner = self.universe.owners.get(ship)
        claims = await self.board.open_on("ship", ship)
        if owner is not None:
            claims += await self.board.open_on("player", owner)
        for crew_id, (_, crew_ship) in self.crews.items():
            if crew_ship == ship:
                claims += await self.board.open_on("crew", crew_id)
        for bounty in claims:
            await self.board.set_status(bounty.id, "claiming", paid_to=killer)
            await self._pay(bounty, killer)

    async def _pay(self, bounty: Bounty, hunter: int) -> None:
        wallet = self.wallet_of(hunter)
        request = TransferRequest.move(
            f"bounty-pay:{bounty.id}", TransferKind.BOUNTY, accounts.BOUNTY_ESCROW, wallet,
            bounty.amount, actors={"hunter": hunter, "bounty": bounty.id}, memo=f"bounty on {bounty.target_name}",
        )  # fmt: skip
        self._applied(await self.ledger.transfer(request))
        await self.board.set_status(bounty.id, "paid", paid_to=hunter)
        self.tell(
            hunter,
            {
                "t": "notice",
                "text": f"bounty claimed: +{bounty.amount} cr",
                "credits": self.credits[wallet],
            },
        )
