"""Store tables and queries for the economy: station market stocks and the bounty board."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.store.schema import metadata

market_stock = sa.Table(
    "market_stock",
    metadata,
    sa.Column("station", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("good", sa.String(16), primary_key=True),
    sa.Column("stock", sa.Float, nullable=False),
)

bounties = sa.Table(
    "bounties",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("poster", sa.Integer, nullable=False),  # account id
    sa.Column("target_kind", sa.String(16), nullable=False),  # "ship" or "player"
    sa.Column("target_id", sa.BigInteger, nullable=False),
    sa.Column("target_name", sa.String(128), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, open, claiming, paid, cancelled
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("paid_to", sa.BigInteger, nullable=True),  # the ship that claimed it
    sa.Column("paid_at", sa.Float, nullable=True),
    sa.Index("ix_bounties_status_target", "status", "target_kind", "target_id"),
)


deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("key", sa.String(128), primary_key=True),  # the purchase's ledger transfer key
    sa.Column("ship", sa.BigInteger, nullable=False),
    sa.Column("station", sa.BigInteger, nullable=False),
    sa.Column("good", sa.String(16), nullable=False),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("selling", sa.Boolean, nullable=False),
    sa.Column("wallet", sa.String(64), nullable=False),
    sa.Column("credits", sa.BigInteger, nullable=False),
    sa.Column("memo", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, delivered, cancelled
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("ix_deliveries_status", "status"),
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """Goods bought or sold: pending until a ship snapshot showing the move is stored."""

    key: str
    ship: int
    station: int
    good: str
    quantity: float
    selling: bool
    wallet: str
    credits: int
    memo: str


@dataclass(frozen=True, slots=True)
class Bounty:
    id: int
    poster: int
    target_kind: str
    target_id: int
    target_name: str
    amount: int
    status: str
    created_at: float
    paid_to: int | None


def _bounty(row: sa.Row[Any]) -> Bounty:
    return Bounty(
        row.id,
        row.poster,
        row.target_kind,
        row.target_id,
        row.target_name,
        row.amount,
        row.status,
        row.created_at,
        row.paid_to,
    )


class Board:
    """The bounty board and market stocks, over the store's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_bounty(
        self, poster: int, target_kind: str, target_id: int, target_name: str, amount: int
    ) -> Bounty:
        """A pending bounty: it opens once its escrow transfer commits."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                sa.insert(bounties).returning(*bounties.c),
                {
                    "poster": poster,
                    "target_kind": target_kind,
                    "target_id": target_id,
                    "target_name": target_name,
                    "amount": amount,
                    "status": "pending",
                    "created_at": time.time(),
                },
            )
            return _bounty(result.one())

    async def set_status(self, bounty_id: int, status: str, paid_to: int | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if paid_to is not None:
            values |= {"paid_to": paid_to, "paid_at": time.time()}
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(bounties).where(bounties.c.id == bounty_id).values(**values)
            )

    async def bounties(self, status: str) -> list[Bounty]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(bounties).where(bounties.c.status == status).order_by(bounties.c.id)
            )
            return [_bounty(r) for r in rows]

    async def open_on(self, target_kind: str, target_id: int) -> list[Bounty]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(bounties).where(
                    (bounties.c.status == "open")
                    & (bounties.c.target_kind == target_kind)
                    & (bounties.c.target_id == target_id)
                )
            )
            return [_bounty(r) for r in rows]

    async def add_delivery(self, d: Delivery) -> None:
        row = {**dataclasses.asdict(d), "status": "pending", "created_at": time.time()}
        async with self.engine.begin() as connection:
            await connection.execute(sa.insert(deliveries), row)

    async def cancel_delivery(self, key: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(deliveries).where(deliveries.c.key == key).values(status="cancelled")
            )

    async def pending_deliveries(self) -> list[Delivery]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(deliveries)
                .where(deliveries.c.status == "pending")
                .order_by(deliveries.c.created_at)
            )
            return [
                Delivery(*(getattr(r, f.name) for f in dataclasses.fields(Delivery))) for r in rows
            ]

    async def load_stock(self) -> dict[int, dict[str, float]]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(sa.select(market_stock))
            out: dict[int, dict[str, float]] = {}
            for row in rows:
                out.setdefault(row.station, {})[row.good] = row.stock
            return out

    async def save_stock(self, stock: dict[int, dict[str, float]]) -> None:
        rows = [
            {"station": station, "good": good, "stock": amount}
            for station, goods in stock.items()
            for good, amount in goods.items()
        ]
        if not rows:
            return
        async with self.engine.begin() as connection:
            await connection.execute(sa.delete(market_stock))
            await connection.execute(sa.insert(market_stock), rows)
