"""Ledger tables: ledger_accounts, ledger_transfers, ledger_postings, ledger_actors.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("balance", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_ledger_accounts"),
        sa.CheckConstraint("balance >= 0 OR kind = 'mint'", name="ck_ledger_accounts_balance"),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actors", sa.Text, nullable=False),
        sa.Column("memo", sa.Text, nullable=False),
        sa.Column("body_hash", sa.String(32), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_transfers"),
        sa.UniqueConstraint("key", name="uq_ledger_transfers_key"),
    )
    op.create_table(
        "ledger_postings",
        sa.Column("transfer_id", sa.BigInteger, nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("transfer_id", "account", name="pk_ledger_postings"),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["ledger_transfers.id"],
            name="fk_ledger_postings_transfer_id_ledger_transfers",
        ),
        sa.ForeignKeyConstraint(
            ["account"],
            ["ledger_accounts.name"],
            name="fk_ledger_postings_account_ledger_accounts",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_ledger_postings_account_transfer_id", "ledger_postings", ["account", "transfer_id"]
    )
    op.create_table(
        "ledger_actors",
        sa.Column("transfer_id", sa.BigInteger, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("transfer_id", "role", name="pk_ledger_actors"),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["ledger_transfers.id"],
            name="fk_ledger_actors_transfer_id_ledger_transfers",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_ledger_actors_role_actor_id", "ledger_actors", ["role", "actor_id"])


def downgrade() -> None:
    for table in ("ledger_actors", "ledger_postings", "ledger_transfers", "ledger_accounts"):
        op.drop_table(table)
