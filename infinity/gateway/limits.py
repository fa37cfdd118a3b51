"""Per-connection command rate limit: a token bucket on the wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class TokenBucket:
    """`rate` frames per second sustained, bursts up to `burst`.

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
