"""The language-model mind against a small OpenAI-compatible server on 127.0.0.1.

The server picks its behaviour from the request's model name: good answers,
fenced JSON, garbage, answers of the wrong shape, errors and long delays.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.goals import Goal
from infinity.crew.llm import KEY_ENV, LlmConfig, LlmMind, Thought, apply_thought, prompt_for
from infinity.crew.memory import MemoryKind
from infinity.crew.senses import Heard
from tests.crew.fake_llm import serving

from .dna import ACGT

GOOD = {"say": "Reaver? Never again.\x07", "goal": "revenge", "reason": "He shot at us."}
HELLO = Heard(7, "Vega", "Have you seen Reaver?", 50.0, to_me=True)


def _content(model: str) -> tuple[int, bytes]:
    """(status, body) for a model name."""
    if model == "http500":
        return 500, b'{"error": "boom"}'
    if model == "garbage":
        return 200, b"<html>I am not JSON</html>"
    content = {
        "good": json.dumps(GOOD),
        "fenced": "```json\n" + json.dumps(GOOD) + "\n```",
        "prose": "I think I will go mining today.",
        "wrong_goal": json.dumps({"say": "hi", "goal": "conquer the galaxy", "reason": ""}),
        "too_long": json.dumps({"say": "x" * 500, "goal": "idle"}),
        "slow": json.dumps(GOOD),
    }[model]
    return 200, json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": content}}]}
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if body["model"] == "slow":
            time.sleep(1.5)
        status, payload = _content(body["model"])
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (timeout): nothing to tell it
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def mind(endpoint: str, model: str, timeout: float = 2.0) -> LlmMind:
    return LlmMind(LlmConfig(url=endpoint, model=model, timeout=timeout))


async def think(endpoint: str, model: str, timeout: float = 2.0) -> Thought:
    llm = mind(endpoint, model, timeout)
    try:
        return await llm.think(prompt_for(Agent(1, ACGT), {"credits": 0.3}, 50.0, HELLO))
    finally:
        await llm.aclose()


async def test_a_good_answer_is_used_and_cleaned(endpoint: str) -> None:
    thought = await think(endpoint, "good")
    assert (thought.source, thought.goal, thought.error) == ("llm", Goal.REVENGE, "")
    assert thought.say == "Reaver? Never again." and thought.reason == "He shot at us."
    request = _Handler.seen[-1]
    assert request["path"] == "/v1/chat/completions" and request["model"] == "good"
    assert "Have you seen Reaver?" in request["messages"][1]["content"]
    assert (await think(endpoint, "fenced")).source == "llm"


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("garbage", "not a chat completion"),
        ("prose", "invalid answer"),
        ("wrong_goal", "invalid answer"),
        ("too_long", "invalid answer"),
        ("http500", "http 500"),
    ],
)
async def test_bad_answers_fall_back_to_the_cpu_mind(endpoint: str, model: str, error: str) -> None:
    thought = await think(endpoint, model)
    assert thought.source == "fallback" and thought.error.startswith(error)
    assert thought.say == dialogue.answer(Agent(1, ACGT), HELLO, 50.0)  # the CPU mind's answer
    assert thought.heard == HELLO and thought.goal == Goal.IDLE


async def test_an_unreachable_endpoint_falls_back() -> None:
    thought = await think("http://127.0.0.1:9/v1", "good", timeout=1.0)
    assert thought.source == "fallback" and thought.error.startswith("transport")


async def test_slow_answers_time_out_and_nothing_waits_for_them(endpoint: str) -> None:
    llm = mind(endpoint, "slow", timeout=0.3)
    agent = Agent(1, ACGT)
    ticks = 0

    async def tick_loop() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async with asyncio.TaskGroup() as group:
        worker = group.create_task(llm.run())
        ticker = group.create_task(tick_loop())
        began = time.perf_counter()
        assert llm.ask(prompt_for(agent, {}, 50.0, HELLO))
        assert time.perf_counter() - began < 0.05  # asking never waits
        assert llm.answers() == []  # nor does collecting
        waited = 0.0
        while not (got := llm.answers()) and waited < 3.0:
            await asyncio.sleep(0.05)
            waited += 0.05
        worker.cancel()
        ticker.cancel()
    assert got and got[0].source == "fallback" and got[0].error == "timeout"
    assert 0.25 < waited < 1.0  # the deadline, not the server's 1.5 s
    assert ticks >= 20  # the loop kept ticking all along


async def test_the_queue_refuses_rather_than_blocks(endpoint: str) -> None:
    llm = LlmMind(LlmConfig(url=endpoint, model="good", queue_size=2))
    prompt = prompt_for(Agent(1, ACGT), {}, 0.0)
    assert [llm.ask(prompt) for _ in range(3)] == [True, True, False]


async def test_the_key_comes_from_the_environment(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-test")
    await think(endpoint, "good")
    assert _Handler.seen[-1]["auth"] == "Bearer sk-test"
    monkeypatch.delenv(KEY_ENV)
    await think(endpoint, "good")
    assert _Handler.seen[-1]["auth"] is None


def test_applying_a_thought() -> None:
    agent = Agent(1, ACGT)
    apply_thought(agent, Thought(1, "On my way.", Goal.EARN, "need credits", heard=HELLO), 10.0)
    assert agent.inbox.say == ["On my way."]
    assert agent.intent.suggested == Goal.EARN and agent.intent.suggested_until == 70.0
    assert agent.memory.recent(1)[0].text == "I decided to earn: need credits"
    assert any(m.kind == MemoryKind.CONVERSATION for m in agent.memory.recent(3))
    fallback = Agent(2, ACGT)
    apply_thought(fallback, Thought(2, "Hm.", Goal.IDLE, "cpu", "fallback", "timeout"), 10.0)
    assert fallback.inbox.say == ["Hm."] and fallback.intent.suggested is None
