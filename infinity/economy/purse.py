"""A crew member's purse backed by its ship's wallet in the ledger.

The crew's mind reads and spends synchronously (it runs inside the per-second
decision step); the economy settles what was spent as UPKEEP transfers in
batches, so credits leave the books only through the ledger.
"""

from __future__ import annotations

from collections.abc import Callable

from infinity.economy.service import Economy


class WalletPurse:
    """The share of a ship's wallet one member may count on; spending accrues upkeep owed."""

    __slots__ = ("_aboard", "_economy", "_ship")

    def __init__(
        self, economy: Economy, ship: Callable[[], int | None], aboard: Callable[[], int]
    ) -> None:
        self._economy = economy
        self._ship = ship
        self._aboard = aboard

    @property
    def balance(self) -> float:
        ship = self._ship()
        if ship is None:
            return 0.0
        return self._economy.spendable_of_ship(ship) / max(1, self._aboard())

    def spend(self, amount: float, memo: str) -> float:
        ship = self._ship()
        if ship is None or amount <= 0.0:
            return 0.0
        paid = min(amount, self.balance)
        self._economy.owe_upkeep(ship, paid)
        return paid

    def receive(self, amount: float, memo: str) -> None:
        """Income arrives as ledger transfers (ore delivered is paid by the station)."""
