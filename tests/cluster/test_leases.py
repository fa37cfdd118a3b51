"""Zone leases against a real nats-server: one holder per zone, kept by renewing,
lost to NATS's own TTL, never renewed once lost."""

from __future__ import annotations

import asyncio
import time

import pytest

from infinity.cluster.leases import Lease, LeaseLost, ZoneLeases
from tests.cluster.conftest import TwoHosts


async def wait_until_free(leases: ZoneLeases, zone: int, within: float) -> float:
    """Seconds until nobody holds `zone`; fails after `within`."""
    started = time.monotonic()
    async with asyncio.timeout(within):
        while await leases.holder(zone) is not None:
            await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_two_hosts_race_and_exactly_one_wins_each_zone(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(5)
    zones = range(40)
    results = await asyncio.gather(
        *(leases.acquire(zone, name) for zone in zones for leases, name in ((a, "a"), (b, "b")))
    )
    for zone in zones:
        mine, theirs = results[2 * zone], results[2 * zone + 1]
        assert (mine is None) != (theirs is None), f"zone {zone}: {mine} {theirs}"
        winner = mine or theirs
        assert winner is not None
        held = await b.holder(zone)
        assert held is not None and held.owner == winner.owner
        assert held.revision == winner.revision


async def test_a_lease_says_until_when_it_is_surely_held(two_hosts: TwoHosts) -> None:
    a, _ = await two_hosts(5)
    before = time.monotonic()
    lease = await a.acquire(2, "host-a")
    after = time.monotonic()
    assert lease is not None
    assert before + 5 <= lease.good_until <= after + 5
    renewed = await a.renew(lease)
    assert renewed.good_until >= after + 5


async def test_a_held_zone_is_refused_to_another(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(5)
    assert await a.acquire(1, "host-a") is not None
    assert await b.acquire(1, "host-b") is None
    assert await b.acquire(2, "host-b") is not None


async def test_renewing_keeps_the_zone_past_its_ttl(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(1)
    lease = await a.acquire(3, "host-a")
    assert lease is not None
    assert a.renew_every == pytest.approx(1 / 3)
    deadline = time.monotonic() + 2.5  # 2.5 TTLs
    while time.monotonic() < deadline:
        await asyncio.sleep(a.renew_every)
        renewed = await a.renew(lease)
        assert renewed.revision > lease.revision
        lease = renewed
        assert await b.acquire(3, "host-b") is None
    held = await b.holder(3)
    assert held is not None and held.owner == "host-a" and held.age < 1.0


async def test_a_lapsed_lease_goes_to_the_other_host(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(1)
    lease = await a.acquire(4, "host-a")
    assert lease is not None
    assert await b.acquire(4, "host-b") is None
    lapsed_after = await wait_until_free(b, 4, within=3.0)  # nobody deleted it: NATS did
    assert 0.5 < lapsed_after < 2.5
    taken = await b.acquire(4, "host-b")
    assert taken is not None
    held = await a.holder(4)
    assert held is not None and held.owner == "host-b"


async def test_renewing_a_lost_lease_fails(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(1)
    lease = await a.acquire(5, "host-a")
    assert lease is not None
    await wait_until_free(b, 5, within=3.0)
    with pytest.raises(LeaseLost):  # lapsed, nobody took it: still not ours
        await a.renew(lease)
    assert await b.acquire(5, "host-b") is not None
    with pytest.raises(LeaseLost):  # and now another holds it
        await a.renew(lease)
    held = await b.holder(5)
    assert held is not None and held.owner == "host-b"


async def test_a_stale_revision_cannot_renew(two_hosts: TwoHosts) -> None:
    a, _ = await two_hosts(5)
    first = await a.acquire(6, "host-a")
    assert first is not None
    second = await a.renew(first)
    with pytest.raises(LeaseLost):
        await a.renew(first)
    assert (await a.renew(second)).revision > second.revision


async def test_acquiring_again_replaces_the_holders_own_lease(two_hosts: TwoHosts) -> None:
    a, _ = await two_hosts(5)
    first = await a.acquire(7, "host-a")
    again = await a.acquire(7, "host-a")
    assert first is not None and again is not None
    assert again.revision > first.revision
    with pytest.raises(LeaseLost):
        await a.renew(first)


async def test_release_frees_the_zone_at_once(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(5)
    lease = await a.acquire(8, "host-a")
    assert lease is not None
    assert await a.release(lease) is True
    assert await b.holder(8) is None
    assert await a.release(lease) is False  # no longer ours
    assert await b.acquire(8, "host-b") is not None
    with pytest.raises(LeaseLost):
        await a.renew(lease)


async def test_a_release_by_a_former_holder_frees_nothing(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(1)
    lease = await a.acquire(9, "host-a")
    assert lease is not None
    await wait_until_free(b, 9, within=3.0)
    assert await b.acquire(9, "host-b") is not None
    assert await a.release(lease) is False
    held = await b.holder(9)
    assert held is not None and held.owner == "host-b"


async def test_holders_lists_every_lease_with_its_age(two_hosts: TwoHosts) -> None:
    a, b = await two_hosts(5)
    assert await a.holders() == []
    assert await a.acquire(12, "host-a") is not None
    assert await b.acquire(3, "host-b") is not None
    released = await b.acquire(20, "host-b")
    assert released is not None and await b.release(released)
    await asyncio.sleep(0.3)
    listed = await b.holders()
    assert [(held.zone, held.owner) for held in listed] == [(3, "host-b"), (12, "host-a")]
    assert all(0.25 <= held.age < 3.0 for held in listed)
    assert await a.holder(99) is None


@pytest.mark.parametrize("ttl", [0, -1, 1.5, True])
async def test_a_lease_ttl_is_whole_seconds(two_hosts: TwoHosts, ttl: int) -> None:
    with pytest.raises(ValueError):
        await two_hosts(ttl)


async def test_a_lease_needs_an_owner(two_hosts: TwoHosts) -> None:
    a, _ = await two_hosts(5)
    with pytest.raises(ValueError):
        await a.acquire(1, "")


async def test_the_bucket_is_shared_not_recreated(two_hosts: TwoHosts) -> None:
    a, _ = await two_hosts(5)
    lease: Lease | None = await a.acquire(1, "host-a")
    assert lease is not None
    again, _ = await two_hosts(5)  # a third and fourth host open the same bucket
    held = await again.holder(1)
    assert held is not None and held.owner == "host-a"
