"""Economy: ship fuel, station market stocks, the bounty board.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ships", sa.Column("fuel", sa.Float, nullable=False, server_default="100"))
    op.create_table(
        "market_stock",
        sa.Column("station", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("good", sa.String(16), nullable=False),
        sa.Column("stock", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("station", "good", name="pk_market_stock"),
    )
    op.create_table(
        "bounties",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("poster", sa.Integer, nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.BigInteger, nullable=False),
        sa.Column("target_name", sa.String(128), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("paid_to", sa.BigInteger, nullable=True),
        sa.Column("paid_at", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bounties"),
    )
    op.create_index("ix_bounties_status_target", "bounties", ["status", "target_kind", "target_id"])


def downgrade() -> None:
    op.drop_index("ix_bounties_status_target", table_name="bounties")
    op.drop_table("bounties")
    op.drop_table("market_stock")
    with op.batch_alter_table("ships") as batch:
        batch.drop_column("fuel")
