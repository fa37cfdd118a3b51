"""Every entity of a zone as one row across aligned numpy columns (struct of arrays).

Rows are dense: `[:n]` are live. Removal swaps the last row into the hole, so a
row index is only valid until the next structural change; entity ids are
stable and `row_of` maps them to rows. Structural changes happen only in the
deferred phase of a tick, never while systems run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from infinity.sim import rules

NO_ENTITY: Final = -1
MAX_ROWS: Final = 1_000_000  # far beyond any zone: a bound on what a replica loads

# name -> (dtype, trailing shape, fill value for a fresh row)
COLUMNS: Final[dict[str, tuple[Any, tuple[int, ...], float]]] = {
    "id": (np.int64, (), NO_ENTITY),
    "kind": (np.int8, (), 0),
    "pos": (np.float64, (2,), 0.0),
    "vel": (np.float64, (2,), 0.0),
    "heading": (np.float64, (), 0.0),
    "throttle": (np.float32, (), 0.0),
    "turn": (np.float32, (), 0.0),
    "dest": (np.float64, (2,), 0.0),
    "autopilot": (np.bool_, (), 0),
    "hull": (np.float32, (), 0.0),
    "shield": (np.float32, (), 0.0),
    "energy": (np.float32, (), 0.0),
    "beam_cd": (np.float32, (), 0.0),
    "torp_cd": (np.float32, (), 0.0),
    "target": (np.int64, (), NO_ENTITY),
    "life": (np.float32, (), 0.0),
    "owner": (np.int64, (), NO_ENTITY),
    "docked_at": (np.int64, (), NO_ENTITY),
    "mining": (np.int64, (), NO_ENTITY),
    "cargo": (np.float32, (), 0.0),
    "ore": (np.float32, (), 0.0),
    "torpedoes": (np.int16, (), 0),
    "cell": (np.int64, (), -1),
    "shown": (np.uint8, (2,), 0),
    "damage": (np.float32, (), 0.0),
    "last_hit_by": (np.int64, (), NO_ENTITY),
    "fuel": (np.float32, (), 0.0),
    "reserved": (np.float32, (), 0.0),  # cargo promised to a sale being paid
    "siphon": (np.int64, (), NO_ENTITY),  # the ship being drained
    "siphon_time": (np.float32, (), 0.0),  # simulated seconds into the current second of drain
    "gone": (np.bool_, (), 0),  # removed this tick: no command or system may use it again
}

Array = npt.NDArray[Any]


class Bodies:
    """The zone's entity table. Columns are attributes of full capacity; use `[:n]`.

    Beside the columns, a few scalars: the zone's rules as the systems read them, so a
    system keeps its `(bodies, dt)` signature and the engine's game costs nothing extra.
    """

    id: Array
    kind: Array
    pos: Array
    vel: Array
    heading: Array
    throttle: Array
    turn: Array
    dest: Array
    autopilot: Array
    hull: Array
    shield: Array
    energy: Array
    beam_cd: Array
    torp_cd: Array
    target: Array
    life: Array
    owner: Array
    docked_at: Array
    mining: Array
    cargo: Array
    ore: Array
    torpedoes: Array
    cell: Array
    shown: Array
    damage: Array
    last_hit_by: Array
    fuel: Array
    reserved: Array
    siphon: Array
    siphon_time: Array
    gone: Array

    def __init__(self, capacity: int = 256) -> None:
        self.n = 0
        # set by `Zone.set_rules` from the world's multipliers; the engine's numbers by default
        self.max_speed: float = rules.SHIP_MAX_SPEED
        self.mine_rate: float = rules.MINE_RATE
        self.capacity = 0
        self.row_of: dict[int, int] = {}
        self._resize(max(capacity, 16))

    def _resize(self, capacity: int) -> None:
        for name, (dtype, shape, fill) in COLUMNS.items():
            fresh = np.full((capacity, *shape), fill, dtype=dtype)
            if self.capacity:
                fresh[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, fresh)
        self.capacity = capacity

    def __len__(self) -> int:
        return self.n

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.row_of

    def spawn(self, entity_id: int, **values: Any) -> int:
        """Append a row for `entity_id`; unspecified columns get their fill value."""
        if entity_id in self.row_of:
            raise ValueError(f"entity {entity_id} already exists in this zone")
        if self.n == self.capacity:
            self._resize(self.capacity * 2)
        row = self.n
        for name, (_, _, fill) in COLUMNS.items():
            getattr(self, name)[row] = fill
        self.id[row] = entity_id
        for name, value in values.items():
            getattr(self, name)[row] = value
        self.row_of[entity_id] = row
        self.n += 1
        return row

    def despawn(self, entity_id: int) -> None:
        """Remove a row by swapping the last live row into its place."""
        row = self.row_of.pop(entity_id)
        last = self.n - 1
        if row != last:
            for name in COLUMNS:
                column = getattr(self, name)
                column[row] = column[last]
            self.row_of[int(self.id[row])] = row
        self.id[last] = NO_ENTITY
        self.n = last

    def rows(self, entity_ids: Array) -> Array:
        """Rows of the given ids, -1 where an id is not in this zone."""
        get = self.row_of.get
        return np.fromiter(
            (get(int(i), -1) for i in entity_ids), dtype=np.int64, count=len(entity_ids)
        )

    def row(self, entity_id: int) -> int | None:
        return self.row_of.get(entity_id)

    def record(self, entity_id: int) -> dict[str, Any]:
        """One entity's columns as plain Python values (for snapshots and tests)."""
        row = self.row_of[entity_id]
        out: dict[str, Any] = {}
        for name in COLUMNS:
            value = getattr(self, name)[row]
            out[name] = value.tolist() if isinstance(value, np.ndarray) else value.item()
        return out

    def export(self) -> dict[str, bytes]:
        """Every column's live rows as bytes: what a replica of this table loads."""
        return {name: getattr(self, name)[: self.n].tobytes() for name in COLUMNS}

    def load(self, n: int, columns: Mapping[str, bytes]) -> None:
        """Become a copy of another table's `export` of `n` rows (a replica of a zone that
        ticks elsewhere); `ValueError`, and nothing changed, if the columns do not fit."""
        if set(columns) != set(COLUMNS) or not 0 <= n <= MAX_ROWS:
            raise ValueError("not an export of a zone's bodies")
        arrays = {}
        for name, (dtype, shape, _fill) in COLUMNS.items():
            data = columns[name]
            if len(data) != n * np.dtype(dtype).itemsize * int(np.prod(shape, dtype=np.int64)):
                raise ValueError(f"column {name}: {len(data)} bytes is not {n} rows")
            arrays[name] = np.frombuffer(data, dtype=dtype).reshape((n, *shape))
        if n > self.capacity:
            self._resize(max(n, 2 * self.capacity))
        for name, (_dtype, _shape, fill) in COLUMNS.items():
            column = getattr(self, name)
            column[:n] = arrays[name]
            column[n : max(n, self.n)] = fill
        self.n = n
        self.row_of = {entity: row for row, entity in enumerate(self.id[:n].tolist())}
