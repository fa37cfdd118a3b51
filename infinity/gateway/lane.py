"""The game lane: `/ws` served by picows on the same port as the rest of the gateway.

Under `infinity serve` every connection starts as uvicorn's HTTP; a request
to upgrade `/ws` is handed, socket and request bytes, to picows, whose
framing is compiled. From then on each command is handled in the callback
that parsed it (no ASGI queue, no task woken per frame) and each frame the
fan-out builds is written to the socket at once: one `send()` per client per
tick. Every other path, `/heart/live` included, stays on Starlette; the
same `/ws` endpoint on Starlette serves any other ASGI server and the test
client. Both carriers share the connection's logic (`socket.py`).

The lane's connections are counted with uvicorn's (the connection cap) and
closed by its shutdown, after the gateway has said 1001 to every player.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, MutableSet
from typing import Any, Final

from picows import WSAutoPingStrategy, WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport
from picows.picows import WSProtocol  # type: ignore[attr-defined]  # not in the stubs
from starlette.applications import Starlette

from infinity.gateway.limits import TokenBucket
from infinity.gateway.session import Session
from infinity.gateway.socket import (
    HELLO_TIMEOUT,
    Admitted,
    Close,
    Front,
    Reader,
    Refused,
    admit,
    close_reason,
)

log = logging.getLogger(__name__)

PATH: Final = b"/ws"
MAX_MESSAGE: Final = 64 * 1024  # as uvicorn's ws_max_size: larger frames close with 1009
MAX_UNSENT: Final = 256 * 1024  # bytes waiting in the socket's buffer: beyond, frames drop
EARLY_FRAMES: Final = 16  # frames a client may send while its hello is checked
PING_IDLE: Final = 20.0  # seconds of silence before a ping; as long again for the pong
CLOSE_GRACE: Final = 2.0  # seconds to wait for the peer's close reply


class GameLink:
    """A session's link on the lane: frames go straight to the socket."""

    def __init__(self, transport: WSTransport) -> None:
        self.transport = transport
        self.socket = transport.underlying_transport

    def send(self, data: bytes) -> bool:
        if self.socket.is_closing() or self.socket.get_write_buffer_size() > MAX_UNSENT:
            return False
        self.transport.send(WSMsgType.BINARY, data)
        return True

    async def close(self, code: int, reason: str) -> None:
        close(self.transport, code, reason)


def close(transport: WSTransport, code: int, reason: str) -> None:
    """Send a close frame and drop the connection if the peer does not answer in time."""
    if transport.is_close_frame_sent or transport.is_disconnected:
        return
    transport.send_close(WSCloseCode(code), close_reason(reason).encode())
    asyncio.get_running_loop().call_later(CLOSE_GRACE, transport.disconnect)


class GameConnection(WSListener):
    """One player's `/ws` connection on the lane, from hello to goodbye."""

    def __init__(
        self, front: Front, connections: MutableSet[Any], tasks: set[asyncio.Task[None]]
    ) -> None:
        super().__init__()
        self.front = front
        self.connections = connections
        self.tasks = tasks
        self.transport: WSTransport | None = None
        self.session: Session | None = None
        self.reader: Reader | None = None
        self.early: list[bytes | None] | None = None  # frames after the hello, before boarding
        self.hello_timer: asyncio.TimerHandle | None = None
        self.bucket = TokenBucket()  # every frame counts, pings and those before boarding too
        self.gone = False

    # -- picows callbacks -----------------------------------------------------------

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self.connections.add(self)
        loop = asyncio.get_running_loop()
        self.hello_timer = loop.call_later(HELLO_TIMEOUT, self._hello_overdue)

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.gone = True
        self._stop_timer()
        self.connections.discard(self)
        if self.session is not None:
            self.front.leave(self.session)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind == WSMsgType.CLOSE:
            self._closed_by_peer(transport, frame)
            return
        if kind == WSMsgType.PONG:
            return  # picows times the pongs to its own pings
        if kind == WSMsgType.PING:
            self._ping(transport, frame)
            return
        if kind == WSMsgType.CONTINUATION or not frame.fin:
            self.close(WSCloseCode.UNSUPPORTED_DATA.value, "fragmented messages are not accepted")
            return
        data = frame.get_payload_as_bytes() if kind == WSMsgType.BINARY else None
        if self.reader is not None:
            code = self.reader.take(data)
            if code is not None:
                self.close(code, "too many frames" if code == Close.FLOOD else "")
        elif not self.bucket.allow():
            if self.bucket.flooding:
                self.close(Close.FLOOD, "too many frames")
        elif self.early is None:
            self._stop_timer()
            self.early = []
            self._spawn(self._admit(data))
        elif len(self.early) < EARLY_FRAMES:
            self.early.append(data)
        else:
            self.close(Close.FLOOD, "wait for the welcome")

    # -- uvicorn's connection interface ---------------------------------------------

    def shutdown(self) -> None:
        """uvicorn's shutdown: players were told 1001 already; anyone left hears 1012."""
        self.close(WSCloseCode.SERVICE_RESTART.value, "server shutting down")

    # -- the rest ---------------------------------------------------------------------

    def close(self, code: int, reason: str) -> None:
        if self.transport is not None:
            close(self.transport, code, reason)

    async def _admit(self, hello: bytes | None) -> None:
        admitted = await admit(hello, self.front.accounts)
        if isinstance(admitted, Admitted) and not self.gone:
            await self._board(admitted)
        elif isinstance(admitted, Refused):
            self.close(admitted.code, admitted.reason)

    async def _board(self, who: Admitted) -> None:
        assert self.transport is not None
        session = await self.front.join(who, GameLink(self.transport))
        if isinstance(session, Refused):
            self.close(session.code, session.reason)
            return
        if self.gone:  # left while boarding
            self.front.leave(session)
            return
        self.session = session
        sanctions = self.front.accounts.sanctions
        self.reader = Reader(session, self.front.submit, sanctions, self.bucket)
        for data in self.early or ():
            code = self.reader.take(data)
            if code is not None:
                self.close(code, "")
                return
        self.early = None

    def _ping(self, transport: WSTransport, frame: WSFrame) -> None:
        """Answer a ping, within the frame rate: a ping flood is a flood like any other."""
        if self.bucket.allow():
            transport.send_pong(frame.get_payload_as_bytes())
        elif self.bucket.flooding:
            self.close(Close.FLOOD, "too many frames")

    def _closed_by_peer(self, transport: WSTransport, frame: WSFrame) -> None:
        if not transport.is_close_frame_sent:
            transport.send_close(frame.get_close_code())
        transport.disconnect()

    def _hello_overdue(self) -> None:
        self.hello_timer = None
        self.close(Close.BAD_HELLO, "send a hello first")

    def _stop_timer(self) -> None:
        if self.hello_timer is not None:
            self.hello_timer.cancel()
            self.hello_timer = None

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("game connection failed", exc_info=task.exception())
            self.close(Close.GOING_AWAY, "")


class GameLane:
    """Hands `/ws` upgrades to picows once the app's universe is running (its `Front` is
    on `app.state.front`)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.tasks: set[asyncio.Task[None]] = set()

    def takes(self, target: bytes) -> bool:
        """Whether this request target is the game socket, and the game is up."""
        path = target.split(b"?", 1)[0]
        return path == PATH and isinstance(getattr(self.app.state, "front", None), Front)

    def hand_over(
        self, transport: asyncio.Transport, request: bytes, connections: MutableSet[Any]
    ) -> None:
        """Give picows the connection and the upgrade request it carried."""
        front: Front = self.app.state.front
        protocol = WSProtocol(
            None, None, False,  # server side
            lambda _request: GameConnection(front, connections, self.tasks),
            log, True, HELLO_TIMEOUT,
            True, PING_IDLE, PING_IDLE,  # auto ping when idle, and the pong's deadline
            WSAutoPingStrategy.PING_WHEN_IDLE,
            False,  # pings are answered here, within the frame rate
            MAX_MESSAGE, None, 4096,
        )  # fmt: skip
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        while request:
            buffer = protocol.get_buffer(len(request))
            taken = min(len(buffer), len(request))
            buffer[:taken] = request[:taken]
            protocol.buffer_updated(taken)
            request = request[taken:]
