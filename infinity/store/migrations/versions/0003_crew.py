"""Crew tables: crews, agents, memories; the agent id counter.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crews",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("ship_id", sa.BigInteger, nullable=False),
        sa.Column("captain_name", sa.String(128), nullable=False),
        sa.Column("captain_agent", sa.BigInteger, nullable=True),
        sa.Column("captain_account", sa.Integer, nullable=True),
        sa.Column("captain_ship", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crews"),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("genome", sa.Text, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("persona", sa.Text, nullable=False),
        sa.Column("credits", sa.Float, nullable=False),
        sa.Column("needs", sa.Text, nullable=False),
        sa.Column("intent", sa.Text, nullable=False),
        sa.Column("ship_id", sa.BigInteger, nullable=True),
        sa.Column("crew_id", sa.Integer, nullable=True),
        sa.Column("station", sa.String(16), nullable=True),
        sa.Column("alive", sa.Boolean, nullable=False),
        sa.Column("died_at", sa.Float, nullable=True),
        sa.Column("death_cause", sa.Text, nullable=True),
        sa.Column("embedder", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name="fk_agents_crew_id_crews", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_agents_crew_id", "agents", ["crew_id"])
    op.create_table(
        "memories",
        sa.Column("agent_id", sa.BigInteger, nullable=False),
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("importance", sa.SmallInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("last_access", sa.Float, nullable=False),
        sa.Column("cites", sa.Text, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("agent_id", "id", name="pk_memories"),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name="fk_memories_agent_id_agents", ondelete="CASCADE"
        ),
    )
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(counters, [{"name": "agent_id", "value": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'agent_id'")
    for table in ("memories", "agents", "crews"):
        op.drop_table(table)
