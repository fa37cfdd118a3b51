"""Argon2id password hashes.

Parameters follow OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about
25 ms per hash on a small server, slow for an attacker, cheap for a login.
Hashes carry their parameters, so raising them later only needs `needs_rehash`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
_COMMON: Final = Path(__file__).with_name("common_passwords.txt")


def hash_password(password: str) -> str:
    """A salted argon2id hash in PHC string form (`$argon2id$v=19$m=...`)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches; False on mismatch or a malformed hash, never raises."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with other parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def is_common(password: str) -> bool:
    """True for one of the 1,000 passwords attackers try first (any letter case)."""
    return password.lower() in _common_passwords()


@functools.cache
def _common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("# "))
