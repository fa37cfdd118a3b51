"""Deterministic galaxy generation: the same seed always makes the same galaxy.

Systems are scattered on a map, joined by a minimum spanning tree (so the
graph is connected) plus a few short extra lanes; each system gets a star,
stations, asteroid fields and one gate per lane.
"""

from __future__ import annotations

import numpy as np

from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim import rules
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody

_SYLLABLES = (
    "ar", "bel", "cor", "dra", "el", "fen", "gal", "hel", "ion", "jas", "kor", "lum",
    "mir", "nox", "or", "pra", "qua", "rho", "sol", "tor", "ul", "vex", "wen", "xan",
    "yr", "zen", "ae", "th", "an", "is",
)  # fmt: skip
_STATION_WORDS = ("Station", "Outpost", "Dock", "Citadel", "Exchange", "Port")
_FIELD_WORDS = ("Belt", "Cluster", "Drift", "Reach")
HOME_BELT = 0.6 * rules.SENSOR_RANGE  # m from a system's first station to its first belt


def _name(rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        parts = rng.choice(len(_SYLLABLES), size=int(rng.integers(2, 4)))
        name = "".join(_SYLLABLES[i] for i in parts).capitalize()
        if name not in taken and len(name) >= 4:
            taken.add(name)
            return name


def _lanes(points: np.ndarray, rng: np.random.Generator) -> set[tuple[int, int]]:
    """Prim's minimum spanning tree plus a few short extra edges."""
    n = len(points)
    dist = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    inside = {0}
    lanes: set[tuple[int, int]] = set()
    while len(inside) < n:
        best = (np.inf, 0, 0)
        for a in inside:
            for b in range(n):
                if b not in inside and dist[a, b] < best[0]:
                    best = (float(dist[a, b]), a, b)
        _, a, b = best
        lanes.add((min(a, b), max(a, b)))
        inside.add(b)
    order = np.argsort(dist, axis=None)
    extra = max(2, n // 4)
    for flat in order:
        a, b = divmod(int(flat), n)
        if a < b and (a, b) not in lanes and rng.random() < 0.5:
            lanes.add((a, b))
            extra -= 1
            if extra == 0:
                break
    return lanes


def generate(seed: int, systems: int = 14) -> Galaxy:
    """Make a galaxy of `systems` star systems (at least 12 by default) from `seed`."""
    if systems < 2:
        raise ValueError("a galaxy needs at least two systems")
    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    names = [_name(rng, taken) for _ in range(systems)]
    points = rng.uniform(0, 100, size=(systems, 2))
    lanes = _lanes(points, rng)
    next_id = iter(range(1, 1 << 20))
    gate_ids = {(a, b): next(next_id) for a, b in lanes} | {(b, a): next(next_id) for a, b in lanes}
    built: list[StarSystem] = []
    for index in range(systems):
        sid = index + 1
        bodies = [StaticBody(next(next_id), Kind.STAR, names[index], 0.0, 0.0)]
        for k in range(int(rng.integers(1, 4))):
            angle, radius = rng.uniform(0, 2 * np.pi), rng.uniform(3000, 9000)
            bodies.append(
                StaticBody(
                    next(next_id),
                    Kind.STATION,
                    f"{names[index]} {_STATION_WORDS[(index + k) % len(_STATION_WORDS)]}",
                    float(np.cos(angle) * radius),
                    float(np.sin(angle) * radius),
                )
            )
        home = bodies[1]  # the first station: where new pilots start
        for k in range(int(rng.integers(2, 5))):
            angle, radius = rng.uniform(0, 2 * np.pi), rng.uniform(4000, 14000)
            cx, cy = np.cos(angle) * radius, np.sin(angle) * radius
            if k == 0:  # the home belt: in sensor range of the first station, off its doorstep
                cx = home.x + np.cos(angle) * HOME_BELT
                cy = home.y + np.sin(angle) * HOME_BELT
            label = f"{names[index]} {_FIELD_WORDS[k % len(_FIELD_WORDS)]}"
            for r in range(int(rng.integers(8, 16))):
                ox, oy = rng.normal(0, 600, size=2)
                bodies.append(
                    StaticBody(
                        next(next_id),
                        Kind.ASTEROID,
                        f"{label} {r + 1}",
                        float(cx + ox),
                        float(cy + oy),
                        ore=float(rng.uniform(120, 400)),
                    )
                )
        for a, b in sorted(lanes):
            if index not in (a, b):
                continue
            other = b if index == a else a
            toward = points[other] - points[index]
            angle = float(np.arctan2(toward[1], toward[0]))
            bodies.append(
                StaticBody(
                    gate_ids[(index, other)],
                    Kind.GATE,
                    f"Gate to {names[other]}",
                    float(np.cos(angle) * 16000),
                    float(np.sin(angle) * 16000),
                    leads_to=other + 1,
                    dest_gate=gate_ids[(other, index)],
                )
            )
        x, y = points[index]
        built.append(StarSystem(sid, names[index], float(x), float(y), tuple(bodies)))
    return Galaxy(seed, tuple(built))
