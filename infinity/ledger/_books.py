"""The rules, in memory and free of I/O: checking a request, then settling a batch.

`prepare` checks what a request says on its own (shape, amounts, balance)
and computes its body hash; it runs in the caller, before anything is
queued. `settle` decides a batch in order against the balances and keys read
from the database under its write lock: each transfer is accepted (and its
effect applied to the in-memory balances the next one sees), replayed, or
refused with a typed error, and a refusal leaves the others untouched.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any, Final

from infinity.ledger.errors import (
    InvalidTransfer,
    KeyConflict,
    LedgerError,
    Overdraft,
    UnknownAccount,
)
from infinity.ledger.types import AccountKind, Posting, Receipt, TransferKind, TransferRequest

MAX_KEY: Final = 128
MAX_LEGS: Final = 16
MAX_MEMO: Final = 1000
MAX_AMOUNT: Final = 10**15  # per leg
MAX_BALANCE: Final = 2**62  # |balance| bound, well inside BIGINT
MAX_ACTOR_ID: Final = 2**63 - 1
ACCOUNT_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_.\-]{0,63}")
ROLE_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")

Outcome = Receipt | LedgerError
INDEXED_KINDS: Final = frozenset({TransferKind.THEFT.value})  # whose actors go to ledger_actors
_ACCOUNT_KINDS: Final = frozenset(AccountKind)
_KIND_OF: Final[dict[str, TransferKind]] = {kind.value: kind for kind in TransferKind}
_good_roles: set[str] = set()  # roles seen to match ROLE_NAME (a small cache)

# A checked transfer as the writers take it, in plain data (it may cross to another
# process): (key, kind, legs, actors, memo, body_hash, actors_json), legs as
# (account, amount) sorted by account, actors as (role, id) sorted by role.
Entry = tuple[str, str, tuple[tuple[str, int], ...], tuple[tuple[str, int], ...], str, str, str]
# What became of one entry, in plain data: ("ok" | "replay", transfer_id, at),
# ("conflict",), ("unknown", account), ("overdraft", account, balance, amount)
# or ("invalid", message).
Decision = tuple[Any, ...]
# A key already in the books: (transfer_id, body_hash, at).
Known = tuple[int, str, float]


@dataclass(slots=True)
class Prepared:
    """A checked request: what its caller will be told about, and its `entry`."""

    key: str
    kind: TransferKind
    legs: tuple[Posting, ...]  # sorted by account
    actors: tuple[tuple[str, int], ...]  # sorted by role
    memo: str
    entry: Entry

    def outcome(self, decision: Decision) -> Outcome:
        """The caller's answer: a receipt, or the refusal as a typed error."""
        verdict = decision[0]
        if verdict == "ok" or verdict == "replay":
            return Receipt(
                decision[1],
                self.key,
                self.kind,
                self.legs,
                dict(self.actors),
                self.memo,
                decision[2],
                verdict == "replay",
            )
        if verdict == "overdraft":
            return Overdraft(decision[1], decision[2], decision[3], self.key)
        if verdict == "unknown":
            return UnknownAccount(decision[1], self.key)
        if verdict == "conflict":
            return KeyConflict(self.key)
        return InvalidTransfer(str(decision[1]), self.key)


@dataclass(slots=True)
class Settlement:
    """What a batch comes to: one decision per entry, the accepted entries with their
    ids, and each touched account's net change."""

    decisions: list[Decision]
    accepted: list[tuple[int, Entry]] = field(default_factory=list)
    deltas: dict[str, int] = field(default_factory=dict)


def _by_account(posting: Posting) -> str:
    return posting.account


def prepare(request: TransferRequest) -> Prepared:
    """Check a request on its own; `InvalidTransfer` if malformed. Hot: runs per transfer."""
    key = request.key
    if type(key) is not str or not 0 < len(key) <= MAX_KEY:
        raise InvalidTransfer(f"key must be 1 to {MAX_KEY} characters", None)
    kind = _KIND_OF.get(request.kind) if isinstance(request.kind, str) else None
    if kind is None:
        raise InvalidTransfer(f"unknown transfer kind {request.kind!r}", key)
    postings = request.postings
    if type(postings) is not tuple or not 2 <= len(postings) <= MAX_LEGS:
        raise InvalidTransfer(f"a transfer has 2 to {MAX_LEGS} postings", key)
    total = 0
    body = [kind, "|"]
    for posting in postings:
        amount = posting.amount
        account = posting.account
        if type(amount) is not int or amount == 0 or not -MAX_AMOUNT <= amount <= MAX_AMOUNT:
            raise InvalidTransfer(f"bad amount {amount!r} for {account!r}", key)
        if type(account) is not str:
            raise InvalidTransfer(f"bad account name {account!r}", key)
        total += amount
    if total != 0:
        raise InvalidTransfer(f"postings sum to {total}, not zero", key)
    legs: tuple[Posting, ...]
    if len(postings) == 2:
        first, second = postings
        if first.account == second.account:
            raise InvalidTransfer(f"account {first.account!r} appears twice", key)
        legs = postings if first.account < second.account else (second, first)
    else:
        legs = tuple(sorted(postings, key=_by_account))
        for before, after in itertools.pairwise(legs):
            if before.account == after.account:
                raise InvalidTransfer(f"account {after.account!r} appears twice", key)
    for leg in legs:  # length-prefixed, so no two bodies encode alike
        body.append(f"{len(leg.account)}:{leg.account}={leg.amount};")
    actors = _actors(request.actors, key) if request.actors else ()
    body.append("|")
    for role, actor in actors:
        body.append(f"{role}={actor};")
    memo = request.memo
    if type(memo) is not str or len(memo) > MAX_MEMO:
        raise InvalidTransfer(f"memo must be text of at most {MAX_MEMO} characters", key)
    body.append("|")
    body.append(memo)
    body_hash = blake2b("".join(body).encode(), digest_size=16).hexdigest()
    if actors:  # roles are [a-z0-9_] and ids ints: this is JSON
        actors_json = "{" + ",".join([f'"{role}":{actor}' for role, actor in actors]) + "}"
    else:
        actors_json = "{}"
    pairs = tuple([(leg.account, leg.amount) for leg in legs])
    entry = (key, kind.value, pairs, actors, memo, body_hash, actors_json)
    return Prepared(key, kind, legs, actors, memo, entry)


def _actors(actors: Mapping[str, int], key: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(actors, Mapping):
        raise InvalidTransfer("actors must map roles to ids", key)
    pairs = tuple(sorted(actors.items()))
    for role, actor in pairs:
        if role not in _good_roles:
            if type(role) is not str or ROLE_NAME.fullmatch(role) is None:
                raise InvalidTransfer(f"bad actor role {role!r}", key)
            if len(_good_roles) < 1024:
                _good_roles.add(role)
        if type(actor) is not int or not 0 <= actor <= MAX_ACTOR_ID:
            raise InvalidTransfer(f"bad actor id {actor!r} for {role!r}", key)
    return pairs


def settle(
    entries: Sequence[Entry],
    balances: dict[str, int],
    mints: set[str],
    known: dict[str, Known],
    ids: Iterator[int],
    now: float,
) -> Settlement:
    """Decide `entries` in order. `balances` (every touched account that exists, read under
    the write lock) and `known` (those of the entries' keys already stored) are updated
    in place as transfers are accepted; `mints` names the accounts that may go negative;
    each accepted transfer takes the next of `ids` (at least `len(entries)` of them)."""
    settlement = Settlement([])
    decisions = settlement.decisions
    accepted = settlement.accepted
    start = dict(balances)
    for entry in entries:
        key = entry[0]
        seen = known.get(key)
        if seen is not None:
            if seen[1] == entry[5]:
                decisions.append(("replay", seen[0], seen[2]))
            else:
                decisions.append(("conflict",))
            continue
        refusal = _refusal(entry[2], balances, mints)
        if refusal is not None:
            decisions.append(refusal)
            continue
        for account, amount in entry[2]:
            balances[account] += amount
        transfer_id = next(ids)
        known[key] = (transfer_id, entry[5], now)
        accepted.append((transfer_id, entry))
        decisions.append(("ok", transfer_id, now))
    deltas = settlement.deltas
    for name, before in start.items():
        after = balances[name]
        if after != before:
            deltas[name] = after - before
    return settlement


def posting_rows(accepted: Sequence[tuple[int, Entry]]) -> list[tuple[int, str, int]]:
    """The `ledger_postings` rows of accepted transfers: (transfer id, account, amount)."""
    return [(tid, account, amount) for tid, e in accepted for account, amount in e[2]]


def actor_rows(accepted: Sequence[tuple[int, Entry]]) -> list[tuple[int, str, int]]:
    """The `ledger_actors` rows of accepted transfers: (transfer id, role, actor id), for
    the kinds whose actors are looked up (`INDEXED_KINDS`) only."""
    return [
        (tid, role, actor) for tid, e in accepted if e[1] in INDEXED_KINDS for role, actor in e[3]
    ]


def _refusal(
    legs: tuple[tuple[str, int], ...], balances: dict[str, int], mints: set[str]
) -> Decision | None:
    for account, amount in legs:
        balance = balances.get(account)
        if balance is None:
            return ("unknown", account)
        after = balance + amount
        if after < 0 and account not in mints:
            return ("overdraft", account, balance, amount)
        if not -MAX_BALANCE <= after <= MAX_BALANCE:
            return ("invalid", f"{account!r} would leave the balance range")
    return None


def check_account(name: str, kind: AccountKind) -> AccountKind:
    """Check an account's name and kind before it is opened."""
    if type(name) is not str or ACCOUNT_NAME.fullmatch(name) is None:
        raise InvalidTransfer(f"bad account name {name!r}: letters, digits and :_.- up to 64")
    if kind not in _ACCOUNT_KINDS:
        raise InvalidTransfer(f"unknown account kind {kind!r}")
    return AccountKind(kind)
