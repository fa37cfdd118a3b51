"""The account registry: accounts and their sessions, in the store's database."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.accounts.errors import NameTaken
from infinity.accounts.records import ROLES, Account
from infinity.accounts.tables import accounts, sessions
from infinity.store.sql import first

_ACCOUNT_COLUMNS = (accounts.c.id, accounts.c.name, accounts.c.role, accounts.c.created_at)


class Registry:
    """Reads and writes accounts and sessions; converts rows to `Account` by hand."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

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
        row = await first(self.engine, query)
        return None if row is None else _account(row)

    async def account_by_name(self, name: str) -> Account | None:
        """Look an account up by name, ignoring letter case."""
        query = sa.select(*_ACCOUNT_COLUMNS).where(accounts.c.name_key == name.lower())
        row = await first(self.engine, query)
        return None if row is None else _account(row)

    async def credentials(self, name: str) -> tuple[Account, str] | None:
        """An account and its password hash, for checking a login; None if no such name."""
        query = sa.select(*_ACCOUNT_COLUMNS, accounts.c.password_hash).where(
            accounts.c.name_key == name.lower()
        )
        row = await first(self.engine, query)
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

    async def accounts_with_role(self, roles: list[str]) -> list[int]:
        """The ids of every account whose role is one of `roles`."""
        query = sa.select(accounts.c.id).where(accounts.c.role.in_(roles))
        async with self.engine.connect() as connection:
            return [int(i) for i in (await connection.execute(query)).scalars()]

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
            await connection.execute(sa.insert(sessions), row)

    async def session_account(self, token_hash: str, now: float) -> Account | None:
        """The account a session belongs to; None if the session is unknown or expired."""
        query = (
            sa.select(*_ACCOUNT_COLUMNS)
            .join(sessions, sessions.c.account_id == accounts.c.id)
            .where(sessions.c.token_hash == token_hash)
            .where(sessions.c.expires_at > now)
        )
        row = await first(self.engine, query)
        return None if row is None else _account(row)

    async def delete_session(self, token_hash: str) -> None:
        query = sa.delete(sessions).where(sessions.c.token_hash == token_hash)
        async with self.engine.begin() as connection:
            await connection.execute(query)

    async def trim_sessions(self, account_id: int, keep: int) -> int:
        """Delete all but the account's `keep` newest sessions; returns how many went."""
        newest = (
            sa.select(sessions.c.token_hash)
            .where(sessions.c.account_id == account_id)
            .order_by(sessions.c.created_at.desc(), sessions.c.token_hash)
            .limit(keep)
        )
        query = (
            sa.delete(sessions)
            .where(sessions.c.account_id == account_id)
            .where(sessions.c.token_hash.not_in(newest))
        )
        async with self.engine.begin() as connection:
            result = await connection.execute(query)
        return int(result.rowcount)

    async def purge_sessions(self, now: float) -> int:
        """Delete expired sessions; returns how many went."""
        query = sa.delete(sessions).where(sessions.c.expires_at <= now)
        async with self.engine.begin() as connection:
            result = await connection.execute(query)
        return int(result.rowcount)


def _account(row: sa.Row[Any]) -> Account:
    return Account(id=row.id, name=row.name, role=row.role, created_at=row.created_at)
