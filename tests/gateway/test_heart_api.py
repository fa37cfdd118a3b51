"""The Heart's feed over a real server: players are refused, operators get a frame a second."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx2 as httpx
import msgspec
import pytest
import websockets

from infinity.heart.records import Snapshot
from tests.conftest import Server
from tests.gateway.client import encode

FEED = msgspec.msgpack.Decoder(Snapshot)


def operator(server: Server, name: str) -> str:
    """Register `name`, make it an operator (`infinity role`), and return its token."""
    token = str(server.register(name)["token"])
    done = subprocess.run(
        [sys.executable, "-m", "infinity", "role", name, "operator", "--data", str(server.data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return token


def live_url(server: Server) -> str:
    return f"ws://127.0.0.1:{server.port}/heart/live"


async def closed_with(server: Server, token: str) -> int:
    async with websockets.connect(live_url(server), compression=None) as ws:
        await ws.send(encode({"t": "hello", "v": 1, "token": token}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_a_player_is_refused_the_feed_and_the_rest_read(server: Server) -> None:
    token = str(server.register("Plain")["token"])
    assert await closed_with(server, token) == 4403
    assert await closed_with(server, "not-a-token") == 4001
    answer = httpx.get(f"{server.url}/api/heart", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
    assert httpx.get(f"{server.url}/api/heart").status_code == 401


async def test_an_operator_gets_a_snapshot_at_least_once_a_second(server: Server) -> None:
    token = operator(server, "Warden")
    async with websockets.connect(live_url(server), compression=None) as ws:
        await ws.send(encode({"t": "hello", "v": 1, "token": token}))
        first = FEED.decode(await asyncio.wait_for(ws.recv(), 5))
        began = time.monotonic()
        frames = [FEED.decode(await asyncio.wait_for(ws.recv(), 2)) for _ in range(4)]
        elapsed = time.monotonic() - began
    assert elapsed <= 4.6  # four more frames in about four seconds: at least one a second
    assert first.zones and first.worlds[0].name == "Infinity"
    assert first.minds  # the founding crews
    assert first.credits.minted > 0 and first.credits.books_ok is True
    times = [t for frame in (first, *frames) for t in frame.series.t]
    assert times == sorted(set(times)) and len(times) >= 4  # later frames bring only new points
    assert all(frame.at >= first.at for frame in frames)


def test_the_console_page_is_served_with_the_strict_policy(server: Server) -> None:
    page = httpx.get(f"{server.url}/heart")
    assert page.status_code == 200 and "heart.js" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "<script>" not in page.text and "style=" not in page.text


def test_the_rest_read_is_in_the_openapi_document(server: Server) -> None:
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert "get" in paths["/api/heart"]
