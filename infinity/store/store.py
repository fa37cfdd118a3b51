"""The store: async reads and writes of accounts, sessions, galaxy, ships and chat.

Only this package knows SQL. Every method takes and returns domain values
(`Galaxy`, `ShipState`, records from `records.py`), converted by hand. Bulk
writes (`save_ships`, `save_ore`, `add_chat`) are one transaction and one
executemany, because the flusher calls them every few seconds for thousands
of rows.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.kinds import Kind
from infinity.sim.zone import ShipState, StaticBody
from infinity.store.economy import deliveries
from infinity.store.errors import AlreadyHasShip, NameTaken
from infinity.store.migrate import upgrade
from infinity.store.records import ROLES, SHIP_ROLES, Account, ChatLine, SavedShip
from infinity.store.schema import (
    SHIP_COUNTER,
    accounts,
    bodies,
    chat,
    counters,
    galaxy,
    ships,
    systems,
)
from infinity.store.schema import sessions as sessions_table

_SHIP_STATE_COLUMNS = (
    "name", "system_id", "x", "y", "vx", "vy", "heading", "hull", "shield", "energy",
    "cargo", "torpedoes", "fuel", "docked_at", "home_station", "home_system", "updated_at",
)  # fmt: skip
# Bind names must differ from column names in an UPDATE's SET clause.
_SAVE_SHIP = (
    sa.update(ships)
    .where(ships.c.id == sa.bindparam("b_id"))
    .values({column: sa.bindparam(f"b_{column}") for column in _SHIP_STATE_COLUMNS})
)
_SAVE_ORE = (
    sa.update(bodies).where(bodies.c.id == sa.bindparam("b_id")).values(ore=sa.bindparam("b_ore"))
)
_ACCOUNT_COLUMNS = (accounts.c.id, accounts.c.name, accounts.c.role, accounts.c.created_at)


def sqlite_url(data_dir: Path) -> str:
    """The default database: one SQLite file in the server's data directory (created here)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{(data_dir / 'infinity.db').resolve()}"


class Store:
    """Async persistence over one SQLAlchemy engine (SQLite or PostgreSQL)."""

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
        return cls(engine)

    async def close(self) -> None:
        """Close every pooled connection (unclosed ones warn, and warnings are errors)."""
        await self.engine.dispose()

    # -- accounts -------------------------------------------------------------

    async def create_account(self, name: str, password_hash: str, role: str) -> Account:
        """Add an account; `NameTaken` if the name exists in any letter case."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        now = time.time()
        row = {
            "name": name,
            "name_key": name.lower(),
            "password_hash": password_hash,
            "role": role,
            "created_at": now,
        }
        try:
            async with self.engine.begin() as connection:
                query = sa.insert(accounts).returning(accounts.c.id)
                account_id = int((await connection.execute(query, row)).scalar_one())
        except IntegrityError as error:
            raise NameTaken(name) from error
        return Account(id=account_id, name=name, role=role, created_at=now)

    async def account(self, account_id: int) -> Account | None:
        query = sa.select(*_ACCOUNT_COLUMNS).where(accounts.c.id == account_id)
        row = await self._first(query)
        return None if row is None else _account(row)

    async def account_by_name(self, name: str) -> Account | None:
        """Look an account up by name, ignoring letter case."""
        query = sa.select(*_ACCOUNT_COLUMNS).where(accounts.c.name_key == name.lower())
        row = await self._first(query)
        return None if row is None else _account(row)

    async def credentials(self, name: str) -> tuple[Account, str] | None:
        """An account and its password hash, for checking a login; None if no such name."""
        query = sa.select(*_ACCOUNT_COLUMNS, accounts.c.password_hash).where(
            accounts.c.name_key == name.lower()
        )
        row = await self._first(query)
        return None if row is None else (_account(row), str(row.password_hash))

    async def set_password_hash(self, account_id: int, password_hash: str) -> None:
        """Replace a hash, e.g. when it was made with weaker parameters than today's."""
        query = (
            sa.update(accounts)
            .where(accounts.c.id == account_id)
            .values(password_hash=password_hash)
        )
        async with self.engine.begin() as connection:
            await connection.execute(query)

    async def set_role(self, account_id: int, role: str) -> None:
        """Make an account a player or an operator."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        query = sa.update(accounts).where(accounts.c.id == account_id).values(role=role)
        async with self.engine.begin() as connection:
            await connection.execute(query)

    # -- sessions -------------------------------------------------------------

    async def create_session(self, account_id: int, token_hash: str, expires_at: float) -> None:
        row = {
            "token_hash": token_hash,
            "account_id": account_id,
            "created_at": time.time(),
            "expires_at": expires_at,
        }
        async with self.engine.begin() as connection:
            await connection.execute(sa.insert(sessions_table), row)

    async def session_account(self, token_hash: str, now: float) -> Account | None:
        """The account a session belongs to; None if the session is unknown or expired."""
        query = (
            sa.select(*_ACCOUNT_COLUMNS)
            .join(sessions_table, sessions_table.c.account_id == accounts.c.id)
            .where(sessions_table.c.token_hash == token_hash)
            .where(sessions_table.c.expires_at > now)
        )
        row = await self._first(query)
        return None if row is None else _account(row)

    async def delete_session(self, token_hash: str) -> None:
        query = sa.delete(sessions_table).where(sessions_table.c.token_hash == token_hash)
        async with self.engine.begin() as connection:
            await connection.execute(query)

    async def purge_sessions(self, now: float) -> int:
        """Delete expired sessions; returns how many went."""
        query = sa.delete(sessions_table).where(sessions_table.c.expires_at <= now)
        async with self.engine.begin() as connection:
            result = await connection.execute(query)
        return int(result.rowcount)

    # -- galaxy ---------------------------------------------------------------

    async def save_galaxy(self, world: Galaxy) -> None:
        """Replace the stored galaxy with `world`, all or nothing."""
        async with self.engine.begin() as connection:
            await connection.execute(sa.delete(bodies))
            await connection.execute(sa.delete(systems))
            await connection.execute(sa.delete(galaxy).where(galaxy.c.key == "seed"))
            await connection.execute(sa.insert(galaxy), {"key": "seed", "value": str(world.seed)})
            await _insert_many(connection, systems, map(_system_row, world.systems))
            body_rows = (
                _body_row(system.id, seq, body)
                for system in world.systems
                for seq, body in enumerate(system.bodies)
            )
            await _insert_many(connection, bodies, body_rows)

    async def load_galaxy(self) -> Galaxy | None:
        """The stored galaxy, with today's ore levels; None before the first save."""
        async with self.engine.connect() as connection:
            seed = await connection.scalar(sa.select(galaxy.c.value).where(galaxy.c.key == "seed"))
            if seed is None:
                return None
            system_rows = await connection.execute(sa.select(systems).order_by(systems.c.id))
            body_rows = await connection.execute(
                sa.select(bodies).order_by(bodies.c.system_id, bodies.c.seq)
            )
        grouped: dict[int, list[StaticBody]] = {}
        for row in body_rows:
            grouped.setdefault(row.system_id, []).append(_static_body(row))
        built = tuple(
            StarSystem(row.id, row.name, row.x, row.y, tuple(grouped.get(row.id, ())))
            for row in system_rows
        )
        return Galaxy(int(seed), built)

    async def save_ore(self, levels: dict[int, float]) -> None:
        """Write asteroid ore levels (body id -> ore) in one executemany."""
        if not levels:
            return
        params = [{"b_id": body_id, "b_ore": ore} for body_id, ore in levels.items()]
        async with self.engine.begin() as connection:
            await connection.execute(_SAVE_ORE, params)

    async def save_clocks(self, ticks: dict[int, int]) -> None:
        """Each zone's tick count (system id -> ticks); its simulated time is ticks x the step."""
        rows = [{"key": f"clock:{system}", "value": str(tick)} for system, tick in ticks.items()]
        if not rows:
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.delete(galaxy).where(galaxy.c.key.in_([r["key"] for r in rows]))
            )
            await connection.execute(sa.insert(galaxy), rows)

    async def load_clocks(self) -> dict[int, int]:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                sa.select(galaxy.c.key, galaxy.c.value).where(galaxy.c.key.like("clock:%"))
            )
            return {int(key.removeprefix("clock:")): int(value) for key, value in found}

    # -- ships ----------------------------------------------------------------

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
                ship_id = await _next_ship_id(connection)
                state = ShipState(
                    id=ship_id,
                    name=name,
                    account=account_id,
                    home_station=home_station,
                    home_system=home_system,
                    x=x,
                    y=y,
                    heading=heading,
                    docked_at=docked_at,
                )
                row = _ship_row(system_id, state, time.time())
                row |= {"id": ship_id, "account_id": account_id, "role": role}
                await connection.execute(sa.insert(ships), row)
        except IntegrityError as error:
            if account_id is not None and await self.ship_of_account(account_id) is not None:
                raise AlreadyHasShip(account_id) from error
            raise
        return ship_id

    async def save_ships(
        self, rows: list[tuple[int, ShipState]], delivered: Collection[str] = ()
    ) -> None:
        """Snapshot ships as (system id, state), in one transaction and one executemany.

        `delivered` are purchase keys whose goods these states hold: they are marked
        delivered in the same transaction, so a restart never grants them twice or not at all.
        Ownership (`account`) and role are fixed at creation and are not rewritten.
        """
        if not rows and not delivered:
            return
        now = time.time()
        params = [_save_params(system_id, state, now) for system_id, state in rows]
        async with self.engine.begin() as connection:
            if params:
                await connection.execute(_SAVE_SHIP, params)
            if delivered:
                await connection.execute(
                    sa.update(deliveries)
                    .where(deliveries.c.key.in_(list(delivered)))
                    .values(status="delivered")
                )

    async def load_ships(self) -> list[SavedShip]:
        """Every ship, players' and NPCs', in id order."""
        async with self.engine.connect() as connection:
            result = await connection.execute(sa.select(ships).order_by(ships.c.id))
        return [_saved_ship(row) for row in result]

    async def ship_of_account(self, account_id: int) -> SavedShip | None:
        row = await self._first(sa.select(ships).where(ships.c.account_id == account_id))
        return None if row is None else _saved_ship(row)

    # -- chat -----------------------------------------------------------------

    async def add_chat(self, messages: list[ChatLine]) -> None:
        """Append chat lines in order, in one statement."""
        async with self.engine.begin() as connection:
            await _insert_many(connection, chat, map(_chat_row, messages))

    async def recent_chat(self, system_id: int, limit: int = 20) -> list[ChatLine]:
        """The last `limit` lines said in a system, oldest first."""
        query = (
            sa.select(chat)
            .where(chat.c.system_id == system_id)
            .order_by(chat.c.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as connection:
            result = await connection.execute(query)
        return [_chat_line(row) for row in reversed(result.all())]

    # -- plumbing -------------------------------------------------------------

    async def _first(self, query: sa.Select[Any]) -> sa.Row[Any] | None:
        async with self.engine.connect() as connection:
            result = await connection.execute(query)
            row: sa.Row[Any] | None = result.first()
        return row


def _tune_sqlite(dbapi_connection: Any, _record: object) -> None:
    """WAL lets readers run beside the flusher; foreign keys are off in SQLite by default."""
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


async def _next_ship_id(connection: AsyncConnection) -> int:
    """Take the next ship id from the counter row; the UPDATE locks it until commit."""
    this_counter = counters.c.name == SHIP_COUNTER
    await connection.execute(
        sa.update(counters).where(this_counter).values(value=counters.c.value + 1)
    )
    result = await connection.execute(sa.select(counters.c.value).where(this_counter))
    return int(result.scalar_one())


async def _insert_many(
    connection: AsyncConnection, table: sa.Table, rows: Iterable[dict[str, Any]]
) -> None:
    params = list(rows)
    if params:
        await connection.execute(sa.insert(table), params)


# -- rows <-> domain values ----------------------------------------------------


def _account(row: sa.Row[Any]) -> Account:
    return Account(id=row.id, name=row.name, role=row.role, created_at=row.created_at)


def _system_row(system: StarSystem) -> dict[str, Any]:
    return {"id": system.id, "name": system.name, "x": system.x, "y": system.y}


def _body_row(system_id: int, seq: int, body: StaticBody) -> dict[str, Any]:
    return {
        "id": body.id,
        "system_id": system_id,
        "seq": seq,
        "kind": int(body.kind),
        "name": body.name,
        "x": body.x,
        "y": body.y,
        "ore": body.ore,
        "leads_to": body.leads_to,
        "dest_gate": body.dest_gate,
    }


def _static_body(row: sa.Row[Any]) -> StaticBody:
    return StaticBody(
        id=row.id,
        kind=Kind(row.kind),
        name=row.name,
        x=row.x,
        y=row.y,
        ore=row.ore,
        leads_to=row.leads_to,
        dest_gate=row.dest_gate,
    )


def _ship_row(system_id: int, state: ShipState, now: float) -> dict[str, Any]:
    """The columns a snapshot rewrites; keys match `_SHIP_STATE_COLUMNS`."""
    return {
        "name": state.name,
        "system_id": system_id,
        "x": state.x,
        "y": state.y,
        "vx": state.vx,
        "vy": state.vy,
        "heading": state.heading,
        "hull": state.hull,
        "shield": state.shield,
        "energy": state.energy,
        "cargo": state.cargo,
        "torpedoes": state.torpedoes,
        "fuel": state.fuel,
        "docked_at": state.docked_at,
        "home_station": state.home_station,
        "home_system": state.home_system,
        "updated_at": now,
    }


def _save_params(system_id: int, state: ShipState, now: float) -> dict[str, Any]:
    params = {f"b_{key}": value for key, value in _ship_row(system_id, state, now).items()}
    params["b_id"] = state.id
    return params


def _saved_ship(row: sa.Row[Any]) -> SavedShip:
    state = ShipState(
        id=row.id,
        name=row.name,
        account=row.account_id,
        home_station=row.home_station,
        home_system=row.home_system,
        x=row.x,
        y=row.y,
        vx=row.vx,
        vy=row.vy,
        heading=row.heading,
        hull=row.hull,
        shield=row.shield,
        energy=row.energy,
        cargo=row.cargo,
        torpedoes=row.torpedoes,
        docked_at=row.docked_at,
        fuel=row.fuel,
    )
    return SavedShip(system_id=row.system_id, role=row.role, state=state)


def _chat_row(line: ChatLine) -> dict[str, Any]:
    return {
        "system_id": line.system_id,
        "ship_id": line.ship_id,
        "name": line.name,
        "text": line.text,
        "at": line.at,
    }


def _chat_line(row: sa.Row[Any]) -> ChatLine:
    return ChatLine(
        system_id=row.system_id, ship_id=row.ship_id, name=row.name, text=row.text, at=row.at
    )
