"""The crews' senses over a live zone: its chart, a ship index for "who is near?", HUDs.

Built once per zone per decision round and shared by every agent in it; the
crew's domain (`crew.senses`) sees only the plain values these return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

import numpy as np
import numpy.typing as npt

from infinity.crew.senses import HAIL_RANGE, Chart, Contact, OwnShip, Place
from infinity.sim.kinds import Kind
from infinity.sim.zone import Zone


def chart_of(zone: Zone) -> Chart:
    """Read stations, asteroids (with today's ore) and gates from a zone's columns."""
    b, n = zone.bodies, zone.bodies.n
    kinds = b.kind[:n]
    rows = np.flatnonzero((kinds == Kind.STATION) | (kinds == Kind.ASTEROID) | (kinds == Kind.GATE))
    places = [
        Place(
            id=int(b.id[row]),
            kind=Kind(int(b.kind[row])),
            name=zone.info[int(b.id[row])].name,
            x=float(b.pos[row, 0]),
            y=float(b.pos[row, 1]),
            ore=float(b.ore[row]),
        )
        for row in rows.tolist()
    ]
    return Chart(zone.system_id, places)


class Sensors:
    """A snapshot of the ships of one zone, answering "who is near (x, y)?" in a few µs.

    Built once per decision round; the 3x3-cell lookup index is made on the first question.
    """

    def __init__(
        self,
        zone: Zone,
        hidden: AbstractSet[int] = frozenset(),
        roles: Mapping[int, str] | None = None,
    ) -> None:
        b, n = zone.bodies, zone.bodies.n
        rows = np.flatnonzero(b.kind[:n] == Kind.SHIP)
        if hidden:  # operator avatars: no crew perceives, hails or targets them
            rows = rows[~np.isin(b.id[rows], np.fromiter(hidden, dtype=np.int64))]
        self._info = zone.info
        self._roles: Mapping[int, str] = roles if roles is not None else {}
        self.ids = b.id[rows].copy()
        self.pos = b.pos[rows].copy()
        self.hull = b.hull[rows].astype(np.float64)
        self.docked = b.docked_at[rows] >= 0
        self._row_of = {int(i): k for k, i in enumerate(self.ids.tolist())}
        self._cells: dict[tuple[int, int], npt.NDArray[np.intp]] | None = None

    def _index(self) -> dict[tuple[int, int], npt.NDArray[np.intp]]:
        if self._cells is None:
            cx = np.floor_divide(self.pos[:, 0], HAIL_RANGE).astype(np.int64)
            cy = np.floor_divide(self.pos[:, 1], HAIL_RANGE).astype(np.int64)
            order = np.lexsort((cy, cx))
            keys = np.stack((cx[order], cy[order]), axis=1)
            cells: dict[tuple[int, int], npt.NDArray[np.intp]] = {}
            if order.size:
                edges = np.flatnonzero((keys[1:] != keys[:-1]).any(axis=1)) + 1
                for chunk in np.split(order, edges):
                    first = chunk[0]
                    cells[(int(cx[first]), int(cy[first]))] = chunk
            self._cells = cells
        return self._cells

    def contact(self, entity_id: int) -> Contact | None:
        """A ship of this zone by id (if it is here), as sensors see it."""
        k = self._row_of.get(entity_id)
        return None if k is None else self._contact(k)

    def around(
        self, x: float, y: float, radius: float = HAIL_RANGE, limit: int = 8, exclude: int = -1
    ) -> tuple[Contact, ...]:
        """Up to `limit` ships within `radius` (<= HAIL_RANGE) of (x, y), nearest first."""
        cells = self._index()
        cx, cy = int(x // HAIL_RANGE), int(y // HAIL_RANGE)
        chunks = [
            cells[key]
            for key in ((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
            if key in cells
        ]
        if not chunks:
            return ()
        near = np.concatenate(chunks)
        gaps = np.hypot(self.pos[near, 0] - x, self.pos[near, 1] - y)
        keep = (gaps <= radius) & (self.ids[near] != exclude)
        near, gaps = near[keep], gaps[keep]
        order = np.argsort(gaps, kind="stable")[:limit]
        return tuple(self._contact(int(k)) for k in near[order])

    def _contact(self, k: int) -> Contact:
        entity = int(self.ids[k])
        info = self._info.get(entity)
        return Contact(
            id=entity,
            kind=Kind.SHIP,
            name=info.name if info else f"ship {entity}",
            x=float(self.pos[k, 0]),
            y=float(self.pos[k, 1]),
            hull=float(self.hull[k]),
            owner=info.account if info else None,
            docked=bool(self.docked[k]),
            role=self._roles.get(entity, ""),
        )


def ship_views(zone: Zone, ship_ids: Sequence[int]) -> list[OwnShip | None]:
    """Own-ship HUDs for many ships of one zone at once (None where a ship is not here)."""
    b = zone.bodies
    get = b.row_of.get
    rows = np.array([get(ship, -1) for ship in ship_ids], dtype=np.intp)
    present = rows >= 0
    safe = np.where(present, rows, 0)
    cols = (
        b.pos[safe, 0].tolist(),
        b.pos[safe, 1].tolist(),
        b.hull[safe].tolist(),
        b.shield[safe].tolist(),
        b.energy[safe].tolist(),
        b.cargo[safe].tolist(),
        b.torpedoes[safe].tolist(),
        b.docked_at[safe].tolist(),
        b.target[safe].tolist(),
        b.mining[safe].tolist(),
        b.autopilot[safe].tolist(),
        b.dest[safe, 0].tolist(),
        b.dest[safe, 1].tolist(),
        (b.beam_cd[safe] <= 0).tolist(),
        (b.torp_cd[safe] <= 0).tolist(),
    )
    return [
        OwnShip(*values) if here else None
        for here, values in zip(present.tolist(), zip(ship_ids, *cols, strict=True), strict=True)
    ]
