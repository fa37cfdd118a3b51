"""The builder in the Heart: a crew-like mind that turns a brief into a plan of build commands.

A player (or an operator) writes a brief in plain English, "a mining colony of
five systems around a red giant, with two pirate dens and a busy trade hub";
the builder reads it (`read_brief`), and plans the build commands that make it
(`plan`), each with one line of narration in its own voice. The builder is
grown from its own DNA (`BUILDER_DNA`) by the crew's genome code, so it has a
name, traits and a voice like any agent, and talks like one.

It plans; it never builds. The worlds service shows a plan before it runs,
lets it be cancelled, and carries it out under the same permissions and audit
as a human builder. Planning is pure and deterministic: the same brief on the
same world always gives the same plan, names seeded from the brief's text.
A brief that would break the world's rules or limits is refused with a typed
`Refusal`, never half-planned.

When a language model is configured, `plan_with_llm` asks it for the commands
instead; its answer is untrusted input, decoded against the command schema and
held to the same limits, and on any failure the rule-based plan stands.
docs/building.md ("The builder in the Heart") describes what it understands.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Final, Literal, Protocol

import msgspec

from infinity.commands.build import (
    MAX_PLAN,
    AddBelt,
    AddStation,
    BuildCommand,
    FoundSystem,
    Link,
)
from infinity.crew.genome import Persona, persona
from infinity.crew.goals import Goal
from infinity.crew.llm import LlmConfig, Prompt, Thought
from infinity.crew.voice import CRUDE, FORMAL, Voice, clip, voice_of
from infinity.worlds.template import Rules

# The builder's genome: formal, unhurried, fond of clear skies (docs/genome.md reads it).
BUILDER_DNA: Final = (
    "GGATCACAGTCTACACTGCTCACTCCAACCCCGGCCCCTGAGTCCGAGGAGAGGGTGCTTCAGAGTATGTATACCACTGGG"
    "TAGGATACGGCGGAG"
)
MAX_BRIEF: Final = 2000  # characters of a brief the builder reads; the rest is ignored
MAX_SYSTEMS: Final = 64  # no brief founds more systems than a template's galaxy may hold
MAX_COUNT: Final = 40  # dens, hubs, stations or belts one brief may ask for
SPOKE: Final = 10.0  # light years from the central star to a spoke system
MIN_GAP: Final = 4.0  # light years: a new system is never closer than this to another
MAP_EDGE: Final = 1000.0  # the map runs 0..MAP_EDGE light years on each axis
BODY_REACH: Final = 60_000.0  # metres from its star a planned body may be
_HUGE: Final = 10**6  # what an absurd number ("a million", "99999999999") reads as

Shape = Literal["hub", "chain", "ring"]
RefusalCode = Literal[
    "unreadable",  # no recognisable content
    "too_many_systems",  # more than the world has room for, or than a brief may found
    "too_many_bodies",  # a system would hold more bodies than the world allows
    "plan_too_long",  # more than the plan limit (MAX_PLAN) of build commands
    "forbidden_by_rules",  # the world's rules forbid what the brief asks for
]


@dataclass(frozen=True, slots=True)
class Brief:
    """What the builder understood of a brief; counts are what was asked, not yet checked."""

    text: str
    systems: int | None  # None: not said; the plan chooses enough for what was asked
    star: str | None  # the central star: "red giant", "white dwarf", "blue", ...; None: not said
    mining: bool  # a mining colony: belts of ore everywhere
    belts: int | None  # belts asked for by number; None: the plan's choice
    pirate_dens: int
    trade_hubs: int
    stations: int
    shape: Shape  # how the systems are linked by gates
    theme: str | None  # a name the brief gave ("called Ashfall"): the central system's
    understood: tuple[str, ...] = ()  # the words that made sense, for the plan's summary

    @property
    def readable(self) -> bool:
        """Whether anything in the brief was recognised at all."""
        return bool(self.understood)


@dataclass(frozen=True, slots=True)
class SiteSystem:
    """One system of the world as it stands: its id, name, map position and body count."""

    id: int
    name: str
    x: float
    y: float
    bodies: int  # star, gates, stations and rocks


@dataclass(frozen=True, slots=True)
class Site:
    """The world as it stands, as much as planning needs: names never clash, new systems are
    placed near (never on top of) the old, and a gate to the old stays within its limits."""

    systems: tuple[SiteSystem, ...] = ()
    body_names: frozenset[str] = frozenset()  # every body's name, so none is reused

    @property
    def bodies(self) -> int:
        return sum(s.bodies for s in self.systems)

    def taken(self) -> set[str]:
        """Every name in use, folded to lower case (names are matched without case)."""
        return {s.name.casefold() for s in self.systems} | {n.casefold() for n in self.body_names}


@dataclass(frozen=True, slots=True)
class Limits:
    """How big a world may grow and how long one plan may be."""

    max_systems: int = MAX_SYSTEMS  # per world
    max_bodies: int = 400  # per system: star, gates, stations and every rock
    max_plan: int = MAX_PLAN  # build commands in one plan (never more than MAX_PLAN)


def _cap(limits: Limits) -> int:
    """The longest plan allowed: the world's limit, and never more than any request may be."""
    return min(limits.max_plan, MAX_PLAN)


@dataclass(frozen=True, slots=True)
class Step:
    """One build command and what the builder says as it carries it out."""

    command: BuildCommand
    narration: str


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan, shown before it runs: the steps in order, and a summary in the builder's voice.

    Systems founded earlier in the plan are referred to by name (`SystemRef`); the
    executor resolves the names as it goes. `source` is "rules" or "llm"; `note` says
    why a model's plan was not used, when it was not.
    """

    brief: Brief
    steps: tuple[Step, ...]
    summary: str
    builder: str  # the builder's name, who signs the plan
    source: Literal["rules", "llm"] = "rules"
    note: str = ""

    @property
    def commands(self) -> tuple[BuildCommand, ...]:
        return tuple(step.command for step in self.steps)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A brief the builder will not plan, why (a code a client can act on) and its own line."""

    code: RefusalCode
    line: str
    detail: str = ""  # the numbers behind the refusal, for the audit and the REST answer


class Model(Protocol):
    """What the builder needs of a language model: the crew's `LlmMind` is one.

    `_complete` is the one chat-completion request LlmMind already makes (endpoint, key,
    response size limit); the builder reuses it rather than speaking HTTP itself.
    """

    @property
    def config(self) -> LlmConfig: ...

    async def _complete(self, prompt: Prompt) -> str: ...


# -- the builder as a person ---------------------------------------------------------------


def builder_persona() -> Persona:
    """The builder, grown from `BUILDER_DNA` like any crew member: same DNA, same person."""
    return _BUILDER


_BUILDER: Final = persona(BUILDER_DNA)


def _voice() -> Voice:
    return voice_of(_BUILDER)


# -- reading a brief -----------------------------------------------------------------------

_NUMBERS: Final = {
    "a": 1, "an": 1, "one": 1, "single": 1, "lone": 1, "two": 2, "pair": 2, "couple": 2,
    "twin": 2, "three": 3, "few": 3, "four": 4, "several": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "hundred": 100, "thousand": 1000, "million": _HUGE, "billion": _HUGE, "zero": 0, "no": 0,
}  # fmt: skip
# Words that may sit between a number and what it counts ("two busy trade hubs").
_FILLER: Final = frozenset(
    {"busy", "big", "small", "large", "rich", "poor", "old", "new", "hidden", "lawless",
     "bustling", "thriving", "quiet", "grim", "remote", "of", "dangerous", "little", "huge",
     "mining", "pirate", "trade", "trading", "star", "asteroid", "ore", "more", "or", "so",
     "about", "some", "around", "nearly", "roughly", "at", "least", "most", "separate"}
)  # fmt: skip
_COLOURS: Final = ("red", "orange", "yellow", "white", "blue", "brown")
_CLASSES: Final = ("supergiant", "giant", "dwarf")
_ODD_STARS: Final = ("neutron star", "pulsar", "black hole", "binary")
_SHAPES: Final[dict[str, Shape]] = {
    "chain": "chain", "line": "chain", "string": "chain", "corridor": "chain",
    "ring": "ring", "loop": "ring", "circle": "ring", "necklace": "ring",
    "spoke": "hub", "spokes": "hub", "wheel": "hub", "cluster": "hub",
}  # fmt: skip
_MINING: Final = frozenset({"mining", "mine", "mines", "miners", "miner", "ore", "asteroids"})
_WORD: Final = re.compile(r"[a-z]+|\d+")
_THEME: Final = re.compile(r"\b(?:called|named)\s+(?:the\s+)?([A-Z][A-Za-z'-]{1,19})")


def read_brief(text: str) -> Brief:
    """Read a brief in plain English into a `Brief`; nothing here refuses (`plan` does).

    Numbers are words or digits ("five", "5", "a dozen"); a thing named without a number is
    one (or two, when plural). Absurd numbers read as very large, so `plan` refuses them.
    """
    text = text[:MAX_BRIEF]
    words = _WORD.findall(text.casefold())
    seen: list[str] = []

    used: set[int] = set()  # word positions already counted, so "pirate dens" is not "dens" too

    def count(nouns: Iterable[str], plural_default: int = 2) -> int | None:
        """The sum of the numbers said before each mention of any of `nouns` (longest first)."""
        total: int | None = None
        for k in range(len(words)):
            for noun in nouns:
                parts = noun.split()
                span = range(k, k + len(parts))
                if words[k : k + len(parts)] != parts or used.intersection(span):
                    continue
                used.update(span)
                said = _number_before(words, k)
                plural = parts[-1].endswith("s") and not parts[-1].endswith("ss")
                value = said if said is not None else (plural_default if plural else 1)
                total = (total or 0) + value
                seen.append(noun)
                break
        return total

    systems = count(("systems", "system", "stars", "worlds", "sectors"))
    dens = count(("pirate dens", "pirate den", "dens", "den", "pirate bases", "pirate base",
                  "hideouts", "hideout", "lairs", "lair")) or 0  # fmt: skip
    hubs = count(("trade hubs", "trade hub", "trading hubs", "trading hub", "exchanges",
                  "exchange", "markets", "market", "trading posts", "trading post")) or 0  # fmt: skip
    stations = count(("stations", "station", "outposts", "outpost", "habitats", "habitat",
                      "depots", "depot", "shipyards", "shipyard")) or 0  # fmt: skip
    belts = count(("belts", "belt", "asteroid fields", "asteroid field", "fields", "field"))
    star = _star_of(words)
    if star is not None:
        seen.append(star)
    mining = any(w in _MINING for w in words) or belts is not None
    if mining:
        seen.append("mining")
    if any(w in ("colony", "colonies", "settlement") for w in words):
        seen.append("colony")
    shape: Shape = "hub"
    for word in words:
        if word in _SHAPES:
            shape = _SHAPES[word]
            seen.append(word)
            break
    named = _THEME.search(text)
    theme = named.group(1) if named else None
    if theme is not None:
        seen.append("called")
    return Brief(
        text=text,
        systems=systems,
        star=star,
        mining=mining,
        belts=belts,
        pirate_dens=dens,
        trade_hubs=hubs,
        stations=stations,
        shape=shape,
        theme=theme,
        understood=tuple(dict.fromkeys(seen)),
    )


def _number_before(words: Sequence[str], at: int) -> int | None:
    """The count said just before words[at], skipping a few describing words."""
    k = at - 1
    skipped = 0
    while k >= 0 and skipped <= 3:
        word = words[k]
        if word.isdigit():
            return int(word) if len(word) <= 7 else _HUGE
        if word in _NUMBERS:
            value = _NUMBERS[word]
            if word in ("hundred", "thousand") and k > 0 and words[k - 1] in _NUMBERS:
                value *= max(1, _NUMBERS[words[k - 1]])  # "two hundred"
            return value
        if word not in _FILLER and not word.endswith("ing"):
            return None
        k -= 1
        skipped += 1
    return None


def _star_of(words: Sequence[str]) -> str | None:
    """The central star's kind: a colour and/or class ("red giant", "blue"), or an odd one."""
    joined = " ".join(words)
    for odd in _ODD_STARS:
        if odd in joined:
            return odd
    for k, word in enumerate(words):
        if word in _COLOURS:
            after = words[k + 1] if k + 1 < len(words) else ""
            if after in _CLASSES:
                return f"{word} {after}"
            if after in ("star", "sun", "stars", "suns", "dwarf") or after == "":
                return word
    for word in words:
        if word in _CLASSES:
            return word
    return None


# -- planning ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """A plan being written: the systems it founds, their links and bodies, before checks."""

    names: list[str] = field(default_factory=list)  # new systems; names[0] is the central one
    spots: list[tuple[float, float]] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)  # indices into names
    outside: list[tuple[int, str]] = field(default_factory=list)  # (new index, site system)
    bodies: list[int] = field(default_factory=list)  # per new system: bodies it will hold
    steps: list[Step] = field(default_factory=list)


def plan(brief: Brief, world: Site, limits: Limits, rules: Rules) -> Plan | Refusal:
    """The build commands that make `brief` in `world`, or why the builder will not.

    Deterministic: names come from a generator seeded with the brief's text, and every
    choice after that is fixed, so the same brief on the same world is the same plan.
    """
    voice = _voice()
    refused = _check(brief, world, limits, rules, voice)
    if refused is not None:
        return refused
    n = _systems_wanted(brief)
    rng = random.Random(zlib.crc32(" ".join(brief.text.split()).casefold().encode()))
    taken = world.taken()
    draft = _Draft()
    names = _names(rng, n, taken, brief.theme)
    layout, links, outer = _layout(n, brief.shape, min(brief.pirate_dens, n - 1))
    origin = _place(layout, world, rng)
    draft.names = names
    draft.spots = [(round(origin[0] + dx, 2), round(origin[1] + dy, 2)) for dx, dy in layout]
    draft.links = links
    draft.bodies = [1] * n
    for a, b in links:
        draft.bodies[a] += 1
        draft.bodies[b] += 1
    anchor = _anchor(draft, world, limits)
    if anchor is not None:
        draft.outside.append(anchor)
        draft.bodies[anchor[0]] += 1
    bodies = _bodies(brief, draft, outer, rng, taken, limits)
    if isinstance(bodies, Refusal):
        return bodies
    _narrate_all(brief, draft, bodies, voice)
    if len(draft.steps) > _cap(limits):
        return _refuse(
            "plan_too_long",
            voice,
            f"that takes {len(draft.steps)} build steps, and a plan may have {_cap(limits)}",
        )
    return Plan(
        brief=brief,
        steps=tuple(draft.steps),
        summary=_summary(brief, draft, bodies, voice),
        builder=_BUILDER.name,
    )


def _systems_wanted(brief: Brief) -> int:
    """Systems to found: as many as asked, else a few, enough for dens to lie away from the hub."""
    if brief.systems is not None:
        return brief.systems
    return max(3, min(1 + brief.pirate_dens, 6))


def _check(brief: Brief, world: Site, limits: Limits, rules: Rules, voice: Voice) -> Refusal | None:
    """Everything that refuses a brief before a single name is drawn."""
    if not brief.readable:
        return _refuse("unreadable", voice, "I could not find a star, a system or a station in it")
    if brief.trade_hubs and not rules.economy:
        return _refuse(
            "forbidden_by_rules", voice, "this world runs no economy, so a trade hub has no trade"
        )
    if brief.mining and rules.mining == 0.0:
        return _refuse("forbidden_by_rules", voice, "mining is switched off in this world")
    n = _systems_wanted(brief)
    room = min(limits.max_systems, MAX_SYSTEMS) - len(world.systems)
    if n < 1:
        return _refuse("unreadable", voice, "a colony of no systems is no colony")
    if n > room:
        why = f"{_said(n)} systems asked for, and this world has room for {max(room, 0)} more"
        return _refuse("too_many_systems", voice, why)
    for what, asked in (
        ("pirate dens", brief.pirate_dens),
        ("trade hubs", brief.trade_hubs),
        ("stations", brief.stations),
        ("belts", brief.belts or 0),
    ):
        if asked > MAX_COUNT:
            why = f"{_said(asked)} {what} is more than one brief may ask for ({MAX_COUNT})"
            return _refuse("too_many_bodies", voice, why)
    return None


def _said(n: int) -> str:
    return "countless" if n >= _HUGE else str(n)


_STARTS: Final = (
    "Kha", "Ve", "Mor", "Ty", "Ash", "Bel", "Cor", "Dra", "Eri", "Fen", "Gal", "Hel", "Ith",
    "Jor", "Kal", "Lyr", "Mar", "Nox", "Or", "Pyr", "Quel", "Rho", "Sel", "Tal", "Ul", "Vor",
    "Xan", "Zer", "Ar", "Cas", "Dun", "Ery",
)  # fmt: skip
_ENDS: Final = (
    "ron", "ga", "lis", "thos", "ra", "nix", "dor", "mar", "vel", "sis", "tor", "ane", "ium",
    "ara", "eth", "os", "une", "ak", "ith", "on",
)  # fmt: skip
_DEN_WORDS: Final = ("Skarn", "Blackwater", "Rust", "Cutthroat", "Ember", "Grim", "Hollow",
                     "Knife", "Red Sail", "Wrecker's", "Crow's", "Smuggler's")  # fmt: skip
_HUB_WORDS: Final = ("Exchange", "Hub", "Bazaar", "Market", "Bourse")
_STATION_WORDS: Final = ("Station", "Outpost", "Yard", "Depot", "Anchorage", "Haven")
_BELT_WORDS: Final = ("Inner Belt", "Outer Belt", "Far Belt", "Deep Belt", "High Belt",
                      "Rim Belt", "Drift", "Shoals")  # fmt: skip


def _names(rng: random.Random, n: int, taken: set[str], theme: str | None) -> list[str]:
    """`n` pleasant system names, none in use; a theme's name goes to the central system."""
    names: list[str] = []
    if theme is not None and theme.casefold() not in taken:
        names.append(theme)
        taken.add(theme.casefold())
    while len(names) < n:
        name = rng.choice(_STARTS) + rng.choice(_ENDS)
        if rng.random() < 0.15:
            name += " " + rng.choice(("Prime", "Minor", "Reach", "Deep"))
        if name.casefold() in taken:
            name = f"{name} {len(names) + 2}"  # a roman-free, sure way out of a clash
            if name.casefold() in taken:
                continue
        names.append(name)
        taken.add(name.casefold())
    return names


def _layout(
    n: int, shape: Shape, dens: int
) -> tuple[list[tuple[float, float]], list[tuple[int, int]], list[int]]:
    """Offsets from the central system, the gate links, and the systems farthest from it.

    A hub has spokes round the central star; with pirate dens, the dens' systems hang off
    a spoke, one gate further out. A chain runs out from the central system; a ring
    circles it, joined to it by one gate. The last list ranks systems farthest first.
    """
    offsets: list[tuple[float, float]] = [(0.0, 0.0)]
    links: list[tuple[int, int]] = []
    others = n - 1
    if shape == "hub":
        outer = min(dens, others // 2)
        inner = others - outer
        for k in range(inner):
            angle = 2 * math.pi * k / max(inner, 1)
            offsets.append((SPOKE * math.cos(angle), SPOKE * math.sin(angle)))
            links.append((0, k + 1))
        for j in range(outer):
            base = 1 + j % inner
            bx, by = offsets[base]
            turn = 0.35 * (1 + j // inner)
            angle = math.atan2(by, bx) + turn
            offsets.append((1.9 * SPOKE * math.cos(angle), 1.9 * SPOKE * math.sin(angle)))
            links.append((base, len(offsets) - 1))
    elif shape == "chain":
        for k in range(1, n):
            offsets.append((0.8 * SPOKE * k, 0.25 * SPOKE * math.sin(k)))
            links.append((k - 1, k))
    else:
        radius = SPOKE * max(1.0, others / 6)
        for k in range(others):
            angle = 2 * math.pi * k / max(others, 1)
            offsets.append((radius * math.cos(angle), radius * math.sin(angle)))
        if others:
            links.append((0, 1))
        links += [(k, k + 1) for k in range(1, others)]
        if others >= 3:
            links.append((others, 1))
    closest = min(
        (math.dist(a, b) for k, a in enumerate(offsets) for b in offsets[k + 1 :]), default=0.0
    )
    if 0.0 < closest < 1.5 * MIN_GAP:  # many spokes: spread the whole colony out, same shape
        grow = 1.5 * MIN_GAP / closest
        offsets = [(dx * grow, dy * grow) for dx, dy in offsets]
    hops = _hops(n, links)
    far = sorted(range(1, n), key=lambda k: (-hops[k], -math.hypot(*offsets[k]), k))
    return offsets, links, far


def _hops(n: int, links: Sequence[tuple[int, int]]) -> list[int]:
    """Gate jumps from the central system (index 0) to each system."""
    near: list[list[int]] = [[] for _ in range(n)]
    for a, b in links:
        near[a].append(b)
        near[b].append(a)
    hops = [-1] * n
    hops[0] = 0
    queue = [0]
    for here in queue:
        for there in near[here]:
            if hops[there] < 0:
                hops[there] = hops[here] + 1
                queue.append(there)
    return hops


def _place(
    layout: Sequence[tuple[float, float]], world: Site, rng: random.Random
) -> tuple[float, float]:
    """Where the central system goes: near the world's systems, never within MIN_GAP of one,
    and with the whole colony on the map. An empty world gets the middle of the usual map."""
    if world.systems:
        cx = sum(s.x for s in world.systems) / len(world.systems)
        cy = sum(s.y for s in world.systems) / len(world.systems)
    else:
        cx, cy = 50.0, 50.0
    start = rng.random() * 2 * math.pi
    for ring in range(0, 300):
        radius = 5.0 * ring
        for k in range(12):
            angle = start + 2 * math.pi * k / 12
            x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            if _fits(layout, (x, y), world):
                return round(x, 2), round(y, 2)
    return (MAP_EDGE / 2, MAP_EDGE / 2)  # unreachable on a map of at most 64 systems


def _fits(layout: Sequence[tuple[float, float]], origin: tuple[float, float], world: Site) -> bool:
    for dx, dy in layout:
        x, y = origin[0] + dx, origin[1] + dy
        if not (0.1 <= x <= MAP_EDGE - 0.1 and 0.1 <= y <= MAP_EDGE - 0.1):
            return False  # margins of 0.1 ly: positions are rounded to 0.01 ly afterwards
        if any(math.hypot(x - s.x, y - s.y) < MIN_GAP + 0.1 for s in world.systems):
            return False
    return True


def _anchor(draft: _Draft, world: Site, limits: Limits) -> tuple[int, str] | None:
    """A gate from the new colony to the nearest old system with room for one more body, so
    the world's gate graph stays in one piece; None on an empty or full world."""
    best: tuple[float, int, str] | None = None
    for k, (x, y) in enumerate(draft.spots):
        for old in world.systems:
            if old.bodies + 1 > limits.max_bodies:
                continue
            gap = math.hypot(x - old.x, y - old.y)
            if best is None or (gap, k, old.name) < best:
                best = (gap, k, old.name)
    return None if best is None else (best[1], best[2])


@dataclass(frozen=True, slots=True)
class _Bodies:
    """What goes into the new systems: (system index, command) in building order."""

    hubs: list[tuple[int, AddStation]]
    stations: list[tuple[int, AddStation]]
    dens: list[tuple[int, AddStation]]
    belts: list[tuple[int, AddBelt]]


def _bodies(
    brief: Brief,
    draft: _Draft,
    far: Sequence[int],
    rng: random.Random,
    taken: set[str],
    limits: Limits,
) -> _Bodies | Refusal:
    """Stations, dens and belts for the new systems, within the body and plan limits.

    Trade hubs go in the central system; pirate dens in the systems farthest from it (and
    far from the star); other stations round the rest; belts where the miners live. Belts
    the brief did not count are fitted to what room is left; counted ones must fit.
    """
    voice = _voice()
    n = len(draft.names)

    def unique(name: str) -> str:
        """`name`, or `name 2`, `name 3`...: the first not yet taken, within 40 characters."""
        base = name[:34].rstrip()
        candidate, k = name[:40].rstrip(), 2
        while candidate.casefold() in taken:
            candidate, k = f"{base} {k}", k + 1
        taken.add(candidate.casefold())
        return candidate

    def spot(radius: float) -> tuple[float, float]:
        angle = rng.random() * 2 * math.pi
        return round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1)

    central = draft.names[0]
    hubs = []
    for k in range(brief.trade_hubs):
        word = _HUB_WORDS[k % len(_HUB_WORDS)]
        x, y = spot(2500.0 + 900.0 * k)
        hubs.append((0, AddStation(system=central, name=unique(f"{central} {word}"), x=x, y=y)))
        draft.bodies[0] += 1
    dens = []
    den_homes = list(far) or [0]
    for k in range(brief.pirate_dens):
        home = den_homes[k % len(den_homes)]
        x, y = spot(30_000.0 + 4000.0 * (k // len(den_homes)))
        name = unique(f"{rng.choice(_DEN_WORDS)} Den")
        dens.append((home, AddStation(system=draft.names[home], name=name, x=x, y=y)))
        draft.bodies[home] += 1
    lawful = [k for k in range(n) if k not in {h for h, _ in dens}] or list(range(n))
    stations = []
    for k in range(brief.stations):
        home = lawful[(k + (1 if len(lawful) > 1 else 0)) % len(lawful)]
        word = _STATION_WORDS[k // len(lawful) % len(_STATION_WORDS)]
        x, y = spot(4000.0 + 1200.0 * (k // len(lawful)))
        system = draft.names[home]
        stations.append(
            (home, AddStation(system=system, name=unique(f"{system} {word}"), x=x, y=y))
        )
        draft.bodies[home] += 1
    for k, count in enumerate(draft.bodies):
        if count > limits.max_bodies:
            why = f"{draft.names[k]} would hold {count} bodies, and a system may hold {limits.max_bodies}"
            return _refuse("too_many_bodies", voice, why)
    fixed = n + len(draft.links) + len(draft.outside) + len(hubs) + len(dens) + len(stations)
    belts = _belts(brief, draft, lawful, rng, unique, limits, _cap(limits) - fixed)
    if isinstance(belts, Refusal):
        return belts
    return _Bodies(hubs=hubs, stations=stations, dens=dens, belts=belts)


def _belts(
    brief: Brief,
    draft: _Draft,
    lawful: Sequence[int],
    rng: random.Random,
    unique: _Namer,
    limits: Limits,
    budget: int,
) -> list[tuple[int, AddBelt]] | Refusal:
    """Belts: as many as counted, else two per lawful system of a mining colony (fewer when
    the plan or the systems have no room); rich ore when mining is the point."""
    voice = _voice()
    rocks = 10 if brief.mining else 6
    if brief.belts is not None:
        wanted = brief.belts
        if wanted > max(budget, 0):
            why = f"{wanted} belts on top of the rest makes more than {_cap(limits)} steps"
            return _refuse("plan_too_long", voice, why)
    elif brief.mining:
        wanted = max(0, min(2 * len(lawful), budget))
    else:
        wanted = 0
    belts: list[tuple[int, AddBelt]] = []
    for k in range(wanted):
        home = lawful[k % len(lawful)]
        room = limits.max_bodies - draft.bodies[home]
        if room < 1:
            if brief.belts is not None:
                why = f"{draft.names[home]} has no room left for another belt's rocks"
                return _refuse("too_many_bodies", voice, why)
            continue
        count = min(rocks, room)
        angle = rng.random() * 2 * math.pi
        radius = 6000.0 + 3000.0 * (k // len(lawful))
        system = draft.names[home]
        word = _BELT_WORDS[k // len(lawful) % len(_BELT_WORDS)]
        ore = float(round(rng.uniform(600, 1200) if brief.mining else rng.uniform(200, 450)))
        belt = AddBelt(
            system=system,
            name=unique(f"{system} {word}"),
            x=round(radius * math.cos(angle), 1),
            y=round(radius * math.sin(angle), 1),
            rocks=count,
            ore=ore,
        )
        belts.append((home, belt))
        draft.bodies[home] += count
    return belts


class _Namer(Protocol):
    def __call__(self, name: str) -> str: ...


# -- the builder's voice -------------------------------------------------------------------

# kind -> lines per register (crude, plain, formal); `{name}` and friends are filled in.
_LINES: Final[dict[str, tuple[str, str, str]]] = {
    "central": (
        "{Name} goes first. {Star}, {why}.",
        "Founding {name}, {star} {why}.",
        "I am founding {name}, {star} {why}.",
    ),
    "system": (
        "{Name}, out past the rest. Done.",
        "Founding {name}, {where}.",
        "Next, {name}, {where}.",
    ),
    "link": (
        "Gates between {a} and {b}. Try not to crash.",
        "Linking {a} and {b} with a pair of gates.",
        "A pair of gates now joins {a} and {b}.",
    ),
    "anchor": (
        "{a} gets a gate to {b}, so you can find the place.",
        "Linking {a} to {b}, so the colony is part of the world.",
        "A gate from {a} to {b} joins the colony to the rest of the world.",
    ),
    "hub": (
        "{station}. Traders, bring money.",
        "Opening {station} in {system}, where the lanes meet.",
        "I am opening {station} in {system}, at the heart of the lanes.",
    ),
    "station": (
        "{station} in {system}. It floats.",
        "Building {station} in {system}.",
        "{station} is built in {system}.",
    ),
    "den": (
        "{station}, way out in {system}. Bring guns.",
        "Hiding {station} far out in {system}, away from the law.",
        "I am placing {station} far out in {system}, well beyond the patrols.",
    ),
    "belt": (
        "{belt}: {rocks} rocks. Dig.",
        "Seeding {belt} with {rocks} rocks of ore.",
        "I am seeding {belt} with {rocks} rocks of ore.",
    ),
    "summary": (
        "{what}. {steps} steps. Take it or leave it.",
        "{what}: {steps} steps, ready when you are.",
        "{what}. The plan has {steps} steps; it will run once you approve it.",
    ),
    "refuse": (
        "No. {why}.",
        "I can't build that: {why}.",
        "I must decline: {why}.",
    ),
}


def _say(voice: Voice, kind: str, **fill: str) -> str:
    """One line of `kind` in the builder's register, its capitals fixed, fitted to a chat line."""
    template = _LINES[kind][voice.register if voice.register in (CRUDE, FORMAL) else 1]
    fill = fill | {key.capitalize(): value[:1].upper() + value[1:] for key, value in fill.items()}
    return clip(template.format(**fill))


def _refuse(code: RefusalCode, voice: Voice, why: str) -> Refusal:
    line = _say(voice, "refuse", why=why)
    if voice.tic and voice.register != CRUDE:
        line = clip(f"{line} {voice.tic}")
    return Refusal(code=code, line=line, detail=why)


def _star_phrase(brief: Brief) -> tuple[str, str]:
    star = brief.star or "yellow star"
    if star in _COLOURS:
        star = f"{star} star"
    article = "an" if star[0] in "aeiou" else "a"
    why = "for the miners to circle" if brief.mining else "to anchor the colony"
    return f"{article} {star}", why


def _narrate_all(brief: Brief, draft: _Draft, bodies: _Bodies, voice: Voice) -> None:
    """Every step in building order: systems, gates, trade hubs, stations, dens, belts."""
    star, why = _star_phrase(brief)
    steps = draft.steps
    for k, name in enumerate(draft.names):
        x, y = draft.spots[k]
        command = FoundSystem(name=name, x=x, y=y)
        if k == 0:
            line = _say(voice, "central", name=name, star=star, why=why)
        else:
            where = _where(brief, draft, k)
            line = _say(voice, "system", name=name, where=where)
        steps.append(Step(command, line))
    for a, b in draft.links:
        one, two = draft.names[a], draft.names[b]
        steps.append(Step(Link(system=one, to=two), _say(voice, "link", a=one, b=two)))
    for k, old in draft.outside:
        one = draft.names[k]
        steps.append(Step(Link(system=one, to=old), _say(voice, "anchor", a=one, b=old)))
    for kind, placed in (("hub", bodies.hubs), ("station", bodies.stations), ("den", bodies.dens)):
        for _, station in placed:
            line = _say(voice, kind, station=station.name, system=str(station.system))
            steps.append(Step(station, line))
    for _, belt in bodies.belts:
        line = _say(voice, "belt", belt=belt.name, rocks=str(belt.rocks))
        steps.append(Step(belt, line))


def _where(brief: Brief, draft: _Draft, k: int) -> str:
    if brief.shape == "chain":
        return f"link {k + 1} of the chain"
    if brief.shape == "ring":
        return f"on the ring around {draft.names[0]}"
    if any(b == k and a != 0 for a, b in draft.links):
        return "a jump beyond the spokes"
    return f"a spoke off {draft.names[0]}"


def _summary(brief: Brief, draft: _Draft, bodies: _Bodies, voice: Voice) -> str:
    star, _ = _star_phrase(brief)
    n = len(draft.names)
    parts = [f"{_counted(n, 'system')} around {star}"]
    if bodies.hubs:
        parts.append(_counted(len(bodies.hubs), "trade hub"))
    if bodies.stations:
        parts.append(_counted(len(bodies.stations), "station"))
    if bodies.dens:
        parts.append(_counted(len(bodies.dens), "pirate den"))
    if bodies.belts:
        parts.append(_counted(len(bodies.belts), "belt"))
    what = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    said = _say(voice, "summary", what=what, steps=str(len(draft.steps)))
    return clip(f"{said} {voice.tic}") if voice.tic else said


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


# -- the language model's plan -------------------------------------------------------------

LlmPlan = Annotated[list[BuildCommand], msgspec.Meta(max_length=MAX_PLAN)]
_FENCE: Final = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class Unfit(ValueError):
    """A model's plan that decodes but is not one the builder will carry out, and why."""


async def plan_with_llm(
    brief_text: str, site: Site, limits: Limits, rules: Rules, llm: Model | None
) -> Plan | Refusal:
    """Ask the language model for the plan; the rule-based plan when it fails or is unfit.

    A brief the rule-based reading refuses for the world's rules or limits is refused
    without asking (the model cannot make it fit). The model's answer is untrusted: it
    must be a JSON list of the creating build commands, with fresh unique names, gates
    between systems that exist, and within the same limits as any plan.
    """
    brief = read_brief(brief_text)
    fallback = plan(brief, site, limits, rules)
    if llm is None or (isinstance(fallback, Refusal) and fallback.code != "unreadable"):
        return fallback
    why: str
    try:
        async with asyncio.timeout(llm.config.timeout):
            content = await llm._complete(_prompt(brief.text, site, limits, rules))
        commands = _decode(content)
        return _llm_plan(brief, commands, site, limits, rules)
    except TimeoutError:
        why = "the model took too long"
    except (msgspec.DecodeError, msgspec.ValidationError) as invalid:
        why = f"the model's answer was not a list of build commands: {invalid}"
    except Unfit as unfit:
        why = f"the model's plan was unfit: {unfit}"
    except Exception as failure:  # a failed request must never cost the player a plan
        why = f"the model could not be asked: {type(failure).__name__}"
    if isinstance(fallback, Plan):
        return Plan(
            brief=fallback.brief,
            steps=fallback.steps,
            summary=fallback.summary,
            builder=fallback.builder,
            source="rules",
            note=why[:300],
        )
    return fallback


def _prompt(text: str, site: Site, limits: Limits, rules: Rules) -> Prompt:
    """The builder's persona, the command schema, the world and the brief, for the model."""
    p = _BUILDER
    existing = ", ".join(f"{s.name} ({s.x:.0f}, {s.y:.0f})" for s in site.systems) or "none"
    system = (
        f"You are {p.name}, the builder in the Heart of Infinity, a space MMO. You turn a brief"
        " into build commands. Answer ONLY with a JSON list (no prose) of objects, each one of:"
        ' {"op": "found_system", "name": str, "x": ly, "y": ly};'
        ' {"op": "link", "system": name, "to": name};'
        ' {"op": "add_station", "system": name, "name": str, "x": m, "y": m};'
        ' {"op": "add_belt", "system": name, "name": str, "x": m, "y": m, "rocks": 1-40,'
        ' "ore": per rock}. Found a system before naming it in another command. Names are'
        " unique, at most 40 characters. Map positions are light years (0-1000), at least"
        f" {MIN_GAP:.0f} apart; body positions are metres from the star (within 50000)."
        " Link every system you found. Name pirate dens '... Den' and trade hubs"
        " '... Exchange' or '... Hub'."
    )
    user = (
        f"Existing systems: {existing}.\n"
        f"Limits: at most {limits.max_systems - len(site.systems)} new systems,"
        f" {limits.max_bodies} bodies per system, {_cap(limits)} commands.\n"
        f"Economy {'on' if rules.economy else 'off: no trade hubs'}.\n"
        f"Brief: {text}"
    )
    fallback = Thought(0, "", Goal.IDLE, "the rule-based plan", "fallback")
    return Prompt(0, system, user, fallback)


def _decode(content: str) -> list[BuildCommand]:
    """The model's content as build commands (a ```json fence is tolerated), bounded."""
    fenced = _FENCE.match(content)
    body = fenced.group(1) if fenced else content
    return msgspec.json.decode(body.strip().encode(), type=LlmPlan)


_TRADE: Final = re.compile(r"\b(exchange|hub|bazaar|market|bourse|trading)\b", re.IGNORECASE)


def _llm_plan(
    brief: Brief, commands: Sequence[BuildCommand], site: Site, limits: Limits, rules: Rules
) -> Plan:
    """Hold a model's commands to every rule the builder's own plans keep; raise `Unfit`."""
    if not commands:
        raise Unfit("no commands")
    if len(commands) > _cap(limits):
        raise Unfit(f"{len(commands)} commands, more than {_cap(limits)}")
    taken = site.taken()
    old = {s.name.casefold(): s for s in site.systems} | {str(s.id): s for s in site.systems}
    spots = [(s.x, s.y) for s in site.systems]
    new: dict[str, int] = {}  # folded name -> bodies
    loads = {s.name.casefold(): s.bodies for s in site.systems}
    links: set[frozenset[str]] = set()
    voice = _voice()
    steps: list[Step] = []

    def system_of(ref: int | str) -> str:
        key = str(ref).casefold()
        if key in new:
            return key
        if key in old:
            return old[key].name.casefold()
        raise Unfit(f"no system {ref!r}")

    def fresh(name: str) -> None:
        if name.casefold() in taken:
            raise Unfit(f"the name {name!r} is taken")
        taken.add(name.casefold())

    def grow(key: str, by: int) -> None:
        loads[key] = loads.get(key, 0) + by
        if loads[key] > limits.max_bodies:
            raise Unfit(f"a system would hold {loads[key]} bodies")

    for command in commands:
        if isinstance(command, FoundSystem):
            fresh(command.name)
            if any(math.hypot(command.x - x, command.y - y) < MIN_GAP for x, y in spots):
                raise Unfit(f"{command.name} is on top of another system")
            spots.append((command.x, command.y))
            new[command.name.casefold()] = 1
            loads[command.name.casefold()] = 1
            if len(new) + len(site.systems) > min(limits.max_systems, MAX_SYSTEMS):
                raise Unfit("more systems than the world has room for")
            line = _say(voice, "system", name=command.name, where="as the plan asks")
        elif isinstance(command, Link):
            a, b = system_of(command.system), system_of(command.to)
            pair = frozenset((a, b))
            if a == b or pair in links:
                raise Unfit("a gate that leads nowhere new")
            links.add(pair)
            grow(a, 1)
            grow(b, 1)
            line = _say(voice, "link", a=str(command.system), b=str(command.to))
        elif (
            isinstance(command, AddStation | AddBelt)
            and max(abs(command.x), abs(command.y)) > BODY_REACH
        ):
            raise Unfit(f"{command.name} is too far from its star")
        elif isinstance(command, AddStation):
            grow(system_of(command.system), 1)
            fresh(command.name)
            if _TRADE.search(command.name) and not rules.economy:
                raise Unfit("a trade station in a world without an economy")
            kind = "den" if command.name.endswith("Den") else "station"
            line = _say(voice, kind, station=command.name, system=str(command.system))
        elif isinstance(command, AddBelt):
            if rules.mining == 0.0:
                raise Unfit("a belt in a world without mining")
            grow(system_of(command.system), command.rocks)
            fresh(command.name)
            line = _say(voice, "belt", belt=command.name, rocks=str(command.rocks))
        else:
            raise Unfit(f"the builder only adds; {type(command).__name__} is not for briefs")
        steps.append(Step(command, line))
    if not new:
        raise Unfit("it founds no system")
    if not _joined(set(new), links, bool(site.systems)):
        raise Unfit("not every new system is linked")
    what = f"{_counted(len(new), 'system')} as the model planned them"
    summary = _say(voice, "summary", what=what, steps=str(len(steps)))
    return Plan(brief=brief, steps=tuple(steps), summary=summary, builder=_BUILDER.name,
                source="llm")  # fmt: skip


def _joined(new: set[str], links: set[frozenset[str]], anchored: bool) -> bool:
    """Whether the new systems are one connected piece (and, on a world that has systems,
    reach at least one of them)."""
    start = next(iter(new))
    reached = {start}
    frontier = [start]
    while frontier:
        here = frontier.pop()
        for pair in links:
            if here in pair:
                for there in pair - {here}:
                    if there not in reached:
                        reached.add(there)
                        frontier.append(there)
    if not new <= reached:
        return False
    return not anchored or bool(reached - new)
