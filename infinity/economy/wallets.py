"""Wallets: whose credits are where, their one-time grants, and a cache of balances.

The ledger is the truth; `credits` is a copy kept in step from receipts, so
the HUD and the crews' purses read balances without a query. A fresh
receipt is applied once; a replayed one (a retry whose first attempt may
have committed) re-reads its accounts instead of guessing.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Final

from infinity.economy import accounts
from infinity.ledger import AccountKind, Ledger, Receipt, TransferKind, TransferRequest
from infinity.universe.universe import Universe

PLAYER_GRANT: Final = 1_000
NPC_GRANT: Final = 300

_SYSTEM_ACCOUNTS: Final = (
    (accounts.MINT, AccountKind.MINT),
    (accounts.BURN, AccountKind.BURN),
    (accounts.UPKEEP, AccountKind.UPKEEP),
    (accounts.BOUNTY_ESCROW, AccountKind.ESCROW),
)


class Wallets:
    """Each ship's wallet in the ledger, and the cached balance of every account touched."""

    def __init__(self, universe: Universe, ledger: Ledger) -> None:
        self.universe = universe
        self.ledger = ledger
        self.credits: dict[str, int] = {}
        self.epoch = uuid.uuid4().hex[:12]  # keys of this process's transfers never collide
        self._serial = itertools.count()

    def key(self, what: str) -> str:
        """A fresh idempotency key for one transfer (or trade) of this process."""
        return f"{what}:{self.epoch}:{next(self._serial)}"

    # -- reading ----------------------------------------------------------------

    def wallet_of(self, ship: int) -> str:
        return accounts.wallet(ship, self.universe.owners.get(ship))

    def balance(self, account: str) -> int:
        """The cached balance (0 for an account this process never saw)."""
        return self.credits.get(account, 0)

    def credits_of_ship(self, ship: int) -> int:
        return self.balance(self.wallet_of(ship))

    # -- opening ----------------------------------------------------------------

    async def open_system(self) -> None:
        """The mint, burn, upkeep and bounty escrow accounts (idempotent)."""
        for name, kind in _SYSTEM_ACCOUNTS:
            await self.ledger.open_account(name, kind)

    async def fund(self, name: str, kind: AccountKind, grant: int) -> None:
        """Open an account and give it its one-time grant from the mint (replay-safe)."""
        await self.ledger.open_account(name, kind)
        receipt = await self.ledger.transfer(
            TransferRequest.move(
                f"grant:{name}",
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
        grant = PLAYER_GRANT if account is not None else NPC_GRANT
        await self.fund(accounts.wallet(ship, account), AccountKind.WALLET, grant)

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
