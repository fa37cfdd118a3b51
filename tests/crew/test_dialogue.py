"""The dialogue suite: scripted exchanges with the rule-based mind, asserting what is said.

One crew member, with a few memories of people (Korr shot at and robbed the
crew, Tamsin helped it), is talked to by several speakers in turn; each
exchange checks the content of the answer, and later ones depend on what
earlier ones told it. Restarts, voices, hailing and the language model have
their own files (test_talk_*.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from infinity.commands import types as c
from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.goals import Goal
from infinity.crew.intent import Act, Topic, understand
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import Need
from infinity.crew.senses import Heard
from infinity.crew.voice import BANK, MAX_LINE, voice_of
from infinity.sim import events as ev

from .dna import ACGT, FASTA, GATTACA
from .world import FIRST_SHIP, Run

OBS = MemoryKind.OBSERVATION


def stems(slot: str) -> list[str]:
    """What every phrasing of a slot surely contains, in every register: its longest piece of
    plain words between fields and sentence ends (a term of address may follow any of them)."""
    out = []
    for band in BANK[slot]:
        for phrasing in band:
            pieces = re.split(r"\{[^}]*\}|[.!?]", phrasing)
            stem = max((p.strip(" ,:") for p in pieces), key=len)
            if len(stem) > 1:
                out.append(stem.lower())
    return out


def said_one_of(line: str, slot: str) -> bool:
    lowered = line.lower()
    return any(stem in lowered for stem in stems(slot))


@dataclass
class Talk:
    """A conversation with one agent; the clock moves a minute per line."""

    agent: Agent
    doing: Goal = Goal.EARN
    now: float = 1_000.0
    log: list[tuple[str, str, str]] = field(default_factory=list)

    def say(self, text: str, speaker: str = "Vega", from_agent: bool = False) -> str:
        self.now += 60.0
        heard = Heard(7, speaker, text, self.now, to_me=True, from_agent=from_agent)
        answer = dialogue.reply(self.agent, heard, self.now, self.doing)
        self.log.append((speaker, text, answer))
        assert answer and len(answer) <= MAX_LINE
        return answer


def lived(dna: str = ACGT) -> Agent:
    agent = Agent(1, dna)
    agent.remember(OBS, "Korr shot at us near the Kessel gate.", 100.0, 8, subject="Korr")
    agent.remember(OBS, "Korr siphoned 200 credits from our wallet.", 200.0, 8, subject="Korr")
    agent.remember(
        OBS, "Tamsin helped us repair the hull at Testa Station.", 300.0, 5, subject="Tamsin"
    )
    agent.remember(OBS, "Sold 100 t of ore at Testa Station.", 400.0, 3, subject="Testa Station")
    agent.remember(OBS, "Docked at Testa Station.", 500.0, 1)
    return agent


@pytest.fixture(params=[ACGT, GATTACA, FASTA], ids=["formal", "terse", "crude"])
def talk(request: pytest.FixtureRequest) -> Talk:
    return Talk(lived(request.param))


# -- the suite: one conversation, exchange by exchange ---------------------------------------


def test_greeting_names_the_player(talk: Talk) -> None:
    said = talk.say("hello")
    assert "Vega" in said and said_one_of(said, "greet")


def test_who_are_you_introduces(talk: Talk) -> None:
    assert talk.agent.name in talk.say("Who are you?")


def test_a_line_with_who_in_it_is_not_a_question_about_me(talk: Talk) -> None:
    assert talk.agent.name not in talk.say("whoever you are, nice flying out there")
    assert talk.agent.name not in talk.say("who shot at us?")


def test_who_shot_at_us_is_answered_from_memory(talk: Talk) -> None:
    assert "Korr shot at us" in talk.say("who shot at us?")


def test_a_secret_word_is_noted_then_recalled(talk: Talk) -> None:
    assert "pineapple" in talk.say("the secret word is pineapple").lower()
    talk.say("nice weather out here")
    talk.say("what are you doing?")
    assert "pineapple" in talk.say("What is the secret word I told you?").lower()
    assert "pineapple" in talk.say("so what was the secret word again?").lower()


def test_a_fact_about_the_speaker_is_theirs(talk: Talk) -> None:
    talk.say("my ship is the Dawn Treader")
    answer = talk.say("what is my ship?")
    assert "Dawn Treader" in answer
    assert "Vega's" not in answer  # said back to Vega as "your ship", not in the third person


def test_a_secret_is_not_told_to_someone_else(talk: Talk) -> None:
    talk.say("the secret word is pineapple")
    answer = talk.say("What is the secret word?", speaker="Orin")
    assert "pineapple" not in answer.lower() and said_one_of(answer, "no_fact")


def test_an_untold_fact_is_not_made_up(talk: Talk) -> None:
    assert said_one_of(talk.say("what is the launch code I told you?"), "no_fact")


def test_a_fact_told_after_a_greeting_is_kept(talk: Talk) -> None:
    talk.say("hi! remember: the code is 4711")
    assert "4711" in talk.say("what's the code?")


def test_a_later_fact_overrides_an_earlier_one(talk: Talk) -> None:
    talk.say("the secret word is pineapple")
    talk.say("the secret word is mango")
    answer = talk.say("what is the secret word I told you?").lower()
    assert "mango" in answer and "pineapple" not in answer


def test_do_you_remember_me_recalls_what_passed_between_us(talk: Talk) -> None:
    talk.say("the secret word is pineapple")
    answer = talk.say("Do you remember me?")
    assert "pineapple" in answer.lower() and "You told me" in answer
    assert talk.agent.name not in answer


def test_do_you_remember_me_brings_up_the_gravest_thing(talk: Talk) -> None:
    talk.say("the secret word is pineapple")
    talk.say("I will kill you")
    assert any(m.text == "Vega threatened me." for m in talk.agent.memory.recent(5))
    assert "You threatened me" in talk.say("do you remember me?")


def test_someone_who_helped_is_remembered_kindly(talk: Talk) -> None:
    answer = talk.say("do you remember me?", speaker="Tamsin")
    assert "You helped us repair the hull" in answer


def test_a_stranger_is_not_remembered(talk: Talk) -> None:
    assert said_one_of(talk.say("do you remember me?", speaker="Nobody"), "stranger")


def test_an_opinion_of_korr_comes_from_what_korr_did(talk: Talk) -> None:
    answer = talk.say("what do you think of Korr?")
    assert "Korr" in answer and ("shot at us" in answer or "siphoned" in answer)
    assert said_one_of(answer, "opinion_bad") or voice_of(talk.agent.persona).terse


def test_an_opinion_of_tamsin_is_kind(talk: Talk) -> None:
    answer = talk.say("what do you think about Tamsin?")
    assert "Tamsin" in answer and "helped" in answer
    assert "opinion_bad" not in answer and not said_one_of(answer, "opinion_bad")


def test_someone_unknown_is_not_invented(talk: Talk) -> None:
    answer = talk.say("Have you heard of Zed?")
    assert "Zed" in answer and said_one_of(answer, "never_heard")


def test_a_question_about_a_place_recalls_it(talk: Talk) -> None:
    assert "Testa Station" in talk.say("what happened at Testa Station?")


def test_do_you_remember_an_event(talk: Talk) -> None:
    assert "Kessel" in talk.say("do you remember the Kessel gate?")


def test_what_are_you_doing_tells_the_goal(talk: Talk) -> None:
    assert "mining ore" in talk.say("what are you doing?")


def test_greeting_and_question_in_one_line(talk: Talk) -> None:
    answer = talk.say("hello, what are you doing?")
    assert "Vega" in answer and "mining ore" in answer


def test_how_are_you_tells_a_mood(talk: Talk) -> None:
    talk.agent.purse.spend(talk.agent.purse.balance, "test: broke")
    assert "short of credits" in talk.say("how are you?").lower()


def test_an_order_from_a_stranger_is_refused(talk: Talk) -> None:
    assert said_one_of(talk.say("attack Korr"), "not_captain")


def test_a_threat_is_answered_and_remembered(talk: Talk) -> None:
    answer = talk.say("hand over your cargo or else")
    assert said_one_of(answer, "threat_brave") or said_one_of(answer, "threat_timid")
    threat = talk.agent.memory.recent(3)[1]
    assert threat.text == "Vega threatened me." and threat.importance >= 7


def test_a_request_after_a_threat_is_refused(talk: Talk) -> None:
    talk.say("I'm going to destroy you")
    assert said_one_of(talk.say("can you give me 100 credits?"), "request_no")


def test_farewell(talk: Talk) -> None:
    assert said_one_of(talk.say("bye!"), "farewell")


def test_small_talk_is_answered_without_inventing(talk: Talk) -> None:
    answer = talk.say("nice weather today")
    assert said_one_of(answer, "small_talk")


def test_an_unanswerable_question_is_admitted(talk: Talk) -> None:
    assert said_one_of(talk.say("why is the sky black?"), "unknown")


def test_an_agent_is_never_named_back(talk: Talk) -> None:
    """Naming an agent would make it answer again, forever."""
    answer = talk.say("Greetings, Kestrel. What are you doing?", speaker="Kestrel", from_agent=True)
    assert "Kestrel" not in answer


def test_being_hailed_by_name_is_not_a_question_about_oneself(talk: Talk) -> None:
    given = talk.agent.persona.given_name
    answer = talk.say(f"{given}, what do you think of Korr?")
    assert "Korr" in answer and talk.agent.name not in answer


def test_being_hailed_by_ship_name_still_gets_the_fact(talk: Talk) -> None:
    talk.say("Kestrel, the secret word is pineapple")
    assert "pineapple" in talk.say("Kestrel, what is the secret word I told you?").lower()


def test_the_exchange_is_remembered_both_ways() -> None:
    talk = Talk(Agent(1, GATTACA))
    said = talk.say("Who are you?")
    heard, answered = talk.agent.memory.recent(2)[::-1]
    assert heard.kind == answered.kind == MemoryKind.CONVERSATION
    assert heard.text == 'Vega said to me: "Who are you?"' and heard.subject == "Vega"
    assert answered.text == f'I told Vega: "{said}"'


def test_the_suite_has_thirty_exchanges() -> None:
    talks = [name for name in globals() if name.startswith("test_") and "suite" not in name]
    assert len(talks) >= 30


# -- understanding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "act", "detail"),
    [
        ("Who are you?", Act.ASK_SELF, Topic.NAME),
        ("who shot at us?", Act.ASK_PAST, ""),
        ("whose ship is that?", Act.ASK_PAST, ""),
        ("what is the secret word I told you?", Act.ASK_PAST, "secret word"),
        ("what's my name?", Act.ASK_PAST, "Vega's name"),
        ("the secret word is pineapple", Act.TELL, "pineapple"),
        ("do you remember me?", Act.ASK_PAST, "Vega"),
        ("what do you think of Korr?", Act.ASK_OTHER, "Korr"),
        ("what do you think of bamil?", Act.ASK_OTHER, "Bamil Nako"),
        ("hello, what are you doing?", Act.ASK_SELF, Topic.DOING),
        ("how are you?", Act.ASK_SELF, Topic.MOOD),
        ("attack Korr", Act.ORDER, ""),
        ("I will kill you", Act.THREAT, ""),
        ("Kestrel, you'll pay for that. Every credit.", Act.THREAT, ""),  # a robbed crew's curse
        ("could you lend me some credits?", Act.REQUEST, ""),
        ("nice weather", Act.SMALL_TALK, ""),
        ("bye!", Act.FAREWELL, ""),
        ("hi", Act.GREETING, ""),
        ("Hey there, Ship 1667. By the void.", Act.GREETING, ""),  # an agent's hello, with tic
        ("Kestrel, what is the code?", Act.ASK_PAST, "code"),
    ],
)
def test_lines_are_understood(line: str, act: Act, detail: str) -> None:
    known = {"korr": "Korr", "bamil nako": "Bamil Nako", "bamil": "Bamil Nako"}
    gist = understand(line, ("Tesaya", "Tesaya Kobin"), known, "Vega")
    assert gist.act == act
    assert detail in (gist.topic, gist.key, gist.value, gist.about, "")


# -- in a zone -------------------------------------------------------------------------


def test_agents_talk_among_themselves_without_echoing_forever() -> None:
    run = Run()
    lonely = run.board(Agent(1, ACGT), run.ship(FIRST_SHIP, "Left", x=2000.0))
    other = run.board(Agent(2, GATTACA), run.ship(FIRST_SHIP + 1, "Right", x=2300.0))
    lonely.purse.receive(5000.0, "test: rich, so only company is wanting")
    run.minds.needs.levels[run.minds.row_of(lonely.id), Need.COMPANY] = 0.0
    run.seconds(4)
    chats = [e for e in run.events if isinstance(e, ev.Chat)]
    assert lonely.intent.goal == Goal.SOCIALISE or chats
    assert chats[0].ship == FIRST_SHIP and chats[0].text == dialogue.greeting(
        lonely.persona, "Right"
    )
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
    said = run.said(onlooker)
    assert said and "Doomed" in said[0] and said_one_of(said[0], "destroyed")
