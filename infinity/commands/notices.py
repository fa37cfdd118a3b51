"""What the universe tells one player outside the per-tick frame: typed notices.

The economy and the crews emit these (with `commands.errors.Rejection` for a
refused command); `gateway/wire.py` is the only place that turns them into
bytes. `kind` lets the client react without reading the English `text`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import msgspec

from infinity.commands.errors import Rejection


class NoticeKind(StrEnum):
    BOUGHT = "bought"
    SOLD = "sold"
    REFUNDED = "refunded"
    PENDING = "pending"  # a trade or refund the ledger has not answered yet: it will settle
    SIPHONED = "siphoned"  # the victim's side of a theft
    LOOTED = "looted"
    BOUNTY_PAID = "bounty_paid"
    HUNTED = "hunted"  # your location is being shared: you are hunted
    HUNT = "hunt"  # someone's location is now shared with you (markers follow)
    HUNT_ENDED = "hunt_ended"  # a share you were in (either side) was revoked or expired
    BUILT = "built"  # a builder changed the system you are in under you (a station removed)


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """A line for one player; `credits` is their wallet after it, when that changed."""

    kind: NoticeKind
    text: str
    credits: int | None = None
    amount: int | None = None  # the credits moved, positive
    other: str | None = None  # the other party's name, when there is one (the thief)


# How a service reaches the player flying a ship: (ship id, notice or refusal).
Tell = Callable[[int, Notice | Rejection], None]
