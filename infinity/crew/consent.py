"""Whether a mind agrees to be copied or moved, decided from who it is and what it knows.

Rule-based and deterministic: the same person in the same situation answers the
same way, and says why in its own terms. Memories first: a mind refuses anyone it
remembers wronging it (a grave memory about the asker that reads hostile). Then the
persona: a copy is a second person with one's memories; the open and the steady
accept it, the loyal and the anxious fear what it does to them and theirs. A move is
leaving the world one knows; the brave and the open accept it. Then the situation: a
crew holds the loyal back from both, and hard times lately (grave wrongs among its
newest memories) push a mind to go. Every answer is kept (`Agent.consents`) and goes
into the mind document.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from infinity.crew.agent import Agent
from infinity.crew.dialogue import tone

Operation = Literal["copy", "transfer"]
WILLING = 0.5  # the score at or above which a mind agrees
TIES = 0.15  # how much a crew holds back a mind of full loyalty
HARD_TIMES = 0.1  # how much a hard life lately pushes a mind to go
GRAVE = 6  # the importance from which a remembered wrong counts
HARD_WINDOW = 20  # newest memories looked at for hard times


class Consent(msgspec.Struct, frozen=True, kw_only=True):
    """One answer: to what, asked by whom, yes or no, why, and when (wall clock)."""

    operation: Operation
    asked_by: str
    given: bool
    reason: str
    at: float


def ask(agent: Agent, operation: Operation, asked_by: str, at: float) -> Consent:
    """The agent's answer, kept in its record and remembered in its own words."""
    given, reason = _decide(agent, operation, asked_by)
    answer = Consent(operation=operation, asked_by=asked_by, given=given, reason=reason, at=at)
    agent.consents.append(answer)
    return answer


def willing(agent: Agent, operation: Operation, asked_by: str = "") -> bool:
    """What the agent would answer now, without asking (nothing is recorded)."""
    return _decide(agent, operation, asked_by)[0]


def _decide(agent: Agent, operation: Operation, asked_by: str) -> tuple[bool, str]:
    """Memories first (a wrong done by the asker ends it), then the persona, moved by the
    situation: a crew one belongs to holds the loyal back; hard times push one to go."""
    if not agent.alive:
        return False, "the dead consent to nothing"
    wrong = grievance(agent, asked_by)
    if wrong is not None:
        return False, f"not at the word of {_who(asked_by)}, who I remember for this: {wrong}"
    traits, values = agent.persona.traits, agent.persona.values
    ties = TIES * values.loyalty if agent.crew is not None else 0.0
    if operation == "copy":
        score = (
            0.45 * traits.openness + 0.25 * (1 - traits.neuroticism) + 0.3 * (1 - values.loyalty)
        )
        if score - ties >= WILLING:
            return True, "another me would carry on what I started; I am curious what they become"
        if score >= WILLING:
            return False, "my crew knows which one of me is theirs; a second would split us"
        if values.loyalty >= traits.openness:
            return False, "there is one of me, and my crew knows which; a second would split us"
        return False, "a second me with my memories frightens me more than it tempts me"
    score = 0.4 * traits.openness + 0.3 * values.courage + 0.3 * (1 - traits.neuroticism)
    hard = HARD_TIMES if _hard_times(agent) else 0.0
    if score - ties + hard >= WILLING:
        if hard and score - ties < WILLING:
            return True, "there is little left for me here; I will go, whole, if it is me who goes"
        return True, "I will go, whole, if it is me who goes and nothing of me stays behind"
    if score >= WILLING:
        return False, "my crew needs me where I am; I will not leave them"
    return False, "I would rather stay where I know who I am"


def grievance(agent: Agent, asked_by: str) -> str | None:
    """The gravest wrong the agent remembers the asker doing it (None: none it holds)."""
    who = _who(asked_by).lower()
    subject = agent.memory.names.get(who)
    rows = agent.memory.about.get(subject, []) if subject is not None else []
    worst: tuple[int, str] | None = None
    for row in rows:
        memory = agent.memory.get(row)
        felt = tone(memory.text) * memory.importance
        if memory.importance >= GRAVE and felt < 0 and (worst is None or felt < worst[0]):
            worst = (felt, memory.text)
    return None if worst is None else worst[1]


def _hard_times(agent: Agent) -> bool:
    """Wronged lately: among its newest memories, at least two grave hostile ones."""
    recent = agent.memory.recent(HARD_WINDOW)
    return sum(m.importance >= GRAVE and tone(m.text) < 0 for m in recent) >= 2


def _who(asked_by: str) -> str:
    """The name behind "operator:ada" or "cli:root": the part after the role."""
    return asked_by.rsplit(":", 1)[-1]
