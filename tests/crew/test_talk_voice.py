"""Voices grow from the genome: many people say the same thing in many ways, one person in one."""

from __future__ import annotations

import pytest

from infinity.company.founding import founder_genome
from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.genome import persona
from infinity.crew.memory import MemoryKind
from infinity.crew.orders import Order, OrderKind
from infinity.crew.senses import Heard
from infinity.crew.voice import BANK, voice_of

FOUNDERS = [founder_genome(k) for k in range(24)]


def crew_of_24() -> list[Agent]:
    return [Agent(k + 1, dna) for k, dna in enumerate(FOUNDERS)]


@pytest.mark.parametrize(
    "line",
    [
        "bye",
        "nice weather today",
        "why is the sky black?",
        "I will kill you",
        "attack Korr",
        "the secret word is pineapple",
        "can you help me?",
    ],
)
def test_twenty_four_people_do_not_share_stock_lines(line: str) -> None:
    said = [dialogue.answer(a, Heard(7, "Vega", line, 5.0, True), 5.0) for a in crew_of_24()]
    assert len(set(said)) >= 18, said


def test_agreeing_to_an_order_is_not_one_stock_line() -> None:
    order = Order(OrderKind.MINE, 10.0, captain="Captain Vega")
    said = [dialogue.acknowledge(a.persona, order) for a in crew_of_24()]
    assert len(set(said)) >= 12, said
    assert said.count("Sure thing, happy to!") == 0


def test_each_person_has_a_phrasing_of_their_own() -> None:
    voices = [voice_of(a.persona) for a in crew_of_24()]
    assert len({tuple(sorted(v.phrasings.items())) for v in voices}) == 24
    assert len({v.register for v in voices}) == 3  # crude, plain and formal people all occur
    assert {v.terse for v in voices} == {True, False}


def test_the_same_genome_speaks_the_same_way() -> None:
    for dna in FOUNDERS[:6]:
        assert voice_of(persona(dna)) == voice_of(persona(dna))
        one, two = Agent(1, dna), Agent(2, dna)
        for agent in (one, two):
            agent.remember(MemoryKind.OBSERVATION, "Korr shot at us.", 1.0, 8, subject="Korr")
        for line in ("what do you think of Korr?", "hello, who are you?", "bye"):
            heard = Heard(7, "Vega", line, 9.0, True)
            assert dialogue.reply(one, heard, 9.0) == dialogue.reply(two, heard, 9.0)


def test_a_person_keeps_to_their_phrasing() -> None:
    """Fillers and catchphrases come and go by line; the phrasing itself is the person's."""
    agent = Agent(1, FOUNDERS[3])
    core = voice_of(agent.persona).core("unknown").rstrip(".!?").lower()
    for k, line in enumerate(("why is the sky black?", "where do comets go?", "why so quiet?")):
        said = dialogue.answer(agent, Heard(7, "Vega", line, float(k), True), float(k))
        assert core.split(",")[0] in said.lower()


def test_a_terse_voice_is_shorter_than_a_chatty_one() -> None:
    agents = crew_of_24()
    lines = ("why is the sky black?", "nice weather today", "bye", "can you help me?")

    def length(agent: Agent) -> float:
        return sum(len(dialogue.answer(agent, Heard(7, "V", x, 1.0, True), 1.0)) for x in lines)

    terse = [length(a) for a in agents if voice_of(a.persona).terse]
    chatty = [length(a) for a in agents if voice_of(a.persona).chatty]
    assert terse and chatty and max(terse) < sum(chatty) / len(chatty)


def test_every_slot_has_phrasings_in_every_register() -> None:
    assert all(len(bands) == 3 and all(bands) for bands in BANK.values())
