"""Every command that acts in the universe, from a player, an NPC or (later) an agent.

**API boundary.** These structs are the game protocol's client-to-server
messages (see docs/protocol.md) and the only way anything changes a zone.
Field limits are part of the type, so a decoded command is already
well-formed; the zone then checks it against the rules of the moment.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

EntityId = Annotated[int, msgspec.Meta(ge=0, lt=2**32)]
Unit = Annotated[float, msgspec.Meta(ge=-1.0, le=1.0)]
Coordinate = Annotated[float, msgspec.Meta(ge=-1e6, le=1e6)]
Seq = Annotated[int, msgspec.Meta(ge=0, lt=2**31)]


class _Command(
    msgspec.Struct,
    tag_field="t",
    forbid_unknown_fields=True,
    frozen=True,
    kw_only=True,
    gc=False,  # scalars only, so never in a cycle: a command waiting for its tick is no
    # work for the collector (thousands a second would otherwise trigger full collections)
):
    ship: EntityId
    seq: Seq = 0


class Thrust(_Command, tag="thrust", frozen=True):
    """Set throttle (-1 reverse .. 1 full ahead) and turn rate (-1 right .. 1 left).

    Cancels any move-to.
    """

    throttle: Unit = 0.0
    turn: Unit = 0.0


class MoveTo(_Command, tag="move_to", frozen=True):
    """Fly to a point in the system and stop there (autopilot)."""

    x: Coordinate
    y: Coordinate


class Stop(_Command, tag="stop", frozen=True):
    """Cut the engines and let flight assist bleed off speed."""


class Target(_Command, tag="target", frozen=True):
    """Lock a target for beams and torpedoes; `target` None clears the lock."""

    target: EntityId | None = None


class Fire(_Command, tag="fire", frozen=True):
    """Fire the beam at the locked target (range, energy and cooldown apply)."""


class LaunchTorpedo(_Command, tag="torpedo", frozen=True):
    """Launch a torpedo that homes on the locked target, or flies straight ahead."""


class Dock(_Command, tag="dock", frozen=True):
    """Dock at a station in range. Docked ships are safe and refit torpedoes."""

    station: EntityId


class Undock(_Command, tag="undock", frozen=True):
    """Leave the station you are docked at."""


class Mine(_Command, tag="mine", frozen=True):
    """Mine an asteroid in range into cargo until full, out of range or told to stop."""

    asteroid: EntityId | None = None  # None: the nearest one


class Unload(_Command, tag="unload", frozen=True):
    """Deliver the cargo hold to the station you are docked at."""


class Jump(_Command, tag="jump", frozen=True):
    """Jump through a gate in range into the star system it leads to."""

    gate: EntityId


class Say(_Command, tag="say", frozen=True):
    """Speak on the local channel of your star system."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=280)]


Quantity = Annotated[float, msgspec.Meta(gt=0.0, le=1000.0)]


class Sell(_Command, tag="sell", frozen=True):
    """Sell ore from your hold to the station you are docked at, at its market price."""

    quantity: Quantity
    good: Literal["ore"] = "ore"


class Buy(_Command, tag="buy", frozen=True):
    """Buy fuel or torpedoes at the station you are docked at; paid from your wallet."""

    good: Literal["fuel", "torpedo"]
    quantity: Quantity


class Repair(_Command, tag="repair", frozen=True):
    """Repair your hull to full at the station you are docked at; paid from your wallet."""


class Siphon(_Command, tag="siphon", frozen=True):
    """Drain credits from a ship within 800 m; `target` None stops. Recorded as theft."""

    target: EntityId | None = None


class Loot(_Command, tag="loot", frozen=True):
    """Take what a wreck within 300 m holds: its ore and the credits it carries."""

    wreck: EntityId


Command = (
    Thrust
    | MoveTo
    | Stop
    | Target
    | Fire
    | LaunchTorpedo
    | Dock
    | Undock
    | Mine
    | Unload
    | Jump
    | Say
    | Sell
    | Buy
    | Repair
    | Siphon
    | Loot
)
COMMAND_TYPES: tuple[type[_Command], ...] = (
    Thrust,
    MoveTo,
    Stop,
    Target,
    Fire,
    LaunchTorpedo,
    Dock,
    Undock,
    Mine,
    Unload,
    Jump,
    Say,
    Sell,
    Buy,
    Repair,
    Siphon,
    Loot,
)
