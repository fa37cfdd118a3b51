"""Ledger account names: one place decides whose credits live where."""

from __future__ import annotations

from typing import Final

MINT: Final = "mint"
BURN: Final = "burn"
UPKEEP: Final = "upkeep"
BOUNTY_ESCROW: Final = "escrow:bounty"
LAW: Final = "law:stations"  # the stations' purse for wanted bounties on thieving crews
LAW_POSTER: Final = 0  # the poster of a bounty the law posts (no account has id 0)
STARTER_PREFIX: Final = "starter:"
UNCLAIMED: Final = "escrow:unclaimed"  # wreck credits whose owner cannot be traced
WALLETS: Final = "wallet:"  # every wallet's name starts so
WRECKS: Final = "escrow:wreck:"  # every wreck's escrow, of any run


def wallet(ship: int, account: int | None) -> str:
    """A player's credits belong to the account (they survive losing ships); an NPC's to its ship."""
    return f"wallet:player:{account}" if account is not None else f"wallet:ship:{ship}"


def starter(wallet: str) -> str:
    """A wallet's starter credit: its opening grant, which pays only for the wallet's own
    needs at stations and upkeep, so it can never be moved to another player."""
    return f"{STARTER_PREFIX}{wallet}"


def holder(account: str) -> str:
    """The wallet an account belongs to: a starter account's wallet, else the account."""
    return account.removeprefix(STARTER_PREFIX)


def market(station: int) -> str:
    return f"market:station:{station}"


def wreck(wreck_id: int, run: str) -> str:
    """Credits spilled from a destroyed ship, held until someone loots the wreck (wreck ids
    start again in every run, so the run's epoch is part of the name)."""
    return f"{wreck_prefix(run)}{wreck_id}"


def wreck_prefix(run: str) -> str:
    """The start of the name of every wreck escrow of one run."""
    return f"{WRECKS}{run}:"
