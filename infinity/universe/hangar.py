"""The hangar: every ship's stored record, written when built and on each snapshot."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.sim.zone import SHIP_COLUMNS, ShipState
from infinity.store.sql import first, next_ids, record_of, row_of
from infinity.universe.records import SHIP_ROLES, SavedShip
from infinity.universe.tables import SHIP_COUNTER, ships

# Something else to write in a snapshot's own transaction (the economy's delivered trades).
AlsoWrite = Callable[[AsyncConnection], Awaitable[None]]

# `ShipState.account` is stored as `account_id`; every other field under its own name.
_SHIP_COLUMNS: Final = {"account": "account_id"}
# What a snapshot rewrites: where a ship is and its changing state. Name, home, owner and
# role are fixed at creation.
_MOTION: Final = ("system_id", *SHIP_COLUMNS, "updated_at")
_INTEGERS: Final = frozenset({"system_id", "torpedoes", "docked_at"})
# Bind names must differ from column names in an UPDATE's SET clause.
_SAVE_MOTION = (
    sa.update(ships)
    .where(ships.c.id == sa.bindparam("b_id"))
    .values({column: sa.bindparam(f"b_{column}") for column in _MOTION})
)
CHUNK: Final = 500  # rows per executemany: the loop gets a turn between chunks


@dataclass(frozen=True, slots=True)
class Motion:
    """Ships to snapshot, as columns: ids, the system each is in, and `SHIP_COLUMNS` values.

    Built from a zone's arrays (`Zone.ship_columns`) without a Python loop per ship,
    so a snapshot of thousands of ships never holds the event loop for long.
    """

    ids: npt.NDArray[np.int64]
    systems: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]  # (len(ids), len(SHIP_COLUMNS))

    @classmethod
    def of_states(cls, rows: Sequence[tuple[int, ShipState]]) -> Motion:
        """The few ships known only as records (tests, ships between zones)."""
        values = [[float(getattr(s, c)) for c in SHIP_COLUMNS] for _, s in rows]
        return cls(
            np.array([s.id for _, s in rows], dtype=np.int64),
            np.array([system for system, _ in rows], dtype=np.int64),
            np.array(values, dtype=np.float64).reshape(len(rows), len(SHIP_COLUMNS)),
        )

    @classmethod
    def join(cls, parts: Sequence[Motion]) -> Motion:
        if not parts:
            return cls.of_states(())
        return cls(
            np.concatenate([p.ids for p in parts]),
            np.concatenate([p.systems for p in parts]),
            np.concatenate([p.values for p in parts]),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, rows: slice) -> Motion:
        return Motion(self.ids[rows], self.systems[rows], self.values[rows])

    def params(self, order: Sequence[str], now: float) -> list[tuple[Any, ...]]:
        """Positional parameters for `_SAVE_MOTION`, bind names in `order`: one tuple a ship."""
        size = len(self.ids)
        columns: dict[str, list[Any]] = {"b_id": self.ids.tolist()}
        columns["b_system_id"] = self.systems.tolist()
        columns["b_updated_at"] = [now] * size
        for k, name in enumerate(SHIP_COLUMNS):
            column = self.values[:, k]
            column = column.astype(np.int64) if name in _INTEGERS else column
            columns[f"b_{name}"] = column.tolist()
        return list(zip(*(columns[bind] for bind in order), strict=True))


class AlreadyHasShip(Exception):
    """A player account may fly only one ship at a time."""

    def __init__(self, account_id: int) -> None:
        super().__init__(f"account {account_id} already has a ship")
        self.account_id = account_id


async def _add_ship(connection: AsyncConnection, row: Callable[[int], dict[str, Any]]) -> int:
    """Insert a ship's row under a fresh id: the id."""
    ship_id = await next_ids(connection, SHIP_COUNTER)
    await connection.execute(sa.insert(ships), row(ship_id))
    return ship_id


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
        within: AsyncConnection | None = None,
    ) -> int:
        """Add a ship with fresh hull, shields and stores; returns its id (>= FIRST_SHIP_ID).

        Raises `AlreadyHasShip` if `account_id` already flies one. `within`: inside that
        transaction (a world's, for its flagship), which then commits or fails with it, and
        whose caller sees a conflict as the driver's `IntegrityError`.
        """
        if role not in SHIP_ROLES:
            raise ValueError(f"unknown ship role {role!r}")

        def row(ship_id: int) -> dict[str, Any]:
            state = ShipState(
                ship_id, name, account_id, home_station, home_system, x, y,
                heading=heading, docked_at=docked_at,
            )  # fmt: skip
            return _ship_row(system_id, state, time.time()) | {"role": role}

        if within is not None:
            return await _add_ship(within, row)
        try:
            async with self.engine.begin() as connection:
                return await _add_ship(connection, row)
        except IntegrityError as error:
            if account_id is not None and await self.ship_of_account(account_id) is not None:
                raise AlreadyHasShip(account_id) from error
            raise

    async def save_ships(
        self, rows: Sequence[tuple[int, ShipState]], also: AlsoWrite | None = None
    ) -> None:
        """Snapshot ships given as (system id, state); see `save_motion`."""
        await self.save_motion(Motion.of_states(rows), also)

    async def save_motion(self, motion: Motion, also: AlsoWrite | None = None) -> None:
        """Rewrite where ships are and their changing state, in one transaction.

        `also` writes in the same transaction what must agree with these states (the
        purchases whose goods they hold), so a restart never sees one without the other.
        Rows go in chunks of positional parameters straight to the driver, so the event
        loop is never held by thousands of rows at once.
        """
        if not len(motion) and also is None:
            return
        async with self.engine.begin() as connection:
            if len(motion):
                compiled = _SAVE_MOTION.compile(dialect=connection.dialect)
                order = compiled.positiontup or ()
                sql, now = str(compiled), time.time()
                for start in range(0, len(motion), CHUNK):  # params built a chunk at a time too
                    chunk = motion[start : start + CHUNK]
                    await connection.exec_driver_sql(sql, chunk.params(order, now))
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

    async def ship(self, ship_id: int) -> SavedShip | None:
        row = await first(self.engine, sa.select(ships).where(ships.c.id == ship_id))
        return None if row is None else _saved_ship(row)


def _ship_row(system_id: int, state: ShipState, now: float) -> dict[str, Any]:
    """Every column of a ship's row but its role."""
    return row_of(state, _SHIP_COLUMNS, system_id=system_id, updated_at=now)


def _saved_ship(row: sa.Row[Any]) -> SavedShip:
    state = record_of(ShipState, row, _SHIP_COLUMNS)
    return SavedShip(system_id=row.system_id, role=row.role, state=state)
