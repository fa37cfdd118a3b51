"""Why an account request was refused."""

from __future__ import annotations


class InvalidInput(Exception):
    """A field failed validation; `field` names it so a client can point at it."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


class BadCredentials(Exception):
    """Wrong name or password; deliberately does not say which."""


class Unauthorized(Exception):
    """A session token that is unknown, expired or logged out."""


class NameTaken(Exception):
    """An account name is already in use (names are unique regardless of case)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"name {name!r} is taken")
        self.name = name


class Busy(Exception):
    """Too many password hashes are already running or waiting: try again in a moment."""


class Sanctioned(Exception):
    """The account is muted or banned until `until` (unix seconds), for `reason`."""

    def __init__(self, kind: str, reason: str, until: float) -> None:
        super().__init__(f"{kind}ned until {until:.0f}: {reason}")
        self.kind = kind
        self.reason = reason
        self.until = until
