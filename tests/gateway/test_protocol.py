"""The game protocol against a real server on 127.0.0.1, over real WebSockets."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import AsyncIterator

import httpx2 as httpx
import pytest
import websockets

from infinity.gateway import wire
from infinity.sim.kinds import Kind
from tests.conftest import Server
from tests.gateway.client import Client, encode

OPEN: list[Client] = []


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    """Every client a test opens is closed, whatever the test did."""
    yield
    while OPEN:
        await OPEN.pop().close()


async def connect(server: Server, token: str) -> Client:
    client = await Client.connect(server.ws_url, token)
    OPEN.append(client)
    return client


NAMES = itertools.count()


async def join(server: Server, name: str) -> Client:
    """Register a fresh player (names get a unique suffix) and connect."""
    return await connect(server, str(server.register(f"{name}-{next(NAMES)}")["token"]))


async def test_welcome_then_full_snapshot_with_own_ship(server: Server) -> None:
    client = await join(server, "pilot1")
    assert client.welcome.v == 1
    await client.until(lambda c: c.ship in c.entities)
    record = client.entities[client.ship]
    assert record.kind == Kind.SHIP and record.name.startswith("pilot1")
    assert record.extra["docked_at"] >= 0
    assert any(e.kind == Kind.STATION for e in client.entities.values())  # its home station
    await client.close()


async def test_commands_are_acked_and_the_ship_flies(server: Server) -> None:
    client = await join(server, "pilot2")
    await client.until(lambda c: c.ship in c.entities)
    start = client.positions[client.ship]
    await client.send("undock")
    seq = await client.send("thrust", throttle=1.0, turn=0.0)
    await client.acked(seq)
    await asyncio.sleep(1.0)
    await client.until(lambda c: math.dist(c.positions[c.ship], start) > 100.0, timeout=5)
    assert client.me is not None and client.me.docked_at == -1  # not docked any more
    assert not client.errors
    await client.close()


async def test_rule_rejection_is_typed_and_changes_nothing(server: Server) -> None:
    client = await join(server, "pilot3")
    await client.until(lambda c: c.ship in c.entities)
    seq = await client.send("jump", gate=999_999)
    await client.until(lambda c: bool(c.errors))
    assert client.errors[0].reason == "docked" and client.errors[0].seq == seq
    await client.close()


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"\xc1", "bad_frame"),
        (encode([1, 2, 3]), "bad_frame"),
        (encode({"t": "warp_drive", "ship": 1}), "unknown_type"),
        (encode({"t": "thrust", "ship": 1, "throttle": "fast"}), "invalid"),
        (encode({"t": "thrust", "ship": 1, "throttle": 7.0}), "invalid"),
        (encode({"t": "thrust", "ship": 1, "warp": 1}), "invalid"),
        (encode({"t": "say", "ship": 1, "text": "x" * 5000}), "too_large"),
    ],
)
async def test_bad_frames_get_typed_errors(server: Server, frame: bytes, reason: str) -> None:
    client = await join(server, "fuzzy")
    await client.ws.send(frame)
    await client.until(lambda c: bool(c.errors))
    assert client.errors[0].reason == reason
    frames = client.frames
    await client.until(lambda c: c.frames > frames + 5)  # the server keeps ticking
    await client.close()


async def test_text_frames_and_other_ships_are_refused(server: Server) -> None:
    client = await join(server, "pilot4")
    await client.ws.send("hello as text")
    await client.ws.send(
        encode({"t": "thrust", "seq": 9, "ship": client.ship + 1, "throttle": 1.0})
    )
    await client.until(lambda c: len(c.errors) >= 2)
    assert [e.reason for e in client.errors] == ["bad_frame", "not_your_ship"]
    assert client.errors[1].seq == 9
    await client.close()


async def test_flood_is_rate_limited_then_closed(server: Server) -> None:
    client = await join(server, "flooder")
    frame = encode({"t": "stop", "seq": 1, "ship": client.ship})
    for _ in range(90):  # past the burst of 60: refused, not closed
        await client.ws.send(frame)
    await client.until(lambda c: any(e.reason == "rate_limited" for e in c.errors))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for _ in range(2000):
            await client.ws.send(frame)
        for _ in range(2000):
            await client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008
    assert httpx.get(f"{server.url}/healthz").status_code == 200


@pytest.mark.parametrize(
    ("hello", "code"),
    [
        ({"t": "hello", "v": 1, "token": "not-a-token"}, 4001),
        ({"t": "hello", "v": 99, "token": "x"}, 4002),
        ({"t": "thrust"}, 4000),
    ],
)
async def test_bad_hello_is_closed_with_a_documented_code(
    server: Server, hello: dict[str, object], code: int
) -> None:
    async with websockets.connect(server.ws_url, compression=None) as ws:
        await ws.send(encode(hello))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == code


async def test_reconnect_resumes_and_replaces_the_old_connection(server: Server) -> None:
    body = server.register(f"pilot5-{next(NAMES)}")
    token = str(body["token"])
    first = await connect(server, token)
    await first.until(lambda c: c.ship in c.entities)
    await first.send("undock")
    seq = await first.send("thrust", throttle=1.0)
    await first.acked(seq)
    await asyncio.sleep(0.5)
    await first.send("stop")
    await first.recv()
    second = await connect(server, token)
    assert second.ship == first.ship
    await second.until(lambda c: c.ship in c.entities)
    assert second.entities[second.ship].extra["docked_at"] == -1  # still out in space
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for _ in range(200):
            await first.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003
    await second.close()


async def neighbours(server: Server, prefix: str) -> tuple[Client, Client]:
    """Two fresh players who start in the same star system."""
    first = await join(server, f"{prefix}0")
    for i in range(1, 8):
        other = await join(server, f"{prefix}{i}")
        if other.welcome.system == first.welcome.system:
            return first, other
    raise AssertionError("new players never share a starter system")


async def test_local_chat_reaches_everyone_in_the_system_and_is_kept(server: Server) -> None:
    a, b = await neighbours(server, "talker")
    await a.send("say", text="hello, Infinity")
    await b.until(lambda c: any(line.text == "hello, Infinity" for line in c.chat))
    assert [line.name for line in b.chat if line.text == "hello, Infinity"] == [
        a.welcome.account.name
    ]
    await asyncio.sleep(1.5)  # chat is written within a second
    again = await connect(server, b.token)
    assert any(line.text == "hello, Infinity" for line in again.welcome.chat)


async def test_a_broken_siphon_reaches_the_thief_as_a_typed_event(server: Server) -> None:
    thief, victim = await neighbours(server, "siphon")
    await victim.until(lambda c: c.ship in c.entities)
    station = victim.entities[victim.ship].extra["docked_at"]
    for client in (thief, victim):  # new pilots start docked at the same station
        await client.acked(await client.send("undock"))
    seq = await thief.send("siphon", target=victim.ship)
    await thief.acked(seq)
    assert not thief.errors, thief.errors
    assert thief.me is not None and thief.me.siphon == victim.ship
    await victim.acked(await victim.send("dock", station=station))
    broken = wire.SiphonBrokenEvent(thief.ship, victim.ship, "docked")
    await thief.until(lambda c: broken in c.events)
    await thief.until(lambda c: c.me is not None and c.me.siphon == -1)
