"""Small SQL steps every package's repository shares: one row, many rows, counted ids,
and a dataclass record to a row and back.

`row_of` and `record_of` convert by the record's fields, so a converter never lists
every column by hand and a new field cannot be forgotten on one side of it. A table's
column takes the field's name unless the repository renames it (`ship` -> `ship_id`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.store.schema import counters

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")
SAME_NAMES: Final[Mapping[str, str]] = {}  # every field in the column of its own name


async def first(engine: AsyncEngine, query: sa.Select[Any]) -> sa.Row[Any] | None:
    """The query's first row, or None, on a connection of its own."""
    async with engine.connect() as connection:
        result = await connection.execute(query)
        row: sa.Row[Any] | None = result.first()
    return row


async def insert_many(
    connection: AsyncConnection, table: sa.Table, rows: Iterable[dict[str, Any]]
) -> None:
    """One executemany for all `rows`; nothing at all when there are none."""
    params = list(rows)
    if params:
        await connection.execute(sa.insert(table), params)


async def next_ids(connection: AsyncConnection, counter: str, count: int = 1) -> int:
    """Take `count` ids from the named counter; returns the last. The UPDATE locks the
    row until commit, so two writers never share an id on SQLite or PostgreSQL."""
    this_counter = counters.c.name == counter
    await connection.execute(
        sa.update(counters).where(this_counter).values(value=counters.c.value + count)
    )
    result = await connection.execute(sa.select(counters.c.value).where(this_counter))
    return int(result.scalar_one())


@cache
def field_names(kind: type[DataclassInstance]) -> tuple[str, ...]:
    """A dataclass's field names in order (cached: converters run per row)."""
    return tuple(field.name for field in dataclasses.fields(kind))


def row_of(
    record: DataclassInstance, columns: Mapping[str, str] = SAME_NAMES, /, **values: Any
) -> dict[str, Any]:
    """A table row from a record: each field under its column (`columns` maps the renamed
    ones), then `values` for columns the record lacks or stores otherwise (JSON, times)."""
    row = {columns.get(name, name): getattr(record, name) for name in field_names(type(record))}
    row.update(values)
    return row


def record_of(
    cls: type[Record], row: sa.Row[Any], columns: Mapping[str, str] = SAME_NAMES, /, **values: Any
) -> Record:
    """A `cls` record from a row: each field from its column (`columns` maps the renamed
    ones), except the fields in `values`, read otherwise by the caller (decoded, typed)."""
    found = {
        name: getattr(row, columns.get(name, name))
        for name in field_names(cls)
        if name not in values
    }
    return cls(**found, **values)
