"""The chat log: what was said in each star system, appended in order."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.store.sql import insert_many, record_of, row_of
from infinity.universe.records import ChatLine
from infinity.universe.tables import chat


class ChatLog:
    """Appends and reads chat lines; the flusher writes a second's lines in one statement."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, messages: list[ChatLine]) -> None:
        """Append chat lines in order, in one statement."""
        async with self.engine.begin() as connection:
            await insert_many(connection, chat, map(row_of, messages))

    async def recent(self, system_id: int, limit: int = 20) -> list[ChatLine]:
        """The last `limit` lines said in a system, oldest first."""
        query = (
            sa.select(chat)
            .where(chat.c.system_id == system_id)
            .order_by(chat.c.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as connection:
            result = await connection.execute(query)
        return [record_of(ChatLine, row) for row in reversed(result.all())]
