"""Why the ledger refused a transfer. A refused transfer changed nothing."""

from __future__ import annotations

from typing import ClassVar


class LedgerError(Exception):
    """Base of the ledger's refusals; `code` is a stable string for the wire."""

    code: ClassVar[str] = "ledger"

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key  # the idempotency key of the refused transfer, when there is one


class InvalidTransfer(LedgerError):
    """Malformed: zero or negative amount, unbalanced, too few or too many legs, bad key."""

    code = "invalid"


class UnknownAccount(LedgerError):
    code = "unknown_account"

    def __init__(self, account: str, key: str | None = None) -> None:
        super().__init__(f"no account {account!r}", key)
        self.account = account


class Overdraft(LedgerError):
    """The transfer would take an account (other than a mint) below zero."""

    code = "overdraft"

    def __init__(self, account: str, balance: int, amount: int, key: str | None = None) -> None:
        super().__init__(f"{account!r} holds {balance}, cannot give {-amount}", key)
        self.account = account
        self.balance = balance
        self.amount = amount


class KeyConflict(LedgerError):
    """The key was already used for a transfer with a different body."""

    code = "key_conflict"

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} was used for a different transfer", key)


class KindMismatch(LedgerError):
    """`open_account` of an existing name with another kind."""

    code = "kind_mismatch"


class LedgerUnavailable(LedgerError):
    """The database failed or the ledger is closed. The transfer is then most likely not
    committed; retrying with the same key is always safe (a replay answers if it was)."""

    code = "unavailable"
