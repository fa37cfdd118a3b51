"""Why an account request was refused. `NameTaken` comes from `infinity.store.errors`."""

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
