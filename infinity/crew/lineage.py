"""Where a mind comes from: grown from a genome, or copied from another mind.

Two agents grown from the same DNA are two people with one genome (siblings);
a copy is a new person derived from an original. Either way the record says
so, in the terms of W3C PROV (`prov()`): the copy `wasDerivedFrom` its
original, `generatedAtTime` when, `wasAttributedTo` whoever made it, and why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import msgspec

if TYPE_CHECKING:
    from infinity.crew.agent import Agent


class Lineage(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    genome: str  # `genome_key` of the DNA it was grown from
    kind: Literal["grown", "copy"] = "grown"
    derived_from: int | None = None  # the original's agent id (a copy)
    derived_from_name: str = ""
    at: float | None = None  # wall clock, unix seconds
    by: str = ""  # who made the copy
    why: str = ""


def genome_key(genome: str) -> str:
    """A short, stable name for a genome: the first 16 hex digits of its BLAKE2b hash."""
    return hashlib.blake2b(genome.encode(), digest_size=8).hexdigest()


def prov(lineage: Lineage, agent: int, name: str) -> dict[str, Any]:
    """The lineage as a PROV-JSON-like record: the entity, and what it was derived from."""
    entity: dict[str, Any] = {"prov:label": name, "infinity:genome": lineage.genome}
    record: dict[str, Any] = {"entity": {f"agent:{agent}": entity}}
    if lineage.derived_from is not None:
        record["wasDerivedFrom"] = {
            f"copy:{agent}": {
                "prov:generatedEntity": f"agent:{agent}",
                "prov:usedEntity": f"agent:{lineage.derived_from}",
                "prov:time": lineage.at,
                "prov:agent": lineage.by,
                "infinity:why": lineage.why,
            }
        }
    return record


def describe(lineage: Lineage, siblings: list[str]) -> str:
    """One line for a roster or the Heart: "grown from genome 3f2a…, sibling of X"."""
    parts = [f"grown from genome {lineage.genome}"]
    if lineage.kind == "copy":
        parts = [f"a copy of {lineage.derived_from_name or lineage.derived_from}"]
        if lineage.by:
            parts.append(f"made by {lineage.by}")
    if siblings:
        parts.append("sibling of " + ", ".join(siblings))
    return ", ".join(parts)


def kin_of(everyone: Iterable[Agent]) -> dict[str, list[Agent]]:
    """Agents by genome: built once for a roster or the Heart, not once per agent."""
    kin: dict[str, list[Agent]] = {}
    for agent in everyone:
        kin.setdefault(agent.lineage.genome, []).append(agent)
    return kin


def siblings(agent: Agent, kin: Mapping[str, list[Agent]]) -> list[Agent]:
    """The others grown from the same genome (copies of it included), by id."""
    same = kin.get(agent.lineage.genome, [])
    return sorted((a for a in same if a.id != agent.id), key=lambda a: a.id)
