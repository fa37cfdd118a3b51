"""Copying a mind on a real company: a new person with a lineage, only with consent, told
for what it is; siblings grown from one genome know each other; all of it survives a
restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from infinity.commands import internal as ci
from infinity.company.consenting import MindRefused
from infinity.company.copying import copy_mind
from infinity.company.muster import enlist
from infinity.crew.agent import Agent
from infinity.crew.consent import ask
from infinity.crew.lineage import genome_key, kin_of, siblings

from .dna import ACGT
from .harbour import open_harbour


def willing(agents: list[Agent], yes: bool) -> Agent:
    """An agent whose answer to a copy is `yes` (asked on a throwaway twin)."""
    for agent in agents:
        twin = Agent(agent.id, agent.genome, grown=agent.persona)
        if ask(twin, "copy", "test", 0.0).given == yes:
            return agent
    raise AssertionError(f"no founding agent answers {yes} to a copy: the founding genomes changed")


async def test_a_copy_is_a_new_person_derived_from_the_original(tmp_path: Path) -> None:
    harbour = await open_harbour(tmp_path)
    company = harbour.company
    original = willing(list(company.minds.agents.values()), yes=True)
    before = (original.id, original.name, original.lineage, len(original.memory))
    made = await copy_mind(company, original.id, name=None, by="Root", why="a test of copies")
    copy = made.copy
    assert made.consent.given and made.consent.operation == "copy"
    assert copy.id != original.id and copy.name == f"{original.name} II"
    assert (copy.lineage.kind, copy.lineage.derived_from) == ("copy", original.id)
    assert copy.lineage.by == "Root" and copy.lineage.why == "a test of copies"
    assert copy.lineage.genome == original.lineage.genome == genome_key(original.genome)
    assert (original.id, original.name, original.lineage) == before[:3]  # untouched
    assert copy.ship is not None and copy.ship != original.ship  # a ship of its own
    texts = [m.text for m in copy.memory.recent(len(copy.memory))]
    assert any("copy of" in t for t in texts)  # remembers being made
    # the original's memories and the announcement, then taking its skiff and being made
    assert len(copy.memory) == before[3] + 1 + 2
    said = [m.text for m in original.memory.recent(5)]
    assert any("asks to make a copy of me" in t for t in said)
    assert any("A copy of me was made" in t for t in said)
    kin = kin_of(company.minds.agents.values())
    assert copy in siblings(original, kin) and original in siblings(copy, kin)
    await harbour.store.close()
    reopened = await open_harbour(tmp_path)  # lineage and consent are stored
    again = reopened.company.minds.agents[copy.id]
    assert again.lineage == copy.lineage and again.consents == copy.consents
    assert reopened.company.minds.agents[original.id].consents[-1].given
    await reopened.store.close()


async def test_a_refusal_makes_nothing_and_is_remembered(tmp_path: Path) -> None:
    harbour = await open_harbour(tmp_path)
    company = harbour.company
    original = willing(list(company.minds.agents.values()), yes=False)
    count = len(company.minds.agents)
    with pytest.raises(MindRefused) as refused:
        await copy_mind(company, original.id, name="Nobody Else", by="Root", why="no")
    assert refused.value.code == "refused" and refused.value.consent is not None
    assert len(company.minds.agents) == count
    assert not original.consents[-1].given
    assert any("I refused to be copied" in m.text for m in original.memory.recent(3))
    spoken = [cmd for zone in company.universe.zones.values() for cmd, _ in zone._inbox]
    assert any(isinstance(cmd, ci.Speak) and "copy of me" in cmd.text for cmd in spoken)
    await harbour.store.close()


async def test_the_dead_and_the_unknown_are_not_copied(tmp_path: Path) -> None:
    harbour = await open_harbour(tmp_path)
    company = harbour.company
    dead = next(iter(company.minds.agents.values()))
    dead.die("a test", 0.0)
    for agent_id, code in ((dead.id, "dead"), (10**9, "unknown_agent")):
        with pytest.raises(MindRefused) as refused:
            await copy_mind(company, agent_id, name=None, by="Root", why="x")
        assert refused.value.code == code
    assert not ask(dead, "transfer", "Root", 0.0).given
    await harbour.store.close()


async def test_two_grown_from_one_genome_are_siblings_not_the_same(tmp_path: Path) -> None:
    """The finding: the same DNA twice made two identical people with nothing to tell them
    apart; now each carries its genome and knows the other."""
    harbour = await open_harbour(tmp_path)
    first = await enlist(harbour.company, ACGT)
    second = await enlist(harbour.company, ACGT)
    assert first.name == second.name and first.id != second.id
    kin = kin_of(harbour.company.minds.agents.values())
    assert siblings(first, kin) == [second] and siblings(second, kin) == [first]
    assert first.lineage.kind == second.lineage.kind == "grown"
    await harbour.store.close()
