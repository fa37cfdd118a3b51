"""The tables, as SQLAlchemy Core. Portable across SQLite and PostgreSQL.

Timestamps are float unix seconds. Ship ids start at `FIRST_SHIP_ID` so they
never collide with body ids; they are handed out from the `counters` row
named `SHIP_COUNTER` inside the inserting transaction, which works the same
on both databases (no sequences, no AUTOINCREMENT tricks).

Migrations in `migrations/versions` are written out by hand and must match
this file; a test compares them.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

FIRST_SHIP_ID: Final = 1 << 20
SHIP_COUNTER: Final = "ship_id"

# An autoincrementing 64-bit key; SQLite only autoincrements a plain INTEGER primary key.
_SerialId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

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
    sa.Column(
        "account_id",
        sa.Integer,
        sa.ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)

galaxy = sa.Table(
    "galaxy",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

systems = sa.Table(
    "systems",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("x", sa.Float, nullable=False),
    sa.Column("y", sa.Float, nullable=False),
)

bodies = sa.Table(
    "bodies",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column(
        "system_id",
        sa.Integer,
        sa.ForeignKey("systems.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("seq", sa.Integer, nullable=False),  # order within its system, kept on reload
    sa.Column("kind", sa.Integer, nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("x", sa.Float, nullable=False),
    sa.Column("y", sa.Float, nullable=False),
    sa.Column("ore", sa.Float, nullable=False),
    sa.Column("leads_to", sa.Integer, nullable=False),
    sa.Column("dest_gate", sa.BigInteger, nullable=False),
)

ships = sa.Table(
    "ships",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column(
        "account_id",
        sa.Integer,
        sa.ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=True,  # NULL for NPC ships
        unique=True,  # one ship per player account
    ),
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
    sa.Column("fuel", sa.Float, nullable=False, server_default="100"),  # since 0004
    sa.Column("docked_at", sa.BigInteger, nullable=False),
    sa.Column("home_station", sa.BigInteger, nullable=False),
    sa.Column("home_system", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

chat = sa.Table(
    "chat",
    metadata,
    sa.Column("id", _SerialId, primary_key=True, autoincrement=True),
    sa.Column("system_id", sa.Integer, nullable=False),
    sa.Column("ship_id", sa.BigInteger, nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("ix_chat_system_id_id", "system_id", "id"),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),  # the last value handed out
)

from infinity.ledger import schema as _ledger_schema  # noqa: E402, F401  (its tables, on `metadata`)
from infinity.store import economy as _economy  # noqa: E402, F401  (its tables, on `metadata`)
from infinity.store import minds as _minds  # noqa: E402, F401  (its tables, on `metadata`)
