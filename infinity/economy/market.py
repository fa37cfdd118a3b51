"""Station markets: prices that move with supply and demand. Pure: no I/O, no credits.

Each station keeps a stock per good. Price is the base price scaled by how
far stock is from the station's target (scarce goods cost more, gluts pay
less), clamped so a market never gives goods away or charges absurd sums.
Stocks drift back toward target as stations consume ore and make fuel and
torpedoes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

BASE_PRICE: Final = {"ore": 12.0, "fuel": 2.0, "torpedo": 60.0, "repair": 4.0}
TARGET_STOCK: Final = {"ore": 500.0, "fuel": 2000.0, "torpedo": 100.0}
PRICE_FLOOR: Final = 0.4
PRICE_CEILING: Final = 2.5
DRIFT_PER_SECOND: Final = 0.002


class Refused(Exception):
    """The market will not make this trade (too small, or out of stock)."""


@dataclass(slots=True)
class Market:
    station: int
    stock: dict[str, float] = field(default_factory=lambda: dict(TARGET_STOCK))

    def price(self, good: str) -> float:
        """Credits per unit right now."""
        target = TARGET_STOCK.get(good)
        if target is None:  # services (repair) are not stocked
            return BASE_PRICE[good]
        scarcity = math.sqrt(target / max(self.stock.get(good, 0.0), 1.0))
        return BASE_PRICE[good] * min(PRICE_CEILING, max(PRICE_FLOOR, scarcity))

    def quote(self, good: str, quantity: float, selling: bool) -> int:
        """Whole credits for a trade: sellers are paid rounded down, buyers charged rounded up."""
        raw = self.price(good) * quantity
        credits = math.floor(raw) if selling else math.ceil(raw)
        if credits <= 0:
            raise Refused("too small to trade")
        if not selling and good in TARGET_STOCK and self.stock.get(good, 0.0) < quantity:
            raise Refused(f"the station has only {self.stock.get(good, 0.0):.0f} {good}")
        return credits

    def settle(self, good: str, quantity: float, selling: bool) -> None:
        """Record a completed trade in the stock (only after the credits moved)."""
        if good in TARGET_STOCK:
            self.stock[good] = self.stock.get(good, 0.0) + (quantity if selling else -quantity)

    def drift(self, seconds: float) -> None:
        keep = (1.0 - DRIFT_PER_SECOND) ** seconds
        for good, target in TARGET_STOCK.items():
            self.stock[good] = target + (self.stock.get(good, target) - target) * keep

    def prices(self) -> dict[str, int]:
        return {good: max(1, round(self.price(good))) for good in BASE_PRICE}
