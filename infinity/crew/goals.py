"""Goals and their advertisements: The Sims' idea of objects that advertise what they satisfy.

Each goal advertises how much pursuing it relieves each *signal* (the
urgencies of the four needs, plus anger at our attackers and alarm for our
crew). A persona weights each goal (a greedy person values earning, a loyal
one protecting). Utility for every agent and goal at once is

    score[agent, goal] = (signals[agent] @ ADVERTS.T)[goal] * weight[agent, goal]
                         * available[agent, goal] + BASELINE[goal] + habit + jitter

and the best goal wins. Goals below `CHOSEN` are picked by utility; the
rest only by a captain's order.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

import numpy as np
import numpy.typing as npt

from infinity.crew.genome import Persona
from infinity.crew.orders import OrderKind
from infinity.crew.planner import Fact

Floats = npt.NDArray[np.float64]


class Goal(IntEnum):
    IDLE = 0
    EARN = 1
    SURVIVE = 2
    PROTECT = 3
    REVENGE = 4
    SOCIALISE = 5
    STEAL = 6
    # set only by orders
    ATTACK = 7
    FOLLOW = 8
    DOCK = 9
    FLEE = 10


CHOSEN: Final = 7  # goals 0..CHOSEN-1 compete on utility
GOALS: Final = len(Goal)
GOAL_OF: Final = tuple(Goal)  # index -> Goal without the cost of an Enum call


class Signal(IntEnum):
    CREDITS = 0
    SAFETY = 1
    COMPANY = 2
    PURPOSE = 3
    ANGER = 4  # someone fired on us lately
    ALARM = 5  # someone fired on our crew lately


SIGNALS: Final = len(Signal)
# Urgency = (1 - level) ** exponent per need: safety bites early, company late.
URGENCY_EXPONENT: Final = np.array([1.0, 0.7, 1.5, 1.2])

GOAL_FACTS: Final[dict[Goal, int]] = {
    Goal.IDLE: 0,
    Goal.EARN: Fact.SOLD,
    Goal.SURVIVE: Fact.SAFE,
    Goal.PROTECT: Fact.ENGAGED,
    Goal.REVENGE: Fact.ENGAGED,
    Goal.SOCIALISE: Fact.CHATTED,
    Goal.STEAL: Fact.ENGAGED,
    Goal.ATTACK: Fact.ENGAGED,
    Goal.FOLLOW: Fact.FOLLOWING,
    Goal.DOCK: Fact.DOCKED,
    Goal.FLEE: Fact.FLED,
}
# Goals that go after a target ship (kept in the mind's intent).

ORDER_GOALS: Final[dict[OrderKind, Goal]] = {
    OrderKind.ATTACK: Goal.ATTACK,
    OrderKind.MINE: Goal.EARN,
    OrderKind.DOCK: Goal.DOCK,
    OrderKind.FOLLOW: Goal.FOLLOW,
    OrderKind.FLEE: Goal.FLEE,
    OrderKind.STEAL: Goal.STEAL,
}


def _adverts() -> Floats:
    a = np.zeros((GOALS, SIGNALS))
    a[Goal.EARN] = (1.0, 0.0, 0.0, 0.6, 0.0, 0.0)
    a[Goal.SURVIVE] = (0.0, 1.1, 0.0, 0.1, 0.3, 0.0)
    a[Goal.PROTECT] = (0.0, 0.0, 0.2, 0.3, 0.0, 1.3)
    a[Goal.REVENGE] = (0.0, 0.0, 0.0, 0.3, 1.0, 0.0)
    a[Goal.SOCIALISE] = (0.0, 0.0, 1.0, 0.1, 0.0, 0.0)
    a[Goal.STEAL] = (1.2, -0.3, 0.0, 0.2, 0.0, 0.0)
    return a


ADVERTS: Final = _adverts()
BASELINE: Final = np.zeros(GOALS)
BASELINE[Goal.IDLE] = 0.05  # doing nothing wins only when nothing else calls
HABIT: Final = 0.08  # bonus for the goal already pursued, so minds do not flap


def persona_weights(persona: Persona) -> Floats:
    """How much this persona values each goal (the static part of the weights)."""
    t, v = persona.traits, persona.values
    w = np.zeros(GOALS)
    w[Goal.IDLE] = 1.0
    w[Goal.EARN] = 0.6 + 0.3 * t.conscientiousness + 0.3 * v.greed
    w[Goal.SURVIVE] = 0.6 + 0.4 * t.neuroticism + 0.4 * (1.0 - v.courage)
    w[Goal.PROTECT] = 0.4 + 0.8 * v.loyalty
    w[Goal.REVENGE] = 0.3 + 0.5 * (1.0 - t.agreeableness) + 0.4 * v.courage
    w[Goal.SOCIALISE] = 0.3 + 0.9 * t.extraversion
    w[Goal.STEAL] = 1.0  # scaled each decision by willingness to steal
    return w


def urgencies(levels: Floats) -> Floats:
    """Need levels (rows x 4, 1 = met) to urgencies (0 = content, 1 = desperate)."""
    out: Floats = np.power(1.0 - np.clip(levels, 0.0, 1.0), URGENCY_EXPONENT)
    return out
