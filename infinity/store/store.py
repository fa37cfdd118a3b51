"""The store: one SQLAlchemy engine (SQLite or PostgreSQL), migrated when opened.

It holds no tables and knows no domain: every package keeps its own tables on
`schema.metadata` and its own repository over `Store.engine` (accounts'
`Registry`, the universe's `Charts`, `Hangar` and `ChatLog`, the economy's
journal and boards, the company's mind archive, the ledger's backends).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from infinity.store.migrate import upgrade


def sqlite_url(data_dir: Path) -> str:
    """The default database: one SQLite file in the server's data directory (created here)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{(data_dir / 'infinity.db').resolve()}"


class Store:
    """An open, migrated database: the engine every repository is built on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect and migrate to the newest schema, so callers never see an old one."""
        engine = create_async_engine(url)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine.sync_engine, "connect", _tune_sqlite)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(upgrade)
        except BaseException:
            await engine.dispose()
            raise
        _owner_only(engine)
        return cls(engine)

    @classmethod
    @contextlib.asynccontextmanager
    async def opened(cls, url: str) -> AsyncIterator[Store]:
        """`open`, then `close` however the block ends: a command that uses the store once."""
        store = await cls.open(url)
        try:
            yield store
        finally:
            await store.close()

    async def close(self) -> None:
        """Close every pooled connection (unclosed ones warn, and warnings are errors)."""
        await self.engine.dispose()


def _tune_sqlite(dbapi_connection: Any, _record: object) -> None:
    """WAL lets readers run beside the flusher; foreign keys are off in SQLite by default."""
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _owner_only(engine: AsyncEngine) -> None:
    """A SQLite file holds password hashes and the books: readable by its owner only."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return
    for suffix in ("", "-wal", "-shm"):
        with_suffix = Path(path + suffix)
        if with_suffix.exists():
            os.chmod(with_suffix, 0o600)
