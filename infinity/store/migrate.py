"""Alembic, configured in code: migrations ship inside the package, no alembic.ini needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """A Config pointing at the packaged migrations; `url` only for running outside a Store."""
    config = Config()
    config.set_main_option("script_location", _escaped(str(MIGRATIONS)))
    if url is not None:
        config.set_main_option("sqlalchemy.url", _escaped(url))
    return config


def upgrade(connection: Connection) -> None:
    """Bring the database behind `connection` to the newest revision, in its transaction."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_url(url: str) -> None:
    """`upgrade` the database at `url`, for a process that opens it without a `Store`."""
    await on_own_connection(url, upgrade)


async def on_own_connection(url: str, work: Callable[[Connection], object]) -> None:
    """Run `work` in one transaction on a connection of its own to `url`: the engine keeps
    no pool, and is disposed of when `work` is done."""
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(work)
    finally:
        await engine.dispose()


def _escaped(value: str) -> str:
    # Config options go through configparser interpolation, where '%' is special.
    return value.replace("%", "%%")
