"""The cluster's tables: ship handovers between zone hosts under their idempotency keys,
and each zone's ownership epoch (docs/cluster.md "Handover between hosts").

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cluster_handovers",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("ship", sa.BigInteger, nullable=False, index=True),
        sa.Column("from_zone", sa.Integer, nullable=False),
        sa.Column("to_zone", sa.Integer, nullable=False),
        sa.Column("host", sa.String(128), nullable=False),
        sa.Column("committed_at", sa.Float, nullable=False),
        sa.Column("done_at", sa.Float, nullable=True),
    )
    op.create_table(
        "cluster_zone_epochs",
        sa.Column("zone", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("epoch", sa.String(64), nullable=False),
        sa.Column("since", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cluster_zone_epochs")
    op.drop_table("cluster_handovers")
