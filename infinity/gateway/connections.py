"""uvicorn's HTTP protocol, with the two guards it lacks against idle and trickling clients.

uvicorn (h11) accepts every connection; its keep-alive timer starts only
after a first response and any received byte stops it; h11 bounds an
unfinished request head to 16 KiB but not in time. So a socket that never
sends, or sends its head a byte at a time, stays open for ever. Here each
request head must be complete within `head_timeout` seconds of the
connection opening or of the previous response, and a connection beyond
`max_connections` (HTTP and WebSocket together) is closed once accepted.
An upgrade of the game socket is handed to the game lane (`lane.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from infinity.gateway.limits import Limits

if TYPE_CHECKING:
    from infinity.gateway.lane import GameLane

log = logging.getLogger(__name__)

_DEFAULT = Limits()
WARN_EVERY = 10.0  # seconds: a flood of refused connections logs one line per interval


class GuardedH11Protocol(H11Protocol):
    """One HTTP connection: closed when full, or when its request head is overdue."""

    max_connections: ClassVar[int] = _DEFAULT.max_connections
    head_timeout: ClassVar[float] = float(_DEFAULT.idle_timeout)
    _warned_at: ClassVar[float] = -WARN_EVERY
    lane: ClassVar[GameLane | None] = None
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        if len(self.connections) > self.max_connections:
            _warn_full(type(self), len(self.connections))
            self.transport.close()
            return
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._stop_waiting()  # the WebSocket has its own hello timeout and pings
        if self.lane is None or not self.lane.takes(event.target):
            super().handle_websocket_upgrade(event)
            return
        self.connections.discard(self)  # the lane's connection counts from now on
        head = [event.method, b" ", event.target, b" HTTP/1.1\r\n"]
        for name, value in self.headers:
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        self.lane.hand_over(self.transport, b"".join(head), self.connections)

    def _await_head(self) -> None:
        self._stop_waiting()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_overdue)

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_overdue(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()  # nothing, or only part of a request head, in time


def _warn_full(kind: type[GuardedH11Protocol], open_now: int) -> None:
    now = time.monotonic()
    if now - kind._warned_at >= WARN_EVERY:
        kind._warned_at = now
        log.warning("%d connections open: refusing new ones (--max-connections)", open_now - 1)


def http_protocol(limits: Limits, game_lane: GameLane | None = None) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn builds for each connection, bound to `limits` and to the
    game lane that takes `/ws` (None: every WebSocket stays on the ASGI app)."""

    class Bound(GuardedH11Protocol):
        max_connections = limits.max_connections
        head_timeout = float(limits.idle_timeout)
        lane = game_lane

    return Bound
