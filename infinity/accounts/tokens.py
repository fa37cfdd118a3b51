"""Session tokens. The client holds the token; the store keeps only its hash.

Tokens carry 256 random bits, so a plain sha256 is enough (no salt, no
stretching) and a stolen database yields no usable sessions.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A fresh bearer token, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The sha256 hex digest the store keys sessions by."""
    return hashlib.sha256(token.encode()).hexdigest()
