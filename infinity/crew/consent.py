"""Whether a mind agrees to be copied or moved, decided from who it is and what it knows.

Rule-based and deterministic: the same person in the same situation answers the
same way, and says why in its own terms. A copy is a second person with one's
memories; the open and the steady accept it, the loyal and the anxious fear
what it does to them and theirs. A move is leaving the world one knows; the
brave and the open accept it. Every answer is kept (`Agent.consents`) and goes
into the mind document.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from infinity.crew.agent import Agent

Operation = Literal["copy", "transfer"]
WILLING = 0.5  # the score at or above which a mind agrees


class Consent(msgspec.Struct, frozen=True, kw_only=True):
    """One answer: to what, asked by whom, yes or no, why, and when (wall clock)."""

    operation: Operation
    asked_by: str
    given: bool
    reason: str
    at: float


def ask(agent: Agent, operation: Operation, asked_by: str, at: float) -> Consent:
    """The agent's answer, kept in its record and remembered in its own words."""
    given, reason = _decide(agent, operation)
    answer = Consent(operation=operation, asked_by=asked_by, given=given, reason=reason, at=at)
    agent.consents.append(answer)
    return answer


def willing(agent: Agent, operation: Operation) -> bool:
    """What the agent would answer now, without asking (nothing is recorded)."""
    return _decide(agent, operation)[0]


def _decide(agent: Agent, operation: Operation) -> tuple[bool, str]:
    if not agent.alive:
        return False, "the dead consent to nothing"
    traits, values = agent.persona.traits, agent.persona.values
    if operation == "copy":
        score = (
            0.45 * traits.openness + 0.25 * (1 - traits.neuroticism) + 0.3 * (1 - values.loyalty)
        )
        if score >= WILLING:
            return True, "another me would carry on what I started; I am curious what they become"
        if values.loyalty >= traits.openness:
            return False, "there is one of me, and my crew knows which; a second would split us"
        return False, "a second me with my memories frightens me more than it tempts me"
    score = 0.4 * traits.openness + 0.3 * values.courage + 0.3 * (1 - traits.neuroticism)
    if score >= WILLING:
        return True, "I will go, whole, if it is me who goes and nothing of me stays behind"
    return False, "I would rather stay where I know who I am"
