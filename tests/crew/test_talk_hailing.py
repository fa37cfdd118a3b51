"""Hailing one crew member by name gets that one, even when the line names another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infinity.company.founding import founder_genome
from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.genome import persona
from infinity.crew.intent import addressee

from .harbour import Harbour, open_harbour


@pytest.fixture
async def harbour(tmp_path: Path) -> AsyncIterator[Harbour]:
    opened = await open_harbour(tmp_path)
    yield opened
    await opened.store.close()


def answered(agent: Agent, speaker: str = "Vega") -> bool:
    return any(m.text.startswith(f"{speaker} said to me") for m in agent.memory.recent(12))


def crewmates(h: Harbour) -> tuple[int, Agent, Agent, Agent]:
    """A crew's ship, its captain, and two hands aboard it."""
    crew = h.company.minds.crews[1]
    agents = h.company.minds.agents
    captain = agents[crew.captain.agent or -1]
    hands = [agents[a] for a in sorted(crew.members) if a != captain.id]
    return crew.ship, captain, hands[0], hands[1]


@pytest.mark.parametrize("form", ["{a}, what do you think of {b}?", "what about {b}, {a}?"])
def test_the_one_hailed_answers_not_the_one_named(harbour: Harbour, form: str) -> None:
    ship, captain, a, b = crewmates(harbour)
    harbour.seconds(3)
    vega = harbour.player(7, "Vega", ship, dx=300.0)
    line = form.format(a=a.persona.given_name, b=b.persona.given_name)
    harbour.say(vega, line)
    harbour.seconds(3)
    assert answered(a)
    assert not answered(b) and not answered(captain)
    said = [t for t in harbour.chat(ship) if t.startswith(f"{a.persona.given_name}: ")]
    assert said and b.persona.given_name in said[-1]  # and the answer is about the other


def test_a_hail_from_afar_reaches_only_the_one_hailed(harbour: Harbour) -> None:
    ship, captain, a, b = crewmates(harbour)
    harbour.seconds(3)
    far = harbour.player(7, "Vega", ship, dx=6000.0)  # beyond sensor range: a hail by name
    harbour.say(far, f"{b.persona.given_name}, do you know {a.persona.given_name}?")
    harbour.seconds(3)
    assert answered(b) and not answered(a) and not answered(captain)


def test_the_ship_hailed_answers_with_one_voice_even_naming_a_hand(harbour: Harbour) -> None:
    ship, captain, a, _ = crewmates(harbour)
    zone = harbour.universe.zone_of(ship)
    assert zone is not None
    harbour.seconds(3)
    vega = harbour.player(7, "Vega", ship, dx=300.0)
    harbour.say(vega, f"{zone.info[ship].name}, what do you think of {a.persona.given_name}?")
    harbour.seconds(3)
    assert answered(captain) and not answered(a)


@pytest.mark.parametrize(
    ("line", "to", "hail_only"),
    [
        ("Korr, what do you think of Vega?", "Korr", "Korr"),
        ("what do you think of Vega, Korr?", "Korr", "Korr"),
        ("hey Korr, seen Vega?", "Korr", "Korr"),
        ("@Korr vega?", "Korr", "Korr"),
        ("Greetings, Kestrel.", "Kestrel", "Kestrel"),
        ("Hey there, Kestrel. Clear skies.", "Kestrel", "Kestrel"),
        ("Vega? Trouble, if you ask me.", "Vega", None),
        ("tell Vega I said hi", "Vega", None),
        ("nobody here", None, None),
    ],
)
def test_who_a_line_is_said_to(line: str, to: str | None, hail_only: str | None) -> None:
    names = ["Korr", "Vega", "Kestrel"]
    assert addressee(line, names) == to
    assert addressee(line, names, hail_only=True) == hail_only


def test_every_voice_greets_a_ship_so_that_it_knows_it_is_hailed() -> None:
    for k in range(24):
        line = dialogue.greeting(persona(founder_genome(k)), "Long Haul")
        assert addressee(line, ["Long Haul", "Kestrel"], hail_only=True) == "Long Haul", line
