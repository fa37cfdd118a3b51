"""A player's connection as the fan-out sees it: its ship, its view and its outbox.

Frames are queued and written by the connection's own writer task, so a
slow client never delays anyone else. A client that falls too far behind
has its backlog dropped and gets a full snapshot instead (deltas only make
sense in order).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final

MAX_BACKLOG: Final = 40  # frames (2 s at 20 Hz)


class Session:
    def __init__(
        self,
        account: int,
        name: str,
        ship: int,
        send: Callable[[bytes], Awaitable[None]],
        closer: Callable[[int, str], Awaitable[None]] | None = None,
    ) -> None:
        self.account = account
        self.name = name
        self.ship = ship
        self.system = -1
        self.view: tuple[int, ...] | None = None
        self.needs_full = True
        self.submitted = 0  # highest command seq handed to the zone
        self.ack = 0  # highest seq the zone has applied
        self.frames_sent = 0
        self.bytes_sent = 0
        self._send = send
        self._closer = closer
        self.kicked = False
        self._queue: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self.closed = False

    def push(self, data: bytes) -> None:
        if self.closed:
            return
        if len(self._queue) >= MAX_BACKLOG:
            # Too far behind: drop the backlog and this delta; the next frame is a full view.
            self._queue.clear()
            self.resync()
            return
        self._queue.append(data)
        self._ready.set()

    def resync(self) -> None:
        """Forget what the client holds: the next frame carries full cells."""
        self.needs_full = True
        self.view = None

    async def write(self) -> None:
        """The writer task: send queued frames in order until closed."""
        while not self.closed:
            await self._ready.wait()
            self._ready.clear()
            while self._queue:
                data = self._queue.popleft()
                await self._send(data)
                self.frames_sent += 1
                self.bytes_sent += len(data)

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    async def kick(self, code: int, reason: str) -> None:
        """Close the connection from the server side (replaced, shutting down)."""
        self.close()
        self.kicked = True
        if self._closer is not None:
            try:
                await self._closer(code, reason)
            except Exception:  # already closing; nothing more to tell the client
                return
