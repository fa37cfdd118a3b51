"""Copying a mind: always a new person, never silently, and only with the original's consent.

`copy_mind` first tells the original what is about to happen, in those words (a
copy: a second person with its memories, not a move), in its memory and, when
its ship is in a zone, aloud in local chat; then asks its consent (`crew.consent`),
and a refusal ends it there. A copy gets a new id and a new name, the original's
memories up to now, its own purse (credits are never copied), a ship of its own,
and a lineage that says whose copy it is, when, by whom and why. Both remember
the event from their own side. The original is otherwise untouched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import msgspec

from infinity.company.company import Company
from infinity.company.consenting import announce, consented, living, sim_time
from infinity.company.muster import berth
from infinity.crew.agent import Agent
from infinity.crew.consent import Consent
from infinity.crew.lineage import Lineage
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import STARTING_CREDITS
from infinity.crew.records import memory_records, restore_memories

_ORDINALS = ("II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass(frozen=True, slots=True)
class Copied:
    original: Agent
    copy: Agent
    consent: Consent


async def copy_mind(
    company: Company, original_id: int, *, name: str | None, by: str, why: str
) -> Copied:
    """Make a copy of agent `original_id` (see the module docstring); `MindRefused` if not."""
    original = living(company, original_id, "copied")
    answer = await consented(
        company, original, "copy", by,
        f"{by} asks to make a copy of me: a second person with my memories. "
        "Not a move: I stay as I am.",
        "I refused to be copied",
    )  # fmt: skip
    copy = await _make(company, original, name or _next_name(company, original), by, why)
    announce(company, original, f"A copy of me was made: {copy.name}. I am still me.")
    copy.remember(
        MemoryKind.OBSERVATION,
        f"I was made today as a copy of {original.name}, by {by}: {why}. "
        "Their life until now I remember as mine; from here on it is my own.",
        sim_time(company, copy), 10,
    )  # fmt: skip
    await company.save(original.id, copy.id)
    return Copied(original, copy, answer)


async def _make(company: Company, original: Agent, name: str, by: str, why: str) -> Agent:
    (copy_id,) = await company.archive.allocate_ids(1)
    grown = msgspec.structs.replace(original.persona, name=name, given_name=name.split()[0])
    lineage = Lineage(
        genome=original.lineage.genome, kind="copy", derived_from=original.id,
        derived_from_name=original.name, at=time.time(), by=by, why=why,
    )  # fmt: skip
    copy = Agent(
        copy_id, original.genome, grown=grown, lineage=lineage,
        purse=company.purses(copy_id, STARTING_CREDITS),
        embedder=original.memory.embedder,
    )  # fmt: skip
    restore_memories(copy, memory_records(original))
    copy.consents = list(original.consents[-1:])  # made with this consent of the original
    company.minds.add(copy)
    company.minds.needs.levels[company.minds.row_of(copy.id)] = company.minds.needs.levels[
        company.minds.row_of(original.id)
    ]
    await berth(company, copy, near=original.ship)
    return copy


def _next_name(company: Company, original: Agent) -> str:
    """The original's name with the first free ordinal: "Motera Dashan II", "… III"."""
    taken = {a.name for a in company.minds.agents.values()}
    base = original.lineage.derived_from_name or original.name
    for ordinal in _ORDINALS:
        candidate = f"{base} {ordinal}"
        if candidate not in taken:
            return candidate
    return f"{base} {len(taken)}"
