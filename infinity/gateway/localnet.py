"""One process's commands and frames: both ends of one in-process bus.

A cluster splits them between processes: a zone host runs the zones' end (`ZoneInbox`,
`ZoneFrames`), a gateway the players' end (`CellFrames` and a `CommandRelay`), over NATS.
The embedded server runs both ends here, over a `LocalBus`, with the same classes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from infinity.gateway.bus import LocalBus, Outbox
from infinity.gateway.fanout import Fanout
from infinity.gateway.frames import ZoneFrames
from infinity.gateway.relay import EVERY_ZONE, ZoneInbox
from infinity.universe.universe import Universe


class LocalNet:
    """The zones' inbox and frames and the players' fan-out, on one `LocalBus`;
    `credits(ship)` is what a ship's player holds, for its `me`. `run` owns them all."""

    def __init__(self, universe: Universe, credits: Callable[[int], int] = lambda ship: 0) -> None:
        self.bus = LocalBus()
        self.inbox = ZoneInbox(self.bus, universe.submit)
        self.outbox = Outbox(self.bus)
        self.fanout = Fanout(universe, self.bus)
        self.frames = ZoneFrames(
            self.bus, self.outbox, self.inbox.acks, self.fanout.watched_ships, universe.where,
            credits, universe.hidden,
        )  # fmt: skip
        universe.observe(self.frames.on_tick)

    async def run(self, stopping: asyncio.Event) -> None:
        """Carry commands in and frames out until `stopping`; then close the bus."""
        try:
            await self.inbox.open(EVERY_ZONE)  # before the relay may publish a command
            async with asyncio.TaskGroup() as tasks:
                for end in (self.inbox, self.outbox, self.frames, self.fanout):
                    tasks.create_task(end.run(stopping))
        finally:
            await self.bus.close()
