from __future__ import annotations

import msgspec
import pytest

from infinity.crew.genome import InvalidGenome, codon, normalise, persona

from .dna import ACGT, FASTA, GATTACA, bred

GOLDEN = {
    ACGT: {
        "name": "Tesaya Kobin",
        "traits": [0.0988, 0.772, 0.7017, 0.4365, 0.1083],
        "skills": [0.7671, 0.7004, 0.4342, 0.105, 0.7664],
        "values": [0.6992, 0.436, 0.1034],
        "appearance": (
            "tall and lean, with a mechanical hand and green eyes; wears jade",
            "#1cdf8e",
        ),
        "speech": ("formal", "Fair enough."),
    },
    GATTACA: {
        "name": "Bamox Tedath",
        "traits": [0.5539, 0.7678, 0.1398, 0.9484, 0.2946],
        "skills": [0.2398, 0.0698, 0.5478, 0.7802, 0.125],
        "values": [0.9512, 0.2869, 0.2411],
        "appearance": ("stocky, with a shaved head and brown eyes; wears lime", "#78c521"),
        "speech": ("terse", "Don't quote me."),
    },
    FASTA: {
        "name": "Ivoya Zakal",
        "traits": [0.98, 0.0858, 0.5615, 0.1523, 0.2082],
        "skills": [0.549, 0.4186, 0.6162, 0.149, 0.7879],
        "values": [0.5547, 0.3173, 0.8984],
        "appearance": (
            "broad-shouldered, with a shaved head and brown eyes; wears jade",
            "#30d2a1",
        ),
        "speech": ("crude", "Keep your shields up."),
    },
}


@pytest.mark.parametrize("dna", list(GOLDEN))
def test_golden_genomes_grow_golden_personas(dna: str) -> None:
    p, want = persona(dna), GOLDEN[dna]
    assert p.name == want["name"]
    assert list(msgspec.structs.astuple(p.traits)) == want["traits"]
    assert list(msgspec.structs.astuple(p.skills)) == want["skills"]
    assert list(msgspec.structs.astuple(p.values)) == want["values"]
    assert (p.appearance.description, p.appearance.colour) == want["appearance"]
    assert (p.speech.style, p.speech.tic) == want["speech"]


def test_same_genome_same_persona_however_written() -> None:
    spaced = " ".join(ACGT[i : i + 10] for i in range(0, len(ACGT), 10)).lower()
    assert persona(spaced) == persona(ACGT)
    assert msgspec.json.encode(persona(ACGT)) == msgspec.json.encode(persona(ACGT))


def test_every_later_base_still_matters() -> None:
    longer = persona(ACGT + "A")
    assert longer.name == persona(ACGT).name  # the name genes are in the first 63 bases
    assert longer.traits != persona(ACGT).traits  # the hash of the whole sequence moves them


def test_codons_set_the_band_of_a_trait() -> None:
    gentle = persona(bred(agreeableness=0.95, courage=0.05))
    assert 60 / 64 <= gentle.traits.agreeableness < 61 / 64
    assert 3 / 64 <= gentle.values.courage < 4 / 64
    assert codon("TTTAAA" + "A" * 60, 0) == 63


@pytest.mark.parametrize(
    ("dna", "message"),
    [
        ("ACGTX" + "A" * 70, "invalid base 'X' at position 5"),
        ("AC GT\nN" + "A" * 70, "invalid base 'N' at position 5"),
        (">header\nACGU" + "A" * 70, "invalid base 'U' at position 4"),
        ("ACGT" * 15, "genome too short: 60 bases, at least 64"),
        ("", "genome too short: 0 bases"),
        (">only a header\n", "genome too short: 0 bases"),
    ],
)
def test_invalid_dna_names_the_first_problem(dna: str, message: str) -> None:
    with pytest.raises(InvalidGenome, match=message.replace("(", r"\(")):
        persona(dna)


def test_fasta_headers_and_line_breaks_are_skipped() -> None:
    assert normalise(FASTA) == FASTA.split("\n", 1)[1].replace("\n", "")
    two_records = ">a\n" + ACGT[:32] + "\n>b\n" + ACGT[32:]
    assert persona(two_records) == persona(ACGT)


def test_names_are_pronounceable_and_vary() -> None:
    names = {persona(bred(filler=f)).name for f in ("ACG", "TGA", "CCA", "GTT", "ATC")}
    assert len(names) == 5
    for name in names:
        given, family = name.split()
        assert given[0].isupper() and family[0].isupper()
        assert not any(cluster in name.lower() for cluster in ("aaa", "eee", "iii", "ooo"))
