"""Interest-managed fan-out: after every zone tick, one frame per connected player.

Per tick and zone: the changes are bucketed by cell once, each watched cell
is encoded once, the frame prefix for each distinct view (3x3 cells) is
assembled once, and each client then costs one small `me` record and a
queue append. Clients whose view changed get full records for the cells
they newly see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence, Set

import numpy as np
from prometheus_client import Counter, Gauge

from infinity.commands.errors import Rejection
from infinity.commands.notices import Notice
from infinity.gateway import wire
from infinity.gateway.session import Session
from infinity.operators.hunting import Sighting
from infinity.sim.systems import neighbourhood
from infinity.sim.zone import TickReport, Zone
from infinity.universe.universe import Universe

FRAMES = Counter("infinity_frames_sent_total", "Frames queued to clients")
FRAME_BYTES = Counter("infinity_frame_bytes_total", "Bytes of frames queued to clients")
SESSIONS = Gauge("infinity_sessions", "Connected game sessions")


class Fanout:
    """Knows which sessions watch which zone and feeds them after each tick."""

    def __init__(self, universe: Universe, credits: Callable[[int], int] = lambda ship: 0) -> None:
        self.universe = universe
        self.credits = credits
        # system -> account -> session: several sessions may watch one ship (a flagship's
        # bridge crew), so they are keyed by account, never by ship
        self.by_system: defaultdict[int, dict[int, Session]] = defaultdict(dict)
        self.by_account: dict[int, Session] = {}
        self._marked: set[int] = set()  # accounts whose last markers message was not empty
        universe.observe(self.on_tick)

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
        members = self.by_system[session.system]
        if members.get(session.account) is session:
            del members[session.account]
        session.close()
        SESSIONS.set(len(self.by_account))

    def _enter_system(self, session: Session) -> None:
        members = self.by_system[session.system]
        if members.get(session.account) is session:
            del members[session.account]
        session.system = self.universe.where.get(session.ship, -1)
        self.by_system[session.system][session.account] = session
        session.resync()

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

    async def disconnect(self, account: int, code: int, reason: str) -> bool:
        """Close the account's game session (an operator's kick or ban); False if none."""
        session = self.by_account.get(account)
        if session is None:
            return False
        await session.kick(code, reason.encode()[:120].decode(errors="ignore"))
        return True

    def resync_system(self, system: int) -> None:
        """Every client in `system` gets full cells next frame (a ship was hidden or shown)."""
        for session in self.by_system.get(system, {}).values():
            session.resync()

    def tell(self, ship: int, message: Notice | Rejection) -> None:
        """Send a notice or a refusal to the player whose ship it is (wherever they sit), or
        to everyone on the bridge of an ownerless ship (a flagship), if connected."""
        owner = self.universe.owners.get(ship)
        if owner is not None:
            found = self.by_account.get(owner)
            told = [found] if found is not None else []
        else:
            watching = self.by_system.get(self.universe.where.get(ship, -1), {}).values()
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

    # -- the per-tick work ----------------------------------------------------

    def on_tick(self, zone: Zone, report: TickReport) -> None:
        sessions = self.by_system.get(zone.system_id)
        for origin, rejection in report.rejections:
            if isinstance(origin, Session):
                origin.push(wire.refusal(rejection))
        if not sessions:
            return
        self._follow_departures(zone, sessions)
        present = [s for s in sessions.values() if s.ship in zone.bodies.row_of]
        if not present:
            return
        b = zone.bodies
        rows = np.fromiter((b.row_of[s.ship] for s in present), dtype=np.int64, count=len(present))
        cells = b.cell[rows].tolist()
        frames = _TickFrames(zone, report, self.universe.hidden)
        mes = wire.me_records(zone, rows, [self.credits(s.ship) for s in present])
        sent = 0
        for session, cell, me in zip(present, cells, mes, strict=True):
            me.ack = session.submitted
            view = neighbourhood(cell)
            if session.view == view and not session.needs_full:
                frame = frames.prefix(cell, view) + wire.encode(me)
            else:
                frame = frames.reframe(session, view, me)
            session.push(frame)
            sent += len(frame)
        FRAMES.inc(len(present))  # once per tick: each inc takes a lock
        FRAME_BYTES.inc(sent)

    def _follow_departures(self, zone: Zone, sessions: dict[int, Session]) -> None:
        """Sessions whose ship left this zone move to the zone that now owns it."""
        for session in list(sessions.values()):
            if session.ship in zone.bodies.row_of:
                continue
            now = self.universe.where.get(session.ship, zone.system_id)
            if now != zone.system_id:
                self._enter_system(session)
                session.push(wire.system_change(now, self.universe.zones[now].name))


def _sees(account: int, sighting: Sighting) -> bool:
    return sighting.audience is None or account in sighting.audience


def _in_world(sighting: Sighting, world: int | None, world_of: Mapping[int, int]) -> bool:
    return any(world_of.get(m.system) == world for m in sighting.markers)


class _TickFrames:
    """One zone tick's encoded pieces, each made at most once and shared by every client:
    cell deltas, full cells, and frame prefixes per 3x3 view."""

    def __init__(self, zone: Zone, report: TickReport, hidden: Set[int] = frozenset()) -> None:
        self.zone = zone
        self.report = report
        self.hidden = hidden
        self.changes = wire.changes_of(zone, report, hidden)
        self.touched = self.changes.touched()
        self.chat = wire.encode(wire.chat_lines(report, hidden))
        self._deltas: dict[int, bytes] = {}
        self._fulls: dict[int, bytes] = {}
        self._prefixes: dict[int, bytes] = {}

    def prefix(self, cell: int, view: tuple[int, ...]) -> bytes:
        """The frame, but `me`, for a client in `cell` whose view is unchanged."""
        found = self._prefixes.get(cell)
        if found is None:
            parts = [self._delta(c) for c in view if c in self.touched]
            found = self._prefixes[cell] = self._frame(parts)
        return found

    def reframe(self, session: Session, view: tuple[int, ...], me: wire.Me) -> bytes:
        """A frame for a client whose view changed: full records for newly seen cells."""
        known = () if session.needs_full or session.view is None else session.view
        self._fill([c for c in view if c not in known and c not in self._fulls])
        parts = [
            self._fulls[c] if c not in known else self._delta(c)
            for c in view
            if c not in known or c in self.touched
        ]
        session.view = view
        session.needs_full = False
        me.view = list(view)
        return self._frame(parts) + wire.encode(me)

    def _frame(self, parts: list[bytes]) -> bytes:
        return wire.frame_prefix(self.report.tick, self.report.dilation, parts, self.chat)

    def _delta(self, cell: int) -> bytes:
        data = self._deltas.get(cell)
        if data is None:
            data = self._deltas[cell] = wire.encode_cell(self.zone, cell, self.changes)
        return data

    def _fill(self, cells: list[int]) -> None:
        if cells:
            for cell, rows in wire.rows_in_cells(self.zone.bodies, cells, self.hidden).items():
                self._fulls[cell] = wire.encode_cell(self.zone, cell, self.changes, full_rows=rows)
