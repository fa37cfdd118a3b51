"""Commands only the server issues (the economy settling a trade). Never decoded from clients.

They go through the same zone inbox and handlers as player commands, so the
zone stays the only writer of its columns.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from infinity.commands.types import Coordinate, EntityId

Good = Literal["ore", "fuel", "torpedo", "repair"]


class Grant(msgspec.Struct, frozen=True, kw_only=True):
    """Put goods paid for (or returned) into a ship; `key` makes a retry harmless."""

    ship: EntityId
    good: Good
    quantity: Annotated[float, msgspec.Meta(gt=0.0)]
    key: str
    seq: int = 0


class Take(msgspec.Struct, frozen=True, kw_only=True):
    """Remove sold goods the economy was paid for (`paid`), or release an unpaid reservation."""

    ship: EntityId
    quantity: Annotated[float, msgspec.Meta(ge=0.0)]
    key: str
    paid: bool = True
    good: Literal["ore"] = "ore"
    seq: int = 0


class Warp(msgspec.Struct, frozen=True, kw_only=True):
    """(Operators) put a ship at (x, y) of `system`: in place, or leaving like a gate jump."""

    ship: EntityId
    system: Annotated[int, msgspec.Meta(ge=0)]
    x: Coordinate
    y: Coordinate
    seq: int = 0


class Destroy(msgspec.Struct, frozen=True, kw_only=True):
    """(Operators) destroy a ship the way weapons do: a wreck, and a respawn at home."""

    ship: EntityId
    seq: int = 0


class Mend(msgspec.Struct, frozen=True, kw_only=True):
    """(Operators) restore a ship's hull, shield and energy to full, free of charge."""

    ship: EntityId
    seq: int = 0


class Speak(msgspec.Struct, frozen=True, kw_only=True):
    """A crew member aboard someone else's ship (a recruit on a player's) says a line in local
    chat under its own name, not the ship's."""

    ship: EntityId
    speaker: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=280)]
    seq: int = 0


SystemCommand = Grant | Take | Warp | Destroy | Mend | Speak
