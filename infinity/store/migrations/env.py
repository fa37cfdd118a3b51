"""Alembic environment, configured in code by `infinity.store.migrate`; no alembic.ini.

`Store.open` passes its own connection in `config.attributes["connection"]`, so
migrations run in-process inside the caller's event loop. Run from the alembic
command line (with `sqlalchemy.url` set), this opens an async engine itself.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from infinity.store.migrate import on_own_connection
from infinity.store.schema import metadata


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    shared = context.config.attributes.get("connection")
    if isinstance(shared, Connection):
        do_run_migrations(shared)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    asyncio.run(on_own_connection(url, do_run_migrations))


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
