from __future__ import annotations

from infinity.store.store import Store
from infinity.universe.chatlog import ChatLog
from infinity.universe.records import ChatLine


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
