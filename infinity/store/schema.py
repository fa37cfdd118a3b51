"""The one MetaData every package defines its tables on, and the shared id counters.

Each package owns its tables (`accounts/tables.py`, `universe/tables.py`,
`ledger/schema.py`, `economy/tables.py`, `company/archive.py`); this module
knows none of them. Timestamps are float unix seconds. Ids that must be
unique across restarts come from a named `counters` row taken inside the
inserting transaction (`store.sql.next_ids`), which works the same on SQLite
and PostgreSQL (no sequences, no AUTOINCREMENT tricks).

Migrations in `migrations/versions` are written out by hand and must match
the tables; a test compares them with every package's tables loaded.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

# An autoincrementing 64-bit key; SQLite only autoincrements a plain INTEGER primary key.
SerialId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),  # the last value handed out
)


ColumnType = sa.types.TypeEngine[Any] | type[sa.types.TypeEngine[Any]]


def required(type_: ColumnType, *names: str) -> list[sa.Column[Any]]:
    """NOT NULL columns of one type, in the order named: a run of like columns in one line."""
    return [sa.Column(name, type_, nullable=False) for name in names]


def reference(
    name: str,
    type_: ColumnType,
    target: str,
    *,
    ondelete: str | None = None,
    **options: Any,
) -> sa.Column[Any]:
    """A column holding a key of `target` ("table.column"): every package declares its
    foreign keys through this one line instead of a nested `sa.ForeignKey` block."""
    return sa.Column(name, type_, sa.ForeignKey(target, ondelete=ondelete), **options)
