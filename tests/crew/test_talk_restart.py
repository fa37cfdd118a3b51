"""What was said survives a restart: the secret word, and who the speaker is, come back from
the store (the same memories, saved by the archive and restored into new minds)."""

from __future__ import annotations

from pathlib import Path

from infinity.company.archive import DatabaseArchive
from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.memory import MemoryKind
from infinity.crew.mind import Minds
from infinity.crew.needs import interim_purse
from infinity.crew.senses import Heard
from infinity.store.store import Store, sqlite_url

from .dna import ACGT


def said_to(agent: Agent, text: str, at: float, speaker: str = "Vega") -> str:
    return dialogue.reply(agent, Heard(7, speaker, text, at, to_me=True), at)


async def restarted(tmp_path: Path, minds: Minds) -> Minds:
    url = sqlite_url(tmp_path)
    store = await Store.open(url)
    try:
        await DatabaseArchive(store.engine).flush(minds)
    finally:
        await store.close()
    store = await Store.open(url)
    try:
        again = Minds(seed=minds.seed)
        await DatabaseArchive(store.engine).restore(again, interim_purse)
        return again
    finally:
        await store.close()


async def test_the_secret_word_is_recalled_after_a_restart(tmp_path: Path) -> None:
    store = await Store.open(sqlite_url(tmp_path))
    try:
        (agent_id,) = await DatabaseArchive(store.engine).allocate_ids(1)
    finally:
        await store.close()
    minds = Minds(seed=3)
    agent = Agent(agent_id, ACGT)
    minds.add(agent)
    agent.remember(MemoryKind.OBSERVATION, "Korr shot at us.", 10.0, 8, subject="Korr")
    said_to(agent, "the secret word is pineapple", 100.0)
    for k in range(40):  # plenty said since, by others, about other things
        said_to(agent, f"the ore price today is {k} credits, isn't it?", 200.0 + k, "Orin")
    assert "pineapple" in said_to(agent, "What is the secret word I told you?", 300.0).lower()

    again = await restarted(tmp_path, minds)
    back = again.agents[agent_id]
    assert back is not agent and len(back.memory) == len(agent.memory)
    assert back.memory.about.keys() == agent.memory.about.keys()
    answer = said_to(back, "What is the secret word I told you?", 400.0)
    assert "pineapple" in answer.lower()
    remembered = said_to(back, "Do you remember me?", 410.0)
    assert "pineapple" in remembered.lower() and "You told me" in remembered
    assert "Korr shot at us" in said_to(back, "what do you think of Korr?", 420.0)
    assert "pineapple" not in said_to(back, "what is the secret word?", 430.0, "Orin").lower()
