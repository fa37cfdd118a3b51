"""What happened in a tick, for the gateway to show and the store to keep.

Plain data; the gateway converts these to wire messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Beam:
    """A beam hit: `shooter` fired on `target` (entity ids) this tick."""

    shooter: int  # the beam's damage lands on `target` at the tick's end
    target: int


@dataclass(frozen=True, slots=True)
class Detonation:
    """A torpedo reached its target and exploded (a docked target takes no damage)."""

    torpedo: int  # despawned in the same tick
    target: int


@dataclass(frozen=True, slots=True)
class Destroyed:
    """A ship was destroyed at (x, y)."""

    ship: int
    killer: int  # owner entity of the final blow, -1 if unknown
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Chat:
    """A line said on the system's channel by `ship`."""

    ship: int
    name: str  # the speaker as shown: the ship's name, or whoever speaks for it
    text: str  # printable (no control characters) and never blank


@dataclass(frozen=True, slots=True)
class Docked:
    """A ship docked at a station: it is safe there, and refits torpedoes."""

    ship: int  # its autopilot, mining and siphon have stopped
    station: int


@dataclass(frozen=True, slots=True)
class Undocked:
    """A ship left a station: told to, or put out when the station was razed."""

    ship: int
    station: int  # an `Evicted` follows when it was razed


@dataclass(frozen=True, slots=True)
class Delivered:
    """A docked ship unloaded its ore; a `Trade` selling it to the station comes with it."""

    ship: int
    station: int
    tonnes: float  # all the ore in the hold not already on sale


@dataclass(frozen=True, slots=True)
class Departed:
    """A ship left the zone (gate jump or respawn elsewhere)."""

    ship: int
    via_gate: int  # -1 when leaving to respawn


@dataclass(frozen=True, slots=True)
class Arrived:
    """A ship entered the zone (gate jump or respawn): the mirror of `Departed`."""

    ship: int
    via_gate: int  # -1 when arriving from a respawn


@dataclass(frozen=True, slots=True)
class Siphoned:
    """One simulated second of a siphon: the ledger moves credits from victim to thief."""

    thief: int  # ships both: the economy finds their wallets
    victim: int


@dataclass(frozen=True, slots=True)
class SiphonBroken:
    """A siphon stopped draining the victim's wallet."""

    thief: int
    victim: int
    why: str  # "range", "docked", "shot", "stopped", "gone"


@dataclass(frozen=True, slots=True)
class Wrecked:
    """A destroyed ship left a wreck holding its ore (credits follow in the ledger)."""

    wreck: int
    ship: int
    ore: float  # tonnes: all the ship had in its hold


@dataclass(frozen=True, slots=True)
class WreckExpired:
    """A wreck drifted apart unlooted: its ore is lost, its credits go back (the economy)."""

    wreck: int
    ship: int  # the destroyed ship the wreck came from
    ore: float


@dataclass(frozen=True, slots=True)
class Looted:
    """A ship took ore from a wreck (credits follow in the ledger)."""

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
    """Goods the economy settled for were put aboard."""

    ship: int
    good: str
    quantity: float  # what fit: at most what was bought
    key: str  # the settlement's key: a repeat is ignored


@dataclass(frozen=True, slots=True)
class Taken:
    """Ore a sale was paid for left the hold (or, unpaid, its reservation was released)."""

    ship: int
    good: str
    quantity: float  # 0 when unpaid
    key: str  # the settlement's key: a repeat is ignored


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
