"""Accounts: register, log in, check a session token, log out.

Argon2 work runs in worker threads (`asyncio.to_thread`) so a login never
stalls the event loop that also carries the game, and through a `HashGate`,
so a flood of logins costs at most a core or two and never an unbounded
queue. Times are wall-clock unix seconds from an injectable `clock`, because
sessions outlive restarts.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from typing import Final, NamedTuple, TypeVar

from infinity.accounts.errors import BadCredentials, Busy, InvalidInput, Unauthorized
from infinity.accounts.passwords import hash_password, is_common, needs_rehash, verify_password
from infinity.accounts.records import ROLES, Account
from infinity.accounts.registry import Registry
from infinity.accounts.sanctions import Kind, Sanctions
from infinity.accounts.tokens import new_token, token_hash
from infinity.store.store import Store

NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{3,24}")
PASSWORD_MIN: Final = 8
PASSWORD_MAX: Final = 128
SESSION_LIFETIME: Final = 24 * 3600.0
MAX_SESSIONS: Final = 20  # live sessions per account; a new login ends the oldest
PURGE_EVERY: Final = 3600.0  # seconds between sweeps of expired sessions
HASH_SLOTS: Final = 1 if (os.cpu_count() or 1) <= 2 else 2  # leave the zones a core at least
HASH_QUEUE: Final = 32  # ~0.8 s of waiting at 25 ms a hash; more are told to retry
T = TypeVar("T")


class HashGate:
    """At most `slots` argon2 hashes at once and `queue` more waiting; beyond that `Busy`.

    Each hash takes ~25 ms of a core; without a bound, 40 logins a second
    take 1.5 cores from the zones. Refusing at once (the client is told to
    retry) keeps the wait, and the memory of waiting requests, bounded too.
    """

    def __init__(self, slots: int = HASH_SLOTS, queue: int = HASH_QUEUE) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._room = slots + queue
        self._inside = 0

    async def run(self, work: Callable[..., T], *args: str) -> T:
        if self._inside >= self._room:
            raise Busy
        self._inside += 1
        try:
            async with self._slots:
                return await asyncio.to_thread(work, *args)
        finally:
            self._inside -= 1


class Login(NamedTuple):
    """A logged-in account and its bearer token; unpacks as (account, token, expires_at)."""

    account: Account
    token: str
    expires_at: float


class Accounts:
    """The account rules over the store's `Registry`: validation, password checks and sessions."""

    def __init__(
        self,
        store: Store,
        *,
        session_lifetime: float = SESSION_LIFETIME,
        max_sessions: int = MAX_SESSIONS,
        hashing: HashGate | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._registry = Registry(store.engine)
        self.registry = self._registry
        self.sanctions = Sanctions(store.engine, clock)
        self._session_lifetime = session_lifetime
        self._max_sessions = max_sessions
        self._hashing = hashing or HashGate()
        self._clock = clock
        self._decoy_hash: str | None = None
        self._purged_at = -PURGE_EVERY

    async def register(self, name: str, password: str, role: str = "player") -> Login:
        """Create an account and log it in. Raises `InvalidInput`, `NameTaken` or `Busy`.

        Any role may be asked for here; the gateway decides who may create operators.
        """
        _check_name(name)
        _check_password(password, name)
        if role not in ROLES:
            raise InvalidInput("role", f"must be one of {', '.join(sorted(ROLES))}")
        password_hash = await self._hashing.run(hash_password, password)
        account = await self._registry.create_account(name, password_hash, role)
        return await self._open_session(account)

    async def login(self, name: str, password: str) -> Login:
        """Check a name (any letter case) and password; `BadCredentials` if either is wrong,
        `Sanctioned` if the account is banned, `Busy` if too many passwords are being
        checked already."""
        if len(password) > PASSWORD_MAX:
            raise BadCredentials  # refuse before hashing: long inputs cost CPU
        found = await self._registry.credentials(name) if NAME_PATTERN.fullmatch(name) else None
        # Verify against a decoy when the name is unknown, so timing does not reveal names.
        stored_hash = found[1] if found is not None else await self._decoy()
        matches = await self._hashing.run(verify_password, stored_hash, password)
        if found is None or not matches:
            raise BadCredentials
        account = found[0]
        self.sanctions.check(account.id, Kind.BAN)
        if needs_rehash(stored_hash):
            fresh = await self._hashing.run(hash_password, password)
            await self._registry.set_password_hash(account.id, fresh)
        return await self._open_session(account)

    async def authenticate(self, token: str) -> Account:
        """The account behind a session token; `Unauthorized` if unknown or expired."""
        account = await self._registry.session_account(token_hash(token), self._clock())
        if account is None:
            raise Unauthorized
        return account

    async def logout(self, token: str) -> None:
        """End a session; logging out twice is harmless."""
        await self._registry.delete_session(token_hash(token))

    async def purge_expired(self) -> int:
        """Drop expired sessions from the store; returns how many."""
        return await self._registry.purge_sessions(self._clock())

    async def _open_session(self, account: Account) -> Login:
        """A new session; the account keeps only its newest `max_sessions`, and now and then
        expired sessions of everyone are swept (they are refused anyway, but take rows)."""
        now = self._clock()
        token = new_token()
        expires_at = now + self._session_lifetime
        await self._registry.create_session(account.id, token_hash(token), expires_at)
        await self._registry.trim_sessions(account.id, self._max_sessions)
        if now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            await self._registry.purge_sessions(now)
        return Login(account, token, expires_at)

    async def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = await self._hashing.run(hash_password, new_token())
        return self._decoy_hash


def _check_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidInput("name", "3 to 24 letters, digits, '_' or '-'")


def _check_password(password: str, name: str) -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvalidInput("password", f"{PASSWORD_MIN} to {PASSWORD_MAX} characters")
    if not password.strip():
        raise InvalidInput("password", "not only spaces")
    if not password.isprintable():  # control, format (bidi, zero-width) and other invisibles
        raise InvalidInput("password", "letters, digits, symbols and spaces only")
    if is_common(password) or password.lower() == name.lower():
        raise InvalidInput("password", "too easy to guess: a common password, or your name")
