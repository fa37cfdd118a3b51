"""Why a command was refused. Codes are part of the protocol (docs/protocol.md)."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Reason(StrEnum):
    # frame-level (gateway)
    BAD_FRAME = "bad_frame"
    UNKNOWN_TYPE = "unknown_type"
    INVALID = "invalid"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    NOT_YOUR_SHIP = "not_your_ship"
    NOT_JOINED = "not_joined"
    MUTED = "muted"  # an operator muted the account: its chat is refused until expiry
    NOT_YOUR_POST = "not_your_post"  # a bridge post gives only some orders on a flagship
    # rule-level (zone)
    UNKNOWN_ENTITY = "unknown_entity"
    WRONG_KIND = "wrong_kind"
    OUT_OF_RANGE = "out_of_range"
    COOLDOWN = "cooldown"
    NO_ENERGY = "no_energy"
    NO_TARGET = "no_target"
    NO_AMMO = "no_ammo"
    DOCKED = "docked"
    NOT_DOCKED = "not_docked"
    CARGO_FULL = "cargo_full"
    DEPLETED = "depleted"
    DESTROYED = "destroyed"
    NO_FUEL = "no_fuel"
    NOT_ENOUGH = "not_enough"
    SALE_PENDING = "sale_pending"  # ore on sale keeps its ship docked until paid
    NO_ECONOMY = "no_economy"  # the world has no economy: trades are refused at the zone
    # economy-level (ledger)
    NO_CREDITS = "no_credits"
    MARKET_CLOSED = "market_closed"


class Rejection(msgspec.Struct, frozen=True):
    """A refused command: nothing changed."""

    reason: Reason
    detail: str
    seq: int = 0


class Refusal(Exception):
    """A typed "no" from a service: `reason` is a stable code for clients, `detail` says why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class Rejected(Exception):
    """Raised by a command handler to refuse; carries the typed reason."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
