"""Sanctions: an account muted (its chat refused) or banned (login and game refused) until
an expiry, with a reason. Stored, so they outlive restarts; cached, because every line of
chat asks whether its speaker is muted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.accounts.errors import Sanctioned
from infinity.accounts.tables import sanctions


class Kind(StrEnum):
    MUTE = "mute"  # the account's chat is refused
    BAN = "ban"  # the account may neither log in nor play


@dataclass(frozen=True, slots=True)
class Sanction:
    """One sanction in force on `account` from `at` until `until` (unix seconds)."""

    account: int
    kind: Kind
    until: float
    reason: str  # told to the sanctioned player
    by: int | None  # the operator's account that imposed it, if any
    at: float


class Sanctions:
    """Imposes, lifts and answers for sanctions; the table is the truth, `load` fills the cache."""

    def __init__(self, engine: AsyncEngine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._cache: dict[tuple[int, Kind], Sanction] = {}

    async def load(self) -> None:
        """Read every sanction not yet expired (at start)."""
        query = sa.select(sanctions).where(sanctions.c.until > self.clock())
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        self._cache = {(s.account, s.kind): s for s in map(_sanction, rows)}

    async def impose(
        self, account: int, kind: Kind, seconds: float, reason: str, by: int | None
    ) -> Sanction:
        """Mute or ban `account` for `seconds` from now, replacing any earlier one of its kind."""
        now = self.clock()
        made = Sanction(account, kind, now + seconds, reason, by, now)
        row = {"account_id": account, "kind": kind.value, "until": made.until,
               "reason": reason, "by_account": by, "at": now}  # fmt: skip
        async with self.engine.begin() as connection:
            await connection.execute(_where(sa.delete(sanctions), account, kind))
            await connection.execute(sa.insert(sanctions), row)
        self._cache[(account, kind)] = made
        return made

    async def lift(self, account: int, kind: Kind) -> Sanction | None:
        """End a sanction now; returns the one that was in force, if any."""
        async with self.engine.begin() as connection:
            await connection.execute(_where(sa.delete(sanctions), account, kind))
        return self._cache.pop((account, kind), None)

    def active(self, account: int, kind: Kind) -> Sanction | None:
        """The sanction of `kind` in force on `account`, if any (expired ones are forgotten)."""
        found = self._cache.get((account, kind))
        if found is not None and found.until <= self.clock():
            del self._cache[(account, kind)]
            return None
        return found

    def check(self, account: int, kind: Kind) -> None:
        """Raise `Sanctioned` if `account` is under a sanction of `kind`."""
        found = self.active(account, kind)
        if found is not None:
            raise Sanctioned(kind.value, found.reason, found.until)


def _where(query: Any, account: int, kind: Kind) -> Any:
    return query.where(sanctions.c.account_id == account).where(sanctions.c.kind == kind.value)


def _sanction(row: sa.Row[Any]) -> Sanction:
    return Sanction(row.account_id, Kind(row.kind), row.until, row.reason, row.by_account, row.at)
