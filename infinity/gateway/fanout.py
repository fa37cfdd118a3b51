"""The embedded server's gateway side: its players' sessions, their commands out to the
zones and their frames back, over the in-process bus exactly as a cluster gateway's go
over NATS (docs/cluster.md "One path at both scales").

A command from a socket goes through a `CommandRelay` to `zone.<z>.commands`, where the
zones' `ZoneInbox` hands it to the universe; after every tick the zone's `ZoneFrames`
publishes its watched cells and its close, and `CellFrames` builds each client's frame
from them (one encoding of a cell shared by every client that sees it). What stays here
is what only a process holding sockets knows: who plays, which ship each session sits
on (a flagship's bridge crew watches and commands another ship), markers, kicks and
resyncs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import numpy as np

from infinity.commands.errors import Rejection
from infinity.commands.notices import Notice
from infinity.commands.types import Command
from infinity.gateway import wire
from infinity.gateway.bus import Bus
from infinity.gateway.frames import CellFrames
from infinity.gateway.relay import NO_SENDER, CommandRelay
from infinity.gateway.session import SESSIONS, Session
from infinity.operators.hunting import Sighting
from infinity.sim.systems import cell_of
from infinity.universe.universe import Universe


class Fanout:
    """Knows which sessions play and which ship each watches; relays their commands and
    feeds them frames. `run` owns the relay and the frames' subscriptions."""

    def __init__(self, universe: Universe, bus: Bus) -> None:
        self.universe = universe
        # Several sessions may watch one ship (a flagship's bridge crew), so they are
        # keyed by account, never by ship.
        self.by_account: dict[int, Session] = {}
        self.frames = CellFrames(bus, self._absent)
        self._relay = CommandRelay(bus, universe.where)
        self._marked: set[int] = set()  # accounts whose last markers message was not empty
        self._ships: np.ndarray | None = None  # the watched ships, sorted; None: to remake

    async def run(self, stopping: asyncio.Event) -> None:
        """Relay commands and follow the watched zones until `stopping`."""
        async with asyncio.TaskGroup() as tasks:
            relaying = tasks.create_task(self._relay.run())
            tasks.create_task(self.frames.run(stopping))
            await stopping.wait()
            relaying.cancel()

    # -- membership -----------------------------------------------------------

    def join(self, session: Session) -> Session | None:
        """Attach a session; returns the session it replaces for the same account, if any."""
        old = self.by_account.get(session.account)
        if old is not None:
            self.leave(old)
        self.by_account[session.account] = session
        self._enter_system(session)
        SESSIONS.set(len(self.by_account))
        return old

    def leave(self, session: Session) -> None:
        if self.by_account.get(session.account) is session:
            del self.by_account[session.account]
            self._ships = None
        self.frames.leave(session)
        session.close()
        SESSIONS.set(len(self.by_account))

    def submit(self, command: Command, origin: object) -> bool:
        """A checked command from `origin` (its session), on its way to its ship's zone;
        False when no zone has the ship."""
        sender = origin.sender if isinstance(origin, Session) else NO_SENDER
        return self._relay.send(command, sender)

    def watched_ships(self) -> np.ndarray:
        """The ships sessions watch, sorted: the zones make their `me` records."""
        if self._ships is None:
            ships = sorted({session.ship for session in self.by_account.values()})
            self._ships = np.array(ships, dtype=np.int64)
        return self._ships

    def _enter_system(self, session: Session) -> None:
        """Watch the zone the session's ship is in, its view asked for at once."""
        self._ships = None
        system = self.universe.where.get(session.ship, -1)
        zone, near = self.universe.zones.get(system), None
        if zone is not None and (row := zone.bodies.row_of.get(session.ship)) is not None:
            x, y = zone.bodies.pos[row : row + 1].T  # the cell is set by the next tick
            near = int(cell_of(x, y)[0])
        self.frames.watch(session, system, near)

    def seat(
        self, account: int, ship: int | None, post: str, commands: frozenset[str] | None
    ) -> None:
        """Put the account's session on `ship`'s bridge at `post`, giving `commands` (None:
        every one), or (`ship` None) back aboard its own ship; the client is told first."""
        session = self.by_account.get(account)
        if session is None:
            return
        session.seat(ship, post, commands)
        session.push(wire.seat(session.ship, post if ship is not None else "", commands))
        self._enter_system(session)
        zone = self.universe.zones.get(session.system)
        if zone is not None:
            session.push(wire.system_change(zone.system_id, zone.name))

    def _absent(self, session: Session) -> None:
        """A session's ship was not in its zone's last tick: if it moved (a jump, a
        respawn, a world's travel), the session follows it there."""
        now = self.universe.where.get(session.ship)
        if (
            now is None
            or now == session.system
            or self.by_account.get(session.account) is not session
        ):
            return
        self._enter_system(session)
        session.push(wire.system_change(now, self.universe.zones[now].name))

    async def disconnect(self, account: int, code: int, reason: str) -> bool:
        """Close the account's game session (an operator's kick or ban); False if none."""
        session = self.by_account.get(account)
        if session is None:
            return False
        await session.kick(code, reason.encode()[:120].decode(errors="ignore"))
        return True

    def resync_system(self, system: int) -> None:
        """Every client in `system` gets full cells again (a ship was hidden or shown)."""
        for session in self.frames.sessions_in(system):
            session.resync()

    def tell(self, ship: int, message: Notice | Rejection) -> None:
        """Send a notice or a refusal to the player whose ship it is (wherever they sit), or
        to everyone on the bridge of an ownerless ship (a flagship), if connected."""
        owner = self.universe.owners.get(ship)
        if owner is not None:
            found = self.by_account.get(owner)
            told = [found] if found is not None else []
        else:
            watching = self.frames.sessions_in(self.universe.where.get(ship, -1))
            told = [s for s in watching if s.ship == ship]
        if told:
            data = wire.told(message)
            for session in told:
                session.push(data)

    def show_markers(self, sightings: Sequence[Sighting]) -> None:
        """Once a second (the hunts' pace, never per tick): each connected player gets every
        marker it may see, one message per distinct set of shares, encoded once. A player
        whose markers all ended gets one empty message, so its client drops them."""
        encoded: dict[tuple[int, tuple[int, ...]], bytes] = {}
        marked: set[int] = set()
        world_of = self.universe.world_of
        for account, session in self.by_account.items():
            world = world_of.get(session.system)  # markers never cross into another world
            seen = tuple(
                i
                for i, s in enumerate(sightings)
                if s.markers and _sees(account, s) and _in_world(s, world, world_of)
            )
            if not seen and account not in self._marked:
                continue
            data = encoded.get((world or 0, seen))
            if data is None:
                data = encoded[world or 0, seen] = wire.markers(
                    m for i in seen for m in sightings[i].markers if world_of.get(m.system) == world
                )
            session.push(data)
            if seen:
                marked.add(account)
        self._marked = marked


def _sees(account: int, sighting: Sighting) -> bool:
    return sighting.audience is None or account in sighting.audience


def _in_world(sighting: Sighting, world: int | None, world_of: Mapping[int, int]) -> bool:
    return any(world_of.get(m.system) == world for m in sighting.markers)
