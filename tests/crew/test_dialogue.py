from __future__ import annotations

from infinity.commands import types as c
from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.goals import Goal
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import Need
from infinity.crew.senses import Heard
from infinity.sim import events as ev

from .dna import ACGT, GATTACA
from .world import FIRST_SHIP, Run

OBS = MemoryKind.OBSERVATION


def test_a_reply_brings_up_the_most_relevant_memory_in_voice() -> None:
    agent = Agent(1, ACGT)  # formal
    agent.remember(OBS, "Docked at Testa Station.", 10.0, 1)
    agent.remember(OBS, "Reaver shot at us near the Kessel gate.", 20.0, 8, subject="Reaver")
    agent.remember(OBS, "Sold 100 t of ore at Testa Station.", 30.0, 3)
    said = dialogue.reply(agent, Heard(7, "Vega", "Have you seen Reaver?", 40.0, True), 40.0)
    assert said == "If I recall correctly: Reaver shot at us near the Kessel gate."


def test_the_conversation_is_remembered_both_ways() -> None:
    agent = Agent(1, GATTACA)  # terse
    said = dialogue.reply(agent, Heard(7, "Vega", "Who are you?", 5.0, True), 5.0, Goal.EARN)
    assert said == f"{agent.name}."
    heard, answered = agent.memory.recent(2)[::-1]
    assert heard.kind == answered.kind == MemoryKind.CONVERSATION
    assert heard.text == 'Vega said to me: "Who are you?"' and heard.subject == "Vega"
    assert answered.text == f'I told Vega: "{said}"'


def test_voices_differ_by_persona() -> None:
    hello = Heard(7, "Vega", "hello, what are you doing?", 1.0, True)
    formal = dialogue.reply(Agent(1, ACGT), hello, 1.0, Goal.EARN)
    terse = dialogue.reply(Agent(2, GATTACA), hello, 1.0, Goal.EARN)
    assert formal == "Greetings, Vega. At present I am mining ore to pay my way. Fair enough."
    assert terse == "Yeah, Vega. Mining ore to pay my way. Don't quote me."


def test_agents_talk_among_themselves_without_echoing_forever() -> None:
    run = Run()
    lonely = run.board(Agent(1, ACGT), run.ship(FIRST_SHIP, "Left", x=2000.0))
    other = run.board(Agent(2, GATTACA), run.ship(FIRST_SHIP + 1, "Right", x=2300.0))
    lonely.purse.receive(5000.0, "test: rich, so only company is wanting")
    run.minds.needs.levels[run.minds.row_of(lonely.id), Need.COMPANY] = 0.0
    run.seconds(4)
    chats = [e for e in run.events if isinstance(e, ev.Chat)]
    assert lonely.intent.goal == Goal.SOCIALISE or chats
    assert chats[0].ship == FIRST_SHIP and chats[0].text.startswith("Greetings, Right.")
    assert chats[1].ship == FIRST_SHIP + 1  # greeted by ship name, the other answers
    assert len(chats) == 2  # the answer names nobody, so it ends there
    assert any(m.subject == "Left" for m in other.memory.recent(5))


def test_a_death_nearby_draws_a_reaction() -> None:
    run = Run()
    onlooker = run.board(Agent(1, ACGT), run.ship(FIRST_SHIP, "Onlooker", x=2000.0))
    run.ship(FIRST_SHIP + 1, "Doomed", x=2400.0, hull=1.0, shield=0.0)
    run.ship(FIRST_SHIP + 2, "Reaver", x=2600.0)
    run.scripted += [
        c.Target(ship=FIRST_SHIP + 2, target=FIRST_SHIP + 1),
        c.Fire(ship=FIRST_SHIP + 2),
    ]
    run.seconds(3)
    assert "Doomed has been destroyed." in run.said(onlooker)
