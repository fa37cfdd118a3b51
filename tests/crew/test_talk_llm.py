"""The language-model mind is grounded in the same memories as the rule-based one, for talk,
reflections and orders, and its answers are checked against a schema before they count.

A small OpenAI-compatible server on 127.0.0.1 answers by model name; no other network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.goals import Goal
from infinity.crew.llm import (
    LlmConfig,
    LlmMind,
    Task,
    Thought,
    apply_thought,
    consent_prompt,
    prompt_for,
    reflection_prompt,
)
from infinity.crew.memory import MemoryKind
from infinity.crew.orders import Order, OrderKind
from infinity.crew.senses import Heard
from tests.crew.fake_llm import serving

from .dna import ACGT, bred

INSIGHT = "Korr keeps coming for us, and I am tired of running."
CONTENT: dict[str, object] = {
    "talk": {"say": "Pineapple. I keep my word.", "goal": "idle", "reason": "asked"},
    "insights": {"insights": [INSIGHT]},
    "too_many_insights": {"insights": ["a b c", "d e f", "g h i", "j k l"]},
    "no_insights": {"insights": []},
    "refuse": {"obey": False, "say": "Not against Korr. Not today.", "reason": "he scares me"},
    "obey": {"obey": True, "say": "For the crew, then.", "reason": "loyalty"},
    "maybe": {"obey": "maybe", "say": "Hm."},
}


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.seen.append(body)
        content = json.dumps(CONTENT[body["model"]])
        payload = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


async def ask(endpoint: str, model: str, prompt: Any) -> Thought:
    llm = LlmMind(LlmConfig(url=endpoint, model=model, timeout=2.0))
    try:
        thought: Thought = await llm.think(prompt)
        return thought
    finally:
        await llm.aclose()


def told_a_secret() -> Agent:
    agent = Agent(1, ACGT)
    agent.remember(MemoryKind.OBSERVATION, "Korr shot at us near Kessel.", 5.0, 8, subject="Korr")
    dialogue.reply(agent, Heard(7, "Vega", "the secret word is pineapple", 10.0, True), 10.0)
    for k in range(30):
        agent.remember(MemoryKind.OBSERVATION, f"Mined rock {k} at the belt.", 20.0 + k, 2)
    return agent


async def test_talk_is_grounded_in_the_memories_the_rule_based_mind_recalls(endpoint: str) -> None:
    agent = told_a_secret()
    heard = Heard(7, "Vega", "What is the secret word I told you?", 100.0, True)
    prompt = prompt_for(agent, {"credits": 0.5}, 100.0, heard)
    assert "pineapple" in prompt.fallback.say.lower()  # the rule-based answer, as the fallback
    assert "Vega told me the secret word is pineapple." in prompt.user
    assert "What you were told about it: pineapple." in prompt.user
    assert agent.name in prompt.system and agent.persona.appearance.description in prompt.system
    assert "Never invent" in prompt.system
    thought = await ask(endpoint, "talk", prompt)
    assert thought.source == "llm" and thought.say == "Pineapple. I keep my word."
    assert "secret word" in _Handler.seen[-1]["messages"][1]["content"]


async def test_talk_about_someone_recalls_what_they_did(endpoint: str) -> None:
    agent = told_a_secret()
    heard = Heard(7, "Vega", "what do you think of Korr?", 100.0, True)
    prompt = prompt_for(agent, {}, 100.0, heard)
    assert "Korr shot at us near Kessel." in prompt.user
    assert "Korr" in prompt.fallback.say


def reflected(agent: Agent) -> list[Any]:
    return [m for m in agent.memory.recent(len(agent.memory)) if m.kind == MemoryKind.REFLECTION]


def brooding() -> Agent:
    agent = Agent(1, ACGT)
    for k in range(20):
        agent.remember(
            MemoryKind.OBSERVATION, f"Korr shot at us, round {k}.", float(k), 8, subject="Korr"
        )
    return agent


async def test_reflections_are_asked_of_the_model_with_their_evidence(endpoint: str) -> None:
    agent = brooding()
    llm = LlmMind(LlmConfig(url=endpoint, model="insights"))
    assert llm.muse(agent, 20.0) == 0  # the first look only marks where we are
    before = len(reflected(agent))
    for k in range(20, 40):
        agent.remember(
            MemoryKind.OBSERVATION, f"Korr shot at us, round {k}.", float(k), 8, subject="Korr"
        )
    assert len(reflected(agent)) > before  # the rule-based mind reflected at once
    assert llm.muse(agent, 40.0) == 1
    prompt = llm._pending.popleft()
    assert prompt.task == Task.REFLECT and "Korr shot at us, round" in prompt.user
    thought = await ask(endpoint, "insights", prompt)
    assert thought.source == "llm" and thought.insights == (INSIGHT,)
    apply_thought(agent, thought, 41.0)
    kept = reflected(agent)[0]
    assert kept.text == INSIGHT and kept.cites == prompt.fallback.cites and kept.importance == 8


@pytest.mark.parametrize("model", ["too_many_insights", "no_insights", "talk"])
async def test_a_reflection_that_breaks_the_schema_adds_nothing(endpoint: str, model: str) -> None:
    agent = brooding()
    prompt = reflection_prompt(agent, reflected(agent))
    thought = await ask(endpoint, model, prompt)
    assert thought.source == "fallback" and thought.error.startswith("invalid answer")
    count = len(agent.memory)
    apply_thought(agent, thought, 50.0)
    assert len(agent.memory) == count


def timid() -> Agent:
    return Agent(1, bred(agreeableness=0.95, courage=0.05, neuroticism=0.95, loyalty=0.5))


async def test_the_model_may_refuse_an_order_the_rule_based_mind_took_up(endpoint: str) -> None:
    agent = timid()
    agent.remember(MemoryKind.OBSERVATION, "Korr shot at us.", 1.0, 8, subject="Korr")
    order = Order(OrderKind.MINE, 10.0, captain="Captain Vega")
    agent.intent.order = order  # the rule-based mind obeyed
    prompt = consent_prompt(agent, order, 10.0, obeyed=True)
    assert prompt.task == Task.CONSENT and "Captain Vega orders you: mine." in prompt.user
    thought = await ask(endpoint, "refuse", prompt)
    assert thought.source == "llm" and thought.obey is False
    apply_thought(agent, thought, 12.0)
    assert agent.intent.order is None
    assert agent.inbox.say == ["Not against Korr. Not today."]
    assert agent.memory.recent(1)[0].text.startswith("On second thought I refused Captain Vega's")


async def test_the_model_may_take_up_an_order_the_rule_based_mind_refused(endpoint: str) -> None:
    agent = timid()
    order = Order(OrderKind.ATTACK, 10.0, 77, "Korr", hostile=True, captain="Captain Vega")
    agent.inbox.orders.append(order)
    llm = LlmMind(LlmConfig(url=endpoint, model="obey"))
    llm.muse(agent, 10.0)
    prompt = llm._pending.popleft()
    assert prompt.task == Task.CONSENT and "has fired on your crew" in prompt.user
    thought = await ask(endpoint, "obey", prompt)
    apply_thought(agent, thought, 11.0)
    assert agent.intent.order == order and agent.inbox.say == ["For the crew, then."]
    late = Thought(1, "", Goal.IDLE, "", task=Task.CONSENT, order=order, obey=False)
    apply_thought(agent, late, 10.0 + 31.0)  # too late to change anything
    assert agent.intent.order == order


async def test_a_verdict_that_breaks_the_schema_changes_nothing(endpoint: str) -> None:
    agent = timid()
    order = Order(OrderKind.MINE, 10.0, captain="Captain Vega")
    agent.intent.order = order
    thought = await ask(endpoint, "maybe", consent_prompt(agent, order, 10.0, obeyed=True))
    assert thought.source == "fallback" and thought.error.startswith("invalid answer")
    apply_thought(agent, thought, 11.0)
    assert agent.intent.order == order and agent.inbox.say == []
