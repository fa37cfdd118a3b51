from __future__ import annotations

import asyncio

from infinity.commands.types import Say
from infinity.galaxy.generate import generate
from infinity.sim.zone import ShipState
from infinity.store.store import Store
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import Hangar
from infinity.universe.records import ChatLine
from infinity.universe.snapshots import Snapshots
from infinity.universe.universe import Universe


def lines(system_id: int, count: int, start: int = 0) -> list[ChatLine]:
    return [
        ChatLine(system_id, 1 << 20, "Vega", f"line {n}", 1000.0 + n)
        for n in range(start, start + count)
    ]


async def test_recent_chat_is_oldest_first_and_limited(store: Store) -> None:
    await ChatLog(store.engine).add(lines(1, 15))
    await ChatLog(store.engine).add(lines(1, 15, start=15))
    recent = await ChatLog(store.engine).recent(1, limit=20)
    assert [line.text for line in recent] == [f"line {n}" for n in range(10, 30)]


async def test_chat_stays_in_its_system(store: Store) -> None:
    await ChatLog(store.engine).add(lines(1, 2) + lines(2, 3))
    assert await ChatLog(store.engine).recent(2) == lines(2, 3)
    assert await ChatLog(store.engine).recent(9) == []


async def test_adding_no_chat_is_fine(store: Store) -> None:
    await ChatLog(store.engine).add([])
    assert await ChatLog(store.engine).recent(1) == []


async def test_chat_survives_a_restart(url: str) -> None:
    store = await Store.open(url)
    await ChatLog(store.engine).add(lines(4, 3))
    await store.close()
    store = await Store.open(url)
    try:
        assert await ChatLog(store.engine).recent(4) == lines(4, 3)
    finally:
        await store.close()


async def test_a_line_said_a_moment_ago_is_recent_before_and_while_it_is_written(
    store: Store,
) -> None:
    """A player who joins between a line being said and its flush (once a second) still
    reads it in its welcome: a captain's hail said the tick after the newcomer's ship
    appeared, before its socket opened."""
    universe = Universe(generate(5))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    ship = 1 << 20
    state = ShipState(ship, "Vega", 1, station.id, home.id, station.x, station.y)
    universe.place(home.id, state, "player")
    chat = ChatLog(store.engine)
    await chat.add(lines(home.id, 2))
    snapshots = Snapshots(universe, Hangar(store.engine), Charts(store.engine), chat)
    universe.submit(Say(ship=ship, text="Welcome out here"))
    universe.tick(home.id)
    said = [line.text for line in await snapshots.recent_chat(home.id)]
    assert said == ["line 0", "line 1", "Welcome out here"]  # not written yet

    writing = asyncio.Event()
    add = chat.add

    async def slow_add(batch: list[ChatLine]) -> None:
        writing.set()
        await asyncio.sleep(0.05)
        await add(batch)

    chat.add = slow_add  # type: ignore[method-assign]
    flushing = asyncio.create_task(snapshots.flush_chat())
    await writing.wait()
    assert [line.text for line in await snapshots.recent_chat(home.id)] == said  # in flight
    await flushing
    assert [line.text for line in await snapshots.recent_chat(home.id)] == said  # once
