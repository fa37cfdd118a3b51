"""What the universe's repositories hand back: plain frozen rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from infinity.sim.zone import ShipState

CREW_ROLE: Final = "crew"  # a ship the digital crews fly (migration 0008 gave old ones this role)
FLAGSHIP_ROLE: Final = "flagship"  # a world's flagship: flown from its bridge by players
SHIP_ROLES: Final = frozenset({"player", "miner", "patrol", "trader", CREW_ROLE, FLAGSHIP_ROLE})


@dataclass(frozen=True, slots=True)
class SavedShip:
    """A ship as it was last written: which system it is in, what it does, and its state."""

    system_id: int
    role: str  # one of SHIP_ROLES
    state: ShipState


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One message said in a star system."""

    system_id: int
    ship_id: int
    name: str
    text: str
    at: float
