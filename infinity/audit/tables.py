"""The audit log's one table. The database itself refuses UPDATE and DELETE on it
(triggers in migration 0006; on PostgreSQL also revoked privileges)."""

from __future__ import annotations

import sqlalchemy as sa

from infinity.store.schema import metadata

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),  # 1, 2, 3, ...
    sa.Column("at", sa.Float, nullable=False),  # wall clock, unix seconds
    sa.Column("actor", sa.Integer, nullable=True),  # account id; NULL for the engine itself
    sa.Column("actor_name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("verb", sa.String(32), nullable=False),
    sa.Column("target", sa.String(128), nullable=False),
    sa.Column("args", sa.Text, nullable=False),  # canonical JSON
    sa.Column("result", sa.String(16), nullable=False),  # done | refused
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("zone", sa.Integer, nullable=True),
    sa.Column("world", sa.Integer, nullable=False),
    sa.Column("ledger_key", sa.String(128), nullable=True),  # the transfer this act moved
    sa.Column("prev", sa.String(64), nullable=False),  # hash of entry seq-1 (GENESIS for 1)
    sa.Column("hash", sa.String(64), nullable=False),
)
