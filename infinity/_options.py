"""The options of every CLI command that opens a stored universe, and the URL they name.

One definition, so `--data` and `--db` read the same and refuse a missing universe alike
in every command (instead of `sqlite_url` making an empty database where none was).
"""

from pathlib import Path
from typing import Annotated

import typer

from infinity.store.store import sqlite_url

DataOption = Annotated[Path, typer.Option(help="Folder holding the SQLite file.")]
DbOption = Annotated[str | None, typer.Option(help="Database URL instead of --data.")]


def universe_url(data: Path, db: str | None) -> str:
    """`--db`, or the SQLite file in `--data` if a universe is there; else a usage error
    (exit status 2)."""
    if db is not None:
        return db
    if not (data / "infinity.db").exists():
        raise typer.BadParameter(f"no universe in {data} (use --data or --db)")
    return sqlite_url(data)
