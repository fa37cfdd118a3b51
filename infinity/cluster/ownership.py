"""A zone host's side of zone ownership: take a fair share of the zones, keep their
leases, and stop ticking a zone before anyone else may take it (docs/cluster.md
"Ownership").

`ZoneHost` runs three small loops under one TaskGroup: *claim* (count the live hosts on
the `HostRoll`, take free zones up to `ceil(zones / hosts)`, give back one surplus zone a
round, and every zone gone from `zones`: a closed world's), *keep* (say this host is
alive and renew every lease each TTL/3 by compare-and-set) and *watch* (drop a zone the
moment its `Lease.good_until` passes without a renewal, even while a renewal hangs on a
NATS that does not answer). Whoever runs the zones hears of each change through
`on_gain` and `on_loss`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Collection

import nats.errors

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import Lease, LeaseLost, ZoneLeases
from infinity.cluster.subjects import host_key
from infinity.universe.loop import pause

log = logging.getLogger(__name__)

OnGain = Callable[[int], Awaitable[None]]
"""Load a zone from its last snapshot and start ticking it."""
OnLoss = Callable[[int], None]
"""Stop ticking a zone at once: synchronous, so nothing can come between the decision and
the stop."""
OnGiveBack = Callable[[int], Awaitable[None]]
"""Stop ticking a zone this host gives back and save it, before its lease is released:
the zone is still owned and its lease kept while this runs, so the next owner loads the
state it ended with, not the last periodic snapshot."""

_NATS_TROUBLE = (TimeoutError, nats.errors.Error)  # no answer in time, or NATS said no


class ZoneHost:
    """One zone host's ownership of zones: which it owns, and the loop that keeps them.

    `zones` may be a live view (the systems of worlds made at run time join the next
    round; those of a closed world, gone from it, are given back). A zone is `owned` from
    the end of its `on_gain` until its `on_loss`; a zone whose lease is lost while it
    loads gets its `on_loss` as soon as `on_gain` returns.
    """

    def __init__(
        self,
        leases: ZoneLeases,
        roll: HostRoll,
        name: str,
        zones: Collection[int],
        on_gain: OnGain,
        on_loss: OnLoss,
        on_give_back: OnGiveBack | None = None,
        about: bytes = b"",
    ) -> None:
        """`about`: what this host's heartbeat says of it on the roll."""
        host_key(name)  # a name the roll can hold, refused here rather than at run time
        self.name = name
        self.share = 0  # the fair share seen at the last claim round
        self._leases = leases
        self._roll = roll
        self._zones = zones
        self._on_gain = on_gain
        self._on_loss = on_loss
        self._on_give_back = on_give_back
        self._about = about
        self._every = leases.renew_every
        self._margin = leases.ttl / 10  # stop this long before a lease could lapse
        self._held: dict[int, Lease] = {}  # every lease we keep, loading zones included
        self._owned: set[int] = set()

    @property
    def owned(self) -> frozenset[int]:
        """The zones this host ticks now."""
        return frozenset(self._owned)

    def holds(self, zone: int) -> bool:
        """Whether this host may tick `zone` right now: it owns it and the lease is surely
        still good. A zone loop asks before each tick, so even a host whose event loop
        stalled past its lease ticks no more before the watch drops the zone."""
        lease = self._held.get(zone)
        return (
            zone in self._owned
            and lease is not None
            and time.monotonic() < lease.good_until - self._margin
        )

    async def run(self, stopping: asyncio.Event) -> None:
        """Own zones until `stopping` is set, then stop ticking them, leave the roll and
        release every lease, so the next host takes them at once. Cancelled instead, it
        stops ticking everything and leaves the leases to lapse."""
        try:
            await self._beat()
            if not await pause(stopping, self._every):  # let hosts starting with us be seen
                async with asyncio.TaskGroup() as group:
                    group.create_task(self._claim(stopping))
                    group.create_task(self._keep(stopping))
                    group.create_task(self._watch(stopping))
            await self._leave()
        finally:
            for zone in sorted(self._held):
                self._drop(zone, "the ownership loop ended")

    async def _claim(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await self._balance(stopping)
            await pause(stopping, self._every)

    async def _keep(self, stopping: asyncio.Event) -> None:
        while not await pause(stopping, self._every):
            await self._beat()
            await self._renew_all()

    async def _watch(self, stopping: asyncio.Event) -> None:
        """Drop each zone whose lease ran out; sleep until the soonest may. Deadlines only
        move later (a renewal or a new lease ends later than any kept one), so waking at
        the soonest known is never late."""
        while not stopping.is_set():
            now = time.monotonic()
            for zone, lease in list(self._held.items()):
                if now >= lease.good_until - self._margin:
                    self._drop(zone, "its lease ran out before a renewal")
            ends = [lease.good_until - self._margin for lease in self._held.values()]
            await pause(stopping, max(0.005, min(ends, default=now + self._every) - now))

    async def _balance(self, stopping: asyncio.Event) -> None:
        """One claim round: give back one zone over the fair share, or take free zones up
        to it."""
        try:
            async with asyncio.timeout(self._every):
                hosts = len(await self._roll.live() | {self.name})
                taken = await self._leases.held()
        except _NATS_TROUBLE as error:
            log.warning("host %s: cannot see the roll or the leases: %r", self.name, error)
            return
        self.share = math.ceil(len(self._zones) / hosts)
        closed = sorted(zone for zone in self._owned if zone not in self._zones)
        for zone in closed:
            await self._give_back(zone, "its world is closed")
        if closed:
            return
        if len(self._held) > self.share:
            if self._owned:  # the highest: one a round, so shares settle without a rush
                await self._give_back(max(self._owned), "over this host's fair share")
            return
        for zone in sorted(set(self._zones) - taken - self._held.keys()):
            if len(self._held) >= self.share or stopping.is_set():
                return
            lease = await self._acquire(zone)
            if lease is not None:
                await self._gain(lease)

    async def _acquire(self, zone: int) -> Lease | None:
        try:
            async with asyncio.timeout(self._every):
                return await self._leases.acquire(zone, self.name)
        except _NATS_TROUBLE as error:
            log.warning("host %s: zone %s: no lease: %r", self.name, zone, error)
            return None

    async def _gain(self, lease: Lease) -> None:
        """Keep the lease renewed while the zone loads, then own it if it is still ours."""
        zone = lease.zone
        self._held[zone] = lease
        try:
            await self._on_gain(zone)
        except Exception:
            log.exception("host %s: zone %s failed to load; giving it back", self.name, zone)
            kept = self._held.pop(zone, None)
            if kept is not None:
                await self._release(kept)
            return
        if zone in self._held:
            self._owned.add(zone)
            log.info("host %s: zone %s gained", self.name, zone)
        else:
            self._stop(zone)  # lost while loading: undo what on_gain started

    async def _give_back(self, zone: int, why: str) -> None:
        """Give an owned zone back: `on_give_back` saves it first, while the lease is
        still ours, then the lease goes."""
        if self._on_give_back is not None:
            try:
                await self._on_give_back(zone)
            except Exception:  # it goes back all the same: the last snapshot stands
                log.exception("host %s: on_give_back(%s) failed", self.name, zone)
        lease = self._held.get(zone)  # renewed meanwhile, or lost (then dropped already)
        if lease is None:
            return
        self._drop(zone, why)
        await self._release(lease)

    async def _beat(self) -> None:
        try:
            async with asyncio.timeout(self._every):
                await self._roll.announce(self.name, self._about)
        except _NATS_TROUBLE as error:
            log.warning("host %s: heartbeat failed: %r", self.name, error)

    async def _renew_all(self) -> None:
        kept = list(self._held.values())
        renewed = await asyncio.gather(*(self._renew(lease) for lease in kept))
        for old, new in zip(kept, renewed, strict=True):
            current = self._held.get(old.zone)
            if current is not old:
                if new is not None:  # dropped (or given back) while renewing: let it go
                    await self._release(new)
            elif new is None:
                self._drop(old.zone, "its renewal failed")
            else:
                self._held[old.zone] = new

    async def _renew(self, lease: Lease) -> Lease | None:
        """The renewed lease, or None: lost, or no answer in time (a write that may have
        landed leaves our revision stale, so the lease is as good as lost either way)."""
        try:
            async with asyncio.timeout(self._every):
                return await self._leases.renew(lease)
        except LeaseLost:
            return None
        except _NATS_TROUBLE as error:
            log.warning("host %s: zone %s: renewal failed: %r", self.name, lease.zone, error)
            return None

    async def _release(self, lease: Lease) -> None:
        try:
            async with asyncio.timeout(self._every):
                await self._leases.release(lease)
        except _NATS_TROUBLE as error:  # it lapses by its TTL instead
            log.warning("host %s: zone %s: release failed: %r", self.name, lease.zone, error)

    async def _leave(self) -> None:
        """The orderly stop: stop ticking, leave the roll, then free the zones, in that
        order, so the others count one host fewer when they find the zones free."""
        kept = list(self._held.values())
        for zone in sorted(self._held):
            self._drop(zone, "this host is stopping")
        try:
            async with asyncio.timeout(self._every):
                await self._roll.leave(self.name)
        except _NATS_TROUBLE as error:
            log.warning("host %s: could not leave the roll: %r", self.name, error)
        await asyncio.gather(*(self._release(lease) for lease in kept))

    def _drop(self, zone: int, why: str) -> None:
        """Stop keeping a zone and stop ticking it, now."""
        self._held.pop(zone, None)
        if zone in self._owned:
            self._owned.discard(zone)
            self._stop(zone)
            log.info("host %s: zone %s lost: %s", self.name, zone, why)

    def _stop(self, zone: int) -> None:
        try:
            self._on_loss(zone)
        except Exception:  # the zone is not ours whatever the callback did
            log.exception("host %s: on_loss(%s) failed", self.name, zone)
