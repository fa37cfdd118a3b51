"""A crew member's purse backed by its ship's wallet in the ledger.

The crew's mind reads and spends synchronously (it runs inside the per-second
decision step); the economy settles what was spent as UPKEEP transfers in
batches, so credits leave the books only through the ledger. `ShipPurses` is
the `PurseOf` the company gives every agent it grows, restores or enlists, so
no agent ever spends from anywhere but the ledger.
"""

from __future__ import annotations

from typing import Protocol

from infinity.crew.mind import Minds
from infinity.crew.needs import Purse


class Upkeep(Protocol):
    """What a purse asks of the economy: a ship's spendable credits, and spending them."""

    def spendable_of_ship(self, ship: int) -> float: ...

    def owe_upkeep(self, ship: int, credits: float) -> None: ...


class WalletPurse:
    """The share of a ship's wallet one member may count on; spending accrues upkeep owed.

    The ship and the crew size are looked up at each use, so an agent that changes
    ships or crews spends from its new wallet, shared by its new crew.
    """

    __slots__ = ("_agent", "_economy", "_minds")

    def __init__(self, economy: Upkeep, minds: Minds, agent: int) -> None:
        self._economy = economy
        self._minds = minds
        self._agent = agent

    def _ship(self) -> int | None:
        agent = self._minds.agents.get(self._agent)
        return None if agent is None else agent.ship

    def _aboard(self) -> int:
        agent = self._minds.agents.get(self._agent)
        crew = None if agent is None or agent.crew is None else self._minds.crews.get(agent.crew)
        return len(crew.members) if crew is not None else 1

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


class ShipPurses:
    """Gives each agent of `minds` a `WalletPurse`: a `PurseOf` for the company."""

    def __init__(self, economy: Upkeep, minds: Minds) -> None:
        self._economy = economy
        self._minds = minds

    def __call__(self, agent: int, credits: float) -> Purse:
        return WalletPurse(self._economy, self._minds, agent)
