"""Grudges: whom an agent holds a wrong against, how much, and how it fades.

A wrong (robbed, shot at) adds its weight to a grudge against the offender's
ship. The rule (docs/economy.md, "Fugitive crews"): a grudge halves every
`HALF_LIFE` simulated seconds and is forgotten below `FORGOTTEN`; it ends at
once when the offender's ship is destroyed (paid back, by us or anyone; a
respawned ship is a new start). While it weighs at least `REVENGE_AT` and the
offender is in sensor range, the agent may set out for revenge; at least
`SPITE`, it will not talk or trade with them. One robbery (0.8) therefore
keeps an agent from talking for ~9 minutes and hunting for ~6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

HALF_LIFE: Final = 300.0  # simulated seconds for a grudge to halve
FORGOTTEN: Final = 0.05
REVENGE_AT: Final = 0.35
SPITE: Final = 0.25
ROBBED: Final = 0.8  # the weight one robbery adds
SHOT: Final = 0.5  # the weight one attack adds (a first hit after a quiet spell)
MOST: Final = 2.0  # a grudge never weighs more than this


@dataclass(slots=True)
class Grudge:
    """A wrong held against one ship. `weight` as of `at` (simulated seconds)."""

    ship: int
    name: str
    weight: float
    at: float

    def now(self, when: float) -> float:
        """The weight at `when`, faded by the half-life since `at`."""
        return float(self.weight * 0.5 ** (max(0.0, when - self.at) / HALF_LIFE))


class Grudges:
    """One agent's grudges, by the offender's ship."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held: dict[int, Grudge] = {}

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, ship: int, name: str, weight: float, at: float) -> Grudge:
        """Add a wrong: the faded weight so far plus `weight`, capped at MOST."""
        old = self._held.get(ship)
        base = old.now(at) if old is not None else 0.0
        grudge = Grudge(ship, name, min(MOST, base + weight), at)
        self._held[ship] = grudge
        return grudge

    def weight(self, ship: int, now: float) -> float:
        """How much we hold against `ship` now (0 when nothing, or forgotten)."""
        grudge = self._held.get(ship)
        if grudge is None:
            return 0.0
        weight = grudge.now(now)
        if weight < FORGOTTEN:
            del self._held[ship]
            return 0.0
        return weight

    def named(self, name: str, now: float) -> Grudge | None:
        """The grudge held against a ship called `name` (a speaker in chat), if any."""
        for grudge in list(self._held.values()):
            if grudge.name == name and self.weight(grudge.ship, now) > 0.0:
                return grudge
        return None

    def settle(self, ship: int) -> Grudge | None:
        """The offender's ship was destroyed: the grudge ends."""
        return self._held.pop(ship, None)

    def every(self) -> list[Grudge]:
        """Every grudge as held (unfaded), by ship: what the store and a mind document keep."""
        return [self._held[ship] for ship in sorted(self._held)]

    def load(self, held: list[Grudge]) -> None:
        """Hold these grudges as they were stored (replacing any held against the same ship)."""
        for grudge in held:
            self._held[grudge.ship] = Grudge(
                grudge.ship, grudge.name, min(MOST, max(0.0, grudge.weight)), grudge.at
            )

    def held(self, now: float) -> list[Grudge]:
        """Every grudge still weighing something, heaviest first."""
        alive = [g for g in list(self._held.values()) if self.weight(g.ship, now) > 0.0]
        return sorted(alive, key=lambda g: -g.now(now))


def curse(name: str, agreeableness: float, neuroticism: float) -> str:
    """What a robbed agent says aloud, naming the thief, in keeping with its temper."""
    if agreeableness < 0.35:
        return f"{name}, you'll pay for that. Every credit."
    if neuroticism > 0.65:
        return f"Thief! {name} is draining us! Somebody help!"
    if agreeableness > 0.7:
        return f"{name}, stop that! Those credits keep us breathing."
    return f"{name} is siphoning our wallet. I won't forget this, {name}."


def snub(name: str) -> str:
    """The answer to someone we hold a grudge against."""
    return f"I've nothing to say to you, {name}. Not after what you did."
