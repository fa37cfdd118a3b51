"""Simple state-machine pilots for NPC ships; ships with agents aboard are left to the crew.

A pilot reads its ship's state (as a player sees its own HUD) and submits
commands through `Universe.submit`, the same path a player's commands take.

An NPC fires back at whoever hit it, but a grudge fades: it lasts
`GRUDGE_SECONDS` of simulated time after the last hit, and ends at once when
either ship is destroyed (a respawned ship starts with a clean slate). Patrols
hunt ships the stations' law has posted wanted (`economy.law`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterator
from typing import Final

import numpy as np

from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim import rules
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind
from infinity.sim.zone import TickReport, Zone
from infinity.universe.loop import pause
from infinity.universe.records import FLAGSHIP_ROLE
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

NPC_ROLES: Final = ("miner", "miner", "patrol", "trader")
_FLOWN_BY_PEOPLE: Final = frozenset({"player", FLAGSHIP_ROLE})
GRUDGE_SECONDS: Final = 60.0  # simulated seconds an NPC keeps firing back after the last hit
HUNT_RANGE: Final = rules.SENSOR_RANGE  # how far a patrol goes after a wanted ship: its sensors
SLICES: Final = rules.TICK_HZ  # a round is spread over the second: a slice of NPCs a tick


def _nearest(zone: Zone, row: int, kind: Kind, *, need_ore: bool = False) -> int | None:
    b, n = zone.bodies, zone.bodies.n
    mask = b.kind[:n] == kind
    if need_ore:
        mask &= b.ore[:n] > 20
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return None
    gaps = np.hypot(*(b.pos[rows] - b.pos[row]).T)
    return int(rows[int(np.argmin(gaps))])


def _gap(zone: Zone, a: int, b: int) -> float:
    return float(np.hypot(*(zone.bodies.pos[a] - zone.bodies.pos[b])))


class Pilots:
    """Decides once a second for every NPC ship in the universe."""

    def __init__(
        self,
        universe: Universe,
        seed: int,
        crewed: Collection[int] = (),
        wanted: Collection[int] = (),
    ) -> None:
        self.universe = universe
        self.crewed = crewed  # ships the crew flies (a live set: the company adds to it)
        self.wanted = wanted  # ships with an open bounty (a live set: the law adds to it)
        self.rng = np.random.default_rng(seed)
        self._waypoint: dict[int, int] = {}
        self._rest: dict[int, int] = {}
        self._grudges: dict[int, dict[int, float]] = {}  # ship -> attacker -> last hit (sim s)
        universe.observe(self.witness)

    def witness(self, zone: Zone, report: TickReport) -> None:
        """Note who hit whom (a grudge) and who was destroyed (every grudge on them ends)."""
        for event in report.events:
            if isinstance(event, ev.Beam):
                self._grudge(event.target, event.shooter, report.sim_time)
            elif isinstance(event, ev.Detonation):
                row = zone.bodies.row(event.target)
                if row is not None:
                    shooter = int(zone.bodies.last_hit_by[row])
                    self._grudge(event.target, shooter, report.sim_time)
            elif isinstance(event, ev.Destroyed):
                self.forgive(event.ship)

    def _grudge(self, victim: int, attacker: int, now: float) -> None:
        if attacker != NO_ENTITY and victim != attacker:
            self._grudges.setdefault(victim, {})[attacker] = now

    def forgive(self, ship: int) -> None:
        """A destroyed ship holds no grudge and is held in none."""
        self._grudges.pop(ship, None)
        for held in self._grudges.values():
            held.pop(ship, None)

    def foe(self, ship: int, now: float) -> int:
        """The latest attacker `ship` still bears a grudge against, or NO_ENTITY."""
        held = self._grudges.get(ship)
        if not held:
            return NO_ENTITY
        for attacker in [a for a, at in held.items() if now - at > GRUDGE_SECONDS]:
            del held[attacker]
        if not held:
            del self._grudges[ship]
            return NO_ENTITY
        return max(held, key=held.__getitem__)

    def npc_ships(self) -> Iterator[tuple[int, str]]:
        crewed = self.crewed
        for ship, role in list(self.universe.roles.items()):
            if role not in _FLOWN_BY_PEOPLE and ship not in crewed:
                yield ship, role

    def decide_all(self) -> None:
        self.decide_for(list(self.npc_ships()))

    def decide_for(self, ships: list[tuple[int, str]]) -> None:
        for ship, role in ships:
            zone = self.universe.zone_of(ship)
            row = None if zone is None else zone.bodies.row(ship)
            if zone is None or row is None:
                continue
            for command in self.decide(zone, row, ship, role):
                self.universe.submit(command)

    def decide(self, zone: Zone, row: int, ship: int, role: str) -> list[c.Command]:
        b = zone.bodies
        attacker = self.foe(ship, zone.clock.sim_time)
        if attacker != NO_ENTITY and b.docked_at[row] == NO_ENTITY:
            foe = b.row(attacker)
            if foe is not None and _gap(zone, row, foe) <= rules.BEAM_RANGE:
                return [c.Target(ship=ship, target=attacker), c.Fire(ship=ship)]
        if role == "patrol" and self.wanted:
            hunt = self._hunt(zone, row, ship)
            if hunt is not None:
                return hunt
        if role == "miner":
            return self._mine(zone, row, ship)
        if role == "patrol":
            return self._patrol(zone, row, ship)
        return self._trade(zone, row, ship)

    def _mine(self, zone: Zone, row: int, ship: int) -> list[c.Command]:
        b = zone.bodies
        if b.docked_at[row] != NO_ENTITY:
            return [c.Unload(ship=ship)] if b.cargo[row] > 0 else [c.Undock(ship=ship)]
        if b.cargo[row] >= rules.SHIP_CARGO - 0.5:
            return self._go_dock(zone, row, ship)
        if b.mining[row] != NO_ENTITY:
            return []
        rock = _nearest(zone, row, Kind.ASTEROID, need_ore=True)
        if rock is None:
            return self._go_dock(zone, row, ship)
        if _gap(zone, row, rock) <= rules.MINE_RANGE - 50:
            return [c.Stop(ship=ship), c.Mine(ship=ship, asteroid=int(b.id[rock]))]
        return self._fly(zone, row, ship, rock)

    def _patrol(self, zone: Zone, row: int, ship: int) -> list[c.Command]:
        b = zone.bodies
        if b.docked_at[row] != NO_ENTITY:
            return [c.Undock(ship=ship)]
        points = np.flatnonzero(
            (b.kind[: b.n] == Kind.STATION) | (b.kind[: b.n] == Kind.GATE)
        ).tolist()
        goal = b.row(self._waypoint.get(ship, NO_ENTITY))
        if goal is None or _gap(zone, row, goal) < 400:
            goal = points[int(self.rng.integers(len(points)))]
            self._waypoint[ship] = int(b.id[goal])
        return self._fly(zone, row, ship, goal)

    def _hunt(self, zone: Zone, row: int, ship: int) -> list[c.Command] | None:
        """Go after the nearest wanted ship in reach: close in, lock, fire."""
        b = zone.bodies
        best: tuple[float, int] | None = None
        for wanted in list(self.wanted):
            other = b.row(wanted)
            if other is None or b.docked_at[other] != NO_ENTITY:
                continue
            gap = _gap(zone, row, other)
            if gap <= HUNT_RANGE and (best is None or gap < best[0]):
                best = (gap, other)
        if best is None:
            return None
        gap, other = best
        target = int(b.id[other])
        out: list[c.Command] = []
        if b.docked_at[row] != NO_ENTITY:
            return [c.Undock(ship=ship)]
        if gap > rules.BEAM_RANGE * 0.6:
            out += self._fly(zone, row, ship, other)
        if gap <= rules.BEAM_RANGE:
            if int(b.target[row]) != target:
                out.append(c.Target(ship=ship, target=target))
            out.append(c.Fire(ship=ship))
        return out

    def _trade(self, zone: Zone, row: int, ship: int) -> list[c.Command]:
        b = zone.bodies
        if b.docked_at[row] != NO_ENTITY:
            self._rest[ship] = self._rest.get(ship, 0) + 1
            if self._rest[ship] < 8:
                return []
            self._rest[ship] = 0
            return [c.Undock(ship=ship)]
        gate = b.row(self._waypoint.get(ship, NO_ENTITY))
        if gate is None or int(b.kind[gate]) != Kind.GATE:
            gates = np.flatnonzero(b.kind[: b.n] == Kind.GATE)
            if gates.size == 0:
                return []
            gate = int(gates[int(self.rng.integers(gates.size))])
            self._waypoint[ship] = int(b.id[gate])
        if _gap(zone, row, gate) <= rules.GATE_RANGE - 50:
            self._waypoint.pop(ship, None)
            return [c.Jump(ship=ship, gate=int(b.id[gate]))]
        return self._fly(zone, row, ship, gate)

    def _go_dock(self, zone: Zone, row: int, ship: int) -> list[c.Command]:
        station = _nearest(zone, row, Kind.STATION)
        if station is None:
            return []
        if _gap(zone, row, station) <= rules.DOCK_RANGE - 50:
            return [c.Dock(ship=ship, station=int(zone.bodies.id[station]))]
        return self._fly(zone, row, ship, station)

    def _fly(self, zone: Zone, row: int, ship: int, goal: int) -> list[c.Command]:
        b = zone.bodies
        x, y = (float(v) for v in b.pos[goal])
        if b.autopilot[row] and np.allclose(b.dest[row], (x, y)):
            return []
        return [c.MoveTo(ship=ship, x=x, y=y)]

    async def run(self, stopping: asyncio.Event) -> None:
        """Every NPC decides once a simulated second, a twentieth of them each tick: one
        round for thousands of NPCs at once would hold the loop (15 ms for 4,000)."""
        ships: list[tuple[int, str]] = []
        phase = 0
        while not stopping.is_set():
            if phase == 0:
                ships = list(self.npc_ships())
            try:
                self.decide_for(ships[phase::SLICES])
            except Exception:  # one bad round must not stop the universe
                log.exception("traffic round failed")
            phase = (phase + 1) % SLICES
            await pause(stopping, 1.0 / SLICES / self.universe.time_scale)
