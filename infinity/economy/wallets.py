"""Wallets: whose credits are where, their one-time grants, and a cache of balances.

The ledger is the truth; `credits` is a copy kept in step from receipts, so
the HUD and the crews' purses read balances without a query. A fresh
receipt is applied once; a replayed one (a retry whose first attempt may
have committed) re-reads its accounts instead of guessing.

A wallet's opening grant is starter credit, in its own account
(`accounts.starter`): purchases and upkeep may draw on it, but every transfer
to another player (bounty, siphon, wreck spill) debits the wallet alone, so
only earned credits ever leave an account and new accounts farm nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
from typing import Final

from infinity.commands.notices import Notice, NoticeKind
from infinity.economy import accounts
from infinity.ledger import (
    AccountKind,
    KeyConflict,
    Ledger,
    Receipt,
    TransferKind,
    TransferRequest,
    UnknownAccount,
)
from infinity.universe.universe import Universe

PLAYER_GRANT: Final = 1_000
NPC_GRANT: Final = 300

_SYSTEM_ACCOUNTS: Final = (
    (accounts.MINT, AccountKind.MINT),
    (accounts.BURN, AccountKind.BURN),
    (accounts.UPKEEP, AccountKind.UPKEEP),
    (accounts.BOUNTY_ESCROW, AccountKind.ESCROW),
    (accounts.UNCLAIMED, AccountKind.ESCROW),
)


class Wallets:
    """Each ship's wallet in the ledger, and the cached balance of every account touched."""

    def __init__(self, universe: Universe, ledger: Ledger, era: int = 0) -> None:
        self.universe = universe
        self.ledger = ledger
        # galaxies erased before this one (the kill switch): each era makes its one-time
        # grants afresh, under keys of its own
        self.era = era
        self.credits: dict[str, int] = {}
        self.epoch = uuid.uuid4().hex[:12]  # keys of this process's transfers never collide
        self._serial = itertools.count()

    def grant_key(self, account: str) -> str:
        """The key of `account`'s one-time grant in this era (replay-safe across restarts)."""
        return f"grant:{account}" if self.era == 0 else f"grant:era{self.era}:{account}"

    def key(self, what: str) -> str:
        """A fresh idempotency key for one transfer (or trade) of this process."""
        return f"{what}:{self.epoch}:{next(self._serial)}"

    # -- reading ----------------------------------------------------------------

    def wallet_of(self, ship: int) -> str:
        return accounts.wallet(ship, self.universe.owners.get(ship))

    def balance(self, account: str) -> int:
        """The cached balance (0 for an account this process never saw)."""
        return self.credits.get(account, 0)

    def held(self, account: str) -> int:
        """What the owner of `account`'s wallet holds: earned credits plus starter credit."""
        wallet = accounts.holder(account)
        return self.balance(wallet) + self.balance(accounts.starter(wallet))

    def credits_of_ship(self, ship: int) -> int:
        return self.held(self.wallet_of(ship))

    def payer(self, wallet: str, amount: int) -> str:
        """The account a wallet's own purchase is paid from, whole: its starter credit while
        that covers `amount`, else its earned credits (a refusal there means no credits)."""
        starter = accounts.starter(wallet)
        return starter if self.balance(starter) >= amount else wallet

    def notice(
        self, kind: NoticeKind, text: str, account: str, amount: int, other: str | None = None
    ) -> Notice:
        """What a player hears of `amount` credits moved: the line, and what they now hold."""
        return Notice(kind=kind, text=text, credits=self.held(account), amount=amount, other=other)

    async def books(self, wallet: str) -> tuple[int, int]:
        return await books(self.ledger, wallet)

    async def statement(
        self, wallet: str, cursor: int | None, limit: int
    ) -> tuple[list[Receipt], int | None]:
        return await statement(self.ledger, wallet, cursor, limit)

    # -- opening ----------------------------------------------------------------

    async def open_system(self) -> None:
        """The mint, burn, upkeep, bounty escrow and unclaimed accounts (idempotent)."""
        for name, kind in _SYSTEM_ACCOUNTS:
            await self.ledger.open_account(name, kind)

    async def fund(self, name: str, kind: AccountKind, grant: int) -> None:
        """Open an account and give it its one-time grant from the mint (replay-safe)."""
        await self.ledger.open_account(name, kind)
        receipt = await self.ledger.transfer(
            TransferRequest.move(
                self.grant_key(name),
                TransferKind.GRANT,
                accounts.MINT,
                name,
                grant,
                memo="opening grant",
            )
        )
        self.applied(receipt)
        self.credits[name] = await self.ledger.balance(name)

    async def open_wallet(self, ship: int, account: int | None) -> None:
        """Open a wallet and its starter account, granting the starter credit once."""
        wallet = accounts.wallet(ship, account)
        grant = PLAYER_GRANT if account is not None else NPC_GRANT
        starter = accounts.starter(wallet)
        for name in (wallet, starter):
            await self.ledger.open_account(name, AccountKind.WALLET)
        request = TransferRequest.move(
            self.grant_key(wallet), TransferKind.GRANT, accounts.MINT, starter, grant,
            memo="opening grant: starter credit",
        )  # fmt: skip
        with contextlib.suppress(KeyConflict):  # granted into the wallet before starter credit
            self.applied(await self.ledger.transfer(request))
        await self.refresh(wallet, starter)

    # -- moving -----------------------------------------------------------------

    async def transfer(self, request: TransferRequest) -> Receipt:
        """Commit `request` and keep the cache in step with it."""
        receipt = await self.ledger.transfer(request)
        if receipt.replayed:
            await self.refresh(*(p.account for p in receipt.postings))
        else:
            self.applied(receipt)
        return receipt

    async def move(
        self, kind: TransferKind, source: str, dest: str, amount: int, memo: str, **actors: int
    ) -> Receipt:
        """`amount` from `source` to `dest` under a fresh key (not retried: see `transfer`)."""
        request = TransferRequest.move(
            self.key(kind.value), kind, source, dest, amount, actors=actors, memo=memo
        )
        return await self.transfer(request)

    def applied(self, receipt: Receipt) -> None:
        """Add a committed transfer's postings to the cache, once (never a replay's)."""
        if receipt.replayed:
            return
        for posting in receipt.postings:
            self.credits[posting.account] = self.balance(posting.account) + posting.amount

    async def refresh(self, *names: str) -> None:
        for name in names:
            self.credits[name] = await self.ledger.balance(name)


async def books(ledger: Ledger, wallet: str) -> tuple[int, int]:
    """A wallet's committed (earned, starter) credits; `UnknownAccount` if it has none.
    (The ledger's word, not a cache: any process may read it.)"""
    earned = await ledger.balance(wallet)
    try:
        return earned, await ledger.balance(accounts.starter(wallet))
    except UnknownAccount:
        return earned, 0


async def statement(
    ledger: Ledger, wallet: str, cursor: int | None, limit: int
) -> tuple[list[Receipt], int | None]:
    """The transfers of a wallet and of its starter credit, newest first, paged as
    `Ledger.history` pages one account: both pages from `cursor`, merged, cut to `limit`."""
    pages = [await ledger.history(wallet, cursor, limit)]
    with contextlib.suppress(UnknownAccount):
        pages.append(await ledger.history(accounts.starter(wallet), cursor, limit))
    merged = {r.transfer_id: r for page, _ in pages for r in page}
    newest = [merged[i] for i in sorted(merged, reverse=True)]
    more = len(newest) > limit or any(after is not None for _, after in pages)
    page = newest[:limit]
    return page, page[-1].transfer_id if more and page else None
