"""SQL shared by the SQLite and PostgreSQL backends (written with `?` marks; `numbered`
turns them into asyncpg's `$1, $2, ...`), and turning rows into receipts."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any, Final

from infinity.ledger.types import AuditReport, Posting, Receipt, TransferKind

OPEN_ACCOUNT: Final = (
    "INSERT INTO ledger_accounts (name, kind, balance, created_at) VALUES (?, ?, 0, ?) "
    "ON CONFLICT (name) DO NOTHING"
)
ACCOUNT_KIND: Final = "SELECT kind FROM ledger_accounts WHERE name = ?"
BALANCE: Final = "SELECT balance FROM ledger_accounts WHERE name = ?"
BALANCES: Final = (  # substr, not LIKE (no wildcards to escape) nor a range (collations differ)
    "SELECT name, balance FROM ledger_accounts WHERE substr(name, 1, ?) = ? AND balance <> 0"
)
HISTORY_PAGE: Final = (
    "SELECT t.id, t.key, t.kind, t.actors, t.memo, t.at "
    "FROM ledger_postings p JOIN ledger_transfers t ON t.id = p.transfer_id "
    "WHERE p.account = ? AND p.transfer_id < ? ORDER BY p.transfer_id DESC LIMIT ?"
)
VICTIMS: Final = (
    "SELECT DISTINCT v.actor_id FROM ledger_actors a "
    "JOIN ledger_transfers t ON t.id = a.transfer_id "
    "JOIN ledger_actors v ON v.transfer_id = a.transfer_id AND v.role = 'victim' "
    "WHERE a.role = ? AND a.actor_id = ? AND t.kind = 'theft' ORDER BY v.actor_id"
)

# -- audit: each query returns the rows that break an invariant (at most AUDIT_SAMPLE) ----
AUDIT_SAMPLE: Final = 20
AUDIT_UNBALANCED: Final = (
    "SELECT t.id, coalesce(sum(p.amount), 0), count(p.account) FROM ledger_transfers t "
    "LEFT JOIN ledger_postings p ON p.transfer_id = t.id GROUP BY t.id "
    "HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.account) < 2 ORDER BY t.id LIMIT "
    + str(AUDIT_SAMPLE)
)
AUDIT_ORPHANS: Final = (
    "SELECT count(*) FROM ledger_postings p "
    "WHERE NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id = p.transfer_id)"
)
AUDIT_CACHE: Final = (
    "SELECT a.name, a.balance, coalesce(d.total, 0) FROM ledger_accounts a "
    "LEFT JOIN (SELECT account, sum(amount) AS total FROM ledger_postings GROUP BY account) d "
    "ON d.account = a.name WHERE a.balance <> coalesce(d.total, 0) ORDER BY a.name LIMIT "
    + str(AUDIT_SAMPLE)
)
AUDIT_STRAY: Final = (
    "SELECT count(*) FROM ledger_postings p "
    "WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.name = p.account)"
)
AUDIT_NEGATIVE: Final = (
    "SELECT name, balance FROM ledger_accounts WHERE balance < 0 AND kind <> 'mint' "
    "ORDER BY name LIMIT " + str(AUDIT_SAMPLE)
)
AUDIT_BY_KIND: Final = (
    "SELECT kind, count(*), coalesce(sum(balance), 0) FROM ledger_accounts GROUP BY kind"
)
AUDIT_COUNTS: Final = (
    "SELECT (SELECT count(*) FROM ledger_transfers), (SELECT count(*) FROM ledger_postings), "
    "(SELECT coalesce(sum(amount), 0) FROM ledger_postings)"
)


def numbered(sql: str) -> str:
    """`?` marks to PostgreSQL's `$1, $2, ...` (no query here has a literal '?')."""
    counter = itertools.count(1)
    return "".join(f"${next(counter)}" if char == "?" else char for char in sql)


def receipts(
    transfers: Iterable[Sequence[Any]], postings: Iterable[Sequence[Any]]
) -> list[Receipt]:
    """Rows (id, key, kind, actors, memo, at) and (transfer_id, account, amount), the
    latter sorted by account, into receipts in the order of `transfers`."""
    legs: dict[int, list[Posting]] = {}
    for transfer_id, account, amount in postings:
        legs.setdefault(int(transfer_id), []).append(Posting(str(account), int(amount)))
    return [
        Receipt(
            transfer_id=int(row[0]),
            key=str(row[1]),
            kind=TransferKind(row[2]),
            postings=tuple(legs.get(int(row[0]), ())),
            actors={str(role): int(actor) for role, actor in json.loads(row[3]).items()},
            memo=str(row[4]),
            at=float(row[5]),
            replayed=False,
        )
        for row in transfers
    ]


def audit_report(
    unbalanced: Sequence[Sequence[Any]],
    orphans: int,
    stray: int,
    cache: Sequence[Sequence[Any]],
    negative: Sequence[Sequence[Any]],
    by_kind: Sequence[Sequence[Any]],
    counts: Sequence[Any],
) -> AuditReport:
    """Turn the audit queries' answers into a report (see `AuditReport`)."""
    problems = [
        f"transfer {tid} postings sum to {total} over {legs} legs (want 0 over >= 2)"
        for tid, total, legs in unbalanced
    ]
    if orphans:
        problems.append(f"{orphans} postings belong to no transfer")
    if stray:
        problems.append(f"{stray} postings name no account")
    problems += [
        f"account {name!r} caches balance {cached}, its postings sum to {derived}"
        for name, cached, derived in cache
    ]
    problems += [f"account {name!r} is negative: {balance}" for name, balance in negative]
    totals = {str(kind): int(total) for kind, _, total in by_kind}
    accounts = sum(int(count) for _, count, _ in by_kind)
    transfers, postings, postings_sum = (int(value) for value in counts)
    everything = sum(totals.values())
    minted = -totals.get("mint", 0)
    burned = totals.get("burn", 0)
    circulating = everything + minted - burned
    if everything != 0:  # equivalently: circulating != minted - burned
        problems.append(
            f"balances sum to {everything}, not zero: circulating {circulating} != "
            f"minted {minted} - burned {burned}"
        )
    if postings_sum != 0:
        problems.append(f"postings sum to {postings_sum}, not zero")
    return AuditReport(problems, accounts, transfers, postings, minted, burned, circulating)
