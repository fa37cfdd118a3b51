"""A voice per persona, grown from the genome like the rest of the person.

Four shared templates made 24 crew members sound like four. Here each
persona gets its own register (formality from conscientiousness and
agreeableness), length (extraversion: a terse voice drops the lead-ins, a
chatty one adds fillers and afterthoughts), vocabulary (which of several
phrasings it uses for each thing it says, fixed per person), a way of
addressing people ("pal", "pilot", "citizen"), a filler word, and the
genome's catchphrase. Everything is picked by a stable hash of the persona,
so the same DNA always speaks the same way; per-line seeds only decide
whether this line gets a filler or the catchphrase.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final

import msgspec

from infinity.crew.genome import Persona
from infinity.sim import rules

MAX_LINE: Final = rules.SAY_MAX_CHARS
CRUDE, PLAIN, FORMAL = 0, 1, 2

Phrasings = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
"""One thing said, per register (crude, plain, formal)."""


class _Registers(msgspec.Struct, forbid_unknown_fields=True):
    crude: list[str]
    plain: list[str]
    formal: list[str]

    def phrasings(self) -> Phrasings:
        if not (self.crude and self.plain and self.formal):
            raise ValueError("voice.toml: every register needs a phrasing")
        return tuple(self.crude), tuple(self.plain), tuple(self.formal)


class _Book(msgspec.Struct, forbid_unknown_fields=True):
    """voice.toml: the words are data, for writers to change without touching code."""

    bank: dict[str, _Registers]
    address: _Registers
    fillers: _Registers
    afterthoughts: _Registers


def _read_book() -> _Book:
    text = resources.files("infinity.crew").joinpath("voice.toml").read_text("utf-8")
    return msgspec.convert(tomllib.loads(text), _Book)


_BOOK: Final = _read_book()
# slot -> phrasings per register; a voice keeps one phrasing per slot.
BANK: Final[dict[str, Phrasings]] = {
    slot: registers.phrasings() for slot, registers in _BOOK.bank.items()
}
ADDRESS: Final = _BOOK.address.phrasings()
FILLERS: Final = _BOOK.fillers.phrasings()
AFTERTHOUGHTS: Final = _BOOK.afterthoughts.phrasings()
# Slots whose line may open with the voice's filler ("Well, ...").
LED: Final = frozenset(BANK) - {
    "agree", "refuse", "greet", "farewell", "destroyed", "under_fire", "small_talk"
}  # fmt: skip
# Slots a terse voice says as the bare memory ("Korr shot at us.").
PLAIN_FACTS: Final = frozenset({"recall", "knows_you"})
_SENTENCE_START: Final = re.compile(r"(?<=[.!?] )[a-z]")
# Slots whose line may carry a way of addressing the listener.
ADDRESSED: Final = frozenset(
    {"greet", "farewell", "unknown", "stranger", "request_yes", "request_no", "not_captain",
     "threat_brave", "small_talk", "noted"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Voice:
    """How one person talks: a register, a length, and a phrasing chosen for every slot."""

    register: int  # CRUDE, PLAIN or FORMAL
    verbosity: float  # 0 terse .. 1 chatty (extraversion)
    phrasings: dict[str, str]
    address: str  # how they call a listener whose name they do not use ("" for none)
    filler: str
    afterthought: str
    tic: str  # the genome's catchphrase, possibly empty
    tic_every: int  # say the catchphrase on one line in this many

    @property
    def terse(self) -> bool:
        return self.verbosity < 0.3

    @property
    def chatty(self) -> bool:
        return self.verbosity > 0.65

    def line(self, slot: str, seed: int = 0, **fill: str) -> str:
        """Say `slot` in this voice, filled with `fill` ({memory}, {who}, {to}...)."""
        text = self.core(slot, **fill)
        if slot in ADDRESSED and self.address and not fill.get("to") and not self.terse:
            text = _address(text, self.address)
        if self.chatty and seed % 3 == 0 and slot in LED and self.phrasings[slot][0] != "{":
            text = f"{self.filler} {_lower_first(text)}"
        if self.chatty and seed % 4 == 1:
            text = f"{text} {self.afterthought}"
        if self.tic and seed % self.tic_every == 0:
            text = f"{text} {self.tic}"
        return clip(text)

    def core(self, slot: str, **fill: str) -> str:
        """The bare phrasing for `slot`, filled; a terse voice keeps only what carries meaning."""
        template = self.phrasings[slot]
        if self.terse and slot in PLAIN_FACTS and not template.startswith("{"):
            template = "{memory}"
        values = dict(fill)
        for key in ("the_key", "value", "mood"):
            if key in values:
                values[key[0].upper() + key[1:]] = capital(values[key])
        if "mood" in values:
            values["mood_lc"] = values["mood"][:1].lower() + values["mood"][1:]
        said = template.format_map(_Blank(values)).strip()
        return capital(_SENTENCE_START.sub(lambda m: m.group(0).upper(), said))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def voice_of(persona: Persona) -> Voice:
    """The voice this persona's genes give it (the same persona, the same voice)."""
    return _voice(persona)


@lru_cache(maxsize=4096)
def _voice(persona: Persona) -> Voice:
    t = persona.traits
    style = persona.speech.style
    formality = 0.55 * t.conscientiousness + 0.45 * t.agreeableness
    formality += {"formal": 0.25, "crude": -0.3}.get(style, 0.0)
    register = CRUDE if formality < 0.38 else FORMAL if formality > 0.68 else PLAIN
    verbosity = t.extraversion + {"terse": -0.25, "chatty": 0.25}.get(style, 0.0)
    verbosity = min(1.0, max(0.0, verbosity))
    seed = zlib.crc32(f"{persona.name}|{t.openness}|{t.neuroticism}".encode())
    phrasings = {
        slot: bank[register][_mix(seed, slot) % len(bank[register])] for slot, bank in BANK.items()
    }
    warm = t.agreeableness > 0.35 or register == CRUDE
    address = ADDRESS[register][_mix(seed, "address") % len(ADDRESS[register])] if warm else ""
    return Voice(
        register=register,
        verbosity=verbosity,
        phrasings=phrasings,
        address=address,
        filler=FILLERS[register][_mix(seed, "filler") % len(FILLERS[register])],
        afterthought=AFTERTHOUGHTS[register][_mix(seed, "after") % len(AFTERTHOUGHTS[register])],
        tic=persona.speech.tic,
        tic_every=2 + _mix(seed, "tic") % 3,
    )


def _mix(seed: int, salt: str) -> int:
    return zlib.crc32(salt.encode(), seed)


def _address(text: str, term: str) -> str:
    """Add the term of address to the first sentence: "See you around, pal."."""
    for k, char in enumerate(text):
        if char in ".!?":
            return f"{text[:k]}, {term}{text[k:]}"
    return f"{text}, {term}"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lower the first letter after a filler ("Well, sure thing!"), but never "I"."""
    if text[:2] in ("I ", "I'"):
        return text
    return text[:1].lower() + text[1:]


def clip(text: str) -> str:
    """A line fits in one chat message; cut at a word, never mid-word."""
    text = text.strip()
    if len(text) <= MAX_LINE:
        return text
    cut = text[: MAX_LINE - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
