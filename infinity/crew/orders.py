"""Captain's orders: what a crew can be told to do, parsed from a chat line or built directly."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class OrderKind(StrEnum):
    ATTACK = "attack"  # engage `target`
    MINE = "mine"  # go mining
    DOCK = "dock"  # dock at a station
    FOLLOW = "follow"  # keep with `target` ("follow me": the captain's ship)
    FLEE = "flee"  # break off and run from danger
    STEAL = "steal"  # close in on the mark and siphon its wallet
    STAND_DOWN = "stand_down"  # cancel the standing order


@dataclass(frozen=True, slots=True)
class Order:
    """One order from a captain. `target` is an entity id (attack, follow) or -1.

    `hostile` says whether the target has fired on this crew: attacking an
    innocent ship is what a gentle crew member may refuse.
    """

    kind: OrderKind
    at: float
    target: int = -1
    target_name: str = ""
    hostile: bool = False
    captain: str = ""  # who gave it, as they are called


_VERBS: Final = {
    "attack": OrderKind.ATTACK,
    "engage": OrderKind.ATTACK,
    "fire on": OrderKind.ATTACK,
    "mine": OrderKind.MINE,
    "dock": OrderKind.DOCK,
    "follow": OrderKind.FOLLOW,
    "flee": OrderKind.FLEE,
    "run": OrderKind.FLEE,
    "rob": OrderKind.STEAL,
    "siphon": OrderKind.STEAL,
    "retreat": OrderKind.FLEE,
    "stand down": OrderKind.STAND_DOWN,
    "belay": OrderKind.STAND_DOWN,
}
_ORDER: Final = re.compile(
    r"^\s*(?:crew[,:]?\s*)?(" + "|".join(map(re.escape, _VERBS)) + r")\b\s*(.*?)[.!]*\s*$",
    re.IGNORECASE,
)


def parse_order(
    text: str,
    at: float,
    names: Mapping[str, int],
    *,
    captain: str = "",
    captain_ship: int = -1,
    hostile: frozenset[int] = frozenset(),
) -> Order | None:
    """Read "attack Vex", "rob Vex", "follow me", "mine", "dock", "flee", "stand down"; None if not an order.

    `names` maps lowercased ship names in view to ids; "me" means the captain's ship.
    An attack or follow without a known target is not an order.
    """
    found = _ORDER.match(text)
    if found is None:
        return None
    kind = _VERBS[found.group(1).lower()]
    rest = found.group(2).strip().lower()
    if kind not in (OrderKind.ATTACK, OrderKind.FOLLOW, OrderKind.STEAL):
        return Order(kind, at, captain=captain)
    if rest in ("me", "") and kind == OrderKind.FOLLOW:
        target, name = captain_ship, captain
    else:
        target = names.get(rest, -1)
        name = rest
    if target < 0:
        return None
    return Order(kind, at, target, name, target in hostile, captain)
