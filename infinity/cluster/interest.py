"""Who reads what, across the cluster: the subscriptions each bus announces.

NATS keeps its subscribers' interest to itself: a publisher cannot ask whether anyone
reads a subject, so a zone host would encode and publish every touched cell of every
zone it holds, watched or not. Each `NatsBus` therefore announces the patterns it reads
on `INTEREST`: what it adds and drops as it does, and all of it every few seconds (so a
lost announcement is mended, and a bus that died unheard is forgotten). A bus that
hears them (`Interest`) answers `Bus.listened` from them: False only when no bus
announced a pattern matching the subject lately. (A subscription to `>` sees the
announcements too.)
"""

from __future__ import annotations

import logging
from collections import Counter

import msgspec

from infinity.gateway.bus import WildcardReaders, check_pattern, is_wildcard

log = logging.getLogger(__name__)

INTEREST = "bus.interest"
"""Where buses announce what they read."""

ANNOUNCE_SECONDS = 2.0
"""How often a bus announces all it reads."""

MAX_PATTERNS = 100_000
"""Patterns one announcement may carry (a gateway's are its clients' cells: hundreds)."""


class Announcement(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    """One bus's interest: with `whole`, `reads` is all it reads (`[]`: it is closing);
    else `reads` is what it began reading and `left` what it stopped."""

    bus: str
    whole: bool
    reads: list[str]
    left: list[str] = []


_decode = msgspec.msgpack.Decoder(Announcement)


class Interest:
    """What the other buses read, as heard. A bus unheard for `forget_after` seconds is
    forgotten; until `sure_after` seconds after it began to hear, every subject counts as
    read (not everyone has announced yet)."""

    def __init__(self, now: float, announce_seconds: float = ANNOUNCE_SECONDS) -> None:
        self.sure_after = now + 1.5 * announce_seconds
        self.forget_after = 3 * announce_seconds
        self._reads: dict[str, set[str]] = {}  # bus -> the patterns it reads
        self._heard: dict[str, float] = {}  # bus -> when it was last heard
        self._counts: Counter[str] = Counter()  # pattern -> buses reading it
        self._wild: WildcardReaders[str] = WildcardReaders()  # the wildcards read

    def hear(self, data: bytes, now: float) -> None:
        """Take one announcement; a malformed one is logged and changes nothing."""
        try:
            said = _decode.decode(data)
            if len(said.reads) + len(said.left) > MAX_PATTERNS:
                raise ValueError(f"{len(said.reads) + len(said.left)} patterns")
            reads = {check_pattern(p) for p in said.reads}
            left = {check_pattern(p) for p in said.left}
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as error:
            log.warning("interest: dropped a bad announcement: %s", error)
            return
        old = self._reads.get(said.bus, set())
        new = reads if said.whole else (old | reads) - left
        self._count(old - new, -1)
        self._count(new - old, +1)
        if new:
            self._reads[said.bus], self._heard[said.bus] = new, now
        else:
            self._reads.pop(said.bus, None)
            self._heard.pop(said.bus, None)

    def forget_silent(self, now: float) -> None:
        """Forget the buses not heard for `forget_after` seconds (gone without a word)."""
        for bus, heard in list(self._heard.items()):
            if now - heard > self.forget_after:
                self._count(self._reads.pop(bus), -1)
                del self._heard[bus]

    def read(self, subject: str, now: float) -> bool:
        """Whether some bus may read `subject`."""
        if now < self.sure_after or self._counts.get(subject):
            return True
        return bool(self._wild and self._wild.of(subject))

    def _count(self, patterns: set[str], step: int) -> None:
        counts = self._counts
        for pattern in patterns:
            counts[pattern] += step
            if counts[pattern] <= 0:
                del counts[pattern]
                if is_wildcard(pattern):
                    self._wild.discard(pattern, pattern)
            elif counts[pattern] == step and is_wildcard(pattern):  # the first bus to read it
                self._wild.add(pattern, pattern)


def announcement(bus: str, reads: list[str], left: list[str] | None = None) -> bytes:
    """What a bus says on `INTEREST` as it begins reading `reads` and stops `left`."""
    return msgspec.msgpack.encode(Announcement(bus, False, reads, left or []))


def whole_announcement(bus: str, reads: list[str]) -> bytes:
    """What a bus says on `INTEREST` now and then: all it reads (`[]`: it is closing)."""
    return msgspec.msgpack.encode(Announcement(bus, True, reads))
