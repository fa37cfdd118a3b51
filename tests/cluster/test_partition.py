"""A zone host cut off from NATS (docs/cluster.md "Ownership"): its connection stays open
but passes no bytes, as in a network partition. It cannot renew its leases, so it stops
ticking their zones before they lapse; only then does the other host take them over.
Both are real processes; the instants come from their own logs (one machine, one clock).
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from pathlib import Path

import pytest

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from tests.cluster.processes import (
    TTL,
    HostProcess,
    Stall,
    Start,
    all_held,
    owners,
    systems_in,
    until,
)
from tests.nats import TestNats

pytestmark = pytest.mark.slow

_STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})"


def instants(log: Path, pattern: str) -> dict[int, datetime]:
    """zone -> the first time a line of `log` matching `pattern` (its group 1: the zone)."""
    found: dict[int, datetime] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = re.match(_STAMP + r" .*?" + pattern, line)
        if match is not None:
            zone = int(match.group(2))
            at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
            found.setdefault(zone, at)
    return found


async def test_a_host_cut_off_from_nats_stops_before_the_other_takes_over(
    seeded: str,
    start_host: Start,
    leases: tuple[ZoneLeases, HostRoll],
    nats_server: TestNats,
    tmp_path: Path,
) -> None:
    zone_leases, _roll = leases
    zones = await systems_in(seeded)
    stall = await Stall.open(nats_server)
    cut = HostProcess("host-cut", seeded, stall.url, tmp_path / "host-cut.log")
    try:
        other = start_host("host-b", seeded)

        split = all_held(zone_leases, zones, 2)
        held = await until(split, 25, "every zone held, by both hosts")
        of_cut = {zone for zone, owner in held.items() if owner == "host-cut"}
        await asyncio.sleep(1.0)  # ticking them

        stall.pause()  # the partition: nothing passes either way

        async def all_with_b() -> bool:
            now = await owners(zone_leases)
            return set(now) == zones and set(now.values()) == {"host-b"}

        await until(all_with_b, TTL + 10, "the other host holds every zone")
        await asyncio.sleep(1.0)  # the cut host's last lines are written
        assert cut.alive, cut.tail()  # cut off, not dead: it still runs

        stopped = instants(cut.log, r"zone (\d+): ticks stopped")
        dropped = instants(cut.log, r"zone (\d+) lost")
        loaded = instants(other.log, r"zone (\d+) loaded")
        for zone in of_cut:
            ends = [at for at in (stopped.get(zone), dropped.get(zone)) if at is not None]
            assert ends, f"zone {zone}: the cut host never stopped it\n{cut.tail()}"
            assert zone in loaded, f"zone {zone} not loaded by the other\n{other.tail()}"
            assert min(ends) < loaded[zone], f"zone {zone}: ticked by two hosts at once"

        # The partition heals: the cut host comes back and takes its share again.
        stall.resume()
        await until(split, TTL + 25, "the healed host holds a share again")
    finally:
        cut.end()
        await stall.close()
