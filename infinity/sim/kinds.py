"""What an entity is. Stored as int8 in the zone's `kind` column and sent on the wire."""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class Kind(IntEnum):
    SHIP = 1
    TORPEDO = 2
    ASTEROID = 3
    STATION = 4
    GATE = 5
    STAR = 6
    WRECK = 7  # what is left of a destroyed ship: cargo (and, in the ledger, credits) to loot


# The kinds as plain ints, for comparing whole columns: numpy compares an array with an
# int five times faster than with an IntEnum member (it looks up array dunders on the
# enum's class, a slow miss through EnumType.__getattr__), and the systems do so per tick.
SHIP: Final = int(Kind.SHIP)
TORPEDO: Final = int(Kind.TORPEDO)
ASTEROID: Final = int(Kind.ASTEROID)
STATION: Final = int(Kind.STATION)
WRECK: Final = int(Kind.WRECK)

MOVING_KINDS = (Kind.SHIP, Kind.TORPEDO)
