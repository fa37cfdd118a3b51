"""Commands over the bus, on both carriers: a relayed command reaches the inbox of its
ship's zone typed and equal, in order, and nowhere else; bad frames are counted and
dropped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import msgspec
import pytest

from infinity.cluster.nats_bus import NatsBus
from infinity.commands.types import (
    Buy,
    Command,
    Dock,
    Fire,
    MoveTo,
    Say,
    Stop,
    Target,
    Thrust,
)
from infinity.gateway.bus import Bus, LocalBus, NoResponders
from infinity.gateway.relay import (
    EVERY_ZONE,
    SENDERS_PER_SHIP,
    CommandRelay,
    Origin,
    ZoneInbox,
    encode_command,
)
from infinity.gateway.subjects import zone_commands
from tests.nats import TestNats


@dataclass
class Buses:
    """The gateway's bus and the zone host's: one `LocalBus`, or two NATS connections."""

    gateway: Bus
    host: Bus


@pytest.fixture(params=("local", "nats"))
async def buses(request: pytest.FixtureRequest) -> AsyncIterator[Buses]:
    if request.param == "nats":
        server: TestNats = request.getfixturevalue("nats_server")
        gateway = await NatsBus.connect(server.url, name="test-gateway", timeout=2)
        host = await NatsBus.connect(server.url, name="test-zone-host", timeout=2)
        yield Buses(gateway, host)
        await gateway.close()
        await host.close()
    else:
        local = LocalBus()
        yield Buses(local, local)
        await local.close()


PROBE = 1_000_000  # probe commands' seq: above any a test sends


@dataclass
class Running:
    """An inbox running in the test, and every command it handed on."""

    inbox: ZoneInbox
    received: list[Command]

    async def open(self, zone: int, sender: Bus) -> None:
        """Open `zone` and see a probe through it before the test sends anything: on NATS a
        command sent in the instant a subscription is new may be missed (at most once)."""
        await self.inbox.open(zone)
        probe = Stop(ship=0, seq=PROBE + zone)
        for _ in range(20):
            await sender.publish(zone_commands(zone), encode_command(probe))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.25):
                    while probe not in self.received:
                        await asyncio.sleep(0.005)
                break
        assert probe in self.received, f"zone {zone}'s subscription never came alive"
        await asyncio.sleep(0.05)  # a second probe, if one was sent again, comes in now
        self.received[:] = [c for c in self.received if c.seq < PROBE]

    async def until(self, count: int, within: float = 3.0) -> None:
        async with asyncio.timeout(within):
            while len(self.received) < count:
                await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def running_inbox(
    bus: Bus, submit: Callable[[Command], bool] | None = None
) -> AsyncIterator[Running]:
    """Run a `ZoneInbox` that keeps what it receives, stopped in order afterwards."""
    received: list[Command] = []

    def keep(command: Command, origin: Origin) -> bool:
        received.append(command)  # what came in, whatever `submit` makes of it
        return True if submit is None else submit(command)

    inbox = ZoneInbox(bus, keep)
    stopping = asyncio.Event()
    task = asyncio.create_task(inbox.run(stopping))
    try:
        yield Running(inbox, received)
    finally:
        stopping.set()
        async with asyncio.timeout(3):
            await task


COMMANDS: list[Command] = [
    Thrust(ship=1, seq=1, throttle=0.5, turn=-1.0),
    MoveTo(ship=1, seq=2, x=-1200.5, y=3.25),
    Stop(ship=1, seq=3),
    Target(ship=1, seq=4, target=None),
    Target(ship=1, seq=5, target=77),
    Fire(ship=1, seq=6),
    Dock(ship=1, seq=7, station=9),
    Say(ship=1, seq=8, text="hail, ünïcode ✦"),
    Buy(ship=1, seq=9, good="fuel", quantity=2.5),
]


async def test_a_relayed_command_arrives_typed_and_equal(buses: Buses) -> None:
    async with running_inbox(buses.host) as running:
        await running.open(10, buses.gateway)
        probes = running.inbox.delivered
        relay = CommandRelay(buses.gateway, {1: 10})
        for command in COMMANDS:
            assert await relay.submit(command)
        await running.until(len(COMMANDS))
    assert running.received == COMMANDS
    assert [type(c) for c in running.received] == [type(c) for c in COMMANDS]
    assert running.inbox.delivered - probes == len(COMMANDS) and running.inbox.bad == 0


def test_the_wire_format_is_the_protocols_behind_its_sender() -> None:
    frame = encode_command(Thrust(ship=3, seq=4, throttle=1.0), sender=77)
    assert msgspec.msgpack.decode(frame) == [
        77,
        {"t": "thrust", "ship": 3, "seq": 4, "throttle": 1.0, "turn": 0.0},
    ]


async def test_the_zone_acks_each_sender_apart_and_refusals_name_it() -> None:
    bus = LocalBus()
    origins: list[Origin] = []

    def take(command: Command, origin: Origin) -> bool:
        origins.append(origin)
        return command.seq != 99  # a command the zone does not take is not acked

    inbox = ZoneInbox(bus, take)
    await inbox.open(EVERY_ZONE)
    relay = CommandRelay(bus, {1: 10, 2: 20})
    for command, sender in [(Stop(ship=1, seq=5), 7), (Stop(ship=1, seq=3), 8),
                            (Stop(ship=1, seq=99), 8), (Stop(ship=2, seq=1), 0)]:  # fmt: skip
        assert await relay.submit(command, sender)
    stopping = asyncio.Event()
    task = asyncio.create_task(inbox.run(stopping))
    async with asyncio.timeout(3):
        while len(origins) < 4:
            await asyncio.sleep(0.005)
    stopping.set()
    await task
    assert origins == [Origin(1, 7), Origin(1, 8), Origin(1, 8), Origin(2, 0)]
    assert inbox.acks == {1: {7: 5, 8: 3}, 2: {0: 1}}
    for sender in range(100, 100 + SENDERS_PER_SHIP):  # many reconnections: the oldest go
        inbox._ack(1, sender, 1)
    assert len(inbox.acks[1]) == SENDERS_PER_SHIP and 7 not in inbox.acks[1]


async def test_only_the_zones_the_inbox_owns_come_in(buses: Buses) -> None:
    where = {1: 10, 2: 20}
    relay = CommandRelay(buses.gateway, where)
    async with running_inbox(buses.host) as running:
        await running.open(10, buses.gateway)
        assert running.inbox.zones == {10}
        assert not await relay.submit(Stop(ship=99))  # no zone has ship 99
        for seq in range(5):
            assert await relay.submit(Stop(ship=2, seq=seq))  # zone 20: not ours
            assert await relay.submit(Stop(ship=1, seq=seq))
        await running.until(5)
        await asyncio.sleep(0.2)
        assert [(c.ship, c.seq) for c in running.received] == [(1, s) for s in range(5)]

        running.inbox.shut(10)  # lost zone 10: nothing more of it comes in
        assert running.inbox.zones == set()
        for seq in range(5, 10):
            await relay.submit(Stop(ship=1, seq=seq))
        await asyncio.sleep(0.3)
        assert len(running.received) == 5

        where[1] = 20  # ship 1 jumped to zone 20, which this host now owns
        await running.open(20, buses.gateway)
        assert await relay.submit(Stop(ship=1, seq=10))
        await running.until(6)
    assert running.received[-1] == Stop(ship=1, seq=10)


async def test_nothing_of_a_shut_zone_is_handed_on_even_what_was_on_its_way(
    buses: Buses,
) -> None:
    async with running_inbox(buses.host) as running:
        await running.open(10, buses.gateway)
        await running.open(11, buses.gateway)
        relay = CommandRelay(buses.gateway, {1: 10, 2: 11})
        for seq in range(300):
            await relay.submit(Stop(ship=1, seq=seq))
        running.inbox.shut(10)  # most of the 300 are still on their way over NATS
        taken = len(running.received)
        await relay.submit(Stop(ship=2, seq=1))  # zone 11 still comes in
        await running.until(taken + 1)
        await asyncio.sleep(0.2)
        assert running.received[taken:] == [Stop(ship=2, seq=1)]
        assert running.inbox.zones == {11}
    for zone in (10, 11):  # every subscription closed: nobody listens any more
        with pytest.raises(NoResponders):
            await buses.gateway.request(zone_commands(zone), b"", 0.3)


async def test_on_the_local_bus_a_command_is_handed_on_as_it_is_sent() -> None:
    bus = LocalBus()
    received: list[Command] = []
    inbox = ZoneInbox(bus, lambda command, origin: received.append(command) is None)
    await inbox.open(EVERY_ZONE)
    relay = CommandRelay(bus, {1: 10})
    assert relay.send(Stop(ship=1, seq=4))
    assert received == [Stop(ship=1, seq=4)]  # no task between: as `Universe.submit` was
    inbox.shut(EVERY_ZONE)
    assert relay.send(Stop(ship=1, seq=5))
    assert received == [Stop(ship=1, seq=4)]
    stopping = asyncio.Event()
    stopping.set()
    await inbox.run(stopping)
    assert not bus.listened(zone_commands(10))


def bad_frames() -> Iterator[bytes]:
    yield b"\xc1"  # never used in msgpack
    yield b""
    yield msgspec.msgpack.encode([1, {"t": "warp_core_breach", "ship": 1}])
    yield msgspec.msgpack.encode([1, {"t": "thrust", "ship": 1, "throttle": 5.0}])  # out of range
    yield msgspec.msgpack.encode([1, {"t": "thrust", "ship": -1}])
    yield msgspec.msgpack.encode([1, {"t": "say", "ship": 1, "text": b"\xff"}])
    yield msgspec.msgpack.encode({"t": "fire", "ship": 1})  # a command, but no sender
    yield msgspec.msgpack.encode([-1, {"t": "fire", "ship": 1}])  # no connection's id
    yield msgspec.msgpack.encode([1, 2, 3])
    yield b"\x91" * 5000 + b"\x90"  # nested arrays, deeper than any decoder should go


async def test_bad_frames_are_counted_and_dropped(
    buses: Buses, caplog: pytest.LogCaptureFixture
) -> None:
    frames = list(bad_frames())
    caplog.set_level(logging.WARNING, logger="infinity.gateway.relay")
    async with running_inbox(buses.host) as running:
        await running.open(10, buses.gateway)
        for frame in frames:
            await buses.gateway.publish(zone_commands(10), frame)
        await CommandRelay(buses.gateway, {1: 10}).submit(Fire(ship=1, seq=1))
        await running.until(1)
        assert running.received == [Fire(ship=1, seq=1)]
        assert running.inbox.bad == len(frames)
    warnings = [r for r in caplog.records if r.name == "infinity.gateway.relay"]
    assert len(warnings) == 1  # counted every time, said once


async def test_a_submit_that_raises_does_not_stop_the_zone(buses: Buses) -> None:
    taken: list[Command] = []

    def submit(command: Command) -> bool:
        if command.seq == 1:
            raise RuntimeError("the universe refused")
        taken.append(command)
        return True

    async with running_inbox(buses.host, submit) as running:
        await running.open(10, buses.gateway)
        relay = CommandRelay(buses.gateway, {1: 10})
        for seq in range(3):
            await relay.submit(Stop(ship=1, seq=seq))
        async with asyncio.timeout(3):
            while len(taken) < 2:
                await asyncio.sleep(0.005)
    assert [c.seq for c in taken if c.seq < PROBE] == [0, 2]


async def test_order_is_kept_per_zone_for_a_thousand_commands(buses: Buses) -> None:
    where = {1: 10, 2: 20}
    relay = CommandRelay(buses.gateway, where)
    async with running_inbox(buses.host) as running:
        await running.open(10, buses.gateway)
        await running.open(20, buses.gateway)
        for seq in range(1000):
            await relay.submit(Thrust(ship=1, seq=seq, throttle=seq / 1000))
            await relay.submit(Stop(ship=2, seq=seq))
        await running.until(2000, within=5)
    for ship in (1, 2):
        assert [c.seq for c in running.received if c.ship == ship] == list(range(1000))
    assert running.inbox.bad == 0
