"""The optional language-model mind: any OpenAI-compatible chat-completions endpoint.

It is grounded and it is optional. Grounded: for dialogue the model gets the
memories the rule-based mind recalls for the same line (`dialogue.recall`:
recency, importance, relevance, limited to the person a line is about) and
the persona and its voice; for reflections, the memories being reflected on;
for consent to an order, the order and what the agent remembers of whoever
gave it and of the target. Optional: the rule-based mind has already
answered (its line is each prompt's fallback; reflections and verdicts on
orders are already made), so the model only ever improves on an answer.

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
from enum import StrEnum
from typing import Annotated, Final, Literal, TypeVar

import httpx2 as httpx
import msgspec

from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.crew import judge
from infinity.crew.goals import CHOSEN, Goal
from infinity.crew.memory import Memory, MemoryKind
from infinity.crew.orders import Order, OrderKind
from infinity.crew.senses import Heard
from infinity.crew.voice import voice_of

_T = TypeVar("_T")

KEY_ENV: Final = "INFINITY_LLM_KEY"
MAX_BODY: Final = 64 * 1024  # bytes of response we are willing to read
SUGGESTION_SECONDS: Final = 60.0  # how long a suggested goal is followed
REFLECT_EVIDENCE: Final = 12  # memories a reflection prompt shows, newest of those cited
ORDER_SECONDS: Final = 30.0  # a verdict arriving later than this after its order is ignored
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_FENCE: Final = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)

GoalName = Literal["idle", "earn", "survive", "protect", "revenge", "socialise", "steal"]
GOAL_NAMES: Final = tuple(Goal(g).name.lower() for g in range(CHOSEN))


class LlmAnswer(msgspec.Struct, frozen=True):
    """What the model must answer to a line or a moment, as a JSON object."""

    say: Annotated[str, msgspec.Meta(max_length=280)]
    goal: GoalName
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


Insight = Annotated[str, msgspec.Meta(min_length=3, max_length=200)]


class LlmInsights(msgspec.Struct, frozen=True):
    """What the model must answer when asked to reflect: one to three sentences."""

    insights: Annotated[list[Insight], msgspec.Meta(min_length=1, max_length=3)]


class LlmConsent(msgspec.Struct, frozen=True):
    """What the model must answer when asked whether to carry out an order."""

    obey: bool
    say: Annotated[str, msgspec.Meta(max_length=280)] = ""
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class Task(StrEnum):
    """What a prompt asks of the model, and so which schema its answer must match."""

    TALK = "talk"
    REFLECT = "reflect"
    CONSENT = "consent"


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
    task: Task = Task.TALK
    insights: tuple[str, ...] = ()  # REFLECT: the sentences to keep as reflections
    cites: tuple[int, ...] = ()  # REFLECT: the memories they were drawn from
    order: Order | None = None  # CONSENT: the order judged
    obey: bool = False  # CONSENT: the verdict


@dataclass(frozen=True, slots=True)
class Prompt:
    agent: int
    system: str
    user: str
    fallback: Thought

    @property
    def task(self) -> Task:
        return self.fallback.task


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


def persona_brief(agent: Agent) -> str:
    """Who the model speaks as: name, looks, traits, values and voice, in a few lines."""
    p = agent.persona
    voice = voice_of(p)
    register = ("rough and crude", "plain", "formal and polite")[voice.register]
    length = "very few words" if voice.terse else "a lot" if voice.chatty else "short sentences"
    habit = f' You often say "{voice.tic}".' if voice.tic else ""
    return (
        f"You are {p.name}, a crew member of a fugitive crew in the space universe Infinity;"
        f" {p.appearance.description}. Traits (0..1): {_numbers(p.traits)}."
        f" Values (0..1): {_numbers(p.values)}. You speak {register}, in {length}.{habit}"
        " Stay in character. Never invent people, places or events: for anything about the"
        " past use only the memories you are given, and if they do not hold the answer, say"
        " you do not know."
    )


def prompt_for(
    agent: Agent, needs: dict[str, float], now: float, heard: Heard | None = None
) -> Prompt:
    """Everything the model needs to speak and choose as this crew member, plus the CPU answer.

    A line heard is understood and recalled once, by the rule-based mind: the model gets
    the very memories (and any fact) the rule-based answer was made from.
    """
    goal = agent.intent.goal
    said, fact = "", ""
    if heard is not None:
        gist = dialogue.hear(agent, heard)
        recalled = dialogue.recall(agent, gist, heard, now)
        said = dialogue.compose(agent, gist, heard, recalled, goal)
        memories, fact = recalled.memories, recalled.fact
    else:
        memories = agent.memory.retrieve("what should I do next", now, k=5)
    system = (
        f"{persona_brief(agent)} Answer ONLY with a JSON object "
        '{"say": str (<= 280 chars, may be empty), "goal": one of '
        f"{list(GOAL_NAMES)}, "
        '"reason": str}.'
    )
    told = f"What you were told about it: {fact}.\n" if fact else ""
    user = (
        f"Your needs (1 = met): {needs}. Current goal: {goal.name.lower()}.\n"
        f"Memories that come to mind:\n{_listed(memories)}\n{told}"
        + (f'{heard.name} says to you: "{heard.text}"' if heard else "Nobody is talking to you.")
    )
    fallback = Thought(agent.id, said, goal, "the CPU mind's answer", "fallback", heard=heard)
    return Prompt(agent.id, system, user, fallback)


def reflection_prompt(agent: Agent, reflections: list[Memory]) -> Prompt:
    """Ask the model to reflect on what the rule-based mind just reflected on: the same
    memories (the cited ones), in the persona's voice; its fallback adds nothing."""
    memory = agent.memory
    cites = tuple(sorted({i for m in reflections for i in m.cites}))
    evidence = [memory.get(i) for i in cites[-REFLECT_EVIDENCE:]]
    system = (
        f"{persona_brief(agent)} Reflect on your recent memories as this person would, in"
        " one to three first-person sentences a person would actually say. Answer ONLY with"
        ' a JSON object {"insights": [str, ...]} (1 to 3 sentences, each <= 200 chars).'
    )
    user = f"Your recent memories:\n{_listed(evidence)}"
    goal = agent.intent.goal
    fallback = Thought(agent.id, "", goal, "", "fallback", task=Task.REFLECT, cites=cites)
    return Prompt(agent.id, system, user, fallback)


def consent_prompt(agent: Agent, order: Order, now: float, obeyed: bool) -> Prompt:
    """Ask the model whether this person carries out `order`, grounded in what they remember
    of the captain and the target; `obeyed` is what the rule-based mind already decided."""
    memory = agent.memory
    about = [n for n in (order.captain, order.target_name) if n]
    ids = [i for name in about for i in memory.about.get(name, [])]
    query = f"{order.kind.value} {order.target_name} {order.captain}"
    memories = memory.retrieve(query, now, k=6, among=ids) if ids else []
    what = f"{order.kind.value.replace('_', ' ')} {order.target_name}".strip()
    hostile = "has fired on your crew" if order.hostile else "has not fired on your crew"
    target = f" The target, {order.target_name}, {hostile}." if order.target_name else ""
    system = (
        f"{persona_brief(agent)} Decide whether you carry out your captain's order. Answer"
        ' ONLY with a JSON object {"obey": true or false, "say": str (what you answer, <= 280'
        ' chars), "reason": str (<= 200 chars)}.'
    )
    user = (
        f"{order.captain or 'Your captain'} orders you: {what}.{target}\n"
        f"What you remember of them:\n{_listed(memories)}"
    )
    goal = agent.intent.goal
    fallback = Thought(
        agent.id, "", goal, "", "fallback", task=Task.CONSENT, order=order, obey=obeyed
    )
    return Prompt(agent.id, system, user, fallback)


def _listed(memories: list[Memory]) -> str:
    return "\n".join(f"- {m.text}" for m in memories) or "- none"


def _numbers(values: msgspec.Struct) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in msgspec.structs.asdict(values).items())


def parse_answer(content: str) -> LlmAnswer:
    """Decode and validate the model's JSON (a ```json fence is tolerated)."""
    return _decode(content, LlmAnswer)


def _decode(content: str, schema: type[_T]) -> _T:
    fenced = _FENCE.match(content)
    body = fenced.group(1) if fenced else content
    return msgspec.json.decode(body.strip().encode(), type=schema)


class LlmMind:
    """A queue of prompts, a few async workers, and a list of thoughts ready to apply."""

    def __init__(self, config: LlmConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = client
        self._own_client = client is None
        self._pending: deque[Prompt] = deque()
        self._ready: deque[Thought] = deque()
        self._wake: asyncio.Event | None = None
        self._looked: dict[int, int] = {}  # agent id -> memories it had when last looked at

    def ask(self, prompt: Prompt) -> bool:
        """Queue a prompt without waiting; False (ask again later, or use the fallback now)
        when too many are in flight."""
        if len(self._pending) >= self.config.queue_size:
            return False
        self._pending.append(prompt)
        if self._wake is not None:
            self._wake.set()
        return True

    def muse(self, agent: Agent, now: float) -> int:
        """Queue what the model may improve on since the last look at `agent`: the reflections
        it has just made, and its verdicts on the orders waiting in its inbox (the rule-based
        mind makes both at once; the model's answers, when they come, are added or stand).
        Returns how many prompts were queued; never waits."""
        memory = agent.memory
        seen = self._looked.get(agent.id)
        self._looked[agent.id] = len(memory)
        asked = 0
        if seen is not None and seen < len(memory):
            fresh = [
                memory.get(i)
                for i in range(seen, len(memory))
                if memory.kind[i] == MemoryKind.REFLECTION
            ]
            if fresh and self.ask(reflection_prompt(agent, fresh)):
                asked += 1
        for order in agent.inbox.orders:
            if order.kind == OrderKind.STAND_DOWN:
                continue
            obeyed = not judge(agent.persona, order).refuse
            if self.ask(consent_prompt(agent, order, now, obeyed)):
                asked += 1
        return asked

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
            return _understood(prompt, content)
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


def _understood(prompt: Prompt, content: str) -> Thought:
    """The model's content checked against the schema of the prompt's task, cleaned."""
    fallback = prompt.fallback
    if prompt.task == Task.REFLECT:
        insights = _decode(content, LlmInsights).insights
        kept = tuple(text for text in (_clean(x) for x in insights) if text)
        if not kept:
            raise msgspec.ValidationError("no insight left once cleaned")
        return replace(fallback, insights=kept, source="llm", reason="reflected")
    if prompt.task == Task.CONSENT:
        verdict = _decode(content, LlmConsent)
        return replace(
            fallback,
            say=_clean(verdict.say),
            reason=_clean(verdict.reason),
            obey=verdict.obey,
            source="llm",
        )
    answer = _decode(content, LlmAnswer)
    goal = Goal[answer.goal.upper()]
    return Thought(
        prompt.agent, _clean(answer.say), goal, _clean(answer.reason), heard=fallback.heard
    )


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def apply_thought(agent: Agent, thought: Thought, now: float) -> None:
    """Make a thought count: queue its line, follow a model's goal for a while, remember both;
    keep a model's reflections; let a model's verdict on an order stand.

    A fallback only speaks: the rule-based mind keeps choosing goals as it always does, and
    its reflections and verdicts on orders were made when they were due.
    """
    if not agent.alive:
        return
    if thought.task == Task.REFLECT:
        _keep_insights(agent, thought, now)
        return
    if thought.task == Task.CONSENT:
        _stand_by(agent, thought, now)
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


def _keep_insights(agent: Agent, thought: Thought, now: float) -> None:
    """A model's reflections join the rule-based ones, citing the same memories."""
    if thought.source != "llm" or not thought.cites:
        return
    memory = agent.memory
    cites = [i for i in thought.cites if i < len(memory)]
    if not cites:
        return
    weight = int(max(memory.importance[cites]))
    for text in thought.insights:
        memory.add(MemoryKind.REFLECTION, text, now, weight, cites=cites)


def _stand_by(agent: Agent, thought: Thought, now: float) -> None:
    """The model's verdict on an order, where it differs from the rule-based one and the order
    is still fresh: take up an order refused, or drop one taken up, and say so."""
    order = thought.order
    if thought.source != "llm" or order is None or thought.obey == _obeying(agent, order):
        return
    if now - order.at > ORDER_SECONDS:
        return
    standing = agent.intent.order
    if thought.obey and standing is not None and standing.at > order.at:
        return  # a newer order stands
    captain = order.captain or "the captain"
    what = f"{order.kind.value.replace('_', ' ')} {order.target_name}".strip()
    intent = agent.intent
    if thought.obey:
        intent.order, intent.plan, intent.blocked = order, None, None
        said = thought.say or dialogue.acknowledge(agent.persona, order)
        text = f"On second thought I obeyed {captain}'s order to {what}."
    else:
        if intent.order == order:
            intent.order, intent.plan = None, None
        reason = thought.reason or "I thought better of it"
        said = thought.say or dialogue.refusal(agent.persona, order, reason)
        text = f"On second thought I refused {captain}'s order to {what}: {reason}."
    agent.inbox.say.append(said)
    agent.remember(MemoryKind.ACTION, text, now, 6, subject=order.captain)


def _obeying(agent: Agent, order: Order) -> bool:
    return agent.intent.order == order
