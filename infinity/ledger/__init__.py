"""Credits: a double-entry ledger with group commit.

    ledger = await Ledger.open(url)          # the Store's database URL; migrates it
    await ledger.open_account("mint", AccountKind.MINT)
    await ledger.open_account("wallet:ship:1048600", AccountKind.WALLET)
    receipt = await ledger.transfer(TransferRequest.move(
        "mining:1048600:42", TransferKind.MINING, "mint", "wallet:ship:1048600", 25))
    await ledger.close()

`ledger.py` has the queue and the writer task, `_books.py` the rules (pure),
`_sqlite.py`, `_writer_process.py` and `_postgres.py` the SQL, `schema.py` the
tables (created by migration 0002).
"""

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
