"""Accounts: register, log in, check a session token, log out.

Argon2 work runs in a worker thread (`asyncio.to_thread`) so a login never
stalls the event loop that also carries the game. Times are wall-clock unix
seconds from an injectable `clock`, because sessions outlive restarts.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Final, NamedTuple

from infinity.accounts.errors import BadCredentials, InvalidInput, Unauthorized
from infinity.accounts.passwords import hash_password, needs_rehash, verify_password
from infinity.accounts.records import ROLES, Account
from infinity.accounts.registry import Registry
from infinity.accounts.tokens import new_token, token_hash
from infinity.store.store import Store

NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{3,24}")
PASSWORD_MIN: Final = 8
PASSWORD_MAX: Final = 128
SESSION_LIFETIME: Final = 24 * 3600.0


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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._registry = Registry(store.engine)
        self._session_lifetime = session_lifetime
        self._clock = clock
        self._decoy_hash: str | None = None

    async def register(self, name: str, password: str, role: str = "player") -> Login:
        """Create an account and log it in. Raises `InvalidInput` or `NameTaken`.

        Any role may be asked for here; the gateway decides who may create operators.
        """
        _check_name(name)
        _check_password(password)
        if role not in ROLES:
            raise InvalidInput("role", f"must be one of {', '.join(sorted(ROLES))}")
        password_hash = await asyncio.to_thread(hash_password, password)
        account = await self._registry.create_account(name, password_hash, role)
        return await self._open_session(account)

    async def login(self, name: str, password: str) -> Login:
        """Check a name (any letter case) and password; `BadCredentials` if either is wrong."""
        if len(password) > PASSWORD_MAX:
            raise BadCredentials  # refuse before hashing: long inputs cost CPU
        found = await self._registry.credentials(name) if NAME_PATTERN.fullmatch(name) else None
        # Verify against a decoy when the name is unknown, so timing does not reveal names.
        stored_hash = found[1] if found is not None else await self._decoy()
        matches = await asyncio.to_thread(verify_password, stored_hash, password)
        if found is None or not matches:
            raise BadCredentials
        account = found[0]
        if needs_rehash(stored_hash):
            fresh = await asyncio.to_thread(hash_password, password)
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
        token = new_token()
        expires_at = self._clock() + self._session_lifetime
        await self._registry.create_session(account.id, token_hash(token), expires_at)
        return Login(account, token, expires_at)

    async def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = await asyncio.to_thread(hash_password, new_token())
        return self._decoy_hash


def _check_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidInput("name", "3 to 24 letters, digits, '_' or '-'")


def _check_password(password: str) -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvalidInput("password", f"{PASSWORD_MIN} to {PASSWORD_MAX} characters")
