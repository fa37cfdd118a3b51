"""Talking in character: templates in the persona's voice, filled with retrieved memories.

`reply` answers a line said to an agent (local chat or a hail) and
remembers both sides of the exchange; `greeting`, `react`, `refusal` and
`acknowledge` give the other lines a crew member says. Choices among
template variants are deterministic (a stable hash of who speaks and how
much they remember), so a replayed run says the same things.
"""

from __future__ import annotations

import zlib
from typing import Final

from infinity.crew.agent import Agent
from infinity.crew.embed import words
from infinity.crew.genome import Persona
from infinity.crew.goals import Goal
from infinity.crew.happenings import Happening, Seen
from infinity.crew.memory import Memory, MemoryKind, importance_of
from infinity.crew.orders import Order
from infinity.crew.senses import Heard
from infinity.sim import rules

MAX_LINE: Final = rules.SAY_MAX_CHARS

GOAL_WORDS: Final[dict[Goal, str]] = {
    Goal.IDLE: "taking it easy",
    Goal.EARN: "mining ore to pay my way",
    Goal.SURVIVE: "getting somewhere safe",
    Goal.PROTECT: "covering my crew",
    Goal.REVENGE: "paying back whoever shot at me",
    Goal.SOCIALISE: "looking for someone to talk to",
    Goal.STEAL: "looking for an easy mark",
    Goal.ATTACK: "carrying out an attack order",
    Goal.FOLLOW: "following orders, tailing a ship",
    Goal.DOCK: "heading in to dock",
    Goal.FLEE: "getting out of here",
}

# Per voice: (introduce, doing, recall, no recall, threat reply, goodbye)
_TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "terse": (
        "{name}.",
        "{doing}.",
        "Remember that. {memory}",
        "Nothing to say.",
        "Try it.",
        "Out.",
    ),
    "chatty": (
        "Oh, I'm {name}! {looks}, you can't miss me.",
        "Right now? I'm {doing}, and loving every minute of it.",
        "Ha, that reminds me: {memory}",
        "Couldn't tell you, friend, but ask me anything else!",
        "Whoa, easy there, no need for threats!",
        "Take care out there!",
    ),
    "formal": (
        "I am {name}, at your service.",
        "At present I am {doing}.",
        "If I recall correctly: {memory}",
        "I have no information on that matter.",
        "I would advise against hostility.",
        "Farewell.",
    ),
    "crude": (
        "Name's {name}. So what?",
        "I'm {doing}. Happy?",
        "Yeah, I remember. {memory}",
        "How should I know?",
        "Come say that to my beams.",
        "Beat it.",
    ),
}
_GREETINGS: Final = frozenset({"hello", "hi", "hey", "greeting", "howdy", "hail", "yo"})
_WHO: Final = frozenset({"who", "name", "yourself"})
_DOING: Final = frozenset({"doing", "plan", "goal", "up", "job", "work"})
_THREATS: Final = frozenset({"die", "kill", "scum", "destroy", "pirate", "threat", "surrender"})
_BYE: Final = frozenset({"bye", "goodbye", "farewell", "later"})


def _pick(seed: str, options: tuple[str, ...]) -> str:
    return options[zlib.crc32(seed.encode()) % len(options)]


def _line(text: str, persona: Persona, with_tic: bool = False) -> str:
    tic = persona.speech.tic
    if with_tic and tic:
        text = f"{text} {tic}"
    return text.strip()[:MAX_LINE]


def greeting(persona: Persona, to: str = "", with_tic: bool = True) -> str:
    """A hello in this persona's voice, naming `to` when given ("Greetings, Vega.")."""
    hello = persona.speech.greeting
    if to:
        hello = f"{hello[:-1]}, {to}{hello[-1]}" if hello[-1] in ".!?" else f"{hello}, {to}"
    return _line(hello, persona, with_tic=with_tic)


def acknowledge(persona: Persona, order: Order) -> str:
    return _line(persona.speech.agree, persona)


def refusal(persona: Persona, order: Order, reason: str) -> str:
    """Say no, and why, in voice (a refusal always gives its reason)."""
    return _line(f"{persona.speech.refuse} {_capital(reason)}.", persona)


def react(persona: Persona, seen: Happening, mine: bool) -> str | None:
    """What a crew member blurts out on seeing something grave; None for the everyday."""
    style = persona.speech.style
    if seen.kind == Seen.DESTROYED:
        text = {
            "terse": f"{seen.subject_name}'s gone.",
            "chatty": f"Oh no, did you see that? {seen.subject_name} just blew apart!",
            "formal": f"{seen.subject_name} has been destroyed.",
            "crude": f"Ha. {seen.subject_name} got scrapped.",
        }[style]
        return _line(text, persona)
    if seen.kind == Seen.SHOT and mine:
        text = {
            "terse": f"Taking fire. {seen.other_name}.",
            "chatty": f"Hey! {seen.other_name} is shooting at us!",
            "formal": f"We are under fire from {seen.other_name}.",
            "crude": f"{seen.other_name}, you'll pay for that!",
        }[style]
        return _line(text, persona)
    return None


def reply(agent: Agent, heard: Heard, now: float, doing: Goal = Goal.IDLE) -> str:
    """Answer a line in character, bringing up the most relevant memory; remember the exchange."""
    text = answer(agent, heard, now, doing)
    remember_exchange(agent, heard, text, now)
    return text


def answer(agent: Agent, heard: Heard, now: float, doing: Goal = Goal.IDLE) -> str:
    """The in-character answer to a line, without remembering it (the language-model mind's
    fallback is computed this way, and remembered only if it is the one said)."""
    found = set(words(heard.text)) | set(heard.text.lower().replace("?", " ").split())
    recalled = agent.memory.retrieve(heard.text, now, k=3) if len(agent.memory) else []
    return _compose(agent.persona, found, heard, recalled, doing)


def remember_exchange(agent: Agent, heard: Heard, said: str, now: float) -> None:
    """Both sides of a conversation go into the memory stream, about the other speaker."""
    line = f'{heard.name} said to me: "{heard.text[:200]}"'
    agent.remember(
        MemoryKind.CONVERSATION, line, now, importance_of(heard.text), subject=heard.name
    )
    agent.remember(
        MemoryKind.CONVERSATION, f'I told {heard.name}: "{said}"', now, 2, subject=heard.name
    )


def _compose(
    persona: Persona,
    found: set[str],
    heard: Heard,
    recalled: list[Memory],
    doing: Goal,
) -> str:
    introduce, busy, recall, blank, threat, goodbye = _TEMPLATES[persona.speech.style]
    seed = f"{persona.name}|{heard.text}|{heard.at}"
    if found & _THREATS:
        return _line(threat, persona)
    if found & _BYE:
        return _line(goodbye, persona)
    parts: list[str] = []
    greeted = bool(found & _GREETINGS)
    if greeted:
        parts.append(greeting(persona, "" if heard.from_agent else heard.name, with_tic=False))
    if found & _WHO:
        parts.append(introduce.format(name=persona.name, looks=_looks(persona)))
    if found & _DOING:
        parts.append(_capital(busy.format(doing=GOAL_WORDS[doing])))
    relevant = _relevant(recalled, found)
    if relevant is not None and not (found & _WHO):
        parts.append(recall.format(memory=_first_person(relevant.text)))
    if not parts:
        parts.append(_pick(seed, (blank, persona.speech.greeting)))
    return _line(" ".join(parts), persona, with_tic=greeted)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _relevant(recalled: list[Memory], found: set[str]) -> Memory | None:
    """The best recalled memory that shares a content word with the line, if any."""
    for memory in recalled:
        if memory.kind != MemoryKind.CONVERSATION and found & set(words(memory.text)):
            return memory
    return None


def _first_person(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _looks(persona: Persona) -> str:
    return _capital(persona.appearance.description)
