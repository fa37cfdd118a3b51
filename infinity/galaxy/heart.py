"""The Heart of Infinity as a place: a star system outside the gate graph.

No gate leads there and none leads out, so only an operator's warp or drop-in
reaches it; `/api/galaxy` shows it to operators only. It is added to the
galaxy the universe runs (`with_heart`), never to the stored charts, so
generation and the gate graph's connectivity are untouched.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody

HEART_SYSTEM: Final = 10_000  # above any id `generate` gives (1..n); builders count up from n
HEART_NAME: Final = "Heart of Infinity"
HEART_STAR: Final = (1 << 20) - 1  # the last static body id; generated bodies count up from 1
MAP_MARGIN: Final = 12.0  # light years north of the charted systems on the galaxy map


def heart_of_infinity(galaxy: Galaxy) -> StarSystem:
    """The Heart's system: one star, no stations, no gates, north of the charted map."""
    xs = [s.x for s in galaxy.systems] or [50.0]
    ys = [s.y for s in galaxy.systems] or [0.0]
    star = StaticBody(HEART_STAR, Kind.STAR, HEART_NAME, 0.0, 0.0)
    return StarSystem(
        HEART_SYSTEM, HEART_NAME, (min(xs) + max(xs)) / 2, max(ys) + MAP_MARGIN, (star,)
    )


def with_heart(galaxy: Galaxy) -> Galaxy:
    """`galaxy` with the Heart's system appended (once)."""
    if any(s.id == HEART_SYSTEM for s in galaxy.systems):
        return galaxy
    return replace(galaxy, systems=(*galaxy.systems, heart_of_infinity(galaxy)))


def is_heart(system_id: int) -> bool:
    return system_id == HEART_SYSTEM
