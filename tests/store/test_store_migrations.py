from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

# Every package's tables, so `metadata` holds all that the migrations create.
from infinity.accounts import tables as _accounts  # noqa: F401
from infinity.accounts.registry import Registry
from infinity.audit import tables as _audit  # noqa: F401
from infinity.company import archive as _minds  # noqa: F401
from infinity.economy import tables as _economy  # noqa: F401
from infinity.ledger import schema as _ledger  # noqa: F401
from infinity.minds import tables as _transfers  # noqa: F401
from infinity.store.migrate import alembic_config, on_own_connection
from infinity.store.schema import metadata
from infinity.store.store import Store, sqlite_url
from infinity.universe import tables as _universe  # noqa: F401
from infinity.worlds import tables as _worlds  # noqa: F401

TABLES = set(metadata.tables)  # every package's tables, on the one MetaData
HEAD = "0013"


def sqlite_tables(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


async def upgrade_to(url: str, revision: str) -> None:
    """A store made by the migrations up to `revision` only: an older server's."""

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    await on_own_connection(url, upgrade)


def migration_drift(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def test_fresh_file_gets_every_table(tmp_path: Path) -> None:
    store = await Store.open(sqlite_url(tmp_path))
    await store.close()
    assert sqlite_tables(tmp_path / "infinity.db") == TABLES | {"alembic_version"}


async def test_reopening_migrates_nothing_and_keeps_data(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = await Store.open(url)
    await Registry(store.engine).create_account("Vega", "hash", "player")
    await store.close()
    store = await Store.open(url)
    try:
        assert await Registry(store.engine).account_by_name("vega") is not None
    finally:
        await store.close()
    with closing(sqlite3.connect(tmp_path / "infinity.db")) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


async def test_migrations_match_schema(store: Store) -> None:
    async with store.engine.connect() as connection:
        assert await connection.run_sync(migration_drift) == []


async def test_sqlite_runs_in_wal_with_foreign_keys(store: Store) -> None:
    async with store.engine.connect() as connection:
        pragmas = {
            name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1}  # 1: NORMAL


async def test_0008_gives_the_crews_ships_their_own_role(tmp_path: Path) -> None:
    """A store from before 0008: a crew's ship and an agent's ship were "trader"s; a real
    trader and a player's ship (a recruit aboard) keep their roles."""
    url = sqlite_url(tmp_path)

    await upgrade_to(url, "0007")
    ship = "INSERT INTO ships VALUES ({id}, {account}, '{name}', '{role}', 1, 0, 0, 0, 0, 0, 100, 100, 100, 0, 4, 100, -1, 1, 1, 0)"  # fmt: skip
    with closing(sqlite3.connect(tmp_path / "infinity.db")) as connection:
        connection.execute("INSERT INTO accounts (id, name, name_key, password_hash, role, created_at) VALUES (1, 'Vega', 'vega', 'x', 'player', 0)")  # fmt: skip
        for row in ((10, "NULL", "Kestrel", "trader"), (11, "NULL", "Trader X", "trader"), (12, "NULL", "Loner", "trader"), (13, 1, "Vega", "player")):  # fmt: skip
            connection.execute(ship.format(id=row[0], account=row[1], name=row[2], role=row[3]))
        connection.execute("INSERT INTO crews VALUES (1, 'Crew of the Kestrel', 10, 'Zore', 1, NULL, -1, 0)")  # fmt: skip
        for agent, on in ((1, 10), (2, 12), (3, 13)):
            connection.execute(f"INSERT INTO agents VALUES ({agent}, 'ACGT', 'A{agent}', '{{}}', 0, '[]', '{{}}', {on}, NULL, NULL, 1, NULL, NULL, 'hashed', 0)")  # fmt: skip
        connection.commit()
    store = await Store.open(url)
    await store.close()
    with closing(sqlite3.connect(tmp_path / "infinity.db")) as connection:
        roles = dict(connection.execute("SELECT name, role FROM ships").fetchall())
    assert roles == {"Kestrel": "crew", "Trader X": "trader", "Loner": "crew", "Vega": "player"}


async def test_0009_puts_everything_that_exists_in_the_main_world(tmp_path: Path) -> None:
    """A store from before 0009: its systems become world 1's, and world 1 is the main
    world of the `infinity` template with the stored galaxy's seed."""
    url = sqlite_url(tmp_path)

    await upgrade_to(url, "0008")
    with closing(sqlite3.connect(tmp_path / "infinity.db")) as connection:
        connection.execute("INSERT INTO galaxy VALUES ('seed', '42')")
        for system in (1, 2, 10000):
            connection.execute(f"INSERT INTO systems VALUES ({system}, 'S{system}', 0, 0)")
        connection.commit()
    store = await Store.open(url)
    await store.close()
    with closing(sqlite3.connect(tmp_path / "infinity.db")) as connection:
        worlds = connection.execute("SELECT id, template, kind, visibility, seed FROM worlds")
        assert worlds.fetchall() == [(1, "infinity", "main", "public", 42)]
        homes = connection.execute("SELECT id, world_id FROM systems ORDER BY id").fetchall()
        assert homes == [(1, 1), (2, 1), (10000, 1)]
        counters = dict(connection.execute("SELECT name, value FROM counters").fetchall())
        assert counters["world_id"] == 1 and counters["system_id"] == 20_000
