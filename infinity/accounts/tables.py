"""The accounts' tables: logins, and sessions (only a token's SHA-256 is stored)."""

from __future__ import annotations

import sqlalchemy as sa

from infinity.store.schema import metadata, reference

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("name_key", sa.String(64), nullable=False, unique=True),  # lower(name)
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 hex of the token
    reference(
        "account_id", sa.Integer, "accounts.id", ondelete="CASCADE", nullable=False, index=True
    ),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)

sanctions = sa.Table(
    "sanctions",
    metadata,
    reference("account_id", sa.Integer, "accounts.id", ondelete="CASCADE", nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # "mute" or "ban"
    sa.Column("until", sa.Float, nullable=False),  # unix seconds; it ends then
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("by_account", sa.Integer, nullable=True),  # the operator who imposed it
    sa.Column("at", sa.Float, nullable=False),
    sa.PrimaryKeyConstraint("account_id", "kind"),
)
