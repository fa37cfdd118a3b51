"""The optional language-model mind: any OpenAI-compatible chat-completions endpoint.

It never blocks a tick. The host calls `LlmMind.ask(prompt)` (synchronous,
non-blocking; False when the queue is full) and, each decision round,
`LlmMind.answers()` to collect what has arrived; `LlmMind.run()` is the
worker the host owns in its task group. Every prompt carries the CPU mind's
own answer: a timeout, a transport error, an HTTP error, a body that is not
JSON, or JSON that does not match `LlmAnswer` all yield that fallback, marked
as such, so an answer always arrives and the crew member is never silent.

The key is read from the environment (`INFINITY_LLM_KEY`), never stored.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import deque
from dataclasses import dataclass, replace
from typing import Annotated, Final, Literal

import httpx2 as httpx
import msgspec

from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.goals import CHOSEN, Goal
from infinity.crew.memory import MemoryKind
from infinity.crew.senses import Heard

KEY_ENV: Final = "INFINITY_LLM_KEY"
MAX_BODY: Final = 64 * 1024  # bytes of response we are willing to read
SUGGESTION_SECONDS: Final = 60.0  # how long a suggested goal is followed
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_FENCE: Final = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)

GoalName = Literal["idle", "earn", "survive", "protect", "revenge", "socialise", "steal"]
GOAL_NAMES: Final = tuple(Goal(g).name.lower() for g in range(CHOSEN))


class LlmAnswer(msgspec.Struct, frozen=True):
    """What the model must answer, as a JSON object."""

    say: Annotated[str, msgspec.Meta(max_length=280)]
    goal: GoalName
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class _Message(msgspec.Struct):
    content: str | None = None


class _Choice(msgspec.Struct):
    message: _Message


class _Completion(msgspec.Struct):
    choices: list[_Choice]


@dataclass(frozen=True, slots=True)
class Thought:
    """A mind's answer: a line to say (may be empty), a goal, and why. `source` tells who
    thought it: "llm", or "fallback" with `error` saying what went wrong."""

    agent: int
    say: str
    goal: Goal
    reason: str
    source: str = "llm"
    error: str = ""
    heard: Heard | None = None  # the line answered, remembered with the answer when applied


@dataclass(frozen=True, slots=True)
class Prompt:
    agent: int
    system: str
    user: str
    fallback: Thought


@dataclass(frozen=True, slots=True)
class LlmConfig:
    url: str  # base URL, e.g. http://127.0.0.1:8000/v1 (POST {url}/chat/completions)
    model: str
    timeout: float = 4.0  # seconds for a whole request, connect to last byte
    max_tokens: int = 200
    temperature: float = 0.7
    concurrency: int = 4
    queue_size: int = 256

    @property
    def key(self) -> str | None:
        return os.environ.get(KEY_ENV) or None


def prompt_for(
    agent: Agent, needs: dict[str, float], now: float, heard: Heard | None = None
) -> Prompt:
    """Everything the model needs to speak and choose as this crew member, plus the CPU answer."""
    p, goal = agent.persona, agent.intent.goal
    query = heard.text if heard is not None else "what should I do next"
    memories = "\n".join(f"- {m.text}" for m in agent.memory.retrieve(query, now, k=5))
    system = (
        f"You are {p.name}, a crew member in a space universe. Traits (0..1): "
        f"{msgspec.json.encode(p.traits).decode()}. Values: {msgspec.json.encode(p.values).decode()}."
        f" You speak in a {p.speech.style} style. Answer ONLY with a JSON object "
        '{"say": str (<= 280 chars, may be empty), "goal": one of '
        f"{list(GOAL_NAMES)}, "
        '"reason": str}.'
    )
    user = (
        f"Your needs (1 = met): {needs}. Current goal: {goal.name.lower()}.\n"
        f"Memories that come to mind:\n{memories or '- none'}\n"
        + (f'{heard.name} says to you: "{heard.text}"' if heard else "Nobody is talking to you.")
    )
    said = dialogue.answer(agent, heard, now, goal) if heard is not None else ""
    fallback = Thought(agent.id, said, goal, "the CPU mind's answer", "fallback", heard=heard)
    return Prompt(agent.id, system, user, fallback)


def parse_answer(content: str) -> LlmAnswer:
    """Decode and validate the model's JSON (a ```json fence is tolerated)."""
    fenced = _FENCE.match(content)
    body = fenced.group(1) if fenced else content
    return msgspec.json.decode(body.strip().encode(), type=LlmAnswer)


class LlmMind:
    """A queue of prompts, a few async workers, and a list of thoughts ready to apply."""

    def __init__(self, config: LlmConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = client
        self._own_client = client is None
        self._pending: deque[Prompt] = deque()
        self._ready: deque[Thought] = deque()
        self._wake: asyncio.Event | None = None

    def ask(self, prompt: Prompt) -> bool:
        """Queue a prompt without waiting; False (ask again later, or use the fallback now)
        when too many are in flight."""
        if len(self._pending) >= self.config.queue_size:
            return False
        self._pending.append(prompt)
        if self._wake is not None:
            self._wake.set()
        return True

    def answers(self) -> list[Thought]:
        """Thoughts that have arrived since the last call (never waits)."""
        out = list(self._ready)
        self._ready.clear()
        return out

    async def run(self) -> None:
        """Serve prompts until cancelled; run it in the host's task group."""
        self._wake = asyncio.Event()
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.config.timeout)
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(self.config.concurrency):
                    group.create_task(self._worker())
        finally:
            if self._own_client and self._client is not None:
                await self._client.aclose()
                self._client = None

    async def _worker(self) -> None:
        assert self._wake is not None
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            prompt = self._pending.popleft()
            self._ready.append(await self.think(prompt))

    async def think(self, prompt: Prompt) -> Thought:
        """One request under a hard deadline; any failure returns the prompt's fallback."""
        try:
            async with asyncio.timeout(self.config.timeout):
                content = await self._complete(prompt)
            answer = parse_answer(content)
        except TimeoutError:
            return replace(prompt.fallback, error="timeout")
        except (httpx.HTTPError, OSError) as failure:
            return replace(prompt.fallback, error=f"transport: {type(failure).__name__}")
        except (msgspec.DecodeError, msgspec.ValidationError) as garbage:
            return replace(prompt.fallback, error=f"invalid answer: {garbage}"[:200])
        except _BadResponse as bad:
            return replace(prompt.fallback, error=str(bad))
        except Exception as surprise:  # a mind must answer whatever the endpoint did
            return replace(prompt.fallback, error=f"error: {type(surprise).__name__}")
        say = _CONTROL.sub(" ", answer.say).strip()
        reason = _CONTROL.sub(" ", answer.reason).strip()
        goal = Goal[answer.goal.upper()]
        return Thought(prompt.agent, say, goal, reason, heard=prompt.fallback.heard)

    async def _complete(self, prompt: Prompt) -> str:
        client = self._client
        if client is None:
            client = self._client = httpx.AsyncClient(timeout=self.config.timeout)
        body = {
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],
            "max_tokens": self.config.max_tokens,
            "temperature": self.config.temperature,
            "response_format": {"type": "json_object"},
        }
        headers = {"Authorization": f"Bearer {self.config.key}"} if self.config.key else {}
        url = self.config.url.rstrip("/") + "/chat/completions"
        async with client.stream("POST", url, json=body, headers=headers) as response:
            if response.status_code != 200:
                raise _BadResponse(f"http {response.status_code}")
            raw = bytearray()
            async for chunk in response.aiter_bytes():
                raw += chunk
                if len(raw) > MAX_BODY:
                    raise _BadResponse("response too large")
        try:
            completion = msgspec.json.decode(bytes(raw), type=_Completion)
        except (msgspec.DecodeError, msgspec.ValidationError) as garbage:
            raise _BadResponse(f"not a chat completion: {garbage}"[:200]) from garbage
        if not completion.choices or not completion.choices[0].message.content:
            raise _BadResponse("empty completion")
        return completion.choices[0].message.content

    async def aclose(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None


class _BadResponse(Exception):
    """The endpoint answered, but not with a usable chat completion."""


def apply_thought(agent: Agent, thought: Thought, now: float) -> None:
    """Make a thought count: queue its line, follow a model's goal for a while, remember both.

    A fallback only speaks: the CPU mind keeps choosing goals as it always does.
    """
    if not agent.alive:
        return
    if thought.say:
        agent.inbox.say.append(thought.say)
        if thought.heard is not None:
            dialogue.remember_exchange(agent, thought.heard, thought.say, now)
    if thought.source == "llm":
        agent.intent.suggested = thought.goal
        agent.intent.suggested_until = now + SUGGESTION_SECONDS
        why = f": {thought.reason}" if thought.reason else "."
        text = f"I decided to {thought.goal.name.lower()}{why}"
        agent.remember(MemoryKind.ACTION, text, now, 3)
