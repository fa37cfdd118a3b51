"""Goal-oriented action planning: A* over a small symbolic world of facts.

A world state is an int bit set of `Fact`s. An `Action` needs some facts
set (`needs`) and some clear (`forbids`), then sets (`adds`) and clears
(`clears`) others, at a cost. A plan is the cheapest action sequence from
the current state to one where every goal fact holds. The domain is tiny
(a dozen facts and actions), so A* finishes in microseconds and plans are
memoised by (state, goal): re-planning 10,000 agents costs a dict lookup.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from enum import IntFlag
from functools import lru_cache
from typing import Final


class Fact(IntFlag):
    """What a pilot knows about its situation, as planner bits."""

    DOCKED = 1 << 0
    AT_FIELD = 1 << 1  # in mining range of an asteroid with ore
    AT_STATION = 1 << 2  # in docking range of a station, not docked
    CARGO_FULL = 1 << 3
    HAS_CARGO = 1 << 4
    SOLD = 1 << 5  # cargo delivered (the goal fact of earning)
    SAFE = 1 << 6  # docked, or healthy and not under fire
    FOE_KNOWN = 1 << 7  # the goal's target is in sensor range
    HAS_TARGET = 1 << 8  # weapons locked on the goal's target
    IN_RANGE = 1 << 9  # the target is within beam range
    ENGAGED = 1 << 10  # fighting the target (the goal fact of attacking)
    COMPANY_NEAR = 1 << 11  # someone to talk to in hailing range
    CHATTED = 1 << 12
    LEADER_KNOWN = 1 << 13  # whoever we were told to follow is in sensor range
    FOLLOWING = 1 << 14
    STATION_KNOWN = 1 << 15
    FIELD_KNOWN = 1 << 16  # the chart shows an asteroid with ore
    FLED = 1 << 17


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    needs: int = 0  # Fact bits
    forbids: int = 0
    adds: int = 0
    clears: int = 0
    cost: float = 1.0

    def applies(self, state: int) -> bool:
        return state & self.needs == self.needs and not state & self.forbids

    def apply(self, state: int) -> int:
        return (state | self.adds) & ~self.clears


F = Fact
ACTIONS: Final[tuple[Action, ...]] = (
    # name and what it needs; on a second line, what it does and costs
    Action("undock", needs=F.DOCKED, clears=F.DOCKED | F.SAFE, cost=1),
    Action("fly_to_field", needs=F.FIELD_KNOWN, forbids=F.DOCKED | F.CARGO_FULL | F.AT_FIELD,
           adds=F.AT_FIELD, clears=F.AT_STATION, cost=3),
    Action("mine", needs=F.AT_FIELD, forbids=F.DOCKED | F.CARGO_FULL,
           adds=F.CARGO_FULL | F.HAS_CARGO, cost=2),
    Action("fly_to_station", needs=F.STATION_KNOWN, forbids=F.DOCKED | F.AT_STATION,
           adds=F.AT_STATION, clears=F.AT_FIELD, cost=3),
    Action("dock", needs=F.AT_STATION, forbids=F.DOCKED,
           adds=F.DOCKED | F.SAFE, clears=F.AT_STATION, cost=1),
    Action("unload", needs=F.DOCKED | F.HAS_CARGO,
           adds=F.SOLD, clears=F.HAS_CARGO | F.CARGO_FULL, cost=1),
    Action("flee", forbids=F.DOCKED, adds=F.SAFE | F.FLED, cost=5),
    Action("lock_target", needs=F.FOE_KNOWN, forbids=F.DOCKED, adds=F.HAS_TARGET, cost=1),
    Action("close_in", needs=F.HAS_TARGET, forbids=F.DOCKED | F.IN_RANGE, adds=F.IN_RANGE, cost=2),
    Action("attack", needs=F.HAS_TARGET | F.IN_RANGE, forbids=F.DOCKED, adds=F.ENGAGED, cost=1),
    Action("hail", needs=F.COMPANY_NEAR, adds=F.CHATTED, cost=1),
    Action("chat_at_station", needs=F.DOCKED, adds=F.CHATTED, cost=2),
    Action("follow", needs=F.LEADER_KNOWN, forbids=F.DOCKED, adds=F.FOLLOWING, cost=1),
)  # fmt: skip
ACTION_INDEX: Final = {action.name: i for i, action in enumerate(ACTIONS)}
_MIN_COST: Final = min(action.cost for action in ACTIONS)
MAX_EXPANSIONS: Final = 5_000


def plan(state: int, goal: int, actions: tuple[Action, ...] = ACTIONS) -> tuple[Action, ...] | None:
    """The cheapest action sequence reaching every fact of `goal`; () if already there, None
    if impossible. Deterministic: ties go to the plan whose actions come first in `actions`."""
    if state & goal == goal:
        return ()
    counter = 0
    frontier: list[tuple[float, int, int, tuple[int, ...]]] = [(_h(state, goal), 0, state, ())]
    best: dict[int, float] = {state: 0.0}
    while frontier and counter < MAX_EXPANSIONS:
        _, _, here, steps = heapq.heappop(frontier)
        spent = sum(actions[i].cost for i in steps)
        if here & goal == goal:
            return tuple(actions[i] for i in steps)
        if spent > best.get(here, float("inf")):
            continue
        for index, action in enumerate(actions):
            if not action.applies(here):
                continue
            there = action.apply(here)
            cost = spent + action.cost
            if cost < best.get(there, float("inf")):
                best[there] = cost
                counter += 1
                heapq.heappush(frontier, (cost + _h(there, goal), counter, there, (*steps, index)))
    return None


def _h(state: int, goal: int) -> float:
    """Admissible: any unmet goal fact needs at least one more action."""
    return _MIN_COST if state & goal != goal else 0.0


@lru_cache(maxsize=4096)
def cached_plan(state: int, goal: int) -> tuple[int, ...] | None:
    """`plan` over the game's `ACTIONS` as action indices, memoised by (state, goal)."""
    found = plan(state, goal)
    return None if found is None else tuple(ACTION_INDEX[action.name] for action in found)
