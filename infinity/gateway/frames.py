"""Frames over the bus: zones publish per-cell deltas once per tick, gateways assemble
each client's frame from the cells it watches (docs/cluster.md "Frames over the bus"),
in one process (the `LocalBus`) as across many (NATS).

`ZoneFrames` runs after every tick of a zone (of the zone host that holds it, or of the
embedded server). It publishes one `CellRecord` per touched cell someone may watch on
`zone.<z>.cell.<c>` (`wire.encode_cell`), plus a full record for each cell a gateway asked
for on `zone.<z>.wants`; then one `TickClose` on `zone.<z>.tick`: the tick, the chat,
which cells changed, each watched ship's own `me` record and cell, the acks of the
connections commanding them, and what to tell whom. A gateway's `CellFrames` subscribes
to the cells its clients see, keeps this tick's records, and at the close builds each
client's frame (`wire.frame_prefix` + `me`), sharing the bytes of the cells between
clients.

A delta only makes sense to a client that holds the cell: a cell whose record did not
come (a lost message) is dropped from what the client holds and asked for in full, so a
missed message costs a tick of that cell, never a wrong picture.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Set

import msgspec
import numpy as np
from prometheus_client import Counter

from infinity.commands.errors import Rejection
from infinity.commands.notices import Notice
from infinity.gateway import wire
from infinity.gateway.bus import Bus, Callback, Handler, Message, Outbox, Subscription, taken
from infinity.gateway.relay import NO_SENDER, Origin
from infinity.gateway.session import Session
from infinity.gateway.subjects import (
    ALL_WANTS,
    zone_cell,
    zone_cells,
    zone_of_subject,
    zone_tick,
    zone_wants,
)
from infinity.sim.systems import neighbourhood
from infinity.sim.zone import TickReport, Zone

log = logging.getLogger(__name__)

FRAMES = Counter("infinity_frames_sent_total", "Frames queued to clients")
FRAME_BYTES = Counter("infinity_frame_bytes_total", "Bytes of frames queued to clients")

MAX_WANTED = 64
"""Cells one ask may name (a view is 9): more is no client's need, and is refused."""


# What travels per tick is `gc=False` (plain values, no cycles), as wire.py's records: a
# thousand clients' closes would otherwise feed the collector thousands of objects a tick.


class CellRecord(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One cell of one tick: its delta (if it changed) and its full record (if asked)."""

    tick: int
    delta: bytes | None
    full: bytes | None


class Pilot(msgspec.Struct, array_like=True, gc=False):
    """A watched ship as its clients see it this tick."""

    ship: int
    cell: int
    me: wire.Me


class Told(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """What the zone tells the player of one ship outside the frame: a refused command
    (to the connection that sent it, `sender`), or a notice of the economy (credits
    moved; to the ship's player)."""

    ship: int
    rejection: Rejection | None = None
    notice: Notice | None = None
    sender: int = NO_SENDER

    def message(self) -> Notice | Rejection | None:
        return self.rejection if self.rejection is not None else self.notice


class TickClose(msgspec.Struct, array_like=True, gc=False):
    """The end of one zone tick: sent after every `CellRecord` of that tick."""

    zone: int
    tick: int
    dilation: float
    chat: bytes  # the encoded list of chat lines, as the frame carries it
    touched: list[int]  # cells with a delta this tick
    pilots: list[Pilot]
    told: list[Told]
    # Each sending connection (of the pilots' ships) -> its highest command seq the zone
    # took: one map a tick, not one a pilot (a thousand maps a tick wake the collector).
    acks: dict[int, int]


class Wants(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """A gateway's ask: full records of these cells with the zone's next tick."""

    cells: list[int]


_cell_record = msgspec.msgpack.Decoder(CellRecord)
_tick_close = msgspec.msgpack.Decoder(TickClose)
_wants = msgspec.msgpack.Decoder(Wants)
_BAD = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError)


# -- the zone host's side --------------------------------------------------------------


class ZoneFrames:
    """A zone's frames: after each tick, the zone's cells and its close go out on the bus,
    in that order, through the `outbox`; `run` takes the gateways' asks. `acks` is each
    ship's highest command seq taken per sender (`ZoneInbox.acks`); `players()` the ids
    of the ships clients watch, sorted (a cluster: the players' ships); `where` each
    ship's zone; `credits(ship)` what its player holds, for its `me`. A zone, or a cell,
    that nobody listens to (as far as the bus knows) is not encoded."""

    def __init__(
        self,
        bus: Bus,
        outbox: Outbox,
        acks: Mapping[int, dict[int, int]],
        players: Callable[[], np.ndarray],
        where: Mapping[int, int],
        credits: Callable[[int], int] = lambda ship: 0,
        hidden: Set[int] = frozenset(),
    ) -> None:
        self._bus = bus
        self._out = outbox
        self._acks = acks
        self._players = players
        self._where = where
        self._credits = credits
        self._hidden = hidden
        self._wanted: dict[int, set[int]] = {}
        self._told: dict[int, list[Told]] = {}

    async def run(self, stopping: asyncio.Event) -> None:
        """Take the gateways' asks for full cells until `stopping`."""
        asks: Subscription = await self._bus.subscribe(ALL_WANTS, self._on_wants)
        try:
            await stopping.wait()
        finally:
            await asks.close()

    def forget(self, zone: int) -> None:
        """The zone is no longer held here: its asks go to its next host."""
        self._wanted.pop(zone, None)
        self._told.pop(zone, None)

    def tell(self, ship: int, message: Notice | Rejection) -> None:
        """A `commands.notices.Tell`: told to the ship's player with its zone's next close
        (nobody hears it if the ship is in no zone of this host)."""
        zone = self._where.get(ship)
        if zone is None:
            return
        if isinstance(message, Rejection):
            told = Told(ship, rejection=message)
        else:
            told = Told(ship, notice=message)
        self._told.setdefault(zone, []).append(told)

    def on_tick(self, zone: Zone, report: TickReport) -> None:
        """The tick observer: encode the tick's cells and close, and queue them."""
        z, tick, listened = zone.system_id, report.tick, self._bus.listened
        wanted = self._wanted.pop(z, set())
        if not wanted and not listened(zone_tick(z)):
            self._told.pop(z, None)  # nobody watches: nobody to tell
            return
        changes = wire.changes_of(zone, report, self._hidden)
        touched = changes.touched()
        fulls = wire.rows_in_cells(zone.bodies, wanted, self._hidden) if wanted else {}
        cells = zone_cells(z)[:-1]  # "zone.<z>.cell.": one cell's subject is this + its key
        watched = {cell for cell in touched if listened(f"{cells}{cell}")}
        for cell in sorted(watched | wanted):
            delta = wire.encode_cell(zone, cell, changes) if cell in touched else None
            rows = fulls.get(cell)
            full = None if rows is None else wire.encode_cell(zone, cell, changes, rows)
            self._out.put(f"{cells}{cell}", wire.encode(CellRecord(tick, delta, full)))
        pilots = self._pilots(zone)
        close = TickClose(
            zone=z,
            tick=tick,
            dilation=report.dilation,
            chat=wire.encode(wire.chat_lines(report, self._hidden)),
            touched=sorted(touched),
            pilots=pilots,
            acks=self._acks_of(pilots),
            told=[
                *self._told.pop(z, ()),
                *(
                    Told(o.ship, rejection=r, sender=o.sender)
                    for o, r in report.rejections
                    if isinstance(o, Origin)
                ),
            ],
        )
        self._out.put(zone_tick(z), wire.encode(close))

    def _pilots(self, zone: Zone) -> list[Pilot]:
        """Every watched ship in the zone with its `me`."""
        b = zone.bodies
        rows = np.flatnonzero(np.isin(b.id[: b.n], self._players()) & ~b.gone[: b.n])
        if rows.size == 0:
            return []
        ships = b.id[rows].tolist()
        mes = wire.me_records(zone, rows, [self._credits(ship) for ship in ships])
        cells = b.cell[rows].tolist()
        return [Pilot(s, c, m) for s, c, m in zip(ships, cells, mes, strict=True)]

    def _acks_of(self, pilots: list[Pilot]) -> dict[int, int]:
        """The acks of every connection commanding one of `pilots`' ships."""
        acks: dict[int, int] = {}
        for pilot in pilots:
            found = self._acks.get(pilot.ship)
            if found:
                for sender, seq in found.items():
                    acks[sender] = max(seq, acks.get(sender, 0))
        return acks

    async def _on_wants(self, message: Message) -> None:
        try:
            zone = zone_of_subject(message.subject)
            wants = _wants.decode(message.data)
        except (ValueError, *_BAD) as error:
            log.warning("frames: dropped a bad ask on %s: %s", message.subject, error)
            return
        if len(wants.cells) > MAX_WANTED or any(c < 0 for c in wants.cells):
            log.warning("frames: dropped an ask for %d cells", len(wants.cells))
            return
        self._wanted.setdefault(zone, set()).update(wants.cells)


# -- the gateway's side ----------------------------------------------------------------

IDLE_TICKS = 40
"""Ticks a cell nobody sees stays subscribed (2 s), so a client moving along a border
does not make the gateway subscribe and unsubscribe every tick."""


class _Watched:
    """One zone as one gateway watches it: its sessions, the cells they see, and the
    records of the tick in progress."""

    def __init__(
        self,
        zone: int,
        closer: Callable[[_Watched], Handler],
        keeper: Callable[[_Watched], Callback],
    ) -> None:
        self.zone = zone
        self.closer = closer(self)  # the tick's close: frames built, subscriptions kept
        self.keeper = keeper(self)  # a cell's record, kept for the close (on the local bus
        # as it is published: no queue or task per cell)
        self.sessions: dict[int, Session] = {}  # account -> session
        self.held: dict[int, set[int]] = {}  # account -> cells its client holds in full
        self.cells: dict[int, Subscription] = {}
        # Who sees what, counted as views change (not summed over every client a tick):
        self.views: dict[int, tuple[int, ...]] = {}  # account -> the view counted for it
        self.interest: dict[int, int] = {}  # cell -> how many counted views hold it
        self.idle: dict[int, int] = {}  # subscribed cell in no view -> the tick it left the last
        self.records: dict[int, CellRecord] = {}
        self.close: Subscription | None = None
        self.tick = 0  # the last tick closed

    def look(self, account: int, view: tuple[int, ...] | None, fresh: set[int]) -> None:
        """Count `account`'s view as `view` (None: nothing here); a cell no view held
        before goes into `fresh`, one no view holds any more starts idling."""
        old = self.views.get(account)
        if old == view:
            return
        interest = self.interest
        for cell in old or ():
            interest[cell] -= 1
            if not interest[cell]:
                del interest[cell]
                self.idle[cell] = self.tick
        if view is None:
            self.views.pop(account, None)
            return
        self.views[account] = view
        for cell in view:
            if cell not in interest:
                interest[cell] = 0
                fresh.add(cell)
                self.idle.pop(cell, None)
            interest[cell] += 1


class CellFrames:
    """A gateway's frames: which zone each session watches, the subscriptions to the
    cells they see, and each client's frame built at every tick's close. `absent(session)`
    is called when a session's ship was not among its zone's pilots (it jumped, or is not
    placed yet): the gateway finds where it is. `run` subscribes to the closes of the
    zones `watch` names, in order."""

    def __init__(self, bus: Bus, absent: Callable[[Session], None]) -> None:
        self._bus = bus
        self._absent = absent
        self._zones: dict[int, _Watched] = {}
        self._opening: asyncio.Queue[tuple[_Watched, set[int]]] = asyncio.Queue()

    def tick_of(self, zone: int) -> int:
        """The last tick of `zone` this gateway saw closed (0: none yet)."""
        watched = self._zones.get(zone)
        return 0 if watched is None else watched.tick

    def sessions_in(self, zone: int) -> list[Session]:
        """The sessions watching `zone`."""
        watched = self._zones.get(zone)
        return [] if watched is None else list(watched.sessions.values())

    def watch(self, session: Session, zone: int, near: int | None = None) -> None:
        """`session` sees `zone` from now on (full cells first), and no other zone. `near`:
        the cell its ship is in, if known: that view is asked for at once, so the first
        frame shows it (else it comes a tick after the first)."""
        self.leave(session)
        watched = self._zones.get(zone)
        cells = set() if near is None else set(neighbourhood(near))
        if watched is None:
            watched = self._zones[zone] = _Watched(zone, self._closer, self._keeper)
            self._opening.put_nowait((watched, cells))
        elif cells:
            self._opening.put_nowait((watched, cells))
        watched.sessions[session.account] = session
        watched.held[session.account] = set()
        session.system = zone
        session.resync()

    async def run(self, stopping: asyncio.Event) -> None:
        """Subscribe to each newly watched zone's closes until `stopping`; then close every
        subscription."""
        try:
            async for watched, cells in taken(self._opening, stopping):
                try:
                    await self._open(watched, cells)
                except Exception:  # the bus away: the next close, or the client, asks again
                    log.exception("frames: cannot follow a zone")
        finally:
            await self.close()

    async def _open(self, watched: _Watched, cells: set[int]) -> None:
        if self._zones.get(watched.zone) is not watched or watched.zone < 0:
            return  # let go of meanwhile, or no zone (a ship between zones): nothing to see
        if watched.close is None:
            watched.close = await self._bus.subscribe(zone_tick(watched.zone), watched.closer)
        await self._ask(watched, cells, cells)
        for cell in cells - watched.interest.keys():  # asked for ahead of any view
            watched.idle.setdefault(cell, watched.tick)

    def leave(self, session: Session) -> None:
        """Stop feeding `session` (its zone's subscriptions end when nobody watches)."""
        watched = self._zones.get(session.system)
        if watched is None or watched.sessions.get(session.account) is not session:
            return
        del watched.sessions[session.account]
        watched.held.pop(session.account, None)
        watched.look(session.account, None, set())

    def _closer(self, watched: _Watched) -> Handler:
        async def on_close(message: Message) -> None:
            await self._on_close(watched, message)

        return on_close

    def _keeper(self, watched: _Watched) -> Callback:
        def on_cell(message: Message) -> None:
            try:
                record = _cell_record.decode(message.data)
                cell = int(message.subject.rpartition(".")[2])
            except (ValueError, *_BAD) as error:
                log.warning("frames: dropped a bad cell record: %s", error)
                return
            watched.records[cell] = record  # kept until its tick closes

        return on_cell

    async def _on_close(self, watched: _Watched, message: Message) -> None:
        try:
            close = _tick_close.decode(message.data)
        except _BAD as error:
            log.warning("frames: dropped a bad tick close: %s", error)
            return
        if close.tick < watched.tick:  # the zone restarted from its last snapshot (another
            for session in watched.sessions.values():  # host took it over): what each
                session.resync()  # client holds is of a state that is gone
            watched.idle = dict.fromkeys(watched.idle, close.tick)
        watched.tick = close.tick
        records = {c: r for c, r in watched.records.items() if r.tick == close.tick}
        watched.records.clear()
        pilots = {pilot.ship: pilot for pilot in close.pilots}
        self._tell(watched, close.told)
        frame = _Frame(close, records)
        wanted: set[int] = set()
        fresh: set[int] = set()
        sent = framed = 0
        for session in list(watched.sessions.values()):  # not items(): a tuple each, for
            account = session.account  # the collector to count, a thousand a tick
            pilot = pilots.get(session.ship)
            if pilot is None:
                watched.look(account, None, fresh)
                self._absent(session)
                continue
            data = frame.build(session, watched.held[account], pilot, close.acks, wanted)
            if session.view is not watched.views.get(account):  # its view changed
                watched.look(account, session.view, fresh)
            session.push(data)
            framed += 1
            sent += len(data)
        FRAMES.inc(framed)  # the embedded fan-out's counters: one /metrics for both scales
        FRAME_BYTES.inc(sent)
        await self._subscribe(watched, fresh | wanted, wanted)

    def _tell(self, watched: _Watched, told: list[Told]) -> None:
        """A refusal to the connection that sent the command; a notice to every session on
        the ship (its player's; a bridge crew's)."""
        if not told:
            return
        # ship -> its sessions, for the ships told only (refusals come by dozens a tick; a
        # list for every session's ship would be a thousand for the collector to count)
        ships = {item.ship for item in told}
        on: dict[int, list[Session]] = {}
        for session in watched.sessions.values():
            if session.ship in ships:
                on.setdefault(session.ship, []).append(session)
        for item in told:
            message = item.message()
            if message is None or item.ship not in on:
                continue
            data = wire.told(message)
            for session in on[item.ship]:
                if item.sender in (NO_SENDER, session.sender):
                    session.push(data)

    async def _subscribe(self, watched: _Watched, seen: set[int], wanted: set[int]) -> None:
        """Subscribe to cells newly seen and ask for the wanted ones; let go of cells in
        no view for `IDLE_TICKS`."""
        await self._ask(watched, seen, wanted)
        for cell, since in list(watched.idle.items()):
            if watched.tick - since > IDLE_TICKS:
                del watched.idle[cell]
                subscription = watched.cells.pop(cell, None)
                if subscription is not None:
                    await subscription.close()
        if not watched.sessions:
            await self._drop(watched)

    async def _ask(self, watched: _Watched, seen: set[int], wanted: set[int]) -> None:
        """Subscribe to cells newly seen, then ask for the wanted ones in full (after the
        subscription, so the full record reaches this gateway)."""
        for cell in seen - watched.cells.keys():
            watched.cells[cell] = await self._bus.subscribe_now(
                zone_cell(watched.zone, cell), watched.keeper
            )
        for i in range(0, len(wanted), MAX_WANTED):
            ask = Wants(sorted(wanted)[i : i + MAX_WANTED])
            await self._bus.publish(zone_wants(watched.zone), wire.encode(ask))

    async def _drop(self, watched: _Watched) -> None:
        if self._zones.get(watched.zone) is watched:
            del self._zones[watched.zone]
        for subscription in [*watched.cells.values(), watched.close]:
            if subscription is not None:
                await subscription.close()

    async def close(self) -> None:
        """Every subscription closed (the gateway is stopping)."""
        for watched in list(self._zones.values()):
            watched.sessions.clear()
            await self._drop(watched)


class _Frame:
    """One tick's frames for one zone's sessions: prefixes shared by every client whose
    view is steady, a frame of its own for a client that holds less than it sees."""

    def __init__(self, close: TickClose, records: dict[int, CellRecord]) -> None:
        self.close = close
        self.records = records
        self.touched = set(close.touched)
        self._prefixes: dict[int, bytes | None] = {}  # None: a delta of the view is missing

    def build(
        self,
        session: Session,
        held: set[int],
        pilot: Pilot,
        acks: dict[int, int],
        wanted: set[int],
    ) -> bytes:
        """The session's frame; adds to `wanted` the cells it must get in full."""
        view = neighbourhood(pilot.cell)  # remembered: the same tuple each tick, so a
        # steady client's view compares at the speed of identity
        me = pilot.me
        # A zone taken over by another host acks from 0 again: the client's ack holds.
        me.ack = session.acked = max(acks.get(session.sender, 0), session.acked)
        if session.view == view and not session.needs_full and held.issuperset(view):
            prefix = self._steady(pilot.cell, view)
            if prefix is not None:
                return prefix + wire.encode(me)
        if session.needs_full or session.view != view:
            me.view = list(view)
        if session.needs_full:
            held.clear()
        held.intersection_update(view)
        parts = []
        for cell in view:
            record = self.records.get(cell)
            if cell in held:
                if cell not in self.touched:
                    continue
                if record is not None and record.delta is not None:
                    parts.append(record.delta)
                    continue
                held.discard(cell)  # its delta was lost: the client must drop and refill it
            if record is not None and record.full is not None:
                parts.append(record.full)
                held.add(cell)
            else:
                wanted.add(cell)
        session.view = view
        session.needs_full = False
        return self._prefix(parts) + wire.encode(me)

    def _steady(self, cell: int, view: tuple[int, ...]) -> bytes | None:
        """The frame but `me` of every steady client in `cell` (made once), or None when
        a touched cell's delta did not come."""
        if cell in self._prefixes:
            return self._prefixes[cell]
        deltas = [self.records.get(c) for c in view if c in self.touched]
        parts = [record.delta for record in deltas if record is not None and record.delta]
        prefix = self._prefixes[cell] = self._prefix(parts) if len(parts) == len(deltas) else None
        return prefix

    def _prefix(self, parts: list[bytes]) -> bytes:
        c = self.close
        return wire.frame_prefix(c.tick, c.dilation, parts, c.chat)
