"""`Ledger`: the double-entry books, with group commit.

`transfer` checks the request, queues it and waits. One writer task, owned
by the ledger, takes everything queued (up to `max_batch`) and hands it to the
backend as one database transaction; while that commits, new requests pile
up for the next batch, so the batch grows with the load. Each caller's future
is resolved only after COMMIT returned, with its receipt or its own refusal;
a refused transfer does not spoil the rest of its batch.

Where the writing happens is the backend's business: SQLite commits in a
thread of this process or, with `writer="process"`, in a child process (two
batches in flight: the next waits in the pipe while the child commits one);
PostgreSQL on one asyncpg connection.

Correctness across processes rests on the database, not on this process:
each batch takes the write lock first (SQLite `BEGIN IMMEDIATE`;
PostgreSQL `SELECT ... FOR UPDATE` on the touched accounts, in name order),
then reads balances and keys, so two processes sharing the books can never
both spend the same credit or both use one key.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Final, Literal, Protocol

from infinity.ledger._books import (
    ACCOUNT_NAME,
    Decision,
    Entry,
    Prepared,
    check_account,
    prepare,
)
from infinity.ledger.errors import (
    InvalidTransfer,
    LedgerError,
    LedgerUnavailable,
    UnknownAccount,
)
from infinity.ledger.types import AccountKind, AuditReport, Receipt, TransferRequest

MAX_BATCH: Final = 2000
MAX_PAGE: Final = 500
_NO_CURSOR: Final = 2**63 - 1


class _Backend(Protocol):
    pipeline: int  # batches it may have in flight at once

    def submit(self, entries: list[Entry], now: float) -> asyncio.Future[list[Decision]]:
        """Start committing a batch now; the future answers once it is committed."""

    async def open_account(self, name: str, kind: AccountKind, now: float) -> None: ...
    async def balance(self, account: str) -> int | None: ...
    async def balances(self, prefix: str) -> list[tuple[str, int]]: ...
    async def history(self, account: str, before: int, limit: int) -> list[Receipt]: ...
    async def victims(self, role: str, actor_id: int) -> list[int]: ...
    async def audit(self) -> AuditReport: ...
    async def close(self) -> None: ...


log = logging.getLogger(__name__)

_Pending = tuple[Prepared, "asyncio.Future[Receipt]"]


class Ledger:
    """The books on one database (the Store's); open with `Ledger.open(url)`."""

    def __init__(self, backend: _Backend, *, max_batch: int, linger: float) -> None:
        self._backend = backend
        self._max_batch = max_batch
        self._linger = linger
        self._loop = asyncio.get_running_loop()
        self._queue: list[_Pending] = []
        self._wake = asyncio.Event()
        self._slot = asyncio.Event()  # set when a batch in flight answered
        self._in_flight = 0
        self._closing = False
        self._writer = self._loop.create_task(self._write_loop(), name="ledger-writer")
        self._writer.add_done_callback(self._writer_ended)

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        migrate: bool = True,
        synchronous: Literal["normal", "full"] = "normal",
        writer: Literal["thread", "process"] = "thread",
        max_batch: int = MAX_BATCH,
        linger: float = 0.0,
    ) -> Ledger:
        """Open the books at a SQLAlchemy URL (`sqlite+aiosqlite:///...` or
        `postgresql+asyncpg://...`), first migrating it to the newest schema unless
        `migrate` is False. SQLite only: `synchronous="full"` also survives power loss;
        `writer="process"` commits in a child process, beside the event loop instead of
        sharing its GIL (about twice the throughput, on a second core). `linger`: seconds
        to let a batch fill (0: commit as soon as the writer is free)."""
        dialect, target = _parse(url)
        if migrate:  # imported here: alembic is slow to load, and a migrated database needs none
            from infinity.store.migrate import upgrade_url

            await upgrade_url(url)
        backend: _Backend
        if dialect == "sqlite":
            from infinity.ledger._sqlite import SqliteBackend

            backend = await SqliteBackend.open(target, synchronous, writer)
        else:
            from infinity.ledger._postgres import PostgresBackend

            backend = await PostgresBackend.open(target)
        return cls(backend, max_batch=max_batch, linger=linger)

    async def close(self) -> None:
        """Commit whatever is queued, then close the connections. Idempotent."""
        if self._closing:  # closed, or being closed by another caller
            await asyncio.wait([self._writer])
            return
        self._closing = True
        self._wake.set()
        try:
            await self._writer
        finally:
            await self._backend.close()

    # -- accounts ---------------------------------------------------------------------

    async def open_account(self, name: str, kind: AccountKind) -> None:
        """Create an account at balance zero; opening it again with the same kind is a
        no-op, with another kind `KindMismatch`."""
        kind = check_account(name, kind)
        self._check_open(None)
        await self._backend.open_account(name, kind, time.time())

    async def balance(self, account: str) -> int:
        """The committed balance; `UnknownAccount` if there is no such account."""
        balance = await self._backend.balance(account)
        if balance is None:
            raise UnknownAccount(account)
        return balance

    async def balances(self, prefix: str) -> list[tuple[str, int]]:
        """Every account whose name starts with `prefix` and holds credits (a balance other
        than zero), with its balance, by name: e.g. escrow a previous run left behind."""
        if type(prefix) is not str or ACCOUNT_NAME.fullmatch(prefix) is None:
            raise InvalidTransfer(f"bad account name prefix {prefix!r}")
        return sorted(await self._backend.balances(prefix))

    # -- transfers --------------------------------------------------------------------

    async def transfer(self, request: TransferRequest) -> Receipt:
        """Make the transfer and return once it is committed (or replayed).

        Raises `InvalidTransfer`, `UnknownAccount`, `Overdraft` or `KeyConflict`,
        having changed nothing, or `LedgerUnavailable` if the database failed.
        """
        item = prepare(request)
        self._check_open(item.key)
        future: asyncio.Future[Receipt] = self._loop.create_future()
        self._queue.append((item, future))
        self._wake.set()
        return await future

    async def transfer_many(self, requests: list[TransferRequest]) -> list[Receipt | LedgerError]:
        """Several transfers, decided in order (usually in one commit): one outcome each,
        a receipt or the refusal; none raises."""
        futures: list[asyncio.Future[Receipt] | LedgerError] = []
        for request in requests:
            try:
                item = prepare(request)
                self._check_open(item.key)
            except LedgerError as error:
                futures.append(error)
                continue
            future: asyncio.Future[Receipt] = self._loop.create_future()
            self._queue.append((item, future))
            futures.append(future)
        self._wake.set()
        outcomes: list[Receipt | LedgerError] = []
        for entry in futures:
            if isinstance(entry, LedgerError):
                outcomes.append(entry)
                continue
            try:
                outcomes.append(await entry)
            except LedgerError as error:
                outcomes.append(error)
        return outcomes

    # -- queries ----------------------------------------------------------------------

    async def history(
        self, account: str, cursor: int | None = None, limit: int = 50
    ) -> tuple[list[Receipt], int | None]:
        """An account's transfers, newest first, `limit` (1..500) at a time; pass the
        returned cursor back for the next page, None when there is none."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidTransfer(f"limit must be 1 to {MAX_PAGE}")
        await self.balance(account)  # UnknownAccount
        before = _NO_CURSOR if cursor is None else cursor
        page = await self._backend.history(account, before, limit + 1)
        if len(page) > limit:
            page = page[:limit]
            return page, page[-1].transfer_id
        return page, None

    async def victims(self, actor_role: str, actor_id: int) -> list[int]:
        """Every distinct "victim" of the THEFT transfers naming `actor_role` = `actor_id`
        among their actors (e.g. `victims("thief", ship_id)`), ascending."""
        return await self._backend.victims(actor_role, actor_id)

    async def audit(self) -> AuditReport:
        """Check every invariant of the books in one snapshot (see `AuditReport`)."""
        return await self._backend.audit()

    # -- the writer -------------------------------------------------------------------

    def _check_open(self, key: str | None) -> None:
        if self._closing:
            raise LedgerUnavailable("the ledger is closed", key)
        if self._writer.done():
            raise LedgerUnavailable("the ledger's writer stopped", key)

    async def _write_loop(self) -> None:
        """Take batches off the queue and hand them to the backend, keeping at most
        `pipeline` of them in flight (a process writer takes the next batch while the
        callers of the last one are still being woken); `_settled` answers each."""
        queue = self._queue
        depth = self._backend.pipeline
        while True:
            while not queue:
                if self._closing:
                    while self._in_flight:  # let the last batches answer
                        self._slot.clear()
                        await self._slot.wait()
                    return
                self._wake.clear()
                await self._wake.wait()
            while self._in_flight >= depth:
                self._slot.clear()
                await self._slot.wait()
            if self._linger > 0 and len(queue) < self._max_batch and not self._closing:
                await asyncio.sleep(self._linger)
            batch = queue[: self._max_batch]
            del queue[: self._max_batch]
            self._in_flight += 1
            try:
                committing = self._backend.submit([item.entry for item, _ in batch], time.time())
            except Exception as error:
                self._in_flight -= 1
                _fail(batch, error)
                continue
            committing.add_done_callback(functools.partial(self._settled, batch))

    def _writer_ended(self, writer: asyncio.Task[None]) -> None:
        """The writer belongs to the ledger and ends only at `close`; if it dies of a bug,
        nobody waits forever: the queue is failed, new transfers are refused."""
        if writer.cancelled() or writer.exception() is None:
            return
        error = writer.exception()
        log.critical("the ledger writer failed; transfers are refused", exc_info=error)
        self._closing = True
        queued, self._queue[:] = list(self._queue), []
        _fail(queued, error or RuntimeError("ledger writer ended"))

    def _settled(self, batch: list[_Pending], committing: asyncio.Future[list[Decision]]) -> None:
        """Answer every caller of a batch, once its COMMIT returned (or failed)."""
        self._in_flight -= 1
        self._slot.set()
        if committing.cancelled() or committing.exception() is not None:
            _fail(batch, committing.exception() or asyncio.CancelledError())
            return
        for (item, future), decision in zip(batch, committing.result(), strict=True):
            if future.done():  # its caller was cancelled; the outcome stands regardless
                continue
            outcome = item.outcome(decision)
            if isinstance(outcome, Receipt):
                future.set_result(outcome)
            else:
                future.set_exception(outcome)


def _fail(batch: list[_Pending], error: BaseException) -> None:
    """The database failed: nobody's transfer in the batch was made."""
    for item, future in batch:
        if not future.done():
            future.set_exception(LedgerUnavailable(f"not committed: {error!r}", item.key))


def _parse(url: str) -> tuple[str, str]:
    """A SQLAlchemy URL as ("sqlite", file path) or ("postgresql", libpq DSN for asyncpg).

    Parsed by hand so that a process which opens an already migrated database does not
    have to import SQLAlchemy at all."""
    scheme, sep, rest = url.partition("://")
    dialect = scheme.split("+", 1)[0]
    if not sep or dialect not in ("sqlite", "postgresql", "postgres"):
        raise ValueError(f"unsupported database URL {url!r}")
    if dialect == "sqlite":
        path = rest[1:].split("?", 1)[0]  # sqlite:///relative or sqlite:////absolute
        if not path or path == ":memory:":
            raise ValueError("the ledger needs a SQLite file, not an in-memory database")
        return "sqlite", path
    return "postgresql", f"postgresql://{rest}"
