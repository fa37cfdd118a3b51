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


class Voyage(msgspec.Struct, frozen=True, kw_only=True):
    """(Worlds) send a ship to another world: it leaves like a gate jump and arrives docked at
    `station` of `system`, whose station becomes its home (`home_station` of `home_system`)
    until it comes back the same way."""

    ship: EntityId
    system: Annotated[int, msgspec.Meta(ge=0)]
    station: EntityId
    x: Coordinate
    y: Coordinate
    home_station: EntityId
    home_system: Annotated[int, msgspec.Meta(ge=0)]
    seq: int = 0


BodyId = Annotated[int, msgspec.Meta(ge=1, lt=2**32)]  # the wire sends ids as u32
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
BodyKind = Literal["station", "gate", "asteroid"]


class Raise(msgspec.Struct, frozen=True, kw_only=True):
    """(Building) put a new station, gate or asteroid into the zone's system.

    The worlds service has checked the builder, resolved names and taken `body` from the
    store's counter, so the zone only places it. A gate carries where it leads (`leads_to`,
    the system, and `dest_gate`, the gate ships arrive at there); an asteroid its `ore`.
    """

    body: BodyId
    kind: BodyKind
    name: Label
    x: Coordinate
    y: Coordinate
    ore: Annotated[float, msgspec.Meta(ge=0.0)] = 0.0
    leads_to: int = -1
    dest_gate: int = -1
    seq: int = 0


class Rename(msgspec.Struct, frozen=True, kw_only=True):
    """(Building) give a body of the zone a new name; clients see it on their next frame."""

    body: BodyId
    name: Label
    seq: int = 0


class Relocate(msgspec.Struct, frozen=True, kw_only=True):
    """(Building) move a body of the zone to (x, y); ships docked at a station move with it."""

    body: BodyId
    x: Coordinate
    y: Coordinate
    seq: int = 0


class Raze(msgspec.Struct, frozen=True, kw_only=True):
    """(Building) remove a station, gate or asteroid from the zone. Ships docked at a razed
    station are put out at a safe distance and rehomed: none is ever stranded."""

    body: BodyId
    seq: int = 0


class Rehome(msgspec.Struct, frozen=True, kw_only=True):
    """Ships here whose home was the razed `station` now call `home` home (-1: the system it
    was in has no station left). The universe sends it to every other zone after a `Raze`,
    since a ship away from home is in another zone's keeping."""

    station: BodyId
    home: int
    seq: int = 0


ShipCommand = Grant | Take | Warp | Destroy | Mend | Speak | Voyage
"""Routed by ship (`Universe.submit`): the zone that owns the ship applies it."""
BodyCommand = Raise | Rename | Relocate | Raze | Rehome
"""Routed by system (`Universe.submit_to`): a body never leaves its zone, so the caller
names the zone, and the command carries no ship."""
SystemCommand = ShipCommand | BodyCommand
