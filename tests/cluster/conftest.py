"""Cluster fixtures: the session's nats-server, a bus of each kind, two zone hosts' views
of one fresh lease bucket, a seeded PostgreSQL store per test, and zone host and gateway
processes (tests/cluster/processes.py) ended with the test.

`bus` is parametrised over `LocalBus` and `NatsBus`, so the behavioural suite runs
unchanged against both. `two_hosts(ttl)` opens `ZoneLeases` on two NATS connections
(two hosts) over a bucket of the test's own, deleted afterwards.
"""

from __future__ import annotations

import contextlib
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import nats
import nats.js.errors
import pytest
from nats.aio.client import Client

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from infinity.cluster.subjects import HOSTS_BUCKET, LEASES_BUCKET
from infinity.gateway.bus import Bus, LocalBus
from tests.cluster.processes import (
    SNAPSHOT,
    TTL,
    GatewayProcess,
    HostProcess,
    Start,
    StartGateway,
)
from tests.conftest import Server
from tests.nats import TestNats, nats_server
from tests.pg import PgServer, fresh_database

__all__ = ["nats_server"]  # fixtures, re-exported for this folder

TwoHosts = Callable[[int], Awaitable[tuple[ZoneLeases, ZoneLeases]]]


@pytest.fixture(params=("local", "nats"))
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    """A bus of each kind, closed after the test."""
    opened: Bus
    if request.param == "nats":
        server: TestNats = request.getfixturevalue("nats_server")
        opened = await NatsBus.connect(server.url, name="test-bus", timeout=2)
    else:
        opened = LocalBus()
    yield opened
    await opened.close()


@pytest.fixture
async def two_hosts(nats_server: TestNats) -> AsyncIterator[TwoHosts]:
    """Open one bucket's leases from two connections, as two zone hosts would."""
    bucket = f"leases-{uuid.uuid4().hex[:12]}"
    clients: list[Client] = []

    async def open_pair(ttl: int) -> tuple[ZoneLeases, ZoneLeases]:
        pair = []
        for name in ("host-a", "host-b"):
            client = await nats.connect(nats_server.url, name=name, connect_timeout=2)
            clients.append(client)
            pair.append(await ZoneLeases.open(client.jetstream(timeout=2.0), ttl, bucket))
        return pair[0], pair[1]

    try:
        yield open_pair
        if clients:
            with contextlib.suppress(nats.js.errors.NotFoundError):  # never opened
                await clients[0].jetstream().delete_key_value(bucket)
    finally:
        for client in clients:
            await client.close()


@pytest.fixture
def start_host(nats_server: TestNats, tmp_path: Path) -> Iterator[Start]:
    started: list[HostProcess] = []

    def start(name: str, db: str, snapshot: float = SNAPSHOT, npcs: bool = False) -> HostProcess:
        log = tmp_path / f"{name}.log"
        started.append(HostProcess(name, db, nats_server.url, log, snapshot, npcs=npcs))
        return started[-1]

    try:
        yield start
    finally:
        for host in started:
            host.end()


@pytest.fixture
async def leases(nats_server: TestNats) -> AsyncIterator[tuple[ZoneLeases, HostRoll]]:
    """The cluster's lease bucket and roll as anyone may read them; both buckets are
    deleted afterwards, so no lease of this test outlives it."""
    client = await nats.connect(nats_server.url, name="test-reader", connect_timeout=2)
    js = client.jetstream(timeout=2.0)
    try:
        yield await ZoneLeases.open(js, TTL), await HostRoll.open(js, TTL)
    finally:
        for bucket in (LEASES_BUCKET, HOSTS_BUCKET):
            with contextlib.suppress(nats.js.errors.NotFoundError, nats.errors.Error):
                await js.delete_key_value(bucket)
        await client.close()


@pytest.fixture(scope="module")
def universe_db(postgres_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PostgreSQL store holding a universe, made by the embedded server's first start
    (the galaxy, NPC and crew ships), once for the module: each test gets a copy."""
    db = fresh_database(postgres_server)
    folder = tmp_path_factory.mktemp("seed")
    server = Server(folder, seed=7, snapshot_seconds=SNAPSHOT, options=("--db", db))
    server.start()
    assert server.stop() in (0, -signal.SIGTERM), server.log.read_text()[-2000:]
    return db


@pytest.fixture
async def seeded(postgres_server: PgServer, universe_db: str) -> str:
    """A fresh copy of the seeded store, for one test."""
    copy = f"{universe_db.rsplit('/', 1)[1]}_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(postgres_server.dsn(), timeout=5)
    try:
        await connection.execute(
            f'CREATE DATABASE "{copy}" TEMPLATE "{universe_db.rsplit("/", 1)[1]}"'
        )
    finally:
        await connection.close()
    return postgres_server.url(copy)


@pytest.fixture
def start_gateway(nats_server: TestNats, tmp_path: Path) -> Iterator[StartGateway]:
    started: list[GatewayProcess] = []

    def start(name: str, db: str, via_serve: bool = False) -> GatewayProcess:
        log = tmp_path / f"{name}.log"
        started.append(GatewayProcess(name, db, nats_server.url, log, via_serve))
        return started[-1]

    try:
        yield start
    finally:
        for gateway in started:
            gateway.end()
