"""Who reads what across the cluster: a zone host's bus hears the others' subscriptions,
so it publishes only the cells and zones some gateway watches (cluster/interest.py)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable

import msgspec
import pytest

from infinity.cluster.interest import (
    MAX_PATTERNS,
    Announcement,
    Interest,
    announcement,
    whole_announcement,
)
from infinity.cluster.nats_bus import NatsBus
from infinity.gateway.bus import Subscription
from tests.nats import TestNats

SECONDS = 0.1  # the test buses announce all they read this often
WAIT = 3.0


def sure(interest: Interest) -> float:
    """A moment after the warm-up, when `read` answers from what was heard."""
    return interest.sure_after + 0.001


def test_everything_counts_as_read_until_everyone_could_have_announced() -> None:
    interest = Interest(now=100.0, announce_seconds=2.0)
    assert interest.read("zone.1.cell.5", 100.5)
    assert not interest.read("zone.1.cell.5", sure(interest))


def test_what_a_bus_begins_and_stops_reading() -> None:
    interest = Interest(now=0.0)
    now = sure(interest)
    interest.hear(announcement("gw-a", ["zone.1.cell.5", "zone.2.tick"]), now)
    interest.hear(announcement("gw-b", ["zone.1.cell.5"]), now)
    assert interest.read("zone.1.cell.5", now) and interest.read("zone.2.tick", now)
    assert not interest.read("zone.1.cell.6", now)
    interest.hear(announcement("gw-a", [], left=["zone.1.cell.5"]), now)
    assert interest.read("zone.1.cell.5", now)  # gw-b still reads it
    interest.hear(announcement("gw-b", [], left=["zone.1.cell.5"]), now)
    assert not interest.read("zone.1.cell.5", now)
    assert interest.read("zone.2.tick", now)


def test_wildcards_and_whole_announcements() -> None:
    interest = Interest(now=0.0)
    now = sure(interest)
    interest.hear(announcement("host", ["zone.*.wants"]), now)
    interest.hear(announcement("gw", ["zone.3.cell.>", "zone.3.tick"]), now)
    assert interest.read("zone.9.wants", now)
    assert interest.read("zone.3.cell.17", now)
    assert not interest.read("zone.4.cell.17", now)
    interest.hear(whole_announcement("gw", ["zone.4.cell.17"]), now)  # all it reads now
    assert not interest.read("zone.3.cell.17", now) and not interest.read("zone.3.tick", now)
    assert interest.read("zone.4.cell.17", now)
    interest.hear(whole_announcement("gw", []), now)  # closing
    assert not interest.read("zone.4.cell.17", now)


def test_a_bus_gone_silent_is_forgotten() -> None:
    interest = Interest(now=0.0, announce_seconds=1.0)
    now = sure(interest)
    interest.hear(announcement("gw", ["zone.1.tick"]), now)
    interest.forget_silent(now + 2.9)
    assert interest.read("zone.1.tick", now + 2.9)
    interest.forget_silent(now + 3.1)
    assert not interest.read("zone.1.tick", now + 3.1)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\x00garbage",
        msgspec.msgpack.encode(["gw", False, ["zone..cell"], []]),  # an empty token
        msgspec.msgpack.encode(["gw", False, ["zone.>.cell"], []]),  # '>' not last
        msgspec.msgpack.encode(["gw", "yes", ["zone.1.tick"], []]),
        msgspec.msgpack.encode(Announcement("gw", False, ["a.b"] * (MAX_PATTERNS + 1))),
    ],
)
def test_a_bad_announcement_changes_nothing(data: bytes) -> None:
    interest = Interest(now=0.0)
    now = sure(interest)
    interest.hear(announcement("gw", ["zone.1.tick"]), now)
    interest.hear(data, now)
    assert interest.read("zone.1.tick", now)
    assert not interest.read("a.b", now)


# -- over NATS ----------------------------------------------------------------------


@pytest.fixture
async def buses(nats_server: TestNats) -> AsyncIterator[tuple[NatsBus, NatsBus]]:
    """A zone host's bus (it hears) and a gateway's (it only announces)."""
    host = await NatsBus.connect(nats_server.url, "test-host", hear=True, announce_seconds=SECONDS)
    gateway = await NatsBus.connect(nats_server.url, "test-gateway", announce_seconds=SECONDS)
    try:
        yield host, gateway
    finally:
        await gateway.close()
        await host.close()


def fresh_zone() -> str:
    """A zone of the test's own (the session's nats-server is shared)."""
    return f"zone.{uuid.uuid4().int % 10**9}"


async def heard_reading(host: NatsBus, bus: NatsBus, subject: str) -> Subscription:
    """`bus` reads `subject` (the host past its warm-up), once the host heard it."""
    await past_warm_up(host)
    subscription = await bus.subscribe_now(subject, lambda message: None)
    await until(lambda: host.listened(subject))
    return subscription


async def past_warm_up(bus: NatsBus) -> None:
    assert bus.interest is not None
    await asyncio.sleep(max(0.0, bus.interest.sure_after - time.monotonic()) + 0.01)


async def until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, "not heard in time"
        await asyncio.sleep(0.02)


async def test_a_zone_host_hears_what_gateways_subscribe(buses: tuple[NatsBus, NatsBus]) -> None:
    host, gateway = buses
    zone = fresh_zone()
    await past_warm_up(host)
    assert not host.listened(f"{zone}.cell.5")
    cell = await gateway.subscribe_now(f"{zone}.cell.5", lambda message: None)
    tick = await gateway.feed(f"{zone}.tick")
    await until(lambda: host.listened(f"{zone}.cell.5") and host.listened(f"{zone}.tick"))
    assert not host.listened(f"{zone}.cell.6")
    assert gateway.listened(f"{zone}.cell.6")  # a bus that does not hear cannot say no
    await cell.close()
    await until(lambda: not host.listened(f"{zone}.cell.5"))
    assert host.listened(f"{zone}.tick")
    await tick.close()
    await until(lambda: not host.listened(f"{zone}.tick"))


async def test_a_gateway_that_closes_or_dies_unheard_is_forgotten(
    nats_server: TestNats, buses: tuple[NatsBus, NatsBus]
) -> None:
    host, gateway = buses
    zone = fresh_zone()
    await heard_reading(host, gateway, f"{zone}.cell.1")
    await gateway.close()  # says it reads nothing any more
    await until(lambda: not host.listened(f"{zone}.cell.1"))

    dying = await NatsBus.connect(nats_server.url, "test-dying", announce_seconds=SECONDS)
    await heard_reading(host, dying, f"{zone}.cell.2")
    dying._announcing.cancel()  # as a process killed: no farewell, no more announcements
    await dying.client.close()
    await until(lambda: not host.listened(f"{zone}.cell.2"))  # after 3 silent periods


async def test_a_subscription_announced_again_mends_a_lost_announcement(
    buses: tuple[NatsBus, NatsBus],
) -> None:
    host, gateway = buses
    zone = fresh_zone()
    await heard_reading(host, gateway, f"{zone}.cell.3")
    # The host forgets (as if the announcement was lost); the next whole one mends it.
    assert host.interest is not None
    host.interest.hear(whole_announcement(gateway.id, []), time.monotonic())
    assert not host.listened(f"{zone}.cell.3")
    await until(lambda: host.listened(f"{zone}.cell.3"))
