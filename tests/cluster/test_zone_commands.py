"""The two pieces together over a real nats-server, wired as a zone host process will be:
each host's `ZoneHost` opens its `ZoneInbox` for the zones it gains and shuts it for
those it loses, so a gateway's command reaches exactly the host that owns its zone, and
the new owner after a handover."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import nats
import nats.errors
import nats.js.errors
import pytest

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from infinity.cluster.ownership import ZoneHost
from infinity.commands.types import Command, Stop
from infinity.gateway.relay import CommandRelay, ZoneInbox
from tests.nats import TestNats

ZONES = range(6)
WHERE = {100 + zone: zone for zone in ZONES}  # one ship in each zone


@dataclass
class HostProcess:
    """What a zone host process runs: ownership and its inbox, under one TaskGroup."""

    host: ZoneHost
    received: list[Command]
    stopping: asyncio.Event
    task: asyncio.Task[None]


StartHost = Callable[[str], Awaitable[HostProcess]]


@pytest.fixture
async def start_host(nats_server: TestNats) -> AsyncIterator[StartHost]:
    suffix = uuid.uuid4().hex[:12]
    started: list[HostProcess] = []

    async def start(name: str) -> HostProcess:
        bus = await NatsBus.connect(nats_server.url, name=name, timeout=2)
        js = bus.client.jetstream(timeout=2.0)
        leases = await ZoneLeases.open(js, 1, f"leases-{suffix}")
        roll = await HostRoll.open(js, 1, f"hosts-{suffix}")
        received: list[Command] = []
        inbox = ZoneInbox(bus, lambda command, origin: received.append(command) is None)
        host = ZoneHost(leases, roll, name, ZONES, inbox.open, inbox.shut)
        stopping = asyncio.Event()

        async def run() -> None:
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(host.run(stopping))
                    group.create_task(inbox.run(stopping))
            finally:
                await bus.close()

        started.append(HostProcess(host, received, stopping, asyncio.create_task(run())))
        return started[-1]

    try:
        yield start
    finally:
        for process in started:
            process.stopping.set()
        for process in started:
            async with asyncio.timeout(3):
                await process.task
        client = await nats.connect(nats_server.url, connect_timeout=2)
        for bucket in (f"leases-{suffix}", f"hosts-{suffix}"):
            with contextlib.suppress(nats.js.errors.NotFoundError, nats.errors.Error):
                await client.jetstream().delete_key_value(bucket)
        await client.close()


async def until(check: Callable[[], bool], within: float) -> None:
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.02)


def ships(received: list[Command], seq: int) -> set[int]:
    return {command.ship for command in received if command.seq == seq}


async def test_commands_reach_the_owner_of_the_zone_and_follow_a_handover(
    start_host: StartHost, nats_server: TestNats
) -> None:
    a, b = await start_host("host-a"), await start_host("host-b")
    await until(lambda: len(a.host.owned) == 3 and len(b.host.owned) == 3, within=5)
    gateway = await NatsBus.connect(nats_server.url, name="gateway", timeout=2)
    try:
        relay = CommandRelay(gateway, WHERE)
        for ship in WHERE:
            assert await relay.submit(Stop(ship=ship, seq=1))
        await until(lambda: len(a.received) + len(b.received) == 6, within=3)
        assert ships(a.received, 1) == {100 + zone for zone in a.host.owned}
        assert ships(b.received, 1) == {100 + zone for zone in b.host.owned}

        a.stopping.set()  # an orderly stop: B takes every zone and its commands
        await until(lambda: b.host.owned == set(ZONES), within=3)
        for ship in WHERE:
            await relay.submit(Stop(ship=ship, seq=2))
        await until(lambda: len(ships(b.received, 2)) == 6, within=3)
        assert not ships(a.received, 2)
    finally:
        await gateway.close()
