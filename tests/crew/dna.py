"""Genomes for tests: fixed golden ones, and ones made to order codon by codon."""

from __future__ import annotations

from infinity.crew.genome import BASES, TRAIT_LOCI, VALUE_LOCI

ACGT = "ACGT" * 16
GATTACA = "GATTACA" * 12
FASTA = (
    ">crew-1 Tesaya\n"
    "TTGACCGATAGCATCGATCGGGCTAGCTAGGATCCATGCAAGTCTTGACGATCGTAGCTAGCTAGGCTA\n"
    "GGATCCATGCA\n"
)
LOCUS = {name: k for k, name in enumerate(TRAIT_LOCI)} | {
    name: 10 + k for k, name in enumerate(VALUE_LOCI)
}


def codon_bases(value: int) -> str:
    """The three bases of a codon value 0..63."""
    return BASES[value // 16] + BASES[value // 4 % 4] + BASES[value % 4]


def bred(filler: str = "ACG", **levels: float) -> str:
    """A 66-base genome whose named traits/values sit in the band of `level` (0..1)."""
    codons = [filler] * 22
    for name, level in levels.items():
        codons[LOCUS[name]] = codon_bases(min(63, int(level * 64)))
    return "".join(codons)
