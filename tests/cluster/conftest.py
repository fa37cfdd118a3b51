"""Cluster fixtures: the session's nats-server, a bus of each kind, and two zone hosts'
views of one fresh lease bucket.

`bus` is parametrised over `LocalBus` and `NatsBus`, so the behavioural suite runs
unchanged against both. `two_hosts(ttl)` opens `ZoneLeases` on two NATS connections
(two hosts) over a bucket of the test's own, deleted afterwards.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import nats
import nats.js.errors
import pytest
from nats.aio.client import Client

from infinity.cluster.bus import Bus, LocalBus
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from tests.nats import TestNats, nats_server

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
