"""A player's connection as the fan-out sees it: its ship, its view and its link.

The fan-out hands each frame to the session's `Link` as soon as it is
built. On the game lane (`lane.py`) the link writes it to the socket there
and then: one write per client per tick, no task to wake. On an ASGI
server (tests, any other server) a `QueuedLink` keeps an outbox that the
connection's writer task drains. Either way a slow client never delays
anyone else: a link that is too far behind refuses the frame, and the
session asks for a full view next (deltas only make sense in order).
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final, Protocol

from prometheus_client import Gauge

MAX_BACKLOG: Final = 40  # frames (2 s at 20 Hz)

SESSIONS = Gauge("infinity_sessions", "Connected game sessions")


class Link(Protocol):
    """Where a session's messages go."""

    def send(self, data: bytes) -> bool:
        """Hand over one message; False when the client is too far behind to take it."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close the connection from the server's side."""
        ...


class QueuedLink:
    """An outbox drained by a writer task through an awaitable `send` (the ASGI path)."""

    def __init__(
        self,
        send: Callable[[bytes], Awaitable[None]],
        closer: Callable[[int, str], Awaitable[None]],
    ) -> None:
        self._send = send
        self._closer = closer
        self._queue: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self.closed = False

    def send(self, data: bytes) -> bool:
        if len(self._queue) >= MAX_BACKLOG:
            self._queue.clear()  # drop the backlog and this delta: a full view follows
            return False
        self._queue.append(data)
        self._ready.set()
        return True

    async def close(self, code: int, reason: str) -> None:
        self.stop()
        await self._closer(code, reason)

    def stop(self) -> None:
        self.closed = True
        self._ready.set()

    async def write(self) -> None:
        """The writer task: send queued messages in order until stopped, or until a send
        fails: the connection closed under it (the reader sees why and ends the session)."""
        while not self.closed:
            await self._ready.wait()
            self._ready.clear()
            while self._queue and not self.closed:
                try:
                    await self._send(self._queue.popleft())
                except Exception:  # closed by the client, or the server, mid-send
                    self.stop()
                    return


class Session:
    def __init__(self, account: int, name: str, ship: int, link: Link) -> None:
        self.account = account
        self.name = name
        self.ship = ship  # the ship this session watches and commands
        self.own_ship = ship  # the account's own, when it sits on another's bridge
        self.post = ""  # the bridge post it holds on `ship`, if not its own
        self.commands: frozenset[str] | None = None  # the post's command tags; None: all
        self.system = -1
        self.view: tuple[int, ...] | None = None
        self.needs_full = True
        # The connection's id as its commands travel the bus (`relay.Relayed.sender`): the
        # zone acks it, and tells it its refusals, apart from other sessions on the ship.
        self.sender = 1 + secrets.randbits(62)
        self.acked = 0  # highest ack a frame carried (never backwards: a zone taken over
        # by another host acks from 0 again)
        self.link = link
        self.kicked = False
        self.closed = False

    def seat(self, ship: int | None, post: str, commands: frozenset[str] | None) -> None:
        """Sit at `post` on `ship`'s bridge (its frames, its commands), or back aboard the
        own ship (`ship` None)."""
        self.ship = self.own_ship if ship is None else ship
        self.post = "" if ship is None else post
        self.commands = None if ship is None else commands
        self.resync()

    def push(self, data: bytes) -> None:
        if not self.closed and not self.link.send(data):
            self.resync()

    def resync(self) -> None:
        """Forget what the client holds: the next frame carries full cells."""
        self.needs_full = True
        self.view = None

    def close(self) -> None:
        self.closed = True

    async def kick(self, code: int, reason: str) -> None:
        """Close the connection from the server side (replaced, shutting down, banned)."""
        self.close()
        self.kicked = True
        try:
            await self.link.close(code, reason)
        except Exception:  # already closing; nothing more to tell the client
            return
