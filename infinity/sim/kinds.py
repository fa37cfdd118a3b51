"""What an entity is. Stored as int8 in the zone's `kind` column and sent on the wire."""

from __future__ import annotations

from enum import IntEnum


class Kind(IntEnum):
    SHIP = 1
    TORPEDO = 2
    ASTEROID = 3
    STATION = 4
    GATE = 5
    STAR = 6
    WRECK = 7  # what is left of a destroyed ship: cargo (and, in the ledger, credits) to loot


MOVING_KINDS = (Kind.SHIP, Kind.TORPEDO)
