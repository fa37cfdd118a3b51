"""The PostgreSQL backend, straight on asyncpg: one writer connection, a small read pool.

A batch is one transaction: lock the touched accounts with `SELECT ... FOR
UPDATE` in name order (so two batches never deadlock on accounts), read the
batch's keys, take ids from the table's sequence, `settle` in memory, then
insert every row with one `unnest`-array statement per table and update the
balances with one more. A key that another process commits meanwhile makes
the insert fail on the unique index; the batch is then rolled back and run
again, and sees that key as a replay or a conflict.

Durability is the server's: with synchronous_commit on (the default) COMMIT
returns after the WAL is flushed to disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Final

import asyncpg

from infinity.ledger import _sql
from infinity.ledger._books import Decision, Entry, Known, actor_rows, posting_rows, settle
from infinity.ledger.errors import KindMismatch
from infinity.ledger.types import AccountKind, AuditReport, Receipt

_RETRIES: Final = 8
_LOCK_ACCOUNTS: Final = (
    "SELECT name, kind, balance FROM ledger_accounts WHERE name = ANY($1::text[]) "
    "ORDER BY name FOR UPDATE"
)
_KNOWN: Final = "SELECT key, id, body_hash, at FROM ledger_transfers WHERE key = ANY($1::text[])"
_IDS: Final = "SELECT nextval($1::regclass) FROM generate_series(1, $2)"
_INSERT_TRANSFERS: Final = (
    "INSERT INTO ledger_transfers (id, key, kind, actors, memo, body_hash, at) "
    "SELECT u.id, u.key, u.kind, u.actors, u.memo, u.body_hash, $7::float8 FROM unnest("
    "$1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]"
    ") AS u(id, key, kind, actors, memo, body_hash)"
)
_INSERT_POSTINGS: Final = (
    "INSERT INTO ledger_postings (transfer_id, account, amount) "
    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])"
)
_INSERT_ACTORS: Final = (
    "INSERT INTO ledger_actors (transfer_id, role, actor_id) "
    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])"
)
_ADD_BALANCES: Final = (
    "UPDATE ledger_accounts AS a SET balance = a.balance + d.delta "
    "FROM unnest($1::text[], $2::bigint[]) AS d(name, delta) WHERE a.name = d.name"
)
_HISTORY_POSTINGS: Final = (
    "SELECT transfer_id, account, amount FROM ledger_postings "
    "WHERE transfer_id = ANY($1::bigint[]) ORDER BY transfer_id, account"
)
_RETRYABLE: Final = (
    asyncpg.UniqueViolationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


class PostgresBackend:
    def __init__(self, writer: asyncpg.Connection, readers: asyncpg.Pool, sequence: str) -> None:
        self._writer = writer
        self._readers = readers
        self._sequence = sequence

    @classmethod
    async def open(cls, dsn: str) -> PostgresBackend:
        writer = await asyncpg.connect(dsn)
        try:
            sequence = await writer.fetchval(
                "SELECT pg_get_serial_sequence('ledger_transfers', 'id')"
            )
            readers = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
        except BaseException:
            await writer.close()
            raise
        return cls(writer, readers, str(sequence))

    async def close(self) -> None:
        await self._readers.close()
        await self._writer.close()

    # -- writes -----------------------------------------------------------------------

    pipeline = 1  # one connection runs one transaction at a time

    def submit(self, entries: list[Entry], now: float) -> asyncio.Future[list[Decision]]:
        return asyncio.ensure_future(self.commit(entries, now))

    async def commit(self, entries: list[Entry], now: float) -> list[Decision]:
        for attempt in range(_RETRIES):
            try:
                return await self._commit(entries, now)
            except _RETRYABLE:
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def _commit(self, entries: Sequence[Entry], now: float) -> list[Decision]:
        connection = self._writer
        names = sorted({account for entry in entries for account, _ in entry[2]})
        keys = list({entry[0] for entry in entries})
        async with connection.transaction():
            balances: dict[str, int] = {}
            mints: set[str] = set()
            for name, kind, balance in await connection.fetch(_LOCK_ACCOUNTS, names):
                balances[name] = balance
                if kind == AccountKind.MINT:
                    mints.add(name)
            known: dict[str, Known] = {
                key: (transfer_id, body_hash, at)
                for key, transfer_id, body_hash, at in await connection.fetch(_KNOWN, keys)
            }
            fresh = len(entries) - len(known)
            ids = [row[0] for row in await connection.fetch(_IDS, self._sequence, fresh)]
            settled = settle(entries, balances, mints, known, iter(ids), now)
            if settled.accepted:
                await self._write(connection, settled.accepted, settled.deltas, now)
        return settled.decisions

    @staticmethod
    async def _write(
        connection: asyncpg.Connection,
        accepted: list[tuple[int, Entry]],
        deltas: dict[str, int],
        now: float,
    ) -> None:
        await connection.execute(
            _INSERT_TRANSFERS,
            [tid for tid, _ in accepted],
            [e[0] for _, e in accepted],
            [e[1] for _, e in accepted],
            [e[6] for _, e in accepted],
            [e[4] for _, e in accepted],
            [e[5] for _, e in accepted],
            now,
        )
        legs = posting_rows(accepted)
        await connection.execute(
            _INSERT_POSTINGS,
            [tid for tid, _, _ in legs],
            [account for _, account, _ in legs],
            [amount for _, _, amount in legs],
        )
        actors = actor_rows(accepted)
        if actors:
            await connection.execute(
                _INSERT_ACTORS,
                [tid for tid, _, _ in actors],
                [role for _, role, _ in actors],
                [actor for _, _, actor in actors],
            )
        await connection.execute(_ADD_BALANCES, list(deltas), list(deltas.values()))

    async def open_account(self, name: str, kind: AccountKind, now: float) -> None:
        async with self._readers.acquire() as connection:
            await connection.execute(_sql.numbered(_sql.OPEN_ACCOUNT), name, kind.value, now)
            stored = await connection.fetchval(_sql.numbered(_sql.ACCOUNT_KIND), name)
        if stored != kind.value:
            raise KindMismatch(f"account {name!r} exists as {stored}, not {kind.value}")

    # -- reads ------------------------------------------------------------------------

    async def balance(self, account: str) -> int | None:
        async with self._readers.acquire() as connection:
            value = await connection.fetchval(_sql.numbered(_sql.BALANCE), account)
        return None if value is None else int(value)

    async def balances(self, prefix: str) -> list[tuple[str, int]]:
        async with self._readers.acquire() as connection:
            rows = await connection.fetch(_sql.numbered(_sql.BALANCES), len(prefix), prefix)
        return [(str(row[0]), int(row[1])) for row in rows]

    async def history(self, account: str, before: int, limit: int) -> list[Receipt]:
        async with (
            self._readers.acquire() as connection,
            connection.transaction(isolation="repeatable_read", readonly=True),
        ):
            transfers = await connection.fetch(
                _sql.numbered(_sql.HISTORY_PAGE), account, before, limit
            )
            ids = [row[0] for row in transfers]
            postings = await connection.fetch(_HISTORY_POSTINGS, ids) if ids else []
        return _sql.receipts(map(tuple, transfers), map(tuple, postings))

    async def victims(self, role: str, actor_id: int) -> list[int]:
        async with self._readers.acquire() as connection:
            rows = await connection.fetch(_sql.numbered(_sql.VICTIMS), role, actor_id)
        return [int(row[0]) for row in rows]

    async def audit(self) -> AuditReport:
        async with (
            self._readers.acquire() as connection,
            connection.transaction(isolation="repeatable_read", readonly=True),
        ):
            fetch = connection.fetch
            value = connection.fetchval
            answers: list[Any] = [
                await fetch(_sql.AUDIT_UNBALANCED),
                await value(_sql.AUDIT_ORPHANS),
                await value(_sql.AUDIT_STRAY),
                await fetch(_sql.AUDIT_CACHE),
                await fetch(_sql.AUDIT_NEGATIVE),
                await fetch(_sql.AUDIT_BY_KIND),
                await connection.fetchrow(_sql.AUDIT_COUNTS),
            ]
        return _sql.audit_report(*answers)
