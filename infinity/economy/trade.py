"""One trade's life: its states, the legal transitions, and the record that holds them.

    QUOTED ──journal──▶ PENDING ──charge──▶ CHARGED ──zone moved goods──▶ GRANTED
      │                  │  ▲                                               │  ▲
      │ journal failed   │  └─ ledger outage: stays PENDING, same key       │  │ snapshot
      ▼                  ▼     retried (a replay answers if it committed)   ▼  │ failed
    CANCELLED ◀──ledger refused                                        DELIVERED

- QUOTED: priced by the station's market; nothing written anywhere yet.
- PENDING: journalled (`journal.py`); the credits may or may not have moved.
  Only here can an outage leave a trade, and only a retry with the same key
  moves it on, so it is settled once or refused once, never both.
- CHARGED: the ledger committed the transfer; the zone was asked (`Grant`,
  `Take`) to move the goods.
- GRANTED: the zone moved them; the next ship snapshot will store the goods.
- DELIVERED: handed to a snapshot, which marks the journal row delivered in
  its own transaction. Terminal, unless that snapshot fails (back to GRANTED).
- CANCELLED: refused before any credits moved; a sale's reserved ore is
  released. Terminal.

A market refusal (no market, too small, out of stock) is decided before a
price exists, so it never becomes a trade at all.

Where the state lives: the journal row is the source of truth across
restarts (pending, delivered, cancelled); in a running process the
`TradeDesk` holds each open `Trade` and is the only thing that moves it.
Two zone columns take part but decide nothing: `Bodies.reserved` is the ore
promised to open sales (so the zone can refuse to sell it twice within a
tick, without waiting for the economy), and `Zone._keys` makes a repeated
`Grant`/`Take` harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class TradeState(StrEnum):
    QUOTED = "quoted"
    PENDING = "pending"
    CHARGED = "charged"
    GRANTED = "granted"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


TRANSITIONS: Final[dict[TradeState, frozenset[TradeState]]] = {
    TradeState.QUOTED: frozenset({TradeState.PENDING, TradeState.CANCELLED}),
    TradeState.PENDING: frozenset({TradeState.CHARGED, TradeState.CANCELLED}),
    TradeState.CHARGED: frozenset({TradeState.GRANTED}),
    TradeState.GRANTED: frozenset({TradeState.DELIVERED}),
    TradeState.DELIVERED: frozenset({TradeState.GRANTED}),  # the snapshot failed
    TradeState.CANCELLED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A trade was asked to move where its state machine does not go: a bug."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """A trade's terms, as journalled: goods bought or sold for `credits`, by `key`."""

    key: str  # also the ledger transfer's idempotency key
    ship: int
    station: int
    good: str
    quantity: float
    selling: bool
    wallet: str  # paid to (a sale) or from (a purchase: maybe the starter credit), and refunded to
    credits: int
    memo: str


@dataclass(slots=True)
class Trade:
    """One trade in a running process; `resumed` when a restart found it pending."""

    terms: Delivery
    seq: int = 0  # the command that asked for it, for the player's refusal
    resumed: bool = False
    state: TradeState = TradeState.QUOTED

    @classmethod
    def journalled(cls, terms: Delivery) -> Trade:
        """A trade a previous run left pending in the journal."""
        return cls(terms, resumed=True, state=TradeState.PENDING)

    @property
    def key(self) -> str:
        return self.terms.key

    def advance(self, to: TradeState) -> None:
        if to not in TRANSITIONS[self.state]:
            raise IllegalTransition(f"trade {self.key}: {self.state} -> {to}")
        self.state = to
