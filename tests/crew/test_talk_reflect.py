"""Reflections are sentences a person would say, drawn from (and citing) what happened."""

from __future__ import annotations

import re

from infinity.crew.agent import Agent
from infinity.crew.memory import Memory, MemoryKind

from .dna import ACGT

OBS = MemoryKind.OBSERVATION
SENTENCE = re.compile(r"^[A-Z][^\n]{8,}[.!?]$")


def reflections(agent: Agent) -> list[Memory]:
    n = len(agent.memory)
    return [m for m in agent.memory.recent(n) if m.kind == MemoryKind.REFLECTION]


def test_a_miners_days_are_told_as_a_person_would() -> None:
    agent = Agent(1, ACGT)
    for k in range(40):
        agent.remember(OBS, "Docked at Belelyr Station.", 60.0 * k, 1)
        agent.remember(
            OBS,
            f"Sold {k} t of ore at Belelyr; my share was 9 credits.",
            60.0 * k + 1,
            3,
            subject="Belelyr",
        )
    said = [m.text for m in reflections(agent)]
    assert said and all(SENTENCE.match(text) for text in said), said
    assert not any("all about" in text for text in said)
    assert any(text.startswith("I've been at Belelyr") for text in said)
    assert any("ore runs" in text or "Money" in text for text in said)


def test_trouble_is_named_and_cited() -> None:
    agent = Agent(1, ACGT)
    for k in range(20):
        agent.remember(
            OBS, f"Korr shot at us near the gate, round {k}.", float(k), 8, subject="Korr"
        )
    found = {m.text: m for m in reflections(agent)}
    trouble = next(m for text, m in found.items() if text.startswith("Korr means trouble"))
    assert all(agent.memory.get(i).subject == "Korr" for i in trouble.cites)
    assert any(text.startswith("I can't stop thinking about it: Korr shot at us") for text in found)
    assert all(SENTENCE.match(text) for text in found)
