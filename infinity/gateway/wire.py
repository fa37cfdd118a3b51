"""The game protocol's server side encoding (docs/protocol.md), version 1.

**API boundary.** Only this module knows how simulation state looks on the
wire. Cell records are encoded once per tick and the bytes are shared by
every client that sees the cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec
import numpy as np

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

PROTOCOL_VERSION: Final = 1
FRAME: Final = 0

TAU: Final = 2.0 * np.pi
MOVE = np.dtype([("id", "<u4"), ("x", "<u2"), ("y", "<u2"), ("h", "<i2")])
STATUS = np.dtype([("id", "<u4"), ("hull", "u1"), ("shield", "u1")])

_encoder = msgspec.msgpack.Encoder()
encode = _encoder.encode


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


def entity_record(zone: Zone, row: int) -> list[Any]:
    """An entity's full record, as sent when it enters a cell or a cell is snapshotted."""
    b = zone.bodies
    entity_id = int(b.id[row])
    kind = int(b.kind[row])
    extra: dict[str, Any] = {}
    info = zone.info.get(entity_id)
    name = info.name if info else ""
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
    return [
        entity_id,
        kind,
        name,
        round(float(b.pos[row, 0]), 1),
        round(float(b.pos[row, 1]), 1),
        round(float(b.heading[row]), 4),
        int(b.shown[row, 0]),
        int(b.shown[row, 1]),
        extra,
    ]


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
    events: defaultdict[int, list[list[Any]]] = field(default_factory=lambda: defaultdict(list))

    def touched(self) -> set[int]:
        return (
            set(self.moves)
            | set(self.status)
            | set(self.entered)
            | set(self.left)
            | set(self.events)
        )


def changes_of(zone: Zone, report: TickReport) -> CellChanges:
    """Bucket a tick's moves, status changes, cell crossings and events by cell."""
    b = zone.bodies
    out = CellChanges()
    out.moves = _split_by_cell(b.cell[report.moved], pack_moves(b, report.moved))
    out.status = _split_by_cell(b.cell[report.status], pack_status(b, report.status))
    for entity_id, old, new in report.cell_changes:
        if old >= 0:
            out.left[old].append(entity_id)
        if new >= 0:
            out.entered[new].append(entity_id)
    for event in report.events:
        placed = _event_record(zone, event)
        if placed is not None:
            out.events[placed[0]].append(placed[1])
    return out


def _cell_of_entity(zone: Zone, entity_id: int) -> int | None:
    row = zone.bodies.row(entity_id)
    return None if row is None else int(zone.bodies.cell[row])


def _event_record(zone: Zone, event: ev.Event) -> tuple[int, list[Any]] | None:
    """Where an event is seen (a cell) and how it is written; None for zone-wide events."""
    match event:
        case ev.Beam(shooter, target):
            cell = _cell_of_entity(zone, shooter)
            record: list[Any] = ["beam", shooter, target]
        case ev.Destroyed(ship, _, x, y):
            cell = int(cell_of(np.array([x]), np.array([y]))[0])
            record = ["boom", ship, round(x, 1), round(y, 1)]
        case ev.Detonation(torpedo, target):
            cell = _cell_of_entity(zone, target)
            record = ["torpedo_hit", torpedo, target]
        case ev.Docked(ship, station):
            cell = _cell_of_entity(zone, station)
            record = ["dock", ship, station]
        case ev.Undocked(ship, station):
            cell = _cell_of_entity(zone, station)
            record = ["undock", ship, station]
        case ev.Departed(ship, gate):
            cell = _cell_of_entity(zone, gate)
            record = ["jump", ship, gate]
        case ev.Arrived(ship, gate):
            cell = _cell_of_entity(zone, ship)
            record = ["arrive", ship, gate]
        case _:
            return None
    return None if cell is None else (cell, record)


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
        [
            cell,
            ox,
            oy,
            full_rows is not None,
            entered,
            left,
            changes.moves.get(cell, b""),
            changes.status.get(cell, b""),
            changes.events.get(cell, []),
        ]
    )


def rows_in_cells(b: Bodies, cells: Iterable[int]) -> dict[int, np.ndarray]:
    """Rows of every entity in each of the given cells (for snapshots)."""
    wanted = np.fromiter(cells, dtype=np.int64)
    live = b.cell[: b.n]
    hit = np.flatnonzero(np.isin(live, wanted))
    return {int(c): hit[live[hit] == c] for c in wanted.tolist()}


def chat_lines(report: TickReport) -> list[list[Any]]:
    return [[e.ship, e.name, e.text] for e in report.events if isinstance(e, ev.Chat)]


def frame_prefix(tick: int, dilation: float, cells: list[bytes], chat: bytes) -> bytes:
    """Everything of a frame but the per-client `me` (array of 6; `me` is appended)."""
    return b"".join(
        (
            array_header(6),
            encode(FRAME),
            encode(tick),
            encode(round(dilation, 3)),
            array_header(len(cells)),
            *cells,
            chat,
        )
    )
