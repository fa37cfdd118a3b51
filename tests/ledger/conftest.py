"""Ledger fixtures: fresh books on SQLite (writer in a thread or in a process of its own)
or on the session's PostgreSQL server.

`target` is parametrised over all three, `plain_target` over SQLite (thread writer)
and PostgreSQL only, for the suites where the writer's home makes no difference.
`ledger` is open books on a `plain_target`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import asyncpg
import pytest

from infinity.ledger import AccountKind, Ledger, TransferKind, TransferRequest
from tests.pg import PgServer, fresh_database, postgres_server, run_async

__all__ = ["postgres_server"]  # fixtures, re-exported for this folder


@dataclass(frozen=True)
class Target:
    """Where the books live, and how to open them."""

    name: str
    url: str
    writer: Literal["thread", "process"] = "thread"

    async def open(self, migrate: bool = True) -> Ledger:
        return await Ledger.open(self.url, migrate=migrate, writer=self.writer)


_LEDGER_TABLES = "ledger_actors, ledger_postings, ledger_transfers, ledger_accounts"


@pytest.fixture(scope="session")
def postgres_books(postgres_server: PgServer) -> str:
    """One database for the ledger tests on PostgreSQL, emptied before each (creating a
    database per test costs far more)."""
    return fresh_database(postgres_server)


def empty(url: str) -> None:
    """Remove every account and transfer, if the tables exist yet."""

    async def truncate() -> None:
        dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        connection = await asyncpg.connect(dsn)
        try:
            if await connection.fetchval("SELECT to_regclass('ledger_accounts')") is not None:
                await connection.execute(f"TRUNCATE {_LEDGER_TABLES} RESTART IDENTITY")
        finally:
            await connection.close()

    run_async(truncate())


def new_target(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Target:
    if name == "postgres":
        url: str = request.getfixturevalue("postgres_books")
        empty(url)
        return Target(name, url)
    url = f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}"
    return Target(name, url, "process" if name == "sqlite-process" else "thread")


@pytest.fixture(params=("sqlite", "sqlite-process", "postgres"))
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    return new_target(str(request.param), tmp_path, request)


@pytest.fixture(params=("sqlite", "postgres"))
def plain_target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    return new_target(str(request.param), tmp_path, request)


@pytest.fixture
async def ledger(plain_target: Target) -> AsyncIterator[Ledger]:
    opened = await plain_target.open()
    yield opened
    await opened.close()


async def fund(
    ledger: Ledger, balances: dict[str, int], kind: AccountKind = AccountKind.WALLET
) -> None:
    """Open a mint and the given accounts, and grant each its balance from the mint."""
    await ledger.open_account("mint", AccountKind.MINT)
    for name, amount in balances.items():
        await ledger.open_account(name, kind)
        if amount:
            await ledger.transfer(
                TransferRequest.move(f"fund:{name}", TransferKind.GRANT, "mint", name, amount)
            )
