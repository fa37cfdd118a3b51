"""Persistence of the living universe: ship snapshots, asteroid ore and the chat log.

Motion is snapshotted every few seconds (a kill -9 loses at most that much
movement); chat lines are written within a second of being said.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from infinity.sim import events as ev
from infinity.sim.zone import TickReport, Zone
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import Hangar, Motion
from infinity.universe.loop import pause
from infinity.universe.records import ChatLine
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)


class Deliveries(Protocol):
    """Purchases granted since the last snapshot (the economy): stored with the ships."""

    def take_delivered(self) -> set[str]: ...

    def return_delivered(self, keys: set[str]) -> None: ...

    async def mark_delivered(self, connection: AsyncConnection, keys: set[str]) -> None:
        """Record `keys` as delivered inside the snapshot's own transaction."""


@dataclass(eq=False, repr=False)
class Snapshots:
    """Writes the universe to the store on a schedule and once more at shutdown."""

    universe: Universe
    hangar: Hangar
    charts: Charts
    chat: ChatLog
    interval: float = 5.0
    deliveries: Deliveries | None = None
    _chat: list[ChatLine] = field(init=False, default_factory=list)
    # taken from `_chat`, not yet surely written
    _flushing: list[ChatLine] = field(init=False, default_factory=list)
    # zone -> its ships as last written
    _saved: dict[int, Motion] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.universe.observe(self._collect_chat)

    def _collect_chat(self, zone: Zone, report: TickReport) -> None:
        now = time.time()
        self._chat.extend(
            ChatLine(zone.system_id, e.ship, e.name, e.text, now)
            for e in report.events
            if isinstance(e, ev.Chat) and e.ship not in self.universe.hidden  # never replayed
        )

    async def flush_chat(self) -> None:
        lines, self._chat = self._chat, []
        if not lines:
            return
        self._flushing = lines
        try:
            await self.chat.add(lines)
        finally:
            self._flushing = []

    async def recent_chat(self, system_id: int, limit: int = 20) -> list[ChatLine]:
        """The last `limit` lines said in a system, oldest first, those not yet written
        included: a player who joins a moment after a line was said (a captain's hail)
        still reads it."""
        before = self._unwritten(system_id)  # may be written while the store is read
        written = await self.chat.recent(system_id, limit)
        after = self._unwritten(system_id)  # said while it was read
        known = set(written)
        unwritten = (line for line in dict.fromkeys([*before, *after]) if line not in known)
        return [*written, *unwritten][-limit:]

    def _unwritten(self, system_id: int) -> list[ChatLine]:
        return [line for line in (*self._flushing, *self._chat) if line.system_id == system_id]

    async def save(self) -> None:
        """One consistent picture of every ship and asteroid, in one transaction each.

        Only ships whose state changed since the last snapshot are written, gathered from
        the zones' arrays, so an idle zone costs nothing and a busy one no Python per ship.
        """
        current = {system: _motion(zone) for system, zone in self.universe.zones.items()}
        changed = [_changed(now, self._saved.get(system)) for system, now in current.items()]
        arriving = [(s, state) for s, z in self.universe.zones.items() for state, _ in z.arriving()]
        motion = Motion.join([*changed, Motion.of_states(arriving)])
        delivered = self.deliveries.take_delivered() if self.deliveries else set()
        ore: dict[int, float] = {}
        for zone in self.universe.zones.values():
            ore.update(zone.ore_levels())
        deliveries = self.deliveries

        async def mark(connection: AsyncConnection) -> None:
            if deliveries is not None and delivered:
                await deliveries.mark_delivered(connection, delivered)

        try:
            await self.hangar.save_motion(motion, mark)
        except Exception:
            if self.deliveries:
                self.deliveries.return_delivered(delivered)
            raise
        self._saved = current  # only now: a failed write is rewritten in full next time
        await self.charts.save_ore(ore)
        await self.charts.save_clocks({s: z.clock.tick for s, z in self.universe.zones.items()})

    async def run(self, stopping: asyncio.Event) -> None:
        """Flush chat every second and snapshot every `interval` until stopped."""
        last = time.monotonic()
        while not await pause(stopping, 1.0):
            try:
                await self.flush_chat()
                if time.monotonic() - last >= self.interval:
                    last = time.monotonic()
                    await self.save()
            except Exception:  # a failed write is retried at the next beat
                log.exception("snapshot failed; will retry")


def _motion(zone: Zone) -> Motion:
    ids, values = zone.ship_columns()
    return Motion(ids, np.full(len(ids), zone.system_id, dtype=np.int64), values)


def _changed(now: Motion, before: Motion | None) -> Motion:
    """The rows of `now` that differ from `before` (all of them if the ships changed)."""
    if before is None or not np.array_equal(now.ids, before.ids):
        return now
    moved = (now.values != before.values).any(axis=1)
    return Motion(now.ids[moved], now.systems[moved], now.values[moved])
