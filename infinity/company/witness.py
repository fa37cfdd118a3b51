"""The witness: turns each tick's events into what crew members can notice and remember.

Called once per tick with the zone's `TickReport` (a loop over the few
events only). Keeps who fired on whom lately, so minds know their
attackers, and queues `Happening`s (a first shot, a death, a line of chat,
a delivery, a docking) for `Minds.observe` to turn into memories.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Final

from infinity.crew.happenings import Happening, Seen
from infinity.sim import events as ev
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.zone import TickReport, Zone

GRUDGE_SECONDS: Final = 30.0  # an attacker stays "recent" this long after its last hit


class Witness:
    """Recent hostilities per ship and a queue of happenings, across every zone it is fed."""

    def __init__(self, grudge_seconds: float = GRUDGE_SECONDS) -> None:
        self.grudge_seconds = grudge_seconds
        self._hits: dict[int, dict[int, float]] = {}  # victim -> attacker -> last hit time
        self._queue: deque[Happening] = deque(maxlen=10_000)
        self._robs: dict[tuple[int, int], float] = {}  # (thief, victim) -> last second drained

    def record(self, zone: Zone, report: TickReport) -> None:
        """Note one tick's events (call right after `zone.tick()`)."""
        now = report.sim_time
        for event in report.events:
            if isinstance(event, ev.Beam):
                self._hit(zone, event.shooter, event.target, now)
            elif isinstance(event, ev.Detonation):
                row = zone.bodies.row(event.target)
                if row is not None:
                    self._hit(zone, int(zone.bodies.last_hit_by[row]), event.target, now)
            elif isinstance(event, ev.Siphoned):
                self._robbed(zone, event.thief, event.victim, now)
            elif isinstance(event, ev.Destroyed):
                self._queue.append(self._destroyed(zone, event, now))
                self._hits.pop(event.ship, None)
            elif isinstance(event, ev.Chat):
                self._queue.append(self._said(zone, event, now))
            elif isinstance(event, ev.Delivered):
                self._queue.append(self._delivered(zone, event, now))
            elif isinstance(event, ev.Docked):
                self._queue.append(self._docked(zone, event, now))

    def attackers_of(self, ship: int, now: float) -> tuple[int, ...]:
        """Ships that hit `ship` within the grudge window, most recent first."""
        hits = self._hits.get(ship)
        if not hits:
            return ()
        recent = [(at, who) for who, at in hits.items() if now - at <= self.grudge_seconds]
        if len(recent) < len(hits):
            self._forget(ship, now)
        return tuple(who for _, who in sorted(recent, reverse=True))

    def take(self) -> list[Happening]:
        """Everything queued since the last call, oldest first."""
        out = list(self._queue)
        self._queue.clear()
        if out:  # grudges outlive their window only as long as someone asks: prune here too
            now = out[-1].at
            for ship in [
                s
                for s, hits in self._hits.items()
                if max(hits.values()) < now - self.grudge_seconds
            ]:
                del self._hits[ship]
        return out

    def _forget(self, ship: int, now: float) -> None:
        hits = self._hits[ship]
        for who in [who for who, at in hits.items() if now - at > self.grudge_seconds]:
            del hits[who]
        if not hits:
            del self._hits[ship]

    def _hit(self, zone: Zone, attacker: int, victim: int, now: float) -> None:
        if attacker == NO_ENTITY:
            return
        hits = self._hits.setdefault(victim, {})
        last = hits.get(attacker)
        hits[attacker] = now
        if last is not None and now - last <= self.grudge_seconds:
            return
        x, y = _where(zone, victim)
        self._queue.append(replace(_between(zone, Seen.SHOT, now, victim, attacker), x=x, y=y))

    def _robbed(self, zone: Zone, thief: int, victim: int, now: float) -> None:
        """A siphon's second: the thief counts as an attacker (anger, alarm, a reason to flee
        or fight back); the first second of a robbery within the window is a happening."""
        self._hits.setdefault(victim, {})[thief] = now
        last = self._robs.get((thief, victim))
        self._robs[(thief, victim)] = now
        if last is not None and now - last <= self.grudge_seconds:
            return
        if len(self._robs) > 4096:  # old robberies need no dedup: keep the map small
            self._robs = {k: at for k, at in self._robs.items() if now - at <= self.grudge_seconds}
        x, y = _where(zone, victim)
        self._queue.append(replace(_between(zone, Seen.ROBBED, now, victim, thief), x=x, y=y))

    @staticmethod
    def _destroyed(zone: Zone, event: ev.Destroyed, now: float) -> Happening:
        seen = _between(zone, Seen.DESTROYED, now, event.ship, event.killer)
        return replace(seen, x=event.x, y=event.y)

    @staticmethod
    def _said(zone: Zone, event: ev.Chat, now: float) -> Happening:
        x, y = _where(zone, event.ship)
        return Happening(
            Seen.CHAT, now, zone.system_id, event.ship, event.name, x=x, y=y, text=event.text
        )

    @staticmethod
    def _delivered(zone: Zone, event: ev.Delivered, now: float) -> Happening:
        seen = _between(zone, Seen.DELIVERED, now, event.ship, event.station)
        return replace(seen, amount=event.tonnes)

    @staticmethod
    def _docked(zone: Zone, event: ev.Docked, now: float) -> Happening:
        return _between(zone, Seen.DOCKED, now, event.ship, event.station)


def _between(zone: Zone, kind: Seen, now: float, subject: int, other: int) -> Happening:
    """A happening between two entities of `zone`, each named as the zone knows it."""
    return Happening(
        kind, now, zone.system_id, subject, _name(zone, subject), other, _name(zone, other)
    )


def _name(zone: Zone, entity: int) -> str:
    info = zone.info.get(entity)
    return info.name if info is not None else ("someone" if entity == NO_ENTITY else f"#{entity}")


def _where(zone: Zone, entity: int) -> tuple[float, float]:
    row = zone.bodies.row(entity)
    if row is None:
        return 0.0, 0.0
    return float(zone.bodies.pos[row, 0]), float(zone.bodies.pos[row, 1])
