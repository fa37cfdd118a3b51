"""Worlds: the main world (world 1) and private instances; systems know their world.

Everything that exists lives in world 1 unchanged: every system gets
`world_id = 1`, and world 1 is the main world of the `infinity` template.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    worlds = op.create_table(
        "worlds",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("visibility", sa.String(8), nullable=False),
        sa.Column("owner_id", sa.Integer, nullable=True),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("rules", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("closed_at", sa.Float, nullable=True),
        sa.Column("flagship_id", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_worlds"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["accounts.id"], name="fk_worlds_owner_id_accounts", ondelete="SET NULL"
        ),
    )
    op.create_table(
        "world_members",
        sa.Column("world_id", sa.Integer, nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("added_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("world_id", "account_id", name="pk_world_members"),
        sa.ForeignKeyConstraint(
            ["world_id"],
            ["worlds.id"],
            name="fk_world_members_world_id_worlds",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_world_members_account_id_accounts",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "bridge_posts",
        sa.Column("world_id", sa.Integer, nullable=False),
        sa.Column("post", sa.String(20), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("world_id", "post", name="pk_bridge_posts"),
        sa.UniqueConstraint("world_id", "account_id", name="uq_bridge_posts_world_id_account_id"),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name="fk_bridge_posts_world_id_worlds", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_bridge_posts_account_id_accounts",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "voyages",
        sa.Column("ship_id", sa.BigInteger, nullable=False),
        sa.Column("world_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("from_system", sa.Integer, nullable=False),
        sa.Column("x", sa.Float, nullable=False),
        sa.Column("y", sa.Float, nullable=False),
        sa.Column("docked_at", sa.BigInteger, nullable=False),
        sa.Column("home_station", sa.BigInteger, nullable=False),
        sa.Column("home_system", sa.Integer, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("ship_id", name="pk_voyages"),
        sa.ForeignKeyConstraint(
            ["ship_id"], ["ships.id"], name="fk_voyages_ship_id_ships", ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("systems") as systems:
        systems.add_column(sa.Column("world_id", sa.Integer, nullable=False, server_default="1"))
        systems.create_index("ix_systems_world_id", ["world_id"])
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(
        counters,
        [
            {"name": "world_id", "value": 1},  # instances count up from 2
            {"name": "system_id", "value": 20_000},  # above the Heart's 10,000
            # above every ship id (they count up from 1 << 20), below the transient ids (3e9)
            {"name": "body_id", "value": (1 << 31) - 1},
        ],
    )
    seed = op.get_bind().scalar(sa.text("SELECT value FROM galaxy WHERE key = 'seed'"))
    op.bulk_insert(
        worlds,
        [
            {
                "id": 1, "name": "Infinity", "template": "infinity", "kind": "main",
                "visibility": "public", "owner_id": None, "seed": int(seed or 1), "rules": "{}",
                "created_at": time.time(), "closed_at": None,
            }
        ],
    )  # fmt: skip


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name IN ('world_id', 'system_id', 'body_id')")
    with op.batch_alter_table("systems") as systems:
        systems.drop_index("ix_systems_world_id")
        systems.drop_column("world_id")
    op.drop_table("voyages")
    op.drop_table("bridge_posts")
    op.drop_table("world_members")
    op.drop_table("worlds")
