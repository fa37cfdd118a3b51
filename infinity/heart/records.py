"""What the Heart shows, as typed records the gateway serialises (wire.py, rest.py)."""

from __future__ import annotations

import msgspec


class ZoneFigures(msgspec.Struct, frozen=True):
    """One zone in the last second: tick cost percentiles (ms), dilation, who is there."""

    id: int
    name: str
    world: int
    tick_p50_ms: float
    tick_p99_ms: float
    dilation: float
    ships: int
    players: int
    agents: int


class Credits(msgspec.Struct, frozen=True):
    """Credits in circulation (`held` = minted - burnt) and the books' last audit."""

    minted: int
    burnt: int
    held: int
    books_ok: bool | None  # None until the first audit has run
    books_problems: list[str]
    books_checked_at: float


class AuditLine(msgspec.Struct, frozen=True):
    seq: int
    at: float
    actor_name: str
    role: str
    verb: str
    target: str
    result: str
    hash: str


class AuditChain(msgspec.Struct, frozen=True):
    length: int
    head: str
    tail: list[AuditLine]


class World(msgspec.Struct, frozen=True):
    """Every world, private ones included: an instance is never hidden from the Heart."""

    id: int
    name: str
    kind: str  # main | instance | enclave
    zones: list[int]
    template: str = "infinity"
    visibility: str = "public"
    owner: str = ""
    members: list[str] = []
    rules: dict[str, float | bool | str] = {}
    ships: int = 0
    players: int = 0


class Mind(msgspec.Struct, frozen=True):
    """One agent: alive or dead, where, which crew, which world."""

    id: int
    name: str
    alive: bool
    death: str  # the cause, "" while alive
    crew: str
    ship: int | None
    system: int | None
    system_name: str
    world: int
    lineage: str = ""  # grown from genome G, sibling of X; or a copy of Y (crew/lineage.py)
    enclave: str = ""  # the host whose enclave it lives in ("" when it lives in no enclave)
    in_transit: bool = False  # leaving for another server under a transfer key (docs/mind.md)


class Hidden(msgspec.Struct, frozen=True):
    """A ship hidden from players (an operator's avatar): shown here, never left out."""

    ship: int
    name: str
    system: int | None


class Series(msgspec.Struct, frozen=True):
    """The charts' columns, one point per sampled second, oldest first."""

    t: list[float]
    tick_p50_ms: list[float]
    tick_p99_ms: list[float]
    dilation: list[float]  # the slowest zone's
    sessions: list[int]
    thefts: list[int]  # siphons settled in that second
    credits: list[int]  # held


class Snapshot(msgspec.Struct, frozen=True):
    """The Heart's state now, plus the chart points newer than what the reader has."""

    at: float
    zones: list[ZoneFigures]
    sessions: int
    credits: Credits
    audit: AuditChain
    worlds: list[World]
    minds: list[Mind]
    hidden: list[Hidden]
    series: Series
