"""Minds survive a restart: write to a SQLite file, reopen, read back, recall the same."""

from __future__ import annotations

from pathlib import Path

from infinity.company.archive import DatabaseArchive
from infinity.crew.agent import Agent
from infinity.crew.crew import Captain, Crew, Station
from infinity.crew.goals import Goal
from infinity.crew.memory import MemoryKind
from infinity.crew.mind import Minds
from infinity.crew.needs import interim_purse
from infinity.crew.orders import Order, OrderKind
from infinity.crew.planner import ACTION_INDEX
from infinity.store.store import Store, sqlite_url

from .dna import ACGT, FASTA, GATTACA

OBS = MemoryKind.OBSERVATION
TOPICS = ("Reaver shot at us", "Sold ore at Testa", "Vega said hello", "The gate was quiet")


def grow(minds: Minds, ids: list[int]) -> list[Agent]:
    agents = [Agent(i, dna) for i, dna in zip(ids, (ACGT, GATTACA, FASTA), strict=True)]
    for agent in agents:
        minds.add(agent)
    for k in range(120):
        for agent in agents:
            agent.remember(
                OBS, f"{TOPICS[k % 4]}, day {k}", 60.0 * k, None, subject=TOPICS[k % 4][:5]
            )
    return agents


async def test_minds_survive_a_restart(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = await Store.open(url)
    ids = await DatabaseArchive(store.engine).allocate_ids(3)
    assert ids == [1, 2, 3]
    minds = Minds(seed=5)
    first, second, third = grow(minds, ids)
    crew = Crew(4, "Kobin's Crew", 1_048_600, Captain(first.name, agent=first.id))
    crew.join(first, Station.HELM)
    crew.join(second, Station.TACTICAL)
    minds.add_crew(crew)
    second.intent.order = Order(OrderKind.ATTACK, 9.0, 77, "Reaver", True, first.name)
    second.intent.goal, second.intent.target = Goal.ATTACK, 77
    second.intent.plan = (ACTION_INDEX["lock_target"], ACTION_INDEX["attack"])
    third.purse.spend(123.0, "test")
    third.die("our ship was destroyed by Reaver", 7000.0)
    minds.needs.levels[minds.row_of(first.id)] = (0.1, 0.2, 0.3, 0.4)
    first.grudges.hold(77, "Reaver", 0.8, 8000.0)  # grudges are kept, unfaded, as held
    first.grudges.hold(78, "Critic", 0.5, 8500.0)
    first.memory.retrieve("who shot at us", 9000.0, k=10)  # recall times are persisted too
    assert await DatabaseArchive(store.engine).flush(minds) == sum(
        len(a.memory) for a in (first, second, third)
    )
    first.remember(OBS, "Reaver is back near the gate", 9100.0, 8)  # after the first flush
    first.memory.retrieve("quiet gate", 9200.0, k=3)
    assert await DatabaseArchive(store.engine).flush(minds) == 1
    await store.close()

    store = await Store.open(url)
    try:
        again = Minds(seed=5)
        await DatabaseArchive(store.engine).restore(again, interim_purse)
        assert len(await DatabaseArchive(store.engine).memories(first.id)) == len(first.memory)
        assert await DatabaseArchive(store.engine).allocate_ids(1) == [4]
    finally:
        await store.close()
    one, two, three = (again.agents[i] for i in ids)
    assert one.persona == first.persona and one.genome == first.genome
    assert [one.memory.get(i) for i in range(len(one.memory))] == [
        first.memory.get(i) for i in range(len(first.memory))
    ]
    assert [m.id for m in one.memory.retrieve("who shot at us", 9000.0, k=10)] == [
        m.id for m in first.memory.retrieve("who shot at us", 9000.0, k=10)
    ]
    assert again.needs_of(one.id) == {"credits": 0.1, "safety": 0.2, "company": 0.3, "purpose": 0.4}
    assert not three.alive and three.death is not None and "Reaver" in three.death.cause
    assert three.purse.balance == third.purse.balance
    assert two.intent.order == second.intent.order and two.intent.plan == second.intent.plan
    restored = again.crews[4]
    assert restored.members == {one.id: Station.HELM, two.id: Station.TACTICAL}
    assert two.duties == second.duties and one.ship == first.ship
    assert one.grudges.every() == first.grudges.every() and len(one.grudges) == 2
    assert one.grudges.weight(77, 8300.0) == first.grudges.weight(77, 8300.0) > 0.35
    assert len(two.grudges) == 0
    reflections = [m for m in one.memory.recent(len(one.memory)) if m.kind == MemoryKind.REFLECTION]
    assert reflections and all(m.cites for m in reflections)


async def test_one_mind_is_saved_without_the_others(tmp_path: Path) -> None:
    """An operation on one mind (a transfer, a move, a copy) saves that mind and its crew,
    not every agent of the company."""
    store = await Store.open(sqlite_url(tmp_path))
    try:
        archive = DatabaseArchive(store.engine)
        minds = Minds(seed=5)
        first, second, third = grow(minds, await archive.allocate_ids(3))
        crew = Crew(4, "Kobin's Crew", 1_048_600, Captain(first.name, agent=first.id))
        crew.join(second, Station.HELM)
        minds.add_crew(crew)
        assert await archive.flush(minds, [second.id]) == len(second.memory)
        again = Minds(seed=5)
        await archive.restore(again, interim_purse)
        assert set(again.agents) == {second.id} and set(again.crews) == {4}
        assert first.stored_memories == 0 and second.stored_memories == len(second.memory)
        assert await archive.flush(minds, [first.id]) == len(first.memory)  # its captain's crew
        assert await archive.flush(minds) == len(third.memory)  # the rest, once
    finally:
        await store.close()
