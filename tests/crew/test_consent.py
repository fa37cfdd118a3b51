"""A mind's consent to a copy or a move: from its persona, its memories (a wrong done by the
asker) and its situation (a crew's ties, hard times); deterministic, kept with its reason."""

from __future__ import annotations

from infinity.crew.agent import Agent
from infinity.crew.consent import ask, grievance, willing
from infinity.crew.crew import Captain, Crew, Station
from infinity.crew.memory import MemoryKind
from tests.crew.dna import bred

OBS = MemoryKind.OBSERVATION
BRAVE = bred(openness=0.95, courage=0.95, neuroticism=0.05, loyalty=0.9)
TIMID = bred(openness=0.05, courage=0.05, neuroticism=0.95, loyalty=0.9)
# a transfer score of about 0.55: willing alone, held back by a crew at full loyalty
MARGINAL = bred(openness=0.6, courage=0.55, neuroticism=0.5, loyalty=0.99)
# about 0.45: unwilling, unless hard times push it
RELUCTANT = bred(openness=0.45, courage=0.45, neuroticism=0.55, loyalty=0.0)


def test_the_persona_decides_and_the_answer_is_kept_with_its_reason() -> None:
    brave, timid = Agent(1, BRAVE), Agent(2, TIMID)
    yes = ask(brave, "transfer", "operator:ada", 10.0)
    no = ask(timid, "transfer", "operator:ada", 11.0)
    assert yes.given and "whole" in yes.reason and not no.given and no.reason
    assert brave.consents == [yes] and timid.consents == [no]
    again = ask(Agent(3, TIMID), "transfer", "operator:ada", 11.0)
    assert (again.given, again.reason) == (no.given, no.reason)  # deterministic
    timid.die("a torpedo", 5.0)
    assert ask(timid, "copy", "Ada", 13.0).reason == "the dead consent to nothing"


def test_a_mind_refuses_whoever_it_remembers_wronging_it() -> None:
    brave = Agent(1, BRAVE)
    brave.remember(OBS, "Ada robbed us at the gate and left us dry.", 50.0, 8, subject="Ada")
    brave.remember(OBS, "Boris helped us repair the hull.", 60.0, 7, subject="Boris")
    refused = ask(brave, "transfer", "operator:Ada", 70.0)
    assert not refused.given and "robbed us" in refused.reason and "Ada" in refused.reason
    assert grievance(brave, "Boris") is None and willing(brave, "transfer", "Boris")
    trifle = Agent(2, BRAVE)  # a small slight is not a grave wrong
    trifle.remember(OBS, "Ada refused to trade with us.", 50.0, 3, subject="Ada")
    assert willing(trifle, "transfer", "Ada")


def test_a_crew_holds_the_loyal_back() -> None:
    alone, crewed = Agent(1, MARGINAL), Agent(2, MARGINAL)
    assert willing(alone, "transfer")
    crew = Crew(7, "Wing", 1_048_600, Captain("Ace", agent=99))
    crew.join(crewed, Station.HELM)
    answer = ask(crewed, "transfer", "Ada", 1.0)
    assert not answer.given and "crew" in answer.reason


def test_hard_times_push_a_mind_to_go() -> None:
    calm, hunted = Agent(1, RELUCTANT), Agent(2, RELUCTANT)
    assert not willing(calm, "transfer")
    hunted.remember(OBS, "Reavers shot at us near the belt.", 10.0, 8, subject="Reavers")
    hunted.remember(OBS, "A pirate robbed us of our last credits.", 20.0, 9, subject="Pirate")
    answer = ask(hunted, "transfer", "Ada", 30.0)
    assert answer.given and "little left" in answer.reason
