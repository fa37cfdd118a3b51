"""The SQLite backend: plain `sqlite3` connections, no SQLAlchemy on the hot path.

`SqliteWriter` is the synchronous core that commits one batch per call:
`BEGIN IMMEDIATE` (the database's write lock, which also serialises other
processes), the touched balances, `settle` in memory, one `executemany` per
table, `COMMIT`. It runs either in a thread of this process ("thread") or in
a child process of its own ("process", see `_writer_process.py`), where it
does not compete with the event loop for the GIL. Reads run on another
connection in a thread of this process; WAL lets them proceed beside the
writer.

Durability: WAL with synchronous=NORMAL (the project's setting) puts each
commit in the WAL before `COMMIT` returns, so a committed transfer survives
the process being killed; a power loss or OS crash can lose the last commits
since a checkpoint. synchronous=FULL also fsyncs the WAL at every commit,
once per batch here, and survives power loss too.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, Literal, Protocol, TypeVar

from infinity.ledger import _sql
from infinity.ledger._books import (
    Decision,
    Entry,
    Known,
    Settlement,
    actor_rows,
    posting_rows,
    settle,
)
from infinity.ledger.errors import KindMismatch
from infinity.ledger.types import AccountKind, AuditReport, Receipt

Synchronous = Literal["normal", "full"]
WriterMode = Literal["thread", "process"]
_T = TypeVar("_T")
_CHUNK: Final = 500  # bound parameters per IN (...) list
_CACHE_KIB: Final = 65536  # page cache of each connection
CHECKPOINT_EVERY: Final = 8  # batches between the writer's own WAL checkpoints
_MAX_CACHED: Final = 1_000_000  # balances kept between batches

_INSERT_TRANSFER: Final = (
    "INSERT INTO ledger_transfers (id, key, kind, actors, memo, body_hash, at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING"
)
_INSERT_POSTING: Final = (
    "INSERT INTO ledger_postings (transfer_id, account, amount) VALUES (?, ?, ?)"
)
_INSERT_ACTOR: Final = "INSERT INTO ledger_actors (transfer_id, role, actor_id) VALUES (?, ?, ?)"
_ADD_BALANCE: Final = "UPDATE ledger_accounts SET balance = balance + ? WHERE name = ?"


class _StoredKey(Exception):
    """A key of the batch is already in the books: settle the batch again, knowing it."""


def connect(path: str, synchronous: Synchronous, writer: bool) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
    if writer:  # it checkpoints between batches itself, not inside a commit
        connection.execute("PRAGMA wal_autocheckpoint=0")
    for pragma in (
        "journal_mode=WAL",
        f"synchronous={synchronous.upper()}",
        "foreign_keys=ON",
        f"cache_size=-{_CACHE_KIB}",
    ):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _marks(count: int) -> str:
    return ",".join("?" * count)


class SqliteWriter:
    """The one connection that writes, used from one thread at a time."""

    def __init__(self, path: str, synchronous: Synchronous) -> None:
        self.connection = connect(path, synchronous, writer=True)
        # committed balances, valid while PRAGMA data_version stays put
        self._balances: dict[str, int] = {}
        self._mints: set[str] = set()  # kinds never change, so this needs no reset
        self._data_version = -1

    def close(self) -> None:
        self.connection.close()

    def checkpoint(self) -> None:
        """Copy the WAL back into the database. Run between batches, with no write open,
        so it finishes and the WAL restarts from its beginning instead of growing."""
        with contextlib.suppress(sqlite3.Error):  # busy: the next one will do
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def commit(self, entries: Sequence[Entry], now: float) -> list[Decision]:
        """Decide and write one batch in one transaction; one decision per entry."""
        try:
            return self._attempt(entries, now, careful=False)
        except _StoredKey:
            return self._attempt(entries, now, careful=True)

    def _attempt(self, entries: Sequence[Entry], now: float, careful: bool) -> list[Decision]:
        """Replays are rare, so the first attempt assumes no key of the batch is stored yet
        and lets the unique index check that (it looks up only the refused transfers'
        keys); if one is, it rolls back and tries again `careful`ly, looking every key up."""
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            balances = self._touched(entries)
            known = self._known([entry[0] for entry in entries]) if careful else {}
            (last,) = connection.execute("SELECT max(id) FROM ledger_transfers").fetchone()
            first = (last or 0) + 1
            ids = iter(range(first, first + len(entries)))
            settled = settle(entries, balances, self._mints, known, ids, now)
            if not careful:
                refused = [
                    entry[0]
                    for entry, decision in zip(entries, settled.decisions, strict=True)
                    if decision[0] != "ok" and decision[0] != "replay"
                ]
                if refused and self._known(refused):
                    raise _StoredKey
            if settled.accepted:
                self._write(settled, now)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        self._balances.update(balances)
        return settled.decisions

    def _write(self, settled: Settlement, now: float) -> None:
        connection = self.connection
        accepted = settled.accepted
        inserted = connection.executemany(
            _INSERT_TRANSFER,
            [(tid, e[0], e[1], e[6], e[4], e[5], now) for tid, e in accepted],
        ).rowcount
        if inserted != len(accepted):
            raise _StoredKey
        connection.executemany(_INSERT_POSTING, posting_rows(accepted))
        actors = actor_rows(accepted)
        if actors:
            connection.executemany(_INSERT_ACTOR, actors)
        connection.executemany(
            _ADD_BALANCE, [(delta, name) for name, delta in settled.deltas.items()]
        )

    def _touched(self, entries: Sequence[Entry]) -> dict[str, int]:
        """The balances of the accounts `entries` touch (those that exist).

        Balances are cached between batches while no other connection has committed
        (`PRAGMA data_version`, read under the write lock, says so), else read again.
        """
        connection = self.connection
        (version,) = connection.execute("PRAGMA data_version").fetchone()
        cache = self._balances
        if version != self._data_version or len(cache) > _MAX_CACHED:
            cache.clear()
            self._data_version = version
        names = {account for entry in entries for account, _ in entry[2]}
        missing = [name for name in names if name not in cache]
        for chunk in _chunks(missing):
            query = (
                "SELECT name, kind, balance FROM ledger_accounts "
                f"WHERE name IN ({_marks(len(chunk))})"
            )
            for name, kind, balance in connection.execute(query, chunk):
                cache[name] = balance
                if kind == AccountKind.MINT:
                    self._mints.add(name)
        return {name: cache[name] for name in names if name in cache}

    def _known(self, keys: list[str]) -> dict[str, Known]:
        known: dict[str, Known] = {}
        for chunk in _chunks(list(set(keys))):
            query = (
                "SELECT key, id, body_hash, at FROM ledger_transfers "
                f"WHERE key IN ({_marks(len(chunk))})"
            )
            for key, transfer_id, body_hash, at in self.connection.execute(query, chunk):
                known[key] = (transfer_id, body_hash, at)
        return known

    def open_account(self, name: str, kind: str, now: float) -> str:
        """Insert the account unless it exists; returns the kind it has."""
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(_sql.OPEN_ACCOUNT, (name, kind, now))
            (stored,) = connection.execute(_sql.ACCOUNT_KIND, (name,)).fetchone()
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return str(stored)


class _Writer(Protocol):
    pipeline: int

    def submit(self, entries: list[Entry], now: float) -> asyncio.Future[list[Decision]]: ...
    async def open_account(self, name: str, kind: str, now: float) -> str: ...
    async def close(self) -> None: ...


class _ThreadWriter:
    """`SqliteWriter` in a thread of this process."""

    def __init__(self, path: str, synchronous: Synchronous) -> None:
        self._path = path
        self._synchronous: Synchronous = synchronous
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ledger-sqlite-write")
        self._writer: SqliteWriter | None = None
        self._batches = 0

    async def start(self) -> None:
        self._writer = await _on(self._thread, SqliteWriter, self._path, self._synchronous)

    def _core(self) -> SqliteWriter:
        assert self._writer is not None
        return self._writer

    pipeline = 1  # one thread commits one batch at a time anyway

    def submit(self, entries: list[Entry], now: float) -> asyncio.Future[list[Decision]]:
        loop = asyncio.get_running_loop()
        committing = loop.run_in_executor(self._thread, self._core().commit, entries, now)
        self._batches += 1
        if self._batches % CHECKPOINT_EVERY == 0:
            # Queued behind the batch on the writer thread: it runs while the batch's
            # callers are woken, and the next batch waits for it.
            self._thread.submit(self._core().checkpoint)
        return committing

    async def open_account(self, name: str, kind: str, now: float) -> str:
        return await _on(self._thread, self._core().open_account, name, kind, now)

    async def close(self) -> None:
        if self._writer is not None:
            await _on(self._thread, self._writer.close)
            self._writer = None
        self._thread.shutdown(wait=True)


async def _on(pool: ThreadPoolExecutor, job: Callable[..., _T], *args: Any) -> _T:
    return await asyncio.get_running_loop().run_in_executor(pool, job, *args)


class SqliteBackend:
    """One SQLite file: a writer (thread or process) and a reader thread."""

    def __init__(self, writer: _Writer, reader: sqlite3.Connection, thread: ThreadPoolExecutor):
        self._writer = writer
        self.pipeline = writer.pipeline
        self._reader = reader
        self._read_thread = thread

    @classmethod
    async def open(
        cls, path: str, synchronous: Synchronous = "normal", mode: WriterMode = "thread"
    ) -> SqliteBackend:
        writer: _Writer
        if mode == "process":
            from infinity.ledger._writer_process import ProcessWriter

            writer = await ProcessWriter.start(path, synchronous)
        else:
            thread_writer = _ThreadWriter(path, synchronous)
            writer = thread_writer
            try:
                await thread_writer.start()
            except BaseException:
                await thread_writer.close()
                raise
        read_thread = ThreadPoolExecutor(1, thread_name_prefix="ledger-sqlite-read")
        try:
            reader = await _on(read_thread, connect, path, synchronous, False)
        except BaseException:
            read_thread.shutdown()
            await writer.close()
            raise
        return cls(writer, reader, read_thread)

    async def close(self) -> None:
        try:
            await self._writer.close()
        finally:
            await _on(self._read_thread, self._reader.close)
            self._read_thread.shutdown(wait=True)

    # -- writes -----------------------------------------------------------------------

    def submit(self, entries: list[Entry], now: float) -> asyncio.Future[list[Decision]]:
        return self._writer.submit(entries, now)

    async def open_account(self, name: str, kind: AccountKind, now: float) -> None:
        stored = await self._writer.open_account(name, kind.value, now)
        if stored != kind.value:
            raise KindMismatch(f"account {name!r} exists as {stored}, not {kind.value}")

    # -- reads (reader thread) --------------------------------------------------------

    async def balance(self, account: str) -> int | None:
        return await _on(self._read_thread, self._balance, account)

    async def balances(self, prefix: str) -> list[tuple[str, int]]:
        return await _on(self._read_thread, self._balances, prefix)

    async def history(self, account: str, before: int, limit: int) -> list[Receipt]:
        return await _on(self._read_thread, self._history, account, before, limit)

    async def victims(self, role: str, actor_id: int) -> list[int]:
        return await _on(self._read_thread, self._victims, role, actor_id)

    async def audit(self) -> AuditReport:
        return await _on(self._read_thread, self._audit)

    def _balance(self, account: str) -> int | None:
        row = self._reader.execute(_sql.BALANCE, (account,)).fetchone()
        return None if row is None else int(row[0])

    def _balances(self, prefix: str) -> list[tuple[str, int]]:
        rows = self._reader.execute(_sql.BALANCES, (len(prefix), prefix)).fetchall()
        return [(str(name), int(balance)) for name, balance in rows]

    def _history(self, account: str, before: int, limit: int) -> list[Receipt]:
        connection = self._reader
        connection.execute("BEGIN")  # one snapshot for both queries
        try:
            transfers = connection.execute(_sql.HISTORY_PAGE, (account, before, limit)).fetchall()
            ids = [row[0] for row in transfers]
            query = (
                "SELECT transfer_id, account, amount FROM ledger_postings "
                f"WHERE transfer_id IN ({_marks(len(ids))}) ORDER BY transfer_id, account"
            )
            postings = connection.execute(query, ids).fetchall() if ids else []
        finally:
            connection.execute("COMMIT")
        return _sql.receipts(transfers, postings)

    def _victims(self, role: str, actor_id: int) -> list[int]:
        rows = self._reader.execute(_sql.VICTIMS, (role, actor_id)).fetchall()
        return [int(actor) for (actor,) in rows]

    def _audit(self) -> AuditReport:
        connection = self._reader
        connection.execute("BEGIN")  # one snapshot for every query
        try:
            return _sql.audit_report(
                connection.execute(_sql.AUDIT_UNBALANCED).fetchall(),
                connection.execute(_sql.AUDIT_ORPHANS).fetchone()[0],
                connection.execute(_sql.AUDIT_STRAY).fetchone()[0],
                connection.execute(_sql.AUDIT_CACHE).fetchall(),
                connection.execute(_sql.AUDIT_NEGATIVE).fetchall(),
                connection.execute(_sql.AUDIT_BY_KIND).fetchall(),
                connection.execute(_sql.AUDIT_COUNTS).fetchone(),
            )
        finally:
            connection.execute("COMMIT")
