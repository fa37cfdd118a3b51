"""Crew upkeep: spent synchronously by the crews' purses, settled in the ledger in batches.

A mind decides many times a second across the company; one transfer per
spend would swamp the ledger, so spending accrues a debt per wallet and
whole credits of it move to the upkeep account every `UPKEEP_EVERY` seconds.
"""

from __future__ import annotations

from typing import Final

from infinity.economy import accounts
from infinity.economy.wallets import Wallets
from infinity.ledger import LedgerError, TransferKind, TransferRequest

UPKEEP_EVERY: Final = 10.0  # wall seconds between upkeep settlements


class Upkeep:
    """Upkeep owed per wallet until the ledger has it."""

    def __init__(self, wallets: Wallets) -> None:
        self.wallets = wallets
        self._owed: dict[str, float] = {}

    def owe(self, ship: int, credits: float) -> None:
        wallet = self.wallets.wallet_of(ship)
        self._owed[wallet] = self._owed.get(wallet, 0.0) + credits

    def spendable_of_ship(self, ship: int) -> float:
        """The ship's credits less upkeep already spent but not yet settled in the ledger."""
        wallet = self.wallets.wallet_of(ship)
        return max(0.0, self.wallets.balance(wallet) - self._owed.get(wallet, 0.0))

    async def settle(self) -> int:
        """Move whole credits of accrued upkeep to the upkeep account, in one batch."""
        requests = self._requests()
        if not requests:
            return 0
        paid = 0
        outcomes = await self.wallets.ledger.transfer_many(requests)
        for request, outcome in zip(requests, outcomes, strict=True):
            if isinstance(outcome, LedgerError):
                continue  # still owed: retried with the next batch
            wallet, amount = request.postings[0].account, request.postings[1].amount
            self._owed[wallet] -= amount
            self.wallets.applied(outcome)
            paid += amount
        return paid

    def _requests(self) -> list[TransferRequest]:
        requests = []
        for wallet, owed in self._owed.items():
            amount = min(int(owed), self.wallets.balance(wallet))
            if amount > 0:
                requests.append(
                    TransferRequest.move(
                        self.wallets.key("upkeep"), TransferKind.UPKEEP, wallet,
                        accounts.UPKEEP, amount, memo="crew upkeep",
                    )
                )  # fmt: skip
        return requests
