"""Initial tables: accounts, sessions, galaxy, systems, bodies, ships, chat, counters.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_SHIP_ID = 1 << 20  # frozen here: later changes to schema.py must not rewrite history


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("name_key", name="uq_accounts_name_key"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_sessions_account_id_accounts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"])
    op.create_table(
        "galaxy",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_galaxy"),
    )
    op.create_table(
        "systems",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("x", sa.Float, nullable=False),
        sa.Column("y", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_systems"),
    )
    op.create_table(
        "bodies",
        sa.Column("id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("system_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.Integer, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("x", sa.Float, nullable=False),
        sa.Column("y", sa.Float, nullable=False),
        sa.Column("ore", sa.Float, nullable=False),
        sa.Column("leads_to", sa.Integer, nullable=False),
        sa.Column("dest_gate", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bodies"),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["systems.id"],
            name="fk_bodies_system_id_systems",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_bodies_system_id", "bodies", ["system_id"])
    op.create_table(
        "ships",
        sa.Column("id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("account_id", sa.Integer, nullable=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("system_id", sa.Integer, nullable=False),
        sa.Column("x", sa.Float, nullable=False),
        sa.Column("y", sa.Float, nullable=False),
        sa.Column("vx", sa.Float, nullable=False),
        sa.Column("vy", sa.Float, nullable=False),
        sa.Column("heading", sa.Float, nullable=False),
        sa.Column("hull", sa.Float, nullable=False),
        sa.Column("shield", sa.Float, nullable=False),
        sa.Column("energy", sa.Float, nullable=False),
        sa.Column("cargo", sa.Float, nullable=False),
        sa.Column("torpedoes", sa.Integer, nullable=False),
        sa.Column("docked_at", sa.BigInteger, nullable=False),
        sa.Column("home_station", sa.BigInteger, nullable=False),
        sa.Column("home_system", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ships"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_ships_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("account_id", name="uq_ships_account_id"),
    )
    op.create_table(
        "chat",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("system_id", sa.Integer, nullable=False),
        sa.Column("ship_id", sa.BigInteger, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat"),
    )
    op.create_index("ix_chat_system_id_id", "chat", ["system_id", "id"])
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_counters"),
    )
    op.bulk_insert(counters, [{"name": "ship_id", "value": FIRST_SHIP_ID - 1}])


def downgrade() -> None:
    dependents_first = ("counters", "chat", "ships", "bodies", "systems", "galaxy", "sessions")
    for table in (*dependents_first, "accounts"):
        op.drop_table(table)
