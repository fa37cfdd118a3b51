"""The trade journal: one row per trade, written before its credits move.

A row's status is the trade's durable state (`TradeState` PENDING, DELIVERED
or CANCELLED): a restart charges every pending row again by its key, which
the ledger answers once. `mark_delivered` runs inside the ship snapshot's
transaction, so the goods and the row's status are stored together.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.economy.tables import deliveries
from infinity.economy.trade import Delivery, TradeState


class Journal:
    """The `deliveries` table over the store's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, terms: Delivery) -> None:
        row = {
            **dataclasses.asdict(terms),
            "status": str(TradeState.PENDING),
            "created_at": time.time(),
        }
        async with self.engine.begin() as connection:
            await connection.execute(sa.insert(deliveries), row)

    async def cancel(self, key: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(deliveries)
                .where(deliveries.c.key == key)
                .values(status=str(TradeState.CANCELLED))
            )

    async def pending(
        self, ships: Collection[int] | None = None, before: float | None = None
    ) -> list[Delivery]:
        """Trades journalled but never seen stored, oldest first: of `ships` only, and
        journalled before the wall-clock time `before`, when given."""
        if ships is not None and not ships:
            return []
        query = sa.select(deliveries).where(deliveries.c.status == str(TradeState.PENDING))
        if ships is not None:
            query = query.where(deliveries.c.ship.in_(sorted(ships)))
        if before is not None:
            query = query.where(deliveries.c.created_at < before)
        async with self.engine.connect() as connection:
            rows = await connection.execute(query.order_by(deliveries.c.created_at))
            names = [f.name for f in dataclasses.fields(Delivery)]
            return [Delivery(*(getattr(row, name) for name in names)) for row in rows]


async def mark_delivered(connection: AsyncConnection, keys: Collection[str]) -> None:
    """Mark trades delivered on the caller's connection (the ship snapshot's transaction)."""
    if keys:
        await connection.execute(
            sa.update(deliveries)
            .where(deliveries.c.key.in_(list(keys)))
            .values(status=str(TradeState.DELIVERED))
        )
