"""The galaxy as plain data: what the store keeps and zones are built from."""

from __future__ import annotations

from dataclasses import dataclass, field

from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody


@dataclass(frozen=True, slots=True)
class StarSystem:
    id: int
    name: str
    x: float  # galaxy-map position, light years
    y: float
    bodies: tuple[StaticBody, ...] = ()

    def stations(self) -> list[StaticBody]:
        return [b for b in self.bodies if b.kind == Kind.STATION]

    def gates(self) -> list[StaticBody]:
        return [b for b in self.bodies if b.kind == Kind.GATE]


@dataclass(frozen=True, slots=True)
class Galaxy:
    seed: int
    systems: tuple[StarSystem, ...] = field(default_factory=tuple)

    def system(self, system_id: int) -> StarSystem:
        for s in self.systems:
            if s.id == system_id:
                return s
        raise KeyError(system_id)

    def lanes(self) -> list[tuple[int, int]]:
        """Gate connections as (system id, system id) pairs, each once."""
        pairs = {
            (min(s.id, g.leads_to), max(s.id, g.leads_to)) for s in self.systems for g in s.gates()
        }
        return sorted(pairs)

    def route(self, start: int, goal: int) -> list[int]:
        """Shortest jump route (system ids, inclusive) by breadth-first search; [] if none."""
        links: dict[int, list[int]] = {s.id: [] for s in self.systems}
        for a, b in self.lanes():
            links[a].append(b)
            links[b].append(a)
        previous: dict[int, int] = {start: start}
        frontier = [start]
        while frontier and goal not in previous:
            nxt: list[int] = []
            for here in frontier:
                for there in links.get(here, []):
                    if there not in previous:
                        previous[there] = here
                        nxt.append(there)
            frontier = nxt
        if goal not in previous:
            return []
        path = [goal]
        while path[-1] != start:
            path.append(previous[path[-1]])
        return path[::-1]
