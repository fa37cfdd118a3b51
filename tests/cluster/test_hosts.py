"""The roll of live zone hosts against a real nats-server: a heartbeat is seen, leaving is
seen at once, and a host that stops writing drops off by NATS's own TTL."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import nats
import pytest

from infinity.cluster.hosts import HostRoll
from infinity.cluster.subjects import host_key, host_of_key
from tests.nats import TestNats


@pytest.fixture
async def roll(nats_server: TestNats) -> AsyncIterator[HostRoll]:
    client = await nats.connect(nats_server.url, connect_timeout=2)
    bucket = f"hosts-{uuid.uuid4().hex[:12]}"
    try:
        yield await HostRoll.open(client.jetstream(timeout=2.0), 1, bucket)
        await client.jetstream().delete_key_value(bucket)
    finally:
        await client.close()


async def test_announced_hosts_are_live_until_they_leave(roll: HostRoll) -> None:
    assert await roll.live() == set()
    await roll.announce("host-a")
    await roll.announce("host-b")
    await roll.announce("host-a")
    assert await roll.live() == {"host-a", "host-b"}
    await roll.leave("host-a")
    assert await roll.live() == {"host-b"}


async def test_a_silent_host_drops_off_by_the_ttl(roll: HostRoll) -> None:
    await roll.announce("host-a")
    started = time.monotonic()
    async with asyncio.timeout(4):
        while "host-a" in await roll.live():
            await asyncio.sleep(0.05)
    assert 0.5 < time.monotonic() - started < 3.0


@pytest.mark.parametrize("name", ["", "a.b", "a b", "a*", "ü"])
def test_a_host_name_is_one_plain_token(name: str) -> None:
    with pytest.raises(ValueError):
        host_key(name)


def test_host_keys_round_trip() -> None:
    assert host_of_key(host_key("zone-host_7")) == "zone-host_7"
    with pytest.raises(ValueError):
        host_of_key("zone.3")
