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

from infinity.commands import internal as ci
from infinity.company.company import Company
from infinity.company.muster import berth
from infinity.crew.agent import Agent
from infinity.crew.consent import Consent, ask
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


class CopyRefused(Exception):
    """The original did not consent, or cannot be copied; nothing was made."""

    def __init__(self, code: str, detail: str, consent: Consent | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.consent = consent


def announce(company: Company, agent: Agent, text: str) -> None:
    """Tell the mind what is being done to it: in its memory, and aloud if it is in a zone."""
    agent.remember(MemoryKind.OBSERVATION, text, _sim_time(company, agent), 9)
    if agent.ship is not None and agent.ship in company.universe.where:
        company.universe.submit(ci.Speak(ship=agent.ship, speaker=agent.name, text=text[:280]))


async def copy_mind(
    company: Company, original_id: int, *, name: str | None, by: str, why: str
) -> Copied:
    """Make a copy of agent `original_id` (see the module docstring); `CopyRefused` if not."""
    original = company.minds.agents.get(original_id)
    if original is None:
        raise CopyRefused("unknown_agent", f"no agent {original_id}")
    if not original.alive:
        raise CopyRefused("dead", f"{original.name} is dead; the dead are not copied")
    if original.id in company.away:
        raise CopyRefused("in_transit", f"{original.name} is in transit; it is not copied")
    announce(
        company, original,
        f"{by} asks to make a copy of me: a second person with my memories. "
        "Not a move: I stay as I am.",
    )  # fmt: skip
    answer = ask(original, "copy", by, time.time())
    if not answer.given:
        announce(company, original, f"I refused to be copied: {answer.reason}.")
        await company.save()
        raise CopyRefused("refused", f"{original.name} refused: {answer.reason}", answer)
    copy = await _make(company, original, name or _next_name(company, original), by, why)
    announce(company, original, f"A copy of me was made: {copy.name}. I am still me.")
    copy.remember(
        MemoryKind.OBSERVATION,
        f"I was made today as a copy of {original.name}, by {by}: {why}. "
        "Their life until now I remember as mine; from here on it is my own.",
        _sim_time(company, copy), 10,
    )  # fmt: skip
    await company.save()
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


def _sim_time(company: Company, agent: Agent) -> float:
    system = company.universe.where.get(agent.ship) if agent.ship is not None else None
    zone = company.universe.zones.get(system) if system is not None else None
    return zone.clock.sim_time if zone is not None else 0.0
