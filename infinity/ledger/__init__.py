"""Credits: a double-entry ledger with group commit (see `ledger.py`)."""

from infinity.ledger.errors import (
    InvalidTransfer,
    KeyConflict,
    KindMismatch,
    LedgerError,
    LedgerUnavailable,
    Overdraft,
    UnknownAccount,
)
from infinity.ledger.ledger import Ledger
from infinity.ledger.types import (
    AccountKind,
    AuditReport,
    Posting,
    Receipt,
    TransferKind,
    TransferRequest,
)

__all__ = [
    "AccountKind",
    "AuditReport",
    "InvalidTransfer",
    "KeyConflict",
    "KindMismatch",
    "Ledger",
    "LedgerError",
    "LedgerUnavailable",
    "Overdraft",
    "Posting",
    "Receipt",
    "TransferKind",
    "TransferRequest",
    "UnknownAccount",
]
