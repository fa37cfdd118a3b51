"""Genome to persona: the same DNA always grows the same person.

The mapping is documented base by base in docs/genome.md. In short: the
sequence is read as codons (three bases, A=0 C=1 G=2 T=3, value 0..63) from
base 1; codon k of the first 21 sets the coarse value of one trait (its
1/64 band) and byte k of SHA-256 of the whole normalised sequence sets the
fine position inside the band, so the first 63 bases are legible genes and
every later base still shifts the person a little.
"""

from __future__ import annotations

import colorsys
import hashlib
from typing import Final

import msgspec

MIN_BASES: Final = 64
MAX_BASES: Final = 1_000_000
BASES: Final = "ACGT"
_BASE_VALUE: Final = {base: value for value, base in enumerate(BASES)}

# Codon loci (0-based codon index; codon k covers bases 3k+1..3k+3).
TRAIT_LOCI: Final = (
    "openness",
    "conscientiousness",
    "extraversion",
    "agreeableness",
    "neuroticism",
)
SKILL_LOCI: Final = ("piloting", "gunnery", "engineering", "trade", "hacking")
VALUE_LOCI: Final = ("loyalty", "greed", "courage")
GIVEN_LOCI: Final = (13, 14)
FAMILY_LOCI: Final = (15, 16)
ENDING_LOCUS: Final = 17
LOOKS_LOCUS: Final = 18
COLOUR_LOCUS: Final = 19
VOICE_LOCUS: Final = 20

_ONSETS: Final = (
    "", "b", "d", "f", "g", "h", "k", "l", "m", "n", "r", "s", "t", "v", "z", "sh",
)  # fmt: skip
_VOWELS: Final = ("a", "e", "i", "o")
SYLLABLES: Final = tuple(onset + vowel for onset in _ONSETS for vowel in _VOWELS)
GIVEN_ENDINGS: Final = ("", "n", "ra", "l", "s", "th", "ya", "x")
FAMILY_CODAS: Final = ("", "n", "r", "s", "th", "ck", "l", "vik")

BUILDS: Final = ("wiry", "stocky", "tall and lean", "broad-shouldered")
FEATURES: Final = (
    "a scar across one cheek", "close-cropped silver hair", "a shaved head", "freckles",
    "a cybernetic left eye", "long braided hair", "a crooked nose", "tattooed forearms",
    "a calm, lined face", "a burn-marked jaw", "ink-black curls", "a permanent squint",
    "a mechanical hand", "a neat beard", "pale, spacer skin", "a gap-toothed grin",
)  # fmt: skip
EYES: Final = ("grey", "brown", "green", "blue", "amber", "black", "violet", "hazel")
COLOUR_NAMES: Final = (
    "red", "orange", "yellow", "lime", "green", "jade",
    "cyan", "azure", "blue", "violet", "magenta", "rose",
)  # fmt: skip  # centred on hues 0, 30, 60, ... 330 degrees
STYLES: Final = ("terse", "chatty", "formal", "crude")
TICS: Final = (
    "", "Stars willing.", "Clear skies.", "Mark my words.",
    "Don't quote me.", "By the void.", "Fair enough.", "Keep your shields up.",
)  # fmt: skip


class InvalidGenome(ValueError):
    """DNA that cannot grow a persona; the message names the first problem."""


class Traits(msgspec.Struct, frozen=True, kw_only=True):
    """Big-Five personality, each 0..1."""

    openness: float
    conscientiousness: float
    extraversion: float
    agreeableness: float
    neuroticism: float


class Skills(msgspec.Struct, frozen=True, kw_only=True):
    """What the crew member is good at, each 0..1."""

    piloting: float
    gunnery: float
    engineering: float
    trade: float
    hacking: float


class Values(msgspec.Struct, frozen=True, kw_only=True):
    """What the crew member cares about, each 0..1."""

    loyalty: float
    greed: float
    courage: float


class Appearance(msgspec.Struct, frozen=True, kw_only=True):
    description: str
    colour: str  # "#rrggbb", the colour they wear and are drawn in
    colour_name: str


class Speech(msgspec.Struct, frozen=True, kw_only=True):
    """Voice: a style and its stock phrases (dialogue.py fills templates in this voice)."""

    style: str  # one of STYLES
    greeting: str
    agree: str
    refuse: str
    farewell: str
    tic: str  # a catchphrase, possibly empty


class Persona(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a genome decides about a crew member. Plain data, JSON-able by msgspec."""

    name: str
    given_name: str
    family_name: str
    traits: Traits
    skills: Skills
    values: Values
    appearance: Appearance
    speech: Speech


def normalise(dna: str) -> str:
    """Uppercase A/C/G/T only; FASTA '>' header lines and all whitespace dropped.

    Raises `InvalidGenome` naming the first bad base (1-based position among
    the sequence's bases, after headers and whitespace are removed) or the
    length problem.
    """
    lines = (line for line in dna.splitlines() if not line.lstrip().startswith(">"))
    sequence = "".join("".join(lines).split()).upper()
    for position, base in enumerate(sequence, start=1):
        if base not in _BASE_VALUE:
            raise InvalidGenome(
                f"invalid base {base!r} at position {position}: a genome is made of A, C, G and T"
            )
    if len(sequence) < MIN_BASES:
        raise InvalidGenome(
            f"genome too short: {len(sequence)} bases, at least {MIN_BASES} are needed"
        )
    if len(sequence) > MAX_BASES:
        raise InvalidGenome(f"genome too long: {len(sequence)} bases, at most {MAX_BASES}")
    return sequence


def codon(sequence: str, index: int) -> int:
    """The value 0..63 of codon `index` (bases 3*index+1..3*index+3, A=0 C=1 G=2 T=3)."""
    start = 3 * index
    value = _BASE_VALUE
    return 16 * value[sequence[start]] + 4 * value[sequence[start + 1]] + value[sequence[start + 2]]


def persona(dna: str) -> Persona:
    """Grow the persona a genome encodes (accepts raw or FASTA text; see `normalise`)."""
    sequence = normalise(dna)
    digest = hashlib.sha256(sequence.encode("ascii")).digest()
    genes = [_gene(sequence, digest, k) for k in range(13)]
    traits = Traits(**dict(zip(TRAIT_LOCI, genes[0:5], strict=True)))
    given, family = _names(sequence)
    return Persona(
        name=f"{given} {family}",
        given_name=given,
        family_name=family,
        traits=traits,
        skills=Skills(**dict(zip(SKILL_LOCI, genes[5:10], strict=True))),
        values=Values(**dict(zip(VALUE_LOCI, genes[10:13], strict=True))),
        appearance=_appearance(sequence, digest),
        speech=_speech(traits, codon(sequence, VOICE_LOCUS)),
    )


def _gene(sequence: str, digest: bytes, locus: int) -> float:
    """Codon `locus` picks the 1/64 band, digest byte `locus` the place within it."""
    return round((codon(sequence, locus) + digest[locus] / 256) / 64, 4)


def _names(sequence: str) -> tuple[str, str]:
    ending = codon(sequence, ENDING_LOCUS)
    given = "".join(SYLLABLES[codon(sequence, k)] for k in GIVEN_LOCI) + GIVEN_ENDINGS[ending // 8]
    family = "".join(SYLLABLES[codon(sequence, k)] for k in FAMILY_LOCI) + FAMILY_CODAS[ending % 8]
    return given.capitalize(), family.capitalize()


def _appearance(sequence: str, digest: bytes) -> Appearance:
    looks = codon(sequence, LOOKS_LOCUS)
    band = codon(sequence, COLOUR_LOCUS)
    hue = (band + digest[13] / 256) / 64
    saturation = 0.55 + 0.3 * digest[14] / 255
    lightness = 0.45 + 0.15 * digest[15] / 255
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    colour = "#" + "".join(f"{round(v * 255):02x}" for v in (red, green, blue))
    colour_name = COLOUR_NAMES[round(hue * 12) % 12]
    build, feature, eyes = BUILDS[looks // 16], FEATURES[looks % 16], EYES[digest[16] % 8]
    description = f"{build}, with {feature} and {eyes} eyes; wears {colour_name}"
    return Appearance(description=description, colour=colour, colour_name=colour_name)


_PHRASES: Final = {
    "terse": ("Yeah.", "Done.", "No.", "Out."),
    "chatty": (
        "Well hello there, friend!",
        "Sure thing, happy to!",
        "Oh no, no, I really can't do that one.",
        "Catch you around the belt!",
    ),
    "formal": (
        "Greetings.",
        "Understood. Carrying out the order.",
        "I must respectfully decline.",
        "Until next time.",
    ),
    "crude": ("What d'you want?", "Fine, whatever.", "Not a chance.", "Get lost."),
}


def style_of(traits: Traits) -> str:
    """The strongest voice: terse (introvert), chatty (extravert), formal (conscientious),
    crude (disagreeable); ties go to the earlier style in `STYLES`."""
    scores = (
        1.0 - traits.extraversion,
        traits.extraversion,
        traits.conscientiousness,
        1.0 - traits.agreeableness,
    )
    return STYLES[scores.index(max(scores))]


def _speech(traits: Traits, voice: int) -> Speech:
    style = style_of(traits)
    greeting, agree, refuse, farewell = _PHRASES[style]
    return Speech(
        style=style,
        greeting=greeting,
        agree=agree,
        refuse=refuse,
        farewell=farewell,
        tic=TICS[voice % 8],
    )
