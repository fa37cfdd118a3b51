"""The economy's tables, on the store's one `metadata`: market stock, bounties, the trade journal.

Only the economy's repositories (`markets.py`, `bounties.py`, `journal.py`)
read or write them; migration 0004/0005 created them.
"""

from __future__ import annotations

import sqlalchemy as sa

from infinity.store.schema import metadata, required

market_stock = sa.Table(
    "market_stock",
    metadata,
    sa.Column("station", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("good", sa.String(16), primary_key=True),  # "ore", "fuel" or "torpedo"
    sa.Column("stock", sa.Float, nullable=False),  # what the station has to sell; sets its price
)

bounties = sa.Table(
    "bounties",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("poster", sa.Integer, nullable=False),  # account id
    sa.Column("target_kind", sa.String(16), nullable=False),  # "ship", "player" or "crew"
    sa.Column("target_id", sa.BigInteger, nullable=False),
    sa.Column("target_name", sa.String(128), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, open, claiming, paid, cancelled
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("paid_to", sa.BigInteger, nullable=True),  # the ship that claimed it
    sa.Column("paid_at", sa.Float, nullable=True),
    sa.Index("ix_bounties_status_target", "status", "target_kind", "target_id"),
)

deliveries = sa.Table(  # the trade journal (`journal.py`)
    "deliveries",
    metadata,
    sa.Column("key", sa.String(128), primary_key=True),  # the trade's ledger transfer key
    *required(sa.BigInteger, "ship", "station"),
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
