"""Cluster processes as the tests start them: zone hosts and gateways, each a real
process with its output in a log file; what the tests read from the store and the lease
bucket; a TCP hop that can stall; and a player's game connection, as the browser's."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx2 as httpx
import msgspec
import numpy as np
import websockets
from websockets.asyncio.client import ClientConnection

from infinity.cluster.handover import host_ships
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from infinity.gateway.wire import PROTOCOL_VERSION, STATUS
from tests.conftest import PASSWORD, free_port
from tests.nats import TestNats

TTL = 2  # seconds: a killed host's zones are free again within this
SNAPSHOT = 1.0  # seconds between snapshots of ship motion
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Stored:
    """A ship's row as the store has it."""

    id: int
    system: int
    x: float
    y: float
    updated: float

    def distance(self, x: float, y: float) -> float:
        return math.hypot(self.x - x, self.y - y)


class HostProcess:
    """One zone host process, its output in a log file: `python -m infinity.cluster.zonehost`,
    or (host-b) the same through `infinity serve --role zone-host`."""

    def __init__(
        self,
        name: str,
        db: str,
        nats_url: str,
        log: Path,
        snapshot: float = SNAPSHOT,
        fault: str | None = None,  # with it, INFINITY_FAULT=handover:<fault> in its env
        npcs: bool = False,  # NPC pilots: off, so the tests' ships go only where sent
    ) -> None:
        self.name = name
        self.log = log
        env = dict(os.environ)
        env.pop("INFINITY_FAULT", None)
        if fault is not None:
            env["INFINITY_FAULT"] = f"handover:{fault}"
        argv = [
            sys.executable, "-m", "infinity.cluster.zonehost", "--db", db, "--nats", nats_url,
            "--name", name, "--ttl", str(TTL), "--snapshot-seconds", str(snapshot),
        ]  # fmt: skip
        if name == "host-b":
            argv = [
                sys.executable, "-m", "infinity", "serve", "--role", "zone-host", "--db", db,
                "--nats", nats_url, "--name", name, "--lease-ttl", str(TTL),
                "--snapshot-seconds", str(snapshot),
            ]  # fmt: skip
        if not npcs:
            argv.append("--no-npcs")
        with log.open("ab") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    async def exited(self, within: float) -> int:
        deadline = time.monotonic() + within
        while (code := self.process.poll()) is None:
            assert time.monotonic() < deadline, f"{self.name} still runs:\n{self.tail()}"
            await asyncio.sleep(0.02)
        return code

    def end(self) -> None:
        """Whatever happened: no process of ours outlives the test."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


Start = Callable[..., HostProcess]


class GatewayProcess:
    """One gateway process on a port of its own, its output in a log file."""

    def __init__(self, name: str, db: str, nats_url: str, log: Path, via_serve: bool) -> None:
        self.name = name
        self.log = log
        self.port = free_port()
        module = ["-m", "infinity", "serve", "--role", "gateway"] if via_serve else [
            "-m", "infinity.cluster.gateway"
        ]  # fmt: skip
        argv = [
            sys.executable, *module, "--db", db, "--nats", nats_url, "--name", name,
            "--host", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    async def ready(self, within: float = 20.0) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=1.0) as client:
            while True:
                assert self.process.poll() is None, f"{self.name} exited:\n{self.tail()}"
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                assert time.monotonic() < deadline, f"{self.name} not ready:\n{self.tail()}"
                await asyncio.sleep(0.1)

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


StartGateway = Callable[..., GatewayProcess]


async def fetch(db: str, query: str, *args: object) -> list[asyncpg.Record]:
    """The rows of one query, on a connection of its own (the store as anyone reads it)."""
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def ships_in(db: str) -> dict[int, Stored]:
    rows = await fetch(db, "SELECT id, system_id, x, y, updated_at FROM ships")
    return {r["id"]: Stored(r["id"], r["system_id"], r["x"], r["y"], r["updated_at"]) for r in rows}


async def systems_in(db: str) -> set[int]:
    """The main world's star systems: the zones to host."""
    return {row["id"] for row in await fetch(db, "SELECT id FROM systems WHERE world_id = 1")}


async def until(check: Callable[[], Awaitable[T | None]], within: float, what: str) -> T:
    """The first truthy answer of `check`, polled; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        await asyncio.sleep(0.1)


async def owners(zone_leases: ZoneLeases) -> dict[int, str]:
    return {held.zone: held.owner for held in await zone_leases.holders()}


def all_held(
    zone_leases: ZoneLeases, zones: set[int], hosts: int = 1
) -> Callable[[], Awaitable[dict[int, str] | None]]:
    """A check for `until`: every zone held, by `hosts` different hosts; the holders."""

    async def check() -> dict[int, str] | None:
        held = await owners(zone_leases)
        return held if set(held) == zones and len(set(held.values())) == hosts else None

    return check


async def census(
    bus: NatsBus, hosts: Sequence[HostProcess]
) -> dict[str, dict[int, list[int]]] | None:
    """Each live host's answer: zone -> the ships it has there; None if one does not answer."""
    found: dict[str, dict[int, list[int]]] = {}
    for host in hosts:
        if not host.alive:
            continue
        try:
            answer = json.loads(await bus.request(host_ships(host.name), b"", timeout=2.0))
        except Exception:
            return None
        found[host.name] = {int(zone): ships for zone, ships in answer["zones"].items()}
    return found


def counted(found: dict[str, dict[int, list[int]]]) -> Counter[int]:
    return Counter(s for zones in found.values() for ships in zones.values() for s in ships)


def zone_of(found: dict[str, dict[int, list[int]]], ship: int) -> int | None:
    for zones in found.values():
        for zone, ships in zones.items():
            if ship in ships:
                return zone
    return None


class Stall:
    """A TCP hop between one host and NATS that can stop passing bytes either way: the
    host's connection stays open, its requests go unanswered, as in a partition."""

    def __init__(self, server: asyncio.Server, flowing: asyncio.Event) -> None:
        self._server = server
        self._flowing = flowing
        port: int = server.sockets[0].getsockname()[1]
        self.url = f"nats://127.0.0.1:{port}"

    @classmethod
    async def open(cls, target: TestNats) -> Stall:
        flowing = asyncio.Event()
        flowing.set()
        port = target.server.port

        async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.gather(
                _pipe(reader, upstream_writer, flowing),
                _pipe(upstream_reader, writer, flowing),
                return_exceptions=True,
            )

        server = await asyncio.start_server(connect, "127.0.0.1", 0)
        return cls(server, flowing)

    def pause(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    async def close(self) -> None:
        self.resume()
        self._server.close()


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, flowing: asyncio.Event
) -> None:
    try:
        while data := await reader.read(65536):
            await flowing.wait()
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


_decode = msgspec.msgpack.Decoder().decode
_encode = msgspec.msgpack.Encoder().encode


class Player:
    """A game connection as the browser holds one: hello, then frames; what it saw."""

    def __init__(self, name: str, token: str, ship: int) -> None:
        self.name = name
        self.token = token
        self.ship = ship
        self.seen: set[int] = set()  # entity ids ever entered into a held cell
        self.hull: dict[int, int] = {}  # entity -> last hull percent a status record said
        self.frames = 0
        self.ack = 0
        self.system = -1
        self.errors: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []
        self.seats: list[dict[str, Any]] = []  # bridge seats taken or left, as told
        self.credits = -1  # as its `me` says
        self.fuel = -1
        self.torpedoes = -1
        self.chat: list[tuple[str, str]] = []  # (who, what) of every chat line in a frame
        self.closed: int | None = None
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._seq = 0

    async def connect(self, url: str) -> dict[str, Any]:
        ws_url = url.replace("http://", "ws://") + "/ws"
        self._ws = await websockets.connect(ws_url, compression=None, open_timeout=5)
        await self._ws.send(_encode({"t": "hello", "v": PROTOCOL_VERSION, "token": self.token}))
        welcome: dict[str, Any] = _decode(await asyncio.wait_for(self._ws.recv(), 5))
        assert welcome["t"] == "welcome", welcome
        assert welcome["ship"] == self.ship
        self.system = welcome["system"]["id"]
        self.closed = None
        self._reader = asyncio.create_task(self._read(self._ws))
        return welcome

    async def send(self, t: str, **fields: Any) -> int:
        assert self._ws is not None
        self._seq += 1
        await self._ws.send(_encode({"t": t, "seq": self._seq, "ship": self.ship, **fields}))
        return self._seq

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for data in ws:
                assert isinstance(data, bytes)
                self._take(_decode(data))
        except websockets.ConnectionClosed as closed:
            self.closed = closed.rcvd.code if closed.rcvd is not None else 1006
        else:
            self.closed = ws.close_code or 1000

    def _take(self, message: Any) -> None:
        if isinstance(message, dict):
            if message.get("t") == "error":
                self.errors.append(message)
            elif message.get("t") == "notice":
                self.notices.append(message)
            elif message.get("t") == "system":
                self.system = message["system"]["id"]
            elif message.get("t") == "seat":
                self.seats.append(message)
            return
        _tag, _tick, _dilation, cells, chat, me = message
        self.frames += 1
        self.chat.extend((line[1], line[2]) for line in chat)
        self.ack = me[0]
        self.torpedoes, self.credits, self.fuel = me[3], me[10], me[11]
        for cell in cells:
            for entity in cell[4]:
                self.seen.add(entity[0])
                self.hull[entity[0]] = entity[6]
            for record in np.frombuffer(cell[7], dtype=STATUS):
                self.hull[int(record["id"])] = int(record["hull"])

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader


async def sign_up(url: str, name: str) -> tuple[str, int, int]:
    """Register through a gateway: the token, the ship and the system it starts in."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        answer = await client.post(f"{url}/api/register", json={"name": name, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        body = answer.json()
        me = await client.get(f"{url}/api/me", headers={"authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200, me.text
        return body["token"], body["ship"], me.json()["ship"]["system"]


def assert_books_balance(db: str) -> None:
    """`infinity ledger audit` on the cluster's store passes: no credit lost or doubled."""
    audit = subprocess.run(
        [sys.executable, "-m", "infinity", "ledger", "audit", "--db", db],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert audit.returncode == 0, audit.stdout + audit.stderr
