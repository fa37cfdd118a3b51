"""`infinity.cluster.postgres`: a lasting server keeps its data across stops and starts
without a second initdb, and a throwaway one leaves nothing behind (docs/cluster.md "A
local cluster")."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from infinity.cluster.postgres import (
    PgServer,
    PostgresUnavailable,
    create_database,
    has_cluster,
    open_postgres,
    start_postgres,
)
from tests._ci import require_ci_or_skip


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder the `postgres` user can reach when the suite runs as root."""
    root = Path(tempfile.mkdtemp(prefix="infinity-pgdir-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def opened(root: Path) -> PgServer:
    try:
        return open_postgres(root, durable=False)
    except PostgresUnavailable as error:
        require_ci_or_skip(f"PostgreSQL unavailable: {error}")
        raise


async def query(server: PgServer, sql: str) -> object:
    """The first value of the last statement of `sql`."""
    connection = await asyncpg.connect(server.dsn("infinity"), timeout=5)
    try:
        *before, last = sql.split(";")
        for statement in before:
            await connection.execute(statement)
        return await connection.fetchval(last)
    finally:
        await connection.close()


def test_a_lasting_server_starts_again_on_its_data(folder: Path) -> None:
    root = folder / "pg"
    assert not has_cluster(root)
    server = opened(root)
    try:
        assert has_cluster(root)
        assert asyncio.run(create_database(server, "infinity"))
        assert not asyncio.run(create_database(server, "infinity"))  # made once
        asyncio.run(query(server, "CREATE TABLE ships (id int); INSERT INTO ships VALUES (7)"))
        made = (server.data / "PG_VERSION").stat().st_mtime_ns
    finally:
        server.stop()
    assert not server.running() and root.is_dir()  # a fast shutdown: the data stays

    again = opened(root)
    try:
        assert (again.data / "PG_VERSION").stat().st_mtime_ns == made  # no second initdb
        assert asyncio.run(query(again, "SELECT id FROM ships")) == 7
    finally:
        again.stop()


def test_a_throwaway_server_leaves_nothing() -> None:
    try:
        server = start_postgres(durable=False)
    except PostgresUnavailable as error:
        require_ci_or_skip(f"PostgreSQL unavailable: {error}")
        raise
    try:
        assert server.running() and server.data.is_dir()
    finally:
        server.stop()
    server.stop()  # twice is fine
    assert not server.root.exists()


def test_a_folder_its_user_cannot_reach_is_refused_plainly(folder: Path) -> None:
    """As root the server runs as `postgres`: a parent closed to others is named."""
    if os.geteuid() != 0:
        pytest.skip("only root hands the server to another user")
    closed = folder / "closed"
    closed.mkdir(mode=0o700)
    with pytest.raises(PostgresUnavailable, match="cannot write"):
        open_postgres(closed / "pg")
