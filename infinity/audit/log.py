"""The audit log: who did what to whom, when, and whether it was allowed, hash-chained.

Entry n stores the SHA-256 of entry n-1 (`prev`) and its own `hash` over its
canonical JSON and `prev`, so editing or deleting any entry breaks every hash
after it. Deleting the newest entries leaves a valid but shorter chain, so each
append also writes the head (length and hash) to an anchor file outside the
database; `verify` compares the two. The database refuses UPDATE and DELETE on
the table (migration 0006); this module only ever inserts.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import msgspec
import sqlalchemy as sa
from prometheus_client import Gauge, Info
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.audit.tables import audit_log

ENTRIES = Gauge("infinity_audit_entries", "Entries in the audit log (the chain's length)")
HEAD = Info("infinity_audit_head", "The newest audit entry's hash (the chain's head)")

GENESIS: Final = "0" * 64
ANCHOR: Final = "audit.anchor"  # the head's copy, in the data folder beside the database
MAIN_WORLD: Final = 1
Result = Literal["done", "refused"]


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """One audited act. `hash` covers every other field, `prev` included."""

    seq: int
    at: float
    actor: int | None
    actor_name: str
    role: str
    verb: str
    target: str
    args: str  # canonical JSON of the act's arguments
    result: Result
    reason: str
    zone: int | None
    world: int
    ledger_key: str | None
    prev: str
    hash: str


@dataclass(frozen=True, slots=True)
class Act:
    """What an appender says; the log adds the order, the time and the chain."""

    actor: int | None
    actor_name: str
    role: str
    verb: str
    target: str
    args: Mapping[str, Any]
    result: Result = "done"
    reason: str = ""
    zone: int | None = None
    world: int = MAIN_WORLD
    ledger_key: str | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """What `verify` found: `ok`, how many entries, the head, and every break."""

    length: int
    head: str
    anchored: tuple[int, str] | None
    breaks: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def canonical(args: Mapping[str, Any]) -> str:
    """Arguments as JSON with sorted keys: the same act always hashes the same."""
    return msgspec.json.encode(dict(args), order="sorted").decode()


def chain_hash(fields: Mapping[str, Any]) -> str:
    """The hash of an entry: SHA-256 over the canonical JSON of all fields but `hash`."""
    body = {k: v for k, v in fields.items() if k != "hash"}
    return hashlib.sha256(msgspec.json.encode(body, order="sorted")).hexdigest()


class AuditLog:
    """Appends to and reads the audit log; `anchor` is the head's copy outside the table."""

    def __init__(self, engine: AsyncEngine, anchor: Path | None) -> None:
        self.engine = engine
        self.anchor = anchor
        self._lock = asyncio.Lock()  # appends of one process go in order

    async def append(self, act: Act) -> Entry:
        """Write `act` as the next entry. Another process appending at the same moment
        takes the same seq only once (primary key); the loser retries on the new head."""
        async with self._lock:
            return await self._append(act)

    async def append_after(self, work: Callable[[int], Awaitable[Act]]) -> Entry:
        """Run `work` with the seq its entry will take, then append the act it returns.

        For an act that must name its own entry elsewhere (a ledger transfer's memo);
        this process's other appends wait meanwhile. If `work` raises, nothing is written.
        """
        async with self._lock:
            seq, _ = await self.head()
            return await self._append(await work(seq + 1))

    async def _append(self, act: Act) -> Entry:
        """The insert, with the lock held; retried on the new head if another process won."""
        for _ in range(100):
            seq, prev = await self.head()
            entry = _sealed(seq + 1, prev, act)
            try:
                async with self.engine.begin() as connection:
                    await connection.execute(sa.insert(audit_log), msgspec.structs.asdict(entry))
            except IntegrityError:
                continue
            self._write_anchor(entry.seq, entry.hash)
            _publish(entry.seq, entry.hash)
            return entry
        raise RuntimeError("the audit log is contended beyond reason")

    async def publish(self) -> None:
        """Show the chain's length and head in /metrics (at start; `append` keeps them)."""
        _publish(*await self.head())

    async def head(self) -> tuple[int, str]:
        """(length, hash of the newest entry): (0, GENESIS) when empty."""
        query = sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc())
        async with self.engine.connect() as connection:
            row = (await connection.execute(query.limit(1))).first()
        return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))

    async def tail(self, count: int = 20, after: int = 0) -> list[Entry]:
        """The newest `count` entries with seq > `after`, oldest first."""
        query = (
            sa.select(audit_log)
            .where(audit_log.c.seq > after)
            .order_by(audit_log.c.seq.desc())
            .limit(count)
        )
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_entry(row) for row in reversed(rows)]

    async def verify(self) -> Verification:
        """Recompute the whole chain and find the anchored entry in it.

        Entries after the anchored one are not a break: a process killed between an
        insert and its anchor write leaves exactly that, and the next append re-anchors.
        """
        breaks: list[str] = []
        anchored = self._read_anchor()
        at_anchor: str | None = None  # the chain's hash at the anchored seq
        expected_seq, prev = 1, GENESIS
        async with self.engine.connect() as connection:
            result = await connection.stream(sa.select(audit_log).order_by(audit_log.c.seq))
            async for row in result:
                entry = _entry(row)
                breaks.extend(_check(entry, expected_seq, prev))
                expected_seq, prev = entry.seq + 1, entry.hash
                if anchored is not None and entry.seq == anchored[0]:
                    at_anchor = entry.hash
        length = expected_seq - 1
        breaks.extend(_against_anchor(length, at_anchor, anchored))
        return Verification(length, prev, anchored, tuple(breaks))

    def _write_anchor(self, seq: int, digest: str) -> None:
        if self.anchor is None:
            return
        fresh = self.anchor.with_suffix(".tmp")
        with fresh.open("w", encoding="ascii") as out:
            out.write(f"{seq} {digest}\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(fresh, self.anchor)

    def _read_anchor(self) -> tuple[int, str] | None:
        if self.anchor is None or not self.anchor.exists():
            return None
        seq, _, digest = self.anchor.read_text(encoding="ascii").strip().partition(" ")
        return (int(seq), digest) if seq.isascii() and seq.isdigit() else (-1, digest)


def _publish(length: int, head: str) -> None:
    ENTRIES.set(length)
    HEAD.info({"hash": head, "length": str(length)})


def _sealed(seq: int, prev: str, act: Act) -> Entry:
    fields: dict[str, Any] = {
        "seq": seq, "at": time.time(), "actor": act.actor, "actor_name": act.actor_name,
        "role": act.role, "verb": act.verb, "target": act.target, "args": canonical(act.args),
        "result": act.result, "reason": act.reason, "zone": act.zone, "world": act.world,
        "ledger_key": act.ledger_key, "prev": prev,
    }  # fmt: skip
    return Entry(**fields, hash=chain_hash(fields))


def _entry(row: sa.Row[Any]) -> Entry:
    return Entry(**{name: getattr(row, name) for name in Entry.__struct_fields__})


def _check(entry: Entry, seq: int, prev: str) -> list[str]:
    found = []
    if entry.seq != seq:
        found.append(f"entry {seq} is missing (found {entry.seq} next)")
    if entry.prev != prev:
        found.append(f"entry {entry.seq} does not follow entry {entry.seq - 1}")
    if chain_hash(msgspec.structs.asdict(entry)) != entry.hash:
        found.append(f"entry {entry.seq} was altered")
    return found


def _against_anchor(length: int, found: str | None, anchored: tuple[int, str] | None) -> list[str]:
    """Breaks the anchor shows: the chain ends before it, or differs where it points."""
    if anchored is None:
        return [] if length == 0 else ["the anchor (the head kept outside the table) is missing"]
    seq, digest = anchored
    if seq > length:
        return [f"the newest {seq - length} entries were deleted (anchor says {seq})"]
    if seq > 0 and found != digest:
        return [f"entry {seq} differs from the anchored head"]
    return []
