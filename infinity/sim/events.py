"""What happened in a tick, for the gateway to show and the store to keep.

Plain data; the gateway converts these to wire messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Beam:
    shooter: int
    target: int


@dataclass(frozen=True, slots=True)
class Detonation:
    torpedo: int
    target: int


@dataclass(frozen=True, slots=True)
class Destroyed:
    ship: int
    killer: int  # owner entity of the final blow, -1 if unknown
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Chat:
    ship: int
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Docked:
    ship: int
    station: int


@dataclass(frozen=True, slots=True)
class Undocked:
    ship: int
    station: int


@dataclass(frozen=True, slots=True)
class Delivered:
    ship: int
    station: int
    tonnes: float


@dataclass(frozen=True, slots=True)
class Departed:
    """A ship left the zone (gate jump or respawn elsewhere)."""

    ship: int
    via_gate: int  # -1 when leaving to respawn


@dataclass(frozen=True, slots=True)
class Arrived:
    ship: int
    via_gate: int  # -1 when arriving from a respawn


@dataclass(frozen=True, slots=True)
class Siphoned:
    """One simulated second of a siphon: the ledger moves credits from victim to thief."""

    thief: int
    victim: int


@dataclass(frozen=True, slots=True)
class SiphonBroken:
    thief: int
    victim: int
    why: str  # "range", "shot", "stopped", "gone"


@dataclass(frozen=True, slots=True)
class Wrecked:
    """A destroyed ship left a wreck holding its ore (credits follow in the ledger)."""

    wreck: int
    ship: int
    ore: float


@dataclass(frozen=True, slots=True)
class WreckExpired:
    """A wreck drifted apart unlooted: its ore is lost, its credits go back (the economy)."""

    wreck: int
    ship: int  # the destroyed ship the wreck came from
    ore: float


@dataclass(frozen=True, slots=True)
class Looted:
    ship: int
    wreck: int
    ore: float
    source: int  # the destroyed ship the wreck came from


@dataclass(frozen=True, slots=True)
class Trade:
    """A docked ship asked to buy or sell; `sold` goods have already left its hold.

    The economy prices it and pays or charges in the ledger, then grants goods
    bought (or returns goods it could not pay for) with an internal command.
    """

    ship: int
    station: int
    good: str  # "ore", "fuel", "torpedo", "repair"
    quantity: float
    selling: bool
    seq: int


@dataclass(frozen=True, slots=True)
class Granted:
    ship: int
    good: str
    quantity: float
    key: str


@dataclass(frozen=True, slots=True)
class Taken:
    """Ore a sale was paid for left the hold (or, unpaid, its reservation was released)."""

    ship: int
    good: str
    quantity: float
    key: str


@dataclass(frozen=True, slots=True)
class Evicted:
    """The station a ship was docked at was razed: the ship was put out, stopped, at a safe
    distance (an `Undocked` comes with it). For the server to tell the player why."""

    ship: int
    station: int


@dataclass(frozen=True, slots=True)
class Razed:
    """A body was removed by building. For a station, `home` is where the ships that called
    it home now do (-1: none left in the system); the universe rehomes those in other zones."""

    body: int
    kind: int
    home: int = -1


Event = (
    Beam | Detonation | Destroyed | Chat | Docked | Undocked | Delivered | Departed | Arrived
    | Siphoned | SiphonBroken | Wrecked | WreckExpired | Looted | Trade | Granted | Taken
    | Evicted | Razed
)  # fmt: skip
