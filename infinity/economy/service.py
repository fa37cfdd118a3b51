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

import numpy as np
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
from infinity.sim import kinds
from infinity.sim.zone import TickReport, Zone
from infinity.universe.loop import pause
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

STATION_CAPITAL: Final = 200_000  # each station till's opening grant
ORPHAN_AGE: Final = 30.0  # seconds after which a pending trade no process has open is taken up

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
        """Open the books, take every zone of the universe (`take_zone`), and give back
        what wrecks of earlier runs still hold (one process: every other run is over)."""
        await self.open_books()
        for system in list(self.universe.zones):
            await self.take_zone(system)
        await self.theft.sweep()

    async def open_books(self) -> None:
        """Open the system accounts and the law's, and finish the bounties a crash left
        half done (by their keys: safe beside another process doing the same)."""
        await self.wallets.open_system()
        await self.law.start()
        await self.bounties.reconcile()

    async def take_zone(self, system: int) -> None:
        """A zone now settled here: its stations' stock as last saved and their tills
        funded, a wallet for every ship in it, and the trades its ships left pending."""
        stations = self._stations_of(system)
        await self.markets.load(stations)
        for station in stations:
            await self.wallets.fund(accounts.market(station), AccountKind.MARKET, STATION_CAPITAL)
        ships = [ship for ship, where in self.universe.where.items() if where == system]
        await self.open_wallets(ships)
        await self.desk.resume(ships)

    async def open_wallets(self, ships: Collection[int]) -> None:
        """Open the wallets of ships new here (idempotent: a wallet opened before, by any
        process, only has its balance read again)."""
        for ship in ships:
            await self.wallets.open_wallet(ship, self.universe.owners.get(ship))

    def drop_zone(self, system: int) -> None:
        """A zone settled elsewhere from now on (call before the universe drops it): its
        stock is no longer saved here, its ships' open trades are the next host's to
        finish, and its wrecks, which go with it, give their credits back."""
        self.markets.release(self._stations_of(system))
        zone = self.universe.zones.get(system)
        if zone is None:
            return
        self.desk.forget([s for s, where in self.universe.where.items() if where == system])
        b = zone.bodies
        for row in np.flatnonzero((b.kind[: b.n] == kinds.WRECK) & ~b.gone[: b.n]).tolist():
            self._queue.put_nowait((zone, ev.WreckExpired(int(b.id[row]), -1, 0.0)))

    async def resume_orphans(self, age: float = ORPHAN_AGE) -> None:
        """Trades of ships here left pending longer than `age` seconds by a process that
        lost their zone mid-trade: finished here, by their keys."""
        await self.desk.resume(before=time.time() - age)

    def _stations_of(self, system: int) -> list[int]:
        return [station.id for station in self.universe.star_system(system).stations()]

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
        self.upkeep.owe_upkeep(ship, credits)

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
            case ev.Trade() if self.universe.zones.get(zone.system_id) is zone:
                await self.desk.open(item)  # (a zone dropped since took its goods with it)
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
