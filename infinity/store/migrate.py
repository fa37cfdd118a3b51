"""Alembic, configured in code: migrations ship inside the package, no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

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


def _escaped(value: str) -> str:
    # Config options go through configparser interpolation, where '%' is special.
    return value.replace("%", "%%")
