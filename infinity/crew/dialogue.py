"""Talking in character: understand the line, recall what bears on it, answer in one's own voice.

`reply` is the dialogue loop of the rule-based mind: `intent.understand`
reads the line into a `Gist` (a question about oneself, about someone else,
about the past, a fact told, a request, an order, a threat, small talk);
`recall` retrieves the memories that bear on it with the memory stream's
own scoring (recency, importance, relevance), limited to the memories about
a person when the line is about one; `compose` answers from them in the
persona's `Voice`. The exchange is then remembered, and a fact told ("the
secret word is pineapple") is kept as a memory of its own, so it is found
again after a restart like any other memory. Choices are deterministic
(stable hashes of who speaks, what and when), so a replayed run says the
same things. The language-model mind is handed the same `recall`.
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass, field
from typing import Final

from infinity.crew.agent import Agent
from infinity.crew.embed import words
from infinity.crew.genome import Persona
from infinity.crew.goals import Goal
from infinity.crew.happenings import Happening, Seen
from infinity.crew.intent import Act, Gist, Topic, understand
from infinity.crew.memory import Memory, MemoryKind, importance_of
from infinity.crew.orders import Order
from infinity.crew.senses import Heard
from infinity.crew.voice import capital, clip, voice_of

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
FACT_IMPORTANCE: Final = 5  # a thing someone asked us to remember
THREAT_IMPORTANCE: Final = 7
RECALL_K: Final = 6
_LOOK_BACK: Final = 200  # memories about the speaker searched for a fact recall missed
_TOLD: Final = re.compile(r"^(?P<who>.+?) told me (?P<key>.+?) (?:is|was|are) (?P<value>.+)\.$")
_HOSTILE: Final = frozenset(
    {"shot", "attack", "attacked", "destroyed", "killed", "stole", "robbed", "siphon", "siphoned",
     "threatened", "threat", "refused", "betray", "betrayed", "pirate", "cheated", "die", "scum",
     "kill", "thief", "robbing"}
)  # fmt: skip
_FRIENDLY: Final = frozenset(
    {"helped", "saved", "paid", "gave", "thanks", "thank", "friend", "traded", "shared",
     "repaired", "greeting", "hello", "protected", "defended", "rescued"}
)  # fmt: skip


@dataclass(slots=True)
class Recalled:
    """What came to mind for a line: the memories, best first, and a fact found in them."""

    memories: list[Memory] = field(default_factory=list)
    fact: str = ""  # the value of the fact asked after, when one was told
    talks: int = 0  # lines the speaker has said to us before


def reply(agent: Agent, heard: Heard, now: float, doing: Goal = Goal.IDLE) -> str:
    """Answer a line in character from memory, and remember the exchange."""
    gist = hear(agent, heard)
    said = compose(agent, gist, heard, recall(agent, gist, heard, now), doing)
    remember_exchange(agent, heard, said, now, gist)
    return said


def answer(agent: Agent, heard: Heard, now: float, doing: Goal = Goal.IDLE) -> str:
    """The in-character answer to a line, without remembering it (the language-model mind's
    fallback is computed this way, and remembered only if it is the one said)."""
    gist = hear(agent, heard)
    return compose(agent, gist, heard, recall(agent, gist, heard, now), doing)


def hear(agent: Agent, heard: Heard) -> Gist:
    """What the line means to this agent (its names are how it is hailed, not what is asked)."""
    p = agent.persona
    return understand(heard.text, (p.given_name, p.name), agent.memory.names, heard.name)


def recall(agent: Agent, gist: Gist, heard: Heard, now: float, k: int = RECALL_K) -> Recalled:
    """The memories that bear on a line, by the stream's recency + importance + relevance.

    About a person (the speaker, for "do you remember me?"; someone named, for "what do
    you think of Korr?") recall ranks only the memories about them. A question after a
    fact ("what is the secret word?") also looks through what the speaker told us.
    """
    memory = agent.memory
    if not len(memory):
        return Recalled()
    about = gist.about if gist.act in (Act.ASK_OTHER, Act.ASK_PAST) else ""
    if about:
        ids = memory.about.get(about, [])
        query = f"{about} {' '.join(gist.words)}"
        found = memory.retrieve(query, now, k, among=ids)
        talks = sum(1 for m in ids if memory.texts[m].startswith(f"{heard.name} said to me"))
        return Recalled(found, talks=talks)
    if gist.act == Act.ASK_PAST and gist.key:
        found = memory.retrieve(f"{gist.key} told", now, k)
        fact = _fact(found, gist.key, heard.name) or _told_by(agent, heard, gist.key)
        return Recalled(found, fact=fact)
    if gist.act in (Act.GREETING, Act.FAREWELL, Act.TELL, Act.ORDER):
        return Recalled()
    query = " ".join(gist.words)
    return Recalled(memory.retrieve(query, now, k) if query else [])


def compose(agent: Agent, gist: Gist, heard: Heard, recalled: Recalled, doing: Goal) -> str:
    """The answer in this persona's voice, from what was recalled."""
    persona = agent.persona
    voice = voice_of(persona)
    seed = zlib.crc32(f"{persona.name}|{heard.text}|{heard.at}".encode())
    to = "" if heard.from_agent else f", {heard.name}"  # never name an agent: no echo chains
    act = gist.act
    if act == Act.GREETING:
        return voice.line("greet", seed, to=to)
    if act == Act.FAREWELL:
        return voice.line("farewell", seed)
    if act == Act.THREAT:
        brave = persona.values.courage - 0.5 * persona.traits.neuroticism > 0.2
        return voice.line("threat_brave" if brave else "threat_timid", seed)
    said = _body(agent, gist, heard, recalled, doing, seed)
    if gist.greeted:
        said = f"{voice.core('greet', to=to)} {said}"
    return clip(said)


def _body(
    agent: Agent, gist: Gist, heard: Heard, recalled: Recalled, doing: Goal, seed: int
) -> str:
    persona = agent.persona
    voice = voice_of(persona)
    act = gist.act
    if act == Act.ASK_SELF:
        if gist.topic == Topic.NAME:
            return voice.line("introduce", seed, name=persona.name, looks=_looks(persona))
        if gist.topic == Topic.MOOD:
            return voice.line("mood", seed, mood=_mood(agent, doing))
        return voice.line("doing", seed, doing=GOAL_WORDS[doing])
    if act == Act.TELL:
        return voice.line("noted", seed, the_key=_the(gist.key, heard.name), value=gist.value)
    if act == Act.ORDER:
        return voice.line("not_captain", seed)
    if act == Act.ASK_PAST and gist.key:
        the_key = _the(gist.key, heard.name)
        if recalled.fact:
            return voice.line("fact", seed, the_key=the_key, value=recalled.fact)
        return voice.line("no_fact", seed, the_key=the_key)
    if act == Act.ASK_PAST and gist.about == heard.name:
        best = _telling(recalled.memories)
        if best is None:
            return voice.line("stranger", seed)
        told = _sentence(_to_you(best.text, heard.name))
        if recalled.talks > 1 and not voice.terse:
            told = f"{told} We've talked {recalled.talks} times now."
        return voice.line("knows_you", seed, memory=told)
    if act in (Act.ASK_OTHER, Act.ASK_PAST) and gist.about:
        best = _telling(recalled.memories)
        if best is None:
            return voice.line("never_heard", seed, who=gist.about)
        slot = f"opinion_{_verdict(recalled.memories)}"
        return voice.line(slot, seed, who=gist.about, memory=_sentence(best.text))
    if act == Act.REQUEST:
        grudge = any(tone(m.text) < 0 for m in recalled.memories if m.subject == heard.name)
        willing = persona.traits.agreeableness + 0.3 * persona.values.loyalty > 0.55
        return voice.line("request_yes" if willing and not grudge else "request_no", seed)
    relevant = _relevant(recalled.memories, set(gist.words), 1 if gist.question else 2)
    if relevant is not None:
        return voice.line("recall", seed, memory=_sentence(_to_you(relevant.text, heard.name)))
    return voice.line("unknown" if gist.question else "small_talk", seed)


def remember_exchange(
    agent: Agent, heard: Heard, said: str, now: float, gist: Gist | None = None
) -> None:
    """Both sides of a conversation go into the memory stream, about the other speaker; a fact
    told and a threat made are remembered as such, so they are recalled by what they are."""
    gist = gist if gist is not None else hear(agent, heard)
    speaker = heard.name
    line = f'{speaker} said to me: "{heard.text[:200]}"'
    agent.remember(MemoryKind.CONVERSATION, line, now, importance_of(heard.text), subject=speaker)
    if gist.act == Act.TELL and gist.key and gist.value:
        fact = f"{speaker} told me {_kept(gist.key)} is {gist.value}."
        agent.remember(MemoryKind.CONVERSATION, fact, now, FACT_IMPORTANCE, subject=speaker)
    elif gist.act == Act.THREAT:
        threat = f"{speaker} threatened me."
        agent.remember(MemoryKind.OBSERVATION, threat, now, THREAT_IMPORTANCE, subject=speaker)
    agent.remember(MemoryKind.CONVERSATION, f'I told {speaker}: "{said}"', now, 2, subject=speaker)


# -- the other lines a crew member says ---------------------------------------


def greeting(persona: Persona, to: str = "", with_tic: bool = True) -> str:
    """A hello in this persona's voice, naming `to` when given ("Greetings, Vega.")."""
    voice = voice_of(persona)
    fill = f", {to}" if to else ""
    seed = zlib.crc32(f"{persona.name}|hello|{to}".encode())
    if not with_tic:
        return clip(voice.core("greet", to=fill))
    return voice.line("greet", seed, to=fill)


def acknowledge(persona: Persona, order: Order) -> str:
    seed = zlib.crc32(f"{persona.name}|{order.kind}|{order.at}".encode())
    return voice_of(persona).line("agree", seed)


def refusal(persona: Persona, order: Order, reason: str) -> str:
    """Say no, and why, in voice (a refusal always gives its reason)."""
    return clip(f"{voice_of(persona).core('refuse')} {capital(reason)}.")


def react(persona: Persona, seen: Happening, mine: bool) -> str | None:
    """What a crew member blurts out on seeing something grave; None for the everyday."""
    voice = voice_of(persona)
    seed = zlib.crc32(f"{persona.name}|{seen.kind}|{seen.at}".encode())
    if seen.kind == Seen.DESTROYED:
        return voice.line("destroyed", seed, who=seen.subject_name)
    if seen.kind == Seen.SHOT and mine:
        return voice.line("under_fire", seed, who=seen.other_name)
    return None


# -- reading memories -----------------------------------------------------------


def _fact(memories: list[Memory], key: str, teller: str) -> str:
    """The value of `key` in the first fact memory that holds it, as `teller` told it (a
    secret told by one is not given away to another)."""
    kept = _kept(key)
    for memory in memories:
        told = _TOLD.match(memory.text)
        if told is not None and told.group("key") == kept and told.group("who") == teller:
            return told.group("value")
    return ""


def _told_by(agent: Agent, heard: Heard, key: str) -> str:
    """A fact the speaker told us, newest first, when recall did not bring it up."""
    memory = agent.memory
    ids = memory.about.get(heard.name, [])
    return _fact([memory.get(i) for i in reversed(ids[-_LOOK_BACK:])], key, heard.name)


def _kept(key: str) -> str:
    """A fact's key as its memory says it: "the secret word", "Vega's ship"."""
    return key if "'s " in key else f"the {key}"


def _the(key: str, speaker: str) -> str:
    """A fact's key as said back to whoever told it: "the secret word", "your ship"."""
    owner = f"{speaker}'s "
    if speaker and key.startswith(owner):
        return f"your {key[len(owner) :]}"
    return _kept(key)


def _telling(memories: list[Memory]) -> Memory | None:
    """The memory that says most about a person: the gravest of what happened, before what
    was merely said (their words verbatim), and never our own words."""
    best: Memory | None = None
    rank = (-1, -1)
    for memory in memories:
        if memory.text.startswith("I told "):
            continue
        mine = (0 if ' said to me: "' in memory.text else 1, memory.importance)
        if mine > rank:
            best, rank = memory, mine
    return best


def tone(text: str) -> int:
    """Friendly words less twice the hostile ones: how a memory feels (below 0: a wrong)."""
    found = set(words(text))
    return len(found & _FRIENDLY) - 2 * len(found & _HOSTILE)


def _verdict(memories: list[Memory]) -> str:
    """bad, good or mixed: what the memories about someone add up to, graver ones weighing more."""
    score = sum(tone(m.text) * m.importance for m in memories if not m.text.startswith("I told "))
    return "bad" if score < 0 else "good" if score > 0 else "mixed"


def _relevant(memories: list[Memory], found: set[str], shared: int) -> Memory | None:
    """The best recalled memory that shares `shared` content words with the line (two for a
    remark, which brings up a memory less readily than a question), not our own words."""
    for memory in memories:
        if memory.text.startswith("I told ") or ' said to me: "' in memory.text:
            continue
        if len(found & set(words(memory.text))) >= shared:
            return memory
    return None


def _to_you(text: str, name: str) -> str:
    """A memory told to the person it is about: "Vega shot at us." -> "You shot at us."."""
    if not name:
        return text
    possessive, opening, anywhere = _second_person(name)
    return anywhere.sub("you", opening.sub("You", possessive.sub("your", text)))


@functools.lru_cache(maxsize=4096)
def _second_person(name: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """`name`'s, `name` opening a sentence, and `name` anywhere: compiled once per name."""
    escaped = re.escape(name)
    return (
        re.compile(rf"\b{escaped}'s\b"),
        re.compile(rf"^{escaped}\b"),
        re.compile(rf"\b{escaped}\b"),
    )


def _sentence(text: str) -> str:
    text = capital(text.strip())
    return text if text.endswith((".", "!", "?", '"')) else f"{text}."


def _mood(agent: Agent, doing: Goal) -> str:
    if doing in (Goal.FLEE, Goal.SURVIVE):
        return "On edge, to be honest"
    if doing in (Goal.REVENGE, Goal.PROTECT):
        return "Angry"
    if agent.purse.balance < 200:
        return "Short of credits, as ever"
    if doing == Goal.SOCIALISE:
        return "A bit lonely"
    return "Can't complain"


def _looks(persona: Persona) -> str:
    return capital(persona.appearance.description)
