"""Crew ships get their own role: ships the crews fly were stored as "trader"s.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A ship is a crew ship when a crew is registered on it or an agent rides it and no player
# owns it (a recruit aboard a player's ship leaves that ship a player's).
_CREWED = """
    account_id IS NULL AND role = '{old}' AND (
        id IN (SELECT ship_id FROM crews)
        OR id IN (SELECT ship_id FROM agents WHERE ship_id IS NOT NULL)
    )
"""


def upgrade() -> None:
    op.execute(f"UPDATE ships SET role = 'crew' WHERE {_CREWED.format(old='trader')}")


def downgrade() -> None:
    op.execute(f"UPDATE ships SET role = 'trader' WHERE {_CREWED.format(old='crew')}")
