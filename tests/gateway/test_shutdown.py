"""A server that stops tells every player why: close code 1001 "going away" (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
import websockets

from tests.conftest import Server
from tests.gateway.client import Client


async def test_shutdown_closes_every_game_socket_with_going_away(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", npcs=False)
    server.start()
    try:
        tokens = [str(server.register(name)["token"]) for name in ("Leaving", "Staying")]
        clients = [await Client.connect(server.ws_url, token) for token in tokens]
        for client in clients:
            await client.recv()  # a frame: the session is in the fan-out
        stopping = asyncio.create_task(asyncio.to_thread(server.stop, signal.SIGTERM))
        for client in clients:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await client.recv(timeout=10.0)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
        assert await stopping in (0, -signal.SIGTERM)
    finally:
        if server.process is not None:
            server.stop()
