"""Zone hosts sharing zones over a real nats-server: fair shares, takeover after a stall
or a crash, at once after an orderly stop, and never two owners of one zone."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import nats
import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.ownership import ZoneHost
from tests.cluster.processes import Stall
from tests.nats import TestNats

ZONES = range(6)


@dataclass
class Running:
    """One zone host running in the test, and when it gained and lost each zone."""

    host: ZoneHost
    stopping: asyncio.Event
    task: asyncio.Task[None]
    gained: dict[int, float] = field(default_factory=dict)
    lost: dict[int, float] = field(default_factory=dict)

    async def stop(self) -> None:
        self.stopping.set()
        async with asyncio.timeout(3):
            await self.task


OpenHost = Callable[..., Awaitable[Running]]


@pytest.fixture
async def open_host(nats_server: TestNats) -> AsyncIterator[OpenHost]:
    """Start zone hosts on their own connections over one fresh pair of buckets."""
    suffix = uuid.uuid4().hex[:12]
    clients: list[Client] = []
    running: list[Running] = []

    async def start(
        name: str,
        ttl: int,
        url: str = nats_server.url,
        check_gain: Callable[[int], None] | None = None,
    ) -> Running:
        client = await nats.connect(url, name=name, connect_timeout=2)
        clients.append(client)
        js = client.jetstream(timeout=2.0)
        leases = await ZoneLeases.open(js, ttl, f"leases-{suffix}")
        roll = await HostRoll.open(js, ttl, f"hosts-{suffix}")
        gained: dict[int, float] = {}
        lost: dict[int, float] = {}

        async def on_gain(zone: int) -> None:
            if check_gain is not None:
                check_gain(zone)
            gained[zone] = time.monotonic()

        def on_loss(zone: int) -> None:
            lost[zone] = time.monotonic()

        host = ZoneHost(leases, roll, name, ZONES, on_gain, on_loss)
        stopping = asyncio.Event()
        task = asyncio.create_task(host.run(stopping), name=f"host {name}")
        running.append(Running(host, stopping, task, gained, lost))
        return running[-1]

    try:
        yield start
    finally:
        for each in running:
            each.stopping.set()
        for each in running:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(3):
                    await asyncio.wait([each.task])
            each.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await each.task  # a run that crashed fails the test here
        if clients:
            js = clients[-1].jetstream()
            for bucket in (f"leases-{suffix}", f"hosts-{suffix}"):
                with contextlib.suppress(nats.js.errors.NotFoundError, nats.errors.Error):
                    await js.delete_key_value(bucket)
        for client in clients:
            await client.close()


async def until(check: Callable[[], bool], within: float) -> float:
    """Seconds until `check()` holds, polled every 20 ms; fails after `within`."""
    started = time.monotonic()
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.02)
    return time.monotonic() - started


class Overlaps:
    """Samples hosts' `owned` every 50 ms and keeps every zone seen owned twice."""

    def __init__(self, *hosts: Running) -> None:
        self.seen: list[tuple[float, frozenset[int]]] = []
        self.samples = 0
        self._hosts = hosts
        self._task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            owned = [each.host.owned for each in self._hosts]
            for index, mine in enumerate(owned):
                for theirs in owned[index + 1 :]:
                    if mine & theirs:
                        self.seen.append((time.monotonic(), mine & theirs))
            self.samples += 1
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def test_two_hosts_split_the_zones_evenly(open_host: OpenHost) -> None:
    a, b = await open_host("host-a", 1), await open_host("host-b", 1)
    await until(lambda: len(a.host.owned) == 3 and len(b.host.owned) == 3, within=5)
    assert a.host.owned | b.host.owned == set(ZONES)
    assert a.host.share == b.host.share == 3
    assert all(a.host.holds(zone) for zone in a.host.owned)
    assert not any(a.host.holds(zone) for zone in b.host.owned)
    await asyncio.sleep(1.5)  # past a TTL: renewals keep every zone where it is
    assert len(a.host.owned) == 3 and len(b.host.owned) == 3
    assert not a.lost and not b.lost


async def test_a_stalled_host_stops_before_the_other_takes_over(
    open_host: OpenHost, nats_server: TestNats
) -> None:
    stall = await Stall.open(nats_server)
    hosts: dict[str, Running] = {}
    early: list[int] = []

    def not_owned_elsewhere(zone: int) -> None:
        if "a" in hosts and (zone in hosts["a"].host.owned or hosts["a"].host.holds(zone)):
            early.append(zone)

    try:
        a = hosts["a"] = await open_host("host-a", 1, url=stall.url)
        b = hosts["b"] = await open_host("host-b", 1, check_gain=not_owned_elsewhere)
        await until(lambda: len(a.host.owned) == 3 and len(b.host.owned) == 3, within=5)
        overlaps = Overlaps(a, b)
        theirs = set(a.host.owned)
        stall.pause()
        paused = time.monotonic()
        await until(lambda: not a.host.owned, within=2)
        await until(lambda: b.host.owned == set(ZONES), within=5)
        took = time.monotonic() - paused
        await overlaps.stop()
    finally:
        await stall.close()
    assert not overlaps.seen and overlaps.samples > 10
    assert not early
    for zone in theirs:
        assert a.lost[zone] < b.gained[zone]
        assert a.lost[zone] - paused < 1.1  # within its lease, not after
    assert took > 0.5  # B waited for the leases to lapse


async def test_a_crashed_host_loses_its_zones_to_the_ttl(open_host: OpenHost) -> None:
    a, b = await open_host("host-a", 1), await open_host("host-b", 1)
    await until(lambda: len(a.host.owned) == 3 and len(b.host.owned) == 3, within=5)
    theirs = set(a.host.owned)
    a.task.cancel()  # no orderly stop: nothing released, the leases must lapse
    with contextlib.suppress(asyncio.CancelledError):
        await a.task
    assert not a.host.owned and set(a.lost) == theirs  # it stopped ticking at once
    took = await until(lambda: b.host.owned == set(ZONES), within=5)
    assert took > 0.3


async def test_an_orderly_stop_hands_the_zones_over_at_once(open_host: OpenHost) -> None:
    a, b = await open_host("host-a", 2), await open_host("host-b", 2)
    await until(lambda: len(a.host.owned) == 3 and len(b.host.owned) == 3, within=6)
    theirs = set(a.host.owned)
    overlaps = Overlaps(a, b)
    stopped = time.monotonic()
    await a.stop()
    took = await until(lambda: b.host.owned == set(ZONES), within=3)
    await overlaps.stop()
    assert time.monotonic() - stopped < 1.5  # well before the 2 s TTL
    assert took < 1.5
    assert not overlaps.seen
    assert all(a.lost[zone] < b.gained[zone] for zone in theirs)


async def test_a_host_joining_gets_its_share(open_host: OpenHost) -> None:
    a, b = await open_host("host-a", 1), await open_host("host-b", 1)
    await until(lambda: len(a.host.owned) == 3 and len(b.host.owned) == 3, within=5)
    c = await open_host("host-c", 1)
    overlaps = Overlaps(a, b, c)
    await until(lambda: all(len(x.host.owned) == 2 for x in (a, b, c)), within=5)
    await overlaps.stop()
    assert a.host.owned | b.host.owned | c.host.owned == set(ZONES)
    assert not overlaps.seen
    # each gave back its surplus (more only if a slow machine let a roll entry lapse
    # for a moment, which moves zones about but never lets two hosts hold one)
    assert a.lost and b.lost


async def test_a_zone_that_fails_to_load_is_given_back(open_host: OpenHost) -> None:
    def refuse_zone_0(zone: int) -> None:
        if zone == 0:
            raise RuntimeError("no snapshot of zone 0")

    a = await open_host("host-a", 1, check_gain=refuse_zone_0)
    await until(lambda: a.host.owned == set(ZONES) - {0}, within=5)
    await asyncio.sleep(1.0)  # retried every round, never owned
    assert a.host.owned == set(ZONES) - {0} and not a.host.holds(0)
    assert not a.lost


def test_a_host_name_must_fit_a_key() -> None:
    with pytest.raises(ValueError):
        ZoneHost(None, None, "a.b", ZONES, _never_gain, _never_lose)  # type: ignore[arg-type]


async def _never_gain(zone: int) -> None:
    raise AssertionError(zone)


def _never_lose(zone: int) -> None:
    raise AssertionError(zone)
