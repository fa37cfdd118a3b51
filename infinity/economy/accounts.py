"""Ledger account names: one place decides whose credits live where."""

from __future__ import annotations

from typing import Final

MINT: Final = "mint"
BURN: Final = "burn"
UPKEEP: Final = "upkeep"
BOUNTY_ESCROW: Final = "escrow:bounty"


def wallet(ship: int, account: int | None) -> str:
    """A player's credits belong to the account (they survive losing ships); an NPC's to its ship."""
    return f"wallet:player:{account}" if account is not None else f"wallet:ship:{ship}"


def market(station: int) -> str:
    return f"market:station:{station}"


def wreck(wreck_id: int, run: str) -> str:
    """Credits spilled from a destroyed ship, held until someone loots the wreck."""
    return f"escrow:wreck:{run}:{wreck_id}"
