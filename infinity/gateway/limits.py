"""What one client may cost the server: the operator's limits, and the token buckets behind them."""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limits:
    """The gateway's limits (`infinity serve` options; docs/security.md explains each)."""

    max_body: int = 4096  # bytes of one request body
    max_connections: int = 1000  # open HTTP and WebSocket connections
    idle_timeout: int = 5  # seconds to send a request head (or a body), and between requests
    login_rate: float = 1.0  # register/login attempts per second per client address; 0: no limit
    login_burst: int = 20  # attempts an address may make at once


@dataclass(slots=True)
class TokenBucket:
    """`rate` events per second sustained, bursts up to `burst`.

    `flood` counts refusals in the current second; a client that keeps
    sending at several times the limit is cut off rather than served errors.
    """

    rate: float = 30.0
    burst: float = 60.0
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(default=-1.0)
    stamp: float = 0.0
    refused: int = 0
    refused_since: float = 0.0

    def allow(self) -> bool:
        now = self.clock()
        if self.tokens < 0:
            self.tokens, self.stamp, self.refused_since = self.burst, now, now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if now - self.refused_since >= 1.0:
            self.refused, self.refused_since = 0, now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        self.refused += 1
        return False

    @property
    def flooding(self) -> bool:
        """Refused more than three times the sustained rate within a second."""
        return self.refused > 3 * self.rate

    def retry_after(self) -> int:
        """Whole seconds until the next event would be allowed (for a Retry-After header)."""
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


class AddressBuckets:
    """One token bucket per client address, in bounded memory.

    Only the `capacity` most recently seen addresses are kept: an evicted
    address starts again with a full burst, which is what it would have had
    anyway after a quiet spell. IPv6 clients are keyed by their /64, the
    block one subscriber usually holds, so a single host cannot rotate
    through addresses to reset its bucket.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.capacity, self.clock = rate, burst, capacity, clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def check(self, address: str) -> int:
        """0 if `address` may go ahead now, else the seconds it should wait."""
        if self.rate <= 0:
            return 0
        key = address_key(address)
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = TokenBucket(self.rate, float(self.burst), self.clock)
            if len(self._buckets) >= self.capacity:
                self._buckets.popitem(last=False)
        self._buckets[key] = bucket  # most recently seen last
        return 0 if bucket.allow() else bucket.retry_after()

    def __len__(self) -> int:
        return len(self._buckets)


def address_key(address: str) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address
