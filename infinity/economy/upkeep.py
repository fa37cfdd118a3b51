"""Crew upkeep: spent synchronously by the crews' purses, settled in the ledger in batches.

A mind decides many times a second across the company; one transfer per
spend would swamp the ledger, so spending accrues a debt per wallet and
whole credits of it move to the upkeep account every `UPKEEP_EVERY` seconds,
from the wallet's starter credit first (upkeep is the wallet's own need).
"""

from __future__ import annotations

from typing import Final

from infinity.economy import accounts
from infinity.economy.wallets import Wallets
from infinity.ledger import LedgerError, Posting, TransferKind, TransferRequest

UPKEEP_EVERY: Final = 10.0  # wall seconds between upkeep settlements


class Upkeep:
    """Upkeep owed per wallet until the ledger has it."""

    def __init__(self, wallets: Wallets) -> None:
        self.wallets = wallets
        self._owed: dict[str, float] = {}

    def owe_upkeep(self, ship: int, credits: float) -> None:
        """A crew spent `credits` on upkeep: settled in the ledger with the next batch."""
        wallet = self.wallets.wallet_of(ship)
        self._owed[wallet] = self._owed.get(wallet, 0.0) + credits

    def spendable_of_ship(self, ship: int) -> float:
        """What the ship holds (starter credit too: upkeep is its own need) less upkeep already
        spent but not yet settled in the ledger."""
        wallet = self.wallets.wallet_of(ship)
        return max(0.0, self.wallets.held(wallet) - self._owed.get(wallet, 0.0))

    async def settle(self) -> int:
        """Move whole credits of accrued upkeep to the upkeep account, in one batch."""
        owed = self._payable()
        if not owed:
            return 0
        requests = [self._request(wallet, amount) for wallet, amount in owed]
        paid = 0
        outcomes = await self.wallets.ledger.transfer_many(requests)
        for (wallet, amount), outcome in zip(owed, outcomes, strict=True):
            if isinstance(outcome, LedgerError):
                continue  # still owed: retried with the next batch
            self._owed[wallet] -= amount
            self.wallets.applied(outcome)
            paid += amount
        return paid

    def _payable(self) -> list[tuple[str, int]]:
        """Whole credits owed per wallet, as far as it holds them."""
        due = (
            (wallet, min(int(owed), self.wallets.held(wallet)))
            for wallet, owed in self._owed.items()
        )
        return [(wallet, amount) for wallet, amount in due if amount > 0]

    def _request(self, wallet: str, amount: int) -> TransferRequest:
        """`amount` to the upkeep account, from the starter credit first, then earned credits."""
        starter = accounts.starter(wallet)
        first = min(amount, self.wallets.balance(starter))
        legs = [
            Posting(starter, -first),
            Posting(wallet, first - amount),
            Posting(accounts.UPKEEP, amount),
        ]
        return TransferRequest(
            self.wallets.key("upkeep"), TransferKind.UPKEEP,
            tuple(leg for leg in legs if leg.amount != 0), memo="crew upkeep",
        )  # fmt: skip
