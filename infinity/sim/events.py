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


Event = Beam | Detonation | Destroyed | Chat | Docked | Undocked | Delivered | Departed | Arrived
