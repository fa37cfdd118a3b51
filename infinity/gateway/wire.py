"""The game protocol's server side (docs/protocol.md), version 1.

**API boundary.** Only this module knows how anything the server sends on
the game WebSocket looks: the welcome, errors, notices, system changes and
the per-tick frames. Records inside a frame are positional arrays (cheaper
than maps at 20 Hz); each is a msgspec struct here, and its field order
(`*_FIELDS`) is the one `web/static/wire.js` indexes by, checked by a test.
Cell records are encoded once per tick and the bytes are shared by every
client that sees the cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import astuple, dataclass, field
from typing import Any, Final

import msgspec
import numpy as np

from infinity.commands.errors import Reason, Rejection
from infinity.commands.notices import Notice, NoticeKind
from infinity.heart.records import Snapshot as HeartSnapshot
from infinity.operators.hunting import Marker
from infinity.sim import events as ev
from infinity.sim.bodies import Bodies
from infinity.sim.kinds import Kind
from infinity.sim.systems import (
    CELL_OFFSET,
    CELL_SHIFT,
    CELL_SIZE,
    CELL_STRIDE,
    cell_of,
    cell_xy,
)
from infinity.sim.zone import TickReport, Zone
from infinity.universe.records import ChatLine as StoredChat

PROTOCOL_VERSION: Final = 1

TAU: Final = 2.0 * np.pi
MOVE = np.dtype([("id", "<u4"), ("x", "<u2"), ("y", "<u2"), ("h", "<i2")])
STATUS = np.dtype([("id", "<u4"), ("hull", "u1"), ("shield", "u1")])

_encoder = msgspec.msgpack.Encoder()
encode = _encoder.encode


# -- messages (maps with a type tag `t`) ------------------------------------------


class _Message(msgspec.Struct, tag_field="t", kw_only=True):
    """A server message other than a frame: a map whose `t` says what it is."""


class AccountInfo(msgspec.Struct):
    id: int
    name: str
    role: str


class SystemInfo(msgspec.Struct):
    id: int
    name: str


class ChatLine(msgspec.Struct, array_like=True, gc=False):
    ship: int
    name: str
    text: str


class Welcome(_Message, tag="welcome"):
    v: int
    account: AccountInfo
    ship: int
    system: SystemInfo
    tick: int
    cell_size: float
    chat: list[ChatLine]  # recent local chat, oldest first


class ErrorMessage(_Message, tag="error"):
    """A refused command (or frame): nothing changed."""

    reason: Reason
    detail: str
    seq: int = 0


class SystemChange(_Message, tag="system"):
    """The ship is now in another star system: the client drops what it holds."""

    system: SystemInfo


class NoticeMessage(_Message, tag="notice", omit_defaults=True):
    """Something happened to the player's wallet; fields not known are left out."""

    kind: NoticeKind
    text: str
    credits: int | None = None
    amount: int | None = None
    other: str | None = None


class MarkerRecord(Marker, frozen=True, array_like=True):
    """Where a subject shared with this player is now, in any star system (`MARKER_FIELDS`):
    the hunt's `Marker`, laid out as an array on the wire."""


class Markers(_Message, tag="markers"):
    """Once a second while any share shows this player something: every marker it may see
    now (replacing the last list; an empty list clears them)."""

    markers: list[MarkerRecord]


class Seat(_Message, tag="seat"):
    """The ship this connection now watches and commands: a flagship whose bridge post it
    holds (`post`, and the command types it may send; None: all, the captain), or its own
    ship again (`post` empty)."""

    ship: int
    post: str
    commands: list[str] | None


ServerMessage = Welcome | ErrorMessage | SystemChange | NoticeMessage | Markers | Seat


def welcome(
    account: AccountInfo, ship: int, system: SystemInfo, tick: int, chat: list[ChatLine]
) -> bytes:
    """The first message of a game connection: who, which ship, where and when."""
    return encode(
        Welcome(
            v=PROTOCOL_VERSION,
            account=account,
            ship=ship,
            system=system,
            tick=tick,
            cell_size=CELL_SIZE,
            chat=chat,
        )
    )


def chat_line(line: StoredChat) -> ChatLine:
    return ChatLine(line.ship_id, line.name, line.text)


def error(reason: Reason, detail: str, seq: int = 0) -> bytes:
    return encode(ErrorMessage(reason=reason, detail=detail, seq=seq))


def refusal(rejection: Rejection) -> bytes:
    return error(rejection.reason, rejection.detail, rejection.seq)


def seat(ship: int, post: str, commands: frozenset[str] | None) -> bytes:
    return encode(Seat(ship, post, None if commands is None else sorted(commands)))


def system_change(system_id: int, name: str) -> bytes:
    return encode(SystemChange(system=SystemInfo(system_id, name)))


def markers(found: Iterable[Marker]) -> bytes:
    """The hunted as one player sees them: encoded once per distinct set of shares."""
    records = [
        MarkerRecord(m.share, m.ship, m.name, m.system, m.system_name, m.x, m.y) for m in found
    ]
    return encode(Markers(markers=records))


def told(message: Notice | Rejection) -> bytes:
    """What a service tells one player: a notice, or a refusal shaped as an error."""
    if isinstance(message, Rejection):
        return refusal(message)
    return encode(
        NoticeMessage(
            kind=message.kind,
            text=message.text,
            credits=message.credits,
            amount=message.amount,
            other=message.other,
        )
    )


# -- frame records (positional arrays) --------------------------------------------


# The records built per tick for every client are `gc=False`: they hold plain values and
# never a cycle, so the collector need not track them (they would otherwise be promoted
# by young collections during the fan-out and trigger full ones).
class Entity(msgspec.Struct, array_like=True, gc=False):
    """An entity in full, as sent when it enters a cell or a cell is snapshotted."""

    id: int
    kind: int
    name: str
    x: float
    y: float
    heading: float
    hull: int  # whole percent
    shield: int
    extra: dict[str, Any]


class _Event(msgspec.Struct, array_like=True, gc=False):
    """Something seen happening in a cell: `[tag, ...fields]`."""


class BeamEvent(_Event, tag="beam"):
    shooter: int
    target: int


class BoomEvent(_Event, tag="boom"):
    ship: int
    x: float
    y: float


class TorpedoHitEvent(_Event, tag="torpedo_hit"):
    torpedo: int
    target: int


class _AtStation(_Event):
    """A ship docking at, or undocking from, a station."""

    ship: int
    station: int


class DockEvent(_AtStation, tag="dock"): ...


class UndockEvent(_AtStation, tag="undock"): ...


class _AtGate(_Event):
    """A ship jumping out through a gate, or arriving through one."""

    ship: int
    gate: int


class JumpEvent(_AtGate, tag="jump"): ...


class ArriveEvent(_AtGate, tag="arrive"): ...


class SiphonBrokenEvent(_Event, tag="siphon_broken"):
    """A siphon ended; `why` is range, docked, gone, shot or stopped."""

    thief: int
    victim: int
    why: str


WireEvent = (
    BeamEvent | BoomEvent | TorpedoHitEvent | DockEvent | UndockEvent | JumpEvent | ArriveEvent
    | SiphonBrokenEvent
)  # fmt: skip
EVENT_TYPES: Final = (
    BeamEvent, BoomEvent, TorpedoHitEvent, DockEvent, UndockEvent, JumpEvent, ArriveEvent,
    SiphonBrokenEvent,
)  # fmt: skip


class Cell(msgspec.Struct, array_like=True, gc=False):
    key: int
    ox: float  # the cell's south-west corner, metres
    oy: float
    full: bool  # the whole content of the cell: drop what you hold for it first
    entered: list[Entity]
    left: list[int]
    moves: bytes  # MOVE records
    status: bytes  # STATUS records
    events: list[WireEvent]


class Me(msgspec.Struct, array_like=True, gc=False):
    """One player's private ship state, appended to each of its frames."""

    ack: int  # highest command seq applied, per connection
    energy: int
    cargo: int
    torpedoes: int
    docked_at: int  # ids are -1 for none
    target: int
    beam_cd: int  # tenths of a second
    torp_cd: int
    mining: int
    view: list[int] | None  # the 9 cell keys seen, only when they changed
    credits: int
    fuel: int
    siphon: int  # the ship being drained


class Frame(msgspec.Struct, array_like=True, tag=0):
    """The per-tick message. The server assembles it from shared bytes (`frame_prefix`);
    this struct is its layout, and how Python clients decode it."""

    tick: int
    dilation: float  # simulated seconds per wall second
    cells: list[Cell]
    chat: list[ChatLine]
    me: Me


def layout(record: type[msgspec.Struct]) -> tuple[str, ...]:
    """A positional record's field names in wire order; a tag comes first, as "t"."""
    tag = () if record.__struct_config__.tag is None else ("t",)
    return (*tag, *record.__struct_fields__)


FRAME_FIELDS: Final = layout(Frame)
CELL_FIELDS: Final = layout(Cell)
ENTITY_FIELDS: Final = layout(Entity)
ME_FIELDS: Final = layout(Me)
CHAT_FIELDS: Final = layout(ChatLine)
MARKER_FIELDS: Final = layout(MarkerRecord)
EVENT_FIELDS: Final = {str(e.__struct_config__.tag): layout(e) for e in EVENT_TYPES}


# -- encoding a tick --------------------------------------------------------------


def array_header(count: int) -> bytes:
    """MessagePack array header, for frames assembled from pre-encoded parts."""
    if count < 16:
        return bytes((0x90 | count,))
    if count < 1 << 16:
        return b"\xdc" + count.to_bytes(2, "big")
    return b"\xdd" + count.to_bytes(4, "big")


def cell_origin(cell: int) -> tuple[float, float]:
    cx, cy = cell_xy(cell)
    return cx * CELL_SIZE, cy * CELL_SIZE


def entity_record(zone: Zone, row: int) -> Entity:
    b = zone.bodies
    entity_id = int(b.id[row])
    info = zone.info.get(entity_id)
    return Entity(
        entity_id,
        int(b.kind[row]),
        info.name if info else "",
        round(float(b.pos[row, 0]), 1),
        round(float(b.pos[row, 1]), 1),
        round(float(b.heading[row]), 4),
        int(b.shown[row, 0]),
        int(b.shown[row, 1]),
        _extra(zone, row),
    )


def _extra(zone: Zone, row: int) -> dict[str, Any]:
    """The kind-specific fields of an entity, sent only when it enters a cell."""
    b = zone.bodies
    kind = int(b.kind[row])
    info = zone.info.get(int(b.id[row]))
    extra: dict[str, Any] = {}
    if kind == Kind.SHIP:
        extra["docked_at"] = int(b.docked_at[row])
        if info and info.account is not None:
            extra["owner"] = info.account
    elif kind == Kind.GATE and info:
        extra["leads_to"] = info.leads_to
    elif kind == Kind.ASTEROID:
        extra["ore"] = round(float(b.ore[row]))
    elif kind == Kind.WRECK:
        extra["ore"] = round(float(b.cargo[row]))
        extra["of"] = int(b.owner[row])
    elif kind == Kind.TORPEDO:
        extra["target"] = int(b.target[row])
    return extra


def pack_moves(b: Bodies, rows: np.ndarray) -> np.ndarray:
    """Quantise moved entities to 10-byte cell-relative records (vectorised)."""
    out = np.empty(rows.size, dtype=MOVE)
    cells = b.cell[rows]
    cx = (cells >> CELL_SHIFT) - CELL_OFFSET
    cy = (cells & (CELL_STRIDE - 1)) - CELL_OFFSET
    out["id"] = b.id[rows]
    out["x"] = np.clip(np.rint((b.pos[rows, 0] - cx * CELL_SIZE) * 10.0), 0, 65535)
    out["y"] = np.clip(np.rint((b.pos[rows, 1] - cy * CELL_SIZE) * 10.0), 0, 65535)
    h = b.heading[rows]
    heading = h - TAU * np.floor((h + np.pi) * (1.0 / TAU))  # wrapped to [-pi, pi)
    out["h"] = np.rint(heading * 10000.0)
    return out


def pack_status(b: Bodies, rows: np.ndarray) -> np.ndarray:
    out = np.empty(rows.size, dtype=STATUS)
    out["id"] = b.id[rows]
    out["hull"] = b.shown[rows, 0]
    out["shield"] = b.shown[rows, 1]
    return out


def _split_by_cell(cells: np.ndarray, packed: np.ndarray) -> dict[int, bytes]:
    """Group packed records by cell key: one sort, one `tobytes`, then a slice per cell.

    Order within a cell does not matter to the protocol, so the sort need not be stable.
    """
    if cells.size == 0:
        return {}
    order = np.argsort(cells)
    sorted_cells = cells[order]
    blob = packed[order].tobytes()
    width = packed.dtype.itemsize
    starts = np.concatenate(([0], np.flatnonzero(sorted_cells[1:] != sorted_cells[:-1]) + 1))
    ends = np.append(starts[1:], sorted_cells.size)
    keys = sorted_cells[starts].tolist()
    return {
        k: blob[s * width : e * width]
        for k, s, e in zip(keys, starts.tolist(), ends.tolist(), strict=True)
    }


@dataclass(slots=True)
class CellChanges:
    """What changed in each cell this tick, before encoding."""

    moves: dict[int, bytes] = field(default_factory=dict)
    status: dict[int, bytes] = field(default_factory=dict)
    entered: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    left: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    events: defaultdict[int, list[WireEvent]] = field(default_factory=lambda: defaultdict(list))

    def touched(self) -> set[int]:
        return (
            set(self.moves)
            | set(self.status)
            | set(self.entered)
            | set(self.left)
            | set(self.events)
        )


def changes_of(zone: Zone, report: TickReport, hidden: Set[int] = frozenset()) -> CellChanges:
    """Bucket a tick's moves, status changes, cell crossings and events by cell.

    Entities in `hidden` (operator avatars) are left out of every bucket: no frame
    built from these changes can show them, move them or name them in an event."""
    b = zone.bodies
    out = CellChanges()
    moved, changed = _visible(b, report.moved, hidden), _visible(b, report.status, hidden)
    out.moves = _split_by_cell(b.cell[moved], pack_moves(b, moved))
    out.status = _split_by_cell(b.cell[changed], pack_status(b, changed))
    for entity_id, old, new in report.cell_changes:
        if entity_id in hidden:
            continue
        if old >= 0:
            out.left[old].append(entity_id)
        if new >= 0:
            out.entered[new].append(entity_id)
    for event in report.events:
        placed = None if _involves(event, hidden) else _event_record(zone, event)
        if placed is not None:
            out.events[placed[0]].append(placed[1])
    return out


def _visible(b: Bodies, rows: np.ndarray, hidden: Set[int]) -> np.ndarray:
    """`rows` without the hidden entities (the same array when nothing is hidden)."""
    if not hidden or rows.size == 0:
        return rows
    return rows[~np.isin(b.id[rows], np.fromiter(hidden, dtype=np.int64))]


def _involves(event: ev.Event, hidden: Set[int]) -> bool:
    """Whether any entity an event names is hidden."""
    return bool(hidden) and any(type(v) is int and v in hidden for v in astuple(event))


def _event_record(zone: Zone, event: ev.Event) -> tuple[int, WireEvent] | None:
    """Where an event is seen (a cell) and how it is written; None for what is not shown."""
    match event:
        case ev.Beam(shooter, target):
            return _seen(zone, BeamEvent(shooter, target), shooter)
        case ev.Destroyed(ship, _, x, y):
            cell = int(cell_of(np.array([x]), np.array([y]))[0])
            return cell, BoomEvent(ship, round(x, 1), round(y, 1))
        case ev.Detonation(torpedo, target):
            return _seen(zone, TorpedoHitEvent(torpedo, target), target)
        case ev.Docked(ship, station):
            return _seen(zone, DockEvent(ship, station), station)
        case ev.Undocked(ship, station):
            return _seen(zone, UndockEvent(ship, station), station)
        case ev.Departed(ship, gate):
            return _seen(zone, JumpEvent(ship, gate), gate)
        case ev.Arrived(ship, gate):
            return _seen(zone, ArriveEvent(ship, gate), ship)
        case ev.SiphonBroken(thief, victim, why):
            return _seen(zone, SiphonBrokenEvent(thief, victim, why), thief, victim)
        case _:
            return None


def _seen(zone: Zone, record: WireEvent, *by: int) -> tuple[int, WireEvent] | None:
    """`record` in the cell of the first of the entities `by` still in the zone (else None)."""
    for entity_id in by:
        row = zone.bodies.row(entity_id)
        if row is not None:
            return int(zone.bodies.cell[row]), record
    return None


def encode_cell(
    zone: Zone, cell: int, changes: CellChanges, full_rows: np.ndarray | None = None
) -> bytes:
    """One cell record. With `full_rows`, a snapshot of everything in the cell."""
    ox, oy = cell_origin(cell)
    b = zone.bodies
    if full_rows is not None:
        entered = [entity_record(zone, r) for r in full_rows.tolist()]
        left: list[int] = []
    else:
        rows = (b.row(i) for i in changes.entered.get(cell, ()))
        entered = [entity_record(zone, r) for r in rows if r is not None]
        left = changes.left.get(cell, [])
    return encode(
        Cell(
            cell,
            ox,
            oy,
            full_rows is not None,
            entered,
            left,
            changes.moves.get(cell, b""),
            changes.status.get(cell, b""),
            changes.events.get(cell, []),
        )
    )


def rows_in_cells(
    b: Bodies, cells: Iterable[int], hidden: Set[int] = frozenset()
) -> dict[int, np.ndarray]:
    """Rows of every entity in each of the given cells (for snapshots), hidden ones left out."""
    wanted = np.fromiter(cells, dtype=np.int64)
    live = b.cell[: b.n]
    hit = _visible(b, np.flatnonzero(np.isin(live, wanted)), hidden)
    return {int(c): hit[live[hit] == c] for c in wanted.tolist()}


def chat_lines(report: TickReport, hidden: Set[int] = frozenset()) -> list[ChatLine]:
    return [
        ChatLine(e.ship, e.name, e.text)
        for e in report.events
        if isinstance(e, ev.Chat) and e.ship not in hidden
    ]


def me_records(zone: Zone, rows: np.ndarray, credits: list[int]) -> list[Me]:
    """Each present player's `me`, gathered column-wise; `ack` and `view` are the fan-out's."""
    b = zone.bodies
    columns: dict[str, list[Any]] = {
        "ack": [0] * rows.size,
        "energy": np.rint(b.energy[rows]).astype(np.int64).tolist(),
        "cargo": np.rint(b.cargo[rows]).astype(np.int64).tolist(),
        "torpedoes": b.torpedoes[rows].tolist(),
        "docked_at": b.docked_at[rows].tolist(),
        "target": b.target[rows].tolist(),
        "beam_cd": np.ceil(b.beam_cd[rows] * 10).astype(np.int64).tolist(),
        "torp_cd": np.ceil(b.torp_cd[rows] * 10).astype(np.int64).tolist(),
        "mining": b.mining[rows].tolist(),
        "view": [None] * rows.size,
        "credits": credits,
        "fuel": np.rint(b.fuel[rows]).astype(np.int64).tolist(),
        "siphon": b.siphon[rows].tolist(),
    }
    ordered = [columns[name] for name in Me.__struct_fields__]
    return [Me(*values) for values in zip(*ordered, strict=True)]


def frame_prefix(tick: int, dilation: float, cells: list[bytes], chat: bytes) -> bytes:
    """Everything of a frame but the per-client `me`, which is appended encoded."""
    return b"".join(
        (
            array_header(len(FRAME_FIELDS)),
            encode(Frame.__struct_config__.tag),
            encode(tick),
            encode(round(dilation, 3)),
            array_header(len(cells)),
            *cells,
            chat,
        )
    )


# -- the Heart's live feed (/heart/live, operators only) -----------------------------


def heart(snapshot: HeartSnapshot) -> bytes:
    """One frame of the operators' console: the Heart's snapshot as a MessagePack map
    (field names as in `infinity.heart.records`; docs/protocol.md "The Heart")."""
    return encode(snapshot)


# -- decoding, for clients written in Python (tests, load-test bots) --------------

_frames = msgspec.msgpack.Decoder(Frame)
_messages: msgspec.msgpack.Decoder[ServerMessage] = msgspec.msgpack.Decoder(ServerMessage)


def decode(data: bytes) -> Frame | ServerMessage:
    """One server message as a client reads it: frames are arrays, the rest maps."""
    first = data[0] if data else 0
    if 0x90 <= first <= 0x9F or first in (0xDC, 0xDD):
        return _frames.decode(data)
    return _messages.decode(data)
