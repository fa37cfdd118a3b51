"""Needs and drives: what a crew member lacks, how fast it runs out, and what lack does to them.

Four needs, each a level 0 (desperate) .. 1 (met): credits (for upkeep),
safety (hull and threat), company and purpose. Credits and safety are read
off the world each decision; company and purpose are inner states that
decay with time and are restored by talking and by working. All updates
are numpy over every agent at once (rows of `NeedsTable`).

Credits live behind `Purse` so the ledger can take over from the interim
`Balance` without touching the minds. Every number here is an interim rule
of the crew's economy until the ledger and markets land; all durations are
simulated seconds of the zone clock the agent is in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Life support: credits a crew member's mind and body burn per simulated second (a crew of
# four: 60 cr a minute; see docs/economy.md, "Fugitive crews", for the balance).
UPKEEP_PER_SECOND: Final = 0.25
ORE_PRICE: Final = 1.0  # credits per tonne delivered to a station (interim, until markets)
STARTING_CREDITS: Final = 300.0
COMFORT_CREDITS: Final = 1000.0  # a balance at which the credits need is fully met
DESPERATE_BELOW: Final = 0.4  # credits level under which desperation starts
COMPANY_DECAY: Final = 1.0 / 1800.0  # per second: alone for 30 minutes empties it
PURPOSE_DECAY: Final = 1.0 / 900.0  # per second while idle
PURPOSE_GAIN: Final = 1.0 / 120.0  # per second while working a plan
COMPANY_PER_TALK: Final = 0.35
COMPANY_NEARBY: Final = 1.0 / 600.0  # per second with a crewmate or a station crowd around
HULL_SAFE: Final = 100.0  # hull points of a healthy ship (rules.SHIP_HULL)
THREAT_FACTOR: Final = 0.35  # safety multiplier while under fire


class Need(IntEnum):
    CREDITS = 0
    SAFETY = 1
    COMPANY = 2
    PURPOSE = 3


NEEDS: Final = len(Need)


class Purse(Protocol):
    """Where an agent's credits are: a balance now, ledger postings later."""

    @property
    def balance(self) -> float: ...

    def spend(self, amount: float, memo: str) -> float:
        """Take up to `amount`; returns what was actually paid (never overdraws)."""
        ...

    def receive(self, amount: float, memo: str) -> None: ...


# How an agent gets its purse: (agent id, credits its record holds) -> the purse.
PurseOf = Callable[[int, float], Purse]


def interim_purse(agent_id: int, credits: float = STARTING_CREDITS) -> Purse:
    """A purse of its own, outside the ledger (tests, offline tools)."""
    return Balance(credits)


class Balance:
    """The interim purse: a float, never below zero. The ledger replaces it."""

    __slots__ = ("_balance",)

    def __init__(self, balance: float = STARTING_CREDITS) -> None:
        self._balance = float(balance)

    @property
    def balance(self) -> float:
        return self._balance

    def spend(self, amount: float, memo: str) -> float:
        paid = min(self._balance, max(0.0, amount))
        self._balance -= paid
        return paid

    def receive(self, amount: float, memo: str) -> None:
        self._balance += max(0.0, amount)


class NeedsTable:
    """Inner needs of every agent of a `Minds`, one row each, plus the drives they feed."""

    def __init__(self, capacity: int = 64) -> None:
        self.levels: Floats = np.ones((capacity, NEEDS))
        self.levels[:, Need.PURPOSE] = 0.5

    def grow(self, capacity: int) -> None:
        if capacity <= len(self.levels):
            return
        fresh = np.ones((capacity, NEEDS))
        fresh[:, Need.PURPOSE] = 0.5
        fresh[: len(self.levels)] = self.levels
        self.levels = fresh

    def update(self, rows: npt.NDArray[np.intp], world: WorldSigns, dt: Floats) -> Floats:
        """Advance the needs of `rows` by `dt` seconds given what the world shows; returns them."""
        levels = self.levels[rows]
        levels[:, Need.CREDITS] = np.clip(world.credits / COMFORT_CREDITS, 0.0, 1.0)
        hull = np.clip(world.hull / HULL_SAFE, 0.0, 1.0)
        levels[:, Need.SAFETY] = np.where(
            world.docked, 1.0, hull * np.where(world.attacked, THREAT_FACTOR, 1.0)
        )
        company = levels[:, Need.COMPANY] - COMPANY_DECAY * dt
        company += np.where(world.company, COMPANY_NEARBY * dt, 0.0)
        company += COMPANY_PER_TALK * world.talked
        levels[:, Need.COMPANY] = np.clip(company, 0.0, 1.0)
        purpose = levels[:, Need.PURPOSE] + np.where(
            world.working, PURPOSE_GAIN * dt, -PURPOSE_DECAY * dt
        )
        levels[:, Need.PURPOSE] = np.clip(purpose, 0.0, 1.0)
        self.levels[rows] = levels
        return levels


@dataclass(slots=True, kw_only=True, eq=False)  # numpy arrays have no plain ==
class WorldSigns:
    """Per-row inputs to a needs update, gathered from perceptions (all arrays of one length)."""

    credits: Floats
    hull: Floats
    docked: Bools
    attacked: Bools
    company: Bools
    talked: Floats
    working: Bools


def desperation(credits_level: Floats) -> Floats:
    """0 while credits are above DESPERATE_BELOW of comfort, rising to 1 when broke."""
    out: Floats = np.clip((DESPERATE_BELOW - credits_level) / DESPERATE_BELOW, 0.0, 1.0)
    return out


def risk_taking(courage: Floats, neuroticism: Floats, despair: Floats) -> Floats:
    """Willingness to take risks 0..1: brave and calm people, and desperate ones, take more."""
    base = 0.6 * courage + 0.4 * (1.0 - neuroticism)
    out: Floats = np.clip(base + 0.6 * despair * (1.0 - base), 0.0, 1.0)
    return out


def willingness_to_steal(
    greed: Floats, agreeableness: Floats, despair: Floats, courage: Floats | float = 0.0
) -> Floats:
    """Need: the desperate steal as far as greed and a hard heart let them. Boldness: the
    greedy and brave steal when they can (greed + courage above 1), unless kind-hearted."""
    need = despair * (0.4 + 0.6 * greed) * (1.0 - 0.8 * agreeableness)
    bold = np.clip(greed + courage - 1.0, 0.0, 1.0) * (1.0 - agreeableness)
    out: Floats = np.maximum(need, bold)
    return out
