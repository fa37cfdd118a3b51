"""The hangar: every ship's stored record, written when built and on each snapshot."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.sim.zone import ShipState
from infinity.store.sql import first, next_ids, record_of, row_of
from infinity.universe.records import SHIP_ROLES, SavedShip
from infinity.universe.tables import SHIP_COUNTER, ships

# Something else to write in a snapshot's own transaction (the economy's delivered trades).
AlsoWrite = Callable[[AsyncConnection], Awaitable[None]]

# `ShipState.account` is stored as `account_id`; every other field under its own name.
_SHIP_COLUMNS: Final = {"account": "account_id"}
# What a snapshot rewrites: all but ownership and role, which are fixed at creation.
_SNAPSHOT_COLUMNS: Final = tuple(
    column.name for column in ships.columns if column.name not in ("id", "account_id", "role")
)
# Bind names must differ from column names in an UPDATE's SET clause.
_SAVE_SHIP = (
    sa.update(ships)
    .where(ships.c.id == sa.bindparam("b_id"))
    .values({column: sa.bindparam(f"b_{column}") for column in _SNAPSHOT_COLUMNS})
)


class AlreadyHasShip(Exception):
    """A player account may fly only one ship at a time."""

    def __init__(self, account_id: int) -> None:
        super().__init__(f"account {account_id} already has a ship")
        self.account_id = account_id


class Hangar:
    """Reads and writes ships; a snapshot is one transaction and one executemany."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_ship(
        self,
        *,
        name: str,
        account_id: int | None,
        role: str,
        system_id: int,
        home_station: int,
        home_system: int,
        docked_at: int,
        x: float = 0.0,
        y: float = 0.0,
        heading: float = 0.0,
    ) -> int:
        """Add a ship with fresh hull, shields and stores; returns its id (>= FIRST_SHIP_ID).

        Raises `AlreadyHasShip` if `account_id` already flies one.
        """
        if role not in SHIP_ROLES:
            raise ValueError(f"unknown ship role {role!r}")
        try:
            async with self.engine.begin() as connection:
                ship_id = await next_ids(connection, SHIP_COUNTER)
                state = ShipState(
                    ship_id,
                    name,
                    account_id,
                    home_station,
                    home_system,
                    x,
                    y,
                    heading=heading,
                    docked_at=docked_at,
                )
                row = _ship_row(system_id, state, time.time())
                await connection.execute(sa.insert(ships), row | {"role": role})
        except IntegrityError as error:
            if account_id is not None and await self.ship_of_account(account_id) is not None:
                raise AlreadyHasShip(account_id) from error
            raise
        return ship_id

    async def save_ships(
        self, rows: list[tuple[int, ShipState]], also: AlsoWrite | None = None
    ) -> None:
        """Snapshot ships as (system id, state), in one transaction and one executemany.

        `also` writes in the same transaction what must agree with these states (the
        purchases whose goods they hold), so a restart never sees one without the other.
        Ownership (`account`) and role are fixed at creation and are not rewritten.
        """
        if not rows and also is None:
            return
        now = time.time()
        params = [_save_params(system_id, state, now) for system_id, state in rows]
        async with self.engine.begin() as connection:
            if params:
                await connection.execute(_SAVE_SHIP, params)
            if also is not None:
                await also(connection)

    async def load_ships(self) -> list[SavedShip]:
        """Every ship, players' and NPCs', in id order."""
        async with self.engine.connect() as connection:
            result = await connection.execute(sa.select(ships).order_by(ships.c.id))
        return [_saved_ship(row) for row in result]

    async def ship_of_account(self, account_id: int) -> SavedShip | None:
        row = await first(self.engine, sa.select(ships).where(ships.c.account_id == account_id))
        return None if row is None else _saved_ship(row)


def _ship_row(system_id: int, state: ShipState, now: float) -> dict[str, Any]:
    """Every column of a ship's row but its role."""
    return row_of(state, _SHIP_COLUMNS, system_id=system_id, updated_at=now)


def _save_params(system_id: int, state: ShipState, now: float) -> dict[str, Any]:
    row = _ship_row(system_id, state, now)
    params = {f"b_{column}": row[column] for column in _SNAPSHOT_COLUMNS}
    params["b_id"] = state.id
    return params


def _saved_ship(row: sa.Row[Any]) -> SavedShip:
    state = record_of(ShipState, row, _SHIP_COLUMNS)
    return SavedShip(system_id=row.system_id, role=row.role, state=state)
