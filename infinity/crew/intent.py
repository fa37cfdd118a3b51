"""What a line said to a crew member means: a speech act, what it is about, and any fact in it.

Rules, not a model: a handful of compiled patterns read the line once, in an
order that puts the specific before the general (a threat before a request,
"who are you" before any other question), so "who shot at us?" is a question
about the past, not a request to introduce oneself. Names the agent
remembers (the subjects of its memories) are how it knows a line is about
someone else; the agent's own name, used to hail it, is dropped first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from infinity.crew.embed import STOPWORDS, words
from infinity.crew.genome import TICS
from infinity.crew.voice import AFTERTHOUGHTS


class Act(StrEnum):
    GREETING = "greeting"
    FAREWELL = "farewell"
    ASK_SELF = "ask_self"  # who are you, what are you doing, how are you
    ASK_OTHER = "ask_other"  # what do you think of Korr
    ASK_PAST = "ask_past"  # do you remember..., what is the secret word I told you
    REQUEST = "request"
    ORDER = "order"
    THREAT = "threat"
    TELL = "tell"  # the secret word is pineapple
    SMALL_TALK = "small_talk"


class Topic(StrEnum):
    """What a question about the agent itself asks."""

    NAME = "name"  # who are you?
    DOING = "doing"  # what are you doing?
    MOOD = "mood"  # how are you?
    CREW = "crew"  # your captain, your crew, your ship?
    NONE = ""  # not a question about the agent


@dataclass(frozen=True, slots=True)
class Gist:
    """A line understood. `about`: the other person it concerns (as the agent remembers
    them, or as said); `key`/`value`: a fact told ("secret word", "pineapple") or the key
    asked after; `greeted`: the line also said hello; `words`: content words, for recall."""

    act: Act
    topic: Topic = Topic.NONE
    about: str = ""
    key: str = ""
    value: str = ""
    greeted: bool = False
    words: tuple[str, ...] = field(default=())
    question: bool = False


def _any_of(*forms: str) -> re.Pattern[str]:
    """One case-blind pattern for a line said in any of these ways (one way to a line)."""
    return re.compile("|".join(forms), re.IGNORECASE)


_GREETING: Final = re.compile(
    r"^\s*(?:hello|hi|hey|hiya|greetings|howdy|hail|yo|good (?:morning|evening|day))\b"
    r"(?:\s+(?:there|all|everyone|folks|friend|mate|pal|you))?\b[\s,!.]*",
    re.IGNORECASE,
)
_FAREWELL: Final = re.compile(
    r"\b(?:bye|goodbye|farewell|see you|so long|later|take care|over and out)\b", re.IGNORECASE
)
# What a question about the agent itself asks, tried in this order: the first that matches.
_ASK_SELF: Final = (
    (
        Topic.NAME,
        _any_of(
            r"\bwho\s+(?:are|r)\s+(?:you|u|ya)\b",
            r"\byour\s+name\b",
            r"\bintroduce\s+yourself\b",
            r"\bwho\s+(?:is|'s)\s+(?:this|that|speaking)\b",
            r"\bwho'?s\s+(?:this|speaking)\b",
            r"\btell\s+me\s+about\s+yourself\b",
            r"^what\s+are\s+you\s*\??$",
        ),
    ),
    (
        Topic.DOING,
        _any_of(
            r"\bwhat\s+(?:are|r)\s+(?:you|u)\s+(?:doing|up\s+to|working\s+on)\b",
            r"\byour\s+(?:plan|job|goal)\b",
            r"\bwhat(?:'s|\s+is)\s+the\s+plan\b",
            r"\bwhat\s+now\b",
            r"\bwhat\s+do\s+you\s+do\b",
        ),
    ),
    (
        Topic.MOOD,
        _any_of(
            r"\bhow\s+(?:are|r)\s+(?:you|u|things)\b",
            r"\bhow(?:'s|\s+is)\s+it\s+going\b",
            r"\bhow\s+do\s+you\s+feel\b",
            r"\byou\s+(?:ok|okay|alright|all right)\b",
        ),
    ),
)
_CREW: Final = re.compile(r"\byour\s+(?:crew|captain|ship)\b", re.IGNORECASE)
_THREAT: Final = _any_of(
    r"\b(?:i'?ll|i\s+will|gonna|going\s+to|i'?m\s+going\s+to)\s+"
    r"(?:kill|destroy|shoot|blow|end|scrap|hunt|gut|wreck)\b",
    r"\byou'?(?:re|\s+are)\s+(?:dead|finished|toast|scrap)\b",
    r"\bor\s+else\b",
    r"\bsurrender\b|\bdie\b|\bscum\b",
    r"\bprepare\s+to\b",
    r"\bhand\s+over\b",
    r"\byour\s+last\b",
    r"\byou'?(?:ll|\s+will)\s+(?:pay|regret|be\s+sorry)\b",
    r"\bwatch\s+your\s+back\b",
)
_ORDER: Final = re.compile(
    r"^\s*(?:crew[,:]?\s*)?(?:attack|engage|fire\s+on|mine|dock|follow|flee|retreat|stand\s+down"
    r"|belay|go\s+to|fly\s+to|move\s+to|stop|halt|undock|jump)\b",
    re.IGNORECASE,
)
_REMEMBER: Final = _any_of(
    r"\b(?:do|did|can|d')\s*(?:you|u|ya)\s+(?:still\s+)?(?:remember|recall|recollect|know\s+me)\b",
    r"\bremember\s+(?:me|when|the|that|what)\b.*\?",
    r"\bhave\s+we\s+met\b",
    r"\bwhat\s+did\s+i\s+(?:tell|say)",
)
_ME: Final = _any_of(
    r"\b(?:remember|recall|know|recognise|recognize)\s+me\b",
    r"\bhave\s+we\s+met\b",
)
# "what is the secret word (I told you)?", "what's my ship called?", "what was the code?"
_ASK_FACT: Final = re.compile(
    r"^(?:so\s+|and\s+|then\s+|remind\s+me,?\s+)?(?:what|which|who)(?:'s|\s+is|\s+was|\s+were|\s+are)\s+"
    r"(?P<key>(?:the|my|our|your|that)\s+[a-z][a-z' -]{0,40}?)"
    r"(?:\s+(?:that|which)?\s*i\s+(?:told|gave|said|mentioned)\b.*|\s+again)?\s*\??$",
    re.IGNORECASE,
)
# "the secret word is pineapple", "remember: my ship is the Dawn", "the code was 42"
_TELL_FACT: Final = re.compile(
    r"^(?:(?:please\s+)?remember(?:\s+this|\s+that)?[:,]?\s+|listen[:,]?\s+|fyi[:,]?\s+|note[:,]?\s+)?"
    r"(?P<key>(?:the|my|our)\s+[a-z][a-z' -]{0,40}?)\s+(?:is|was|are|=)\s+(?P<value>[^.!?]{1,80})[.!]*$",
    re.IGNORECASE,
)
_ABOUT_OTHER: Final = re.compile(
    r"\b(?i:think\s+(?:of|about)|feel\s+about|opinion\s+(?:of|on)|know\s+(?:about\s+)?|"
    r"heard\s+(?:of|about)|seen|met|trust|like|about|who\s+is|who's|what\s+about)\s+"
    r"(?:the\s+)?(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)",
)
_REQUEST: Final = _any_of(
    r"^(?:(?:can|could|would|will)\s+(?:you|u)|please|i\s+need|help\s+me|give\s+me|lend\s+me"
    r"|send\s+me|spare|let\s+me|may\s+i)\b",
    r"\bplease\b",
    r"\bcan\s+i\s+(?:have|get|borrow)\b",
)
_QUESTION_WORD: Final = re.compile(
    r"^(?:what|who|where|when|why|how|which|do|did|does|is|are|was|were|have|has|can|could|will"
    r"|would|any)\b",
    re.IGNORECASE,
)
_NAME: Final = r"@?[A-Z][\w'-]*(?:\s+[A-Z0-9][\w'-]*){0,2}"
_HAIL_ALONE: Final = re.compile(rf"^{_NAME}\s*(?:[.!]+\s*|$)")
_CATCHPHRASES: Final = re.compile(
    "|".join(
        rf"(?:^|(?<=\s)){re.escape(said)}\s*"
        for said in (*TICS, *(line for band in AFTERTHOUGHTS for line in band))
        if said
    ),
    re.IGNORECASE,
)  # what people tack onto a line (their voice's tics and afterthoughts) means nothing
_HAIL_START: Final = re.compile(rf"^{_NAME}\s*,\s*(?=\S)")
_HAIL_END: Final = re.compile(rf",\s*{_NAME}\s*(?=[.!?]*$)")
_SPACE: Final = re.compile(r"\s+")
_TOKEN: Final = re.compile(r"[a-z0-9][a-z0-9'-]*")
_EDGE: Final = " ,.!?:;-"


def strip_vocative(text: str, names: Collection[str]) -> str:
    """The line without the hail: "Korr, who are you?" or "who are you, Korr?" lose "Korr"."""
    out = text.strip()
    for name in sorted((n for n in names if n), key=len, reverse=True):
        first, last = _vocatives(name)
        out = last.sub("", first.sub("", out))
    return out.strip()


@functools.lru_cache(maxsize=4096)
def _vocatives(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns of `name` hailed at the start and at the end of a line, compiled once."""
    escaped = re.escape(name)
    return (
        re.compile(rf"^(?:@)?{escaped}\b[\s,:!]*", re.IGNORECASE),
        re.compile(rf"\s*,\s*{escaped}\s*(?=[.!?]*$)", re.IGNORECASE),
    )


def understand(
    text: str,
    own_names: Collection[str] = (),
    known: Mapping[str, str] | None = None,
    speaker: str = "",
) -> Gist:
    """Read a line said to the agent called `own_names`, who remembers the people in `known`
    (lowercased name -> name as remembered: `MemoryStream.names`)."""
    known = known or {}
    line = _SPACE.sub(" ", strip_vocative(text, own_names))
    greeting = _GREETING.match(line)
    greeted = greeting is not None
    body = line[greeting.end() :] if greeting is not None else line
    body = strip_vocative(body, own_names)
    body = _HAIL_END.sub("", _HAIL_START.sub("", body))  # hailed by a ship's name, say
    if greeted:  # "Hey there, Kestrel. Clear skies." is only a hello
        body = _HAIL_ALONE.sub("", body)
    body = _CATCHPHRASES.sub("", body).strip()
    question = body.rstrip().endswith("?") or _QUESTION_WORD.match(body) is not None
    found = tuple(words(body))
    if not body.strip(_EDGE):
        return Gist(Act.GREETING if greeted else Act.SMALL_TALK, greeted=greeted, words=found)
    if _THREAT.search(body):
        return Gist(Act.THREAT, greeted=greeted, words=found, question=question)
    if _ORDER.match(body) and not question:
        return Gist(Act.ORDER, greeted=greeted, words=found)
    for topic, asks in _ASK_SELF:
        if asks.search(body):
            return Gist(Act.ASK_SELF, topic, greeted=greeted, words=found, question=True)
    asked = _ASK_FACT.match(body.strip())
    if asked is not None:
        key = own_key(asked.group("key"), speaker)
        return Gist(Act.ASK_PAST, key=key, greeted=greeted, words=found, question=True)
    if _REMEMBER.search(body):
        about = speaker if _ME.search(body) else _named(body, known, own_names, speaker)
        return Gist(Act.ASK_PAST, about=about, greeted=greeted, words=found, question=True)
    if _CREW.search(body) and question:
        return Gist(Act.ASK_SELF, Topic.CREW, greeted=greeted, words=found, question=True)
    told = _TELL_FACT.match(body.strip()) if not question else None
    if told is not None:
        key = own_key(told.group("key"), speaker)
        value = told.group("value").strip(_EDGE + "\"'")
        return Gist(Act.TELL, key=key, value=value, greeted=greeted, words=found)
    other = _named(body, known, own_names, speaker)
    if other and (question or _ABOUT_OTHER.search(body)):
        return Gist(Act.ASK_OTHER, about=other, greeted=greeted, words=found, question=question)
    if _REQUEST.search(body):
        return Gist(Act.REQUEST, greeted=greeted, words=found, question=question)
    if _FAREWELL.search(body):
        return Gist(Act.FAREWELL, greeted=greeted, words=found)
    if question:
        return Gist(Act.ASK_PAST, greeted=greeted, words=found, question=True)
    return Gist(Act.SMALL_TALK, greeted=greeted, words=found)


def own_key(key: str, speaker: str) -> str:
    """A fact's key as the listener keeps it: "the secret word" -> "secret word",
    "my ship" -> "Vega's ship" (so "what is my ship?" finds it again)."""
    key = _SPACE.sub(" ", key.strip(_EDGE).lower())
    first, _, rest = key.partition(" ")
    if first in ("my", "our") and speaker:
        return f"{speaker}'s {rest}".strip()
    if first in ("the", "that", "your"):
        return rest
    return key


def name_forms(subject: str) -> list[str]:
    """How a remembered name may be said: "Bamil Nako" as "bamil nako" and "bamil"."""
    low = subject.lower()
    if not low or len(low) > 40:
        return []
    first = low.split(" ", 1)[0]
    if first != low and len(first) > 2 and first not in STOPWORDS:
        return [low, first]
    return [low]


def _named(body: str, known: Mapping[str, str], own_names: Collection[str], speaker: str) -> str:
    """The other person the line is about: a remembered name it contains (the first one),
    else a capitalised name after "think of", "seen", "about"..."""
    skip = {n.lower() for n in own_names} | {speaker.lower()}
    tokens = [t[:-2] if t.endswith("'s") else t for t in _TOKEN.findall(body.lower())]
    for start in range(len(tokens)):
        for length in (3, 2, 1):
            phrase = " ".join(tokens[start : start + length])
            name = known.get(phrase)
            if name is not None and phrase not in skip and name.lower() not in skip:
                return name
    said = _ABOUT_OTHER.search(body)
    if said is not None and said.group("name").lower() not in skip | {"i", "me", "you"}:
        return said.group("name")
    return ""


def addressee(text: str, names: Iterable[str], *, hail_only: bool = False) -> str | None:
    """Which of `names` a line is said to: the one hailed at its start ("Korr, who is Vega?",
    "hey Korr", "@Korr") or at the end of a sentence ("who is Vega, Korr?", "Hey there,
    Korr. Clear skies."); else, unless `hail_only`, the first one it names. None when it
    names none of them."""
    line = text.strip()
    greeting = _GREETING.match(line)
    rest = line[greeting.end() :] if greeting is not None else line
    first: tuple[int, str] | None = None
    for name in sorted((n for n in names if n), key=len, reverse=True):
        escaped = re.escape(name)
        start = re.match(rf"@{escaped}\b|{escaped}\b\s*(?:[,:!.-]|$)", rest, re.IGNORECASE)
        if start is not None or (greeting is not None and re.match(rf"{escaped}\b", rest, re.I)):
            return name
        if re.search(rf",\s*{escaped}\s*(?:[.!?]+(?:\s|$)|$)", line, re.IGNORECASE):
            return name
        if not hail_only:
            found = re.search(rf"\b{escaped}\b", line, re.IGNORECASE)
            if found is not None and (first is None or found.start() < first[0]):
                first = (found.start(), name)
    return first[1] if first is not None else None
