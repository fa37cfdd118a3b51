"""The game lane: `/ws` on picows under `infinity serve`, on the same port as everything else.

The protocol tests (test_protocol.py, test_hardening.py, test_shutdown.py)
already run through the lane, since they talk to a real server; these check
what is the lane's own: the handover from uvicorn, frames sent before the
welcome, fragments, the connection cap, and a slow client's bounded buffer.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Iterator

import pytest
import websockets

from infinity.gateway import lane, wire
from infinity.gateway.session import Session
from tests.conftest import Server
from tests.gateway.client import Client, encode

CAP = 12
NAMES = itertools.count()


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(
        tmp_path_factory.mktemp("lane") / "data", options=["--max-connections", str(CAP)]
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def token(server: Server) -> str:
    return str(server.register(f"lane{next(NAMES)}")["token"])


async def test_commands_sent_before_the_welcome_are_applied_in_order(capped: Server) -> None:
    async with websockets.connect(capped.ws_url, compression=None) as ws:
        await ws.send(encode({"t": "hello", "v": 1, "token": token(capped)}))
        await ws.send(encode({"t": "undock", "ship": 0, "seq": 1}))  # not its ship: refused
        welcome = Client(ws, "", await_welcome(await ws.recv()))
        await ws.send(encode({"t": "undock", "ship": welcome.ship, "seq": 2}))
        await welcome.until(lambda c: any(e.reason == "not_your_ship" for e in c.errors))
        await welcome.until(lambda c: c.me is not None and c.me.ack >= 2)
        assert [e.seq for e in welcome.errors if e.reason == "not_your_ship"] == [1]


def await_welcome(data: bytes | str) -> wire.Welcome:
    assert isinstance(data, bytes)
    message = wire.decode(data)
    assert isinstance(message, wire.Welcome), message
    return message


async def test_a_fragmented_message_is_closed_1003(capped: Server) -> None:
    client = await Client.connect(capped.ws_url, token(capped))
    try:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.ws.send(iter([b"one message", b" in two frames"]))
            async with asyncio.timeout(5):
                while True:
                    await client.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003
    finally:
        await client.close()


async def test_game_sockets_count_toward_the_connection_cap(capped: Server) -> None:
    clients = [await Client.connect(capped.ws_url, token(capped)) for _ in range(CAP - 2)]
    try:
        extra = [socket.create_connection(("127.0.0.1", capped.port)) for _ in range(4)]
        await asyncio.sleep(0.3)
        refused = 0
        for sock in extra:
            sock.settimeout(0.5)
            try:
                refused += sock.recv(1) == b""
            except TimeoutError:
                pass
            except ConnectionResetError:
                refused += 1
            sock.close()
        assert refused >= 2, refused  # the cap counts the game sockets too
        for client in clients:  # and the game sockets are untouched
            await client.until(lambda c: c.frames > 0)
    finally:
        await asyncio.gather(*(client.close() for client in clients))


class _Socket:
    def __init__(self, unsent: int) -> None:
        self.unsent = unsent

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return self.unsent


class _Transport:
    def __init__(self, unsent: int) -> None:
        self.underlying_transport = _Socket(unsent)
        self.sent: list[bytes] = []

    def send(self, kind: object, data: bytes) -> None:
        self.sent.append(data)


def test_a_client_too_far_behind_gets_no_more_frames_until_a_full_view() -> None:
    transport = _Transport(unsent=0)
    session = Session(1, "slow", 7, lane.GameLink(transport))  # type: ignore[arg-type]
    session.view, session.needs_full = (1, 2, 3), False
    session.push(b"frame")
    assert transport.sent == [b"frame"] and not session.needs_full
    transport.underlying_transport.unsent = lane.MAX_UNSENT + 1
    session.push(b"delta")
    assert transport.sent == [b"frame"]  # dropped, not buffered without end
    assert session.needs_full and session.view is None  # the next frame is a full view


async def test_a_ping_flood_is_a_flood_4008(capped: Server) -> None:
    client = await Client.connect(capped.ws_url, token(capped))
    try:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(15):
                for _ in range(3000):
                    await client.ws.ping()
                while True:
                    await client.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008
    finally:
        await client.close()


async def test_pings_within_the_rate_are_answered(capped: Server) -> None:
    client = await Client.connect(capped.ws_url, token(capped))
    try:
        for _ in range(5):
            pong = await client.ws.ping()
            async with asyncio.timeout(5):
                while not pong.done():
                    await client.recv()
    finally:
        await client.close()
