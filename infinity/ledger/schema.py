"""The ledger's tables, as SQLAlchemy Core, on the store's `metadata`.

Migration `0002_ledger` creates them; the store's drift test compares the two,
with every package's tables loaded.

* `ledger_accounts`: one row per account; `balance` is a cache of the sum of
  the account's postings, kept in the same transaction as the postings. A
  CHECK keeps every account but a mint's at or above zero, so not even a bug
  can overdraw one.
* `ledger_transfers`: one row per committed transfer; `key` (the idempotency
  key) is unique, `body_hash` tells a replay from a conflicting reuse.
* `ledger_postings`: the legs, `(transfer_id, account)` unique (an account
  appears at most once in a transfer); the `(account, transfer_id)` index
  serves history. SQLite keeps it WITHOUT ROWID (one b-tree fewer).
* `ledger_actors`: the `actors` of each transfer, one row per role, indexed
  by `(role, actor_id)` for `Ledger.victims`.
"""

from __future__ import annotations

import sqlalchemy as sa

from infinity.store.schema import SerialId, metadata, reference

ledger_accounts = sa.Table(
    "ledger_accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("balance", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.CheckConstraint("balance >= 0 OR kind = 'mint'", name="ck_ledger_accounts_balance"),
)

ledger_transfers = sa.Table(
    "ledger_transfers",
    metadata,
    sa.Column("id", SerialId, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(128), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("actors", sa.Text, nullable=False),  # JSON object: role -> id
    sa.Column("memo", sa.Text, nullable=False),
    sa.Column("body_hash", sa.String(32), nullable=False),  # blake2b-128 hex of the body
    sa.Column("at", sa.Float, nullable=False),
)

ledger_postings = sa.Table(
    "ledger_postings",
    metadata,
    reference("transfer_id", sa.BigInteger, "ledger_transfers.id", primary_key=True),
    reference("account", sa.String(64), "ledger_accounts.name", primary_key=True),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Index("ix_ledger_postings_account_transfer_id", "account", "transfer_id"),
    sqlite_with_rowid=False,
)

ledger_actors = sa.Table(
    "ledger_actors",
    metadata,
    reference("transfer_id", sa.BigInteger, "ledger_transfers.id", primary_key=True),
    sa.Column("role", sa.String(32), primary_key=True),
    sa.Column("actor_id", sa.BigInteger, nullable=False),
    sa.Index("ix_ledger_actors_role_actor_id", "role", "actor_id"),
    sqlite_with_rowid=False,
)
