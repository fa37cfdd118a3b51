"""The ledger's vocabulary: account and transfer kinds, requests, receipts, audit reports.

Amounts are integer credits. A posting's amount is added to its account's
balance: positive credits it, negative debits it. A transfer is two or more
postings that sum to zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from infinity.ledger.errors import InvalidTransfer


class AccountKind(StrEnum):
    """What an account is for; only `MINT` may go below zero."""

    WALLET = "wallet"  # a player's or a ship's credits
    CREW = "crew"  # a crew's shared purse
    MARKET = "market"  # a station's till
    MINT = "mint"  # where credits come from: its balance is minus everything minted
    BURN = "burn"  # where credits go to die: its balance is everything burned
    UPKEEP = "upkeep"  # collects crew upkeep
    ESCROW = "escrow"  # holds posted bounties until paid out


class TransferKind(StrEnum):
    """Why credits moved; stored with every transfer."""

    TRADE = "trade"  # a market sale or purchase, its refund, or freight paid for
    MINING = "mining"  # ore mined, paid from the mint
    UPKEEP = "upkeep"  # a crew's upkeep
    BOUNTY = "bounty"  # a bounty posted into escrow, or paid out of it
    LOOT = "loot"  # credits spilled into a wreck, looted from it, or returned from it
    THEFT = "theft"  # a siphon's take; its "victim" actor feeds `Ledger.victims`
    TRANSFER = "transfer"  # moved by an operator (or by the killswitch, to the burn)
    FEE = "fee"  # a charge for a service
    GRANT = "grant"  # credits given from the mint: a starter grant or an operator's


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of a transfer: `amount` credits added to (or, negative, taken from) `account`."""

    account: str  # its name: "mint", "wallet:…", "escrow:bounty"…
    amount: int


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """A transfer to make, once: a second request with the same `key` is a replay.

    `postings` must sum to zero, have 2 to `MAX_LEGS` legs on distinct, existing
    accounts, and no zero amount. `actors` names who took part by role, e.g.
    `{"thief": ship_id, "victim": ship_id}`; a THEFT's "victim" feeds `Ledger.victims`.
    """

    key: str
    kind: TransferKind
    postings: tuple[Posting, ...]
    actors: Mapping[str, int] = field(default_factory=dict)
    memo: str = ""

    @classmethod
    def move(
        cls,
        key: str,
        kind: TransferKind,
        source: str,
        dest: str,
        amount: int,
        *,
        actors: Mapping[str, int] | None = None,
        memo: str = "",
    ) -> TransferRequest:
        """`amount` (> 0) credits from `source` to `dest`; `InvalidTransfer` otherwise."""
        if type(amount) is not int or amount <= 0:
            raise InvalidTransfer(f"amount must be a positive integer, not {amount!r}", key)
        legs = (Posting(source, -amount), Posting(dest, amount))
        return cls(key, kind, legs, {} if actors is None else actors, memo)


@dataclass(frozen=True, slots=True)
class Receipt:
    """A committed transfer. `postings` are sorted by account; `replayed` is True when
    this answers a repeated request (the transfer happened once, earlier, at `at`)."""

    transfer_id: int
    key: str
    kind: TransferKind
    postings: tuple[Posting, ...]
    actors: Mapping[str, int]
    memo: str
    at: float  # unix seconds of the commit
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The books checked in one snapshot; `problems` is empty when every invariant holds.

    `minted` is minus the sum of MINT balances, `burned` the sum of BURN balances,
    `circulating` the sum of every other balance. Double entry makes the sum of
    all balances zero, so `circulating == minted - burned`.
    """

    problems: list[str]
    accounts: int
    transfers: int
    postings: int
    minted: int
    burned: int
    circulating: int

    @property
    def ok(self) -> bool:
        return not self.problems
