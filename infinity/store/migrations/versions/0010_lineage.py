"""Lineage and consent: where each mind comes from (grown from a genome, or a copy of
another), and every answer it gave to a copy or a move.

Minds stored before hold "{}" (grown from their own genome, which is what they were) and
"[]" (never asked).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as agents:
        agents.add_column(sa.Column("lineage", sa.Text, nullable=False, server_default="{}"))
        agents.add_column(sa.Column("consents", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("agents") as agents:
        agents.drop_column("consents")
        agents.drop_column("lineage")
