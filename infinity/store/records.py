"""What the store hands back: plain frozen rows, converted by hand from SQL results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from infinity.sim.zone import ShipState

ROLES: Final = frozenset({"player", "operator"})
SHIP_ROLES: Final = frozenset({"player", "miner", "patrol", "trader"})


@dataclass(frozen=True, slots=True)
class Account:
    """A player or operator login; the password hash never leaves the store in this record."""

    id: int
    name: str
    role: str
    created_at: float


@dataclass(frozen=True, slots=True)
class SavedShip:
    """A ship as it was last written: which system it is in, what it does, and its state."""

    system_id: int
    role: str
    state: ShipState


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One message said in a star system."""

    system_id: int
    ship_id: int
    name: str
    text: str
    at: float
