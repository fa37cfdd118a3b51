"""Refusals: each bad request raises its typed error, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infinity.ledger import (
    AccountKind,
    InvalidTransfer,
    KeyConflict,
    KindMismatch,
    Ledger,
    LedgerError,
    Overdraft,
    Posting,
    Receipt,
    TransferKind,
    TransferRequest,
    UnknownAccount,
)
from tests.ledger.conftest import fund

T = TransferKind
ACCOUNTS = ("mint", "a", "b")


async def books(ledger: Ledger) -> tuple[Any, ...]:
    """Everything observable: balances, full histories, audit totals."""
    balances = [await ledger.balance(name) for name in ACCOUNTS]
    histories = [(await ledger.history(name, limit=500))[0] for name in ACCOUNTS]
    report = await ledger.audit()
    assert report.ok, report.problems
    return balances, histories, report


def move(amount: int, key: str = "k", source: str = "a", dest: str = "b") -> TransferRequest:
    return TransferRequest(key, T.TRADE, (Posting(source, -amount), Posting(dest, amount)))


BAD: dict[str, tuple[Callable[[], TransferRequest], type[LedgerError]]] = {
    "zero amount": (lambda: move(0), InvalidTransfer),
    "zero leg": (
        lambda: TransferRequest(
            "k", T.TRADE, (Posting("a", -5), Posting("b", 5), Posting("mint", 0))
        ),
        InvalidTransfer,
    ),
    "unbalanced": (
        lambda: TransferRequest("k", T.TRADE, (Posting("a", -5), Posting("b", 4))),
        InvalidTransfer,
    ),
    "one leg": (lambda: TransferRequest("k", T.TRADE, (Posting("a", 0),)), InvalidTransfer),
    "too many legs": (
        lambda: TransferRequest(
            "k", T.TRADE, tuple(Posting(f"x{i}", 1 if i else -16) for i in range(17))
        ),
        InvalidTransfer,
    ),
    "same account twice": (
        lambda: TransferRequest("k", T.TRADE, (Posting("a", -5), Posting("a", 5))),
        InvalidTransfer,
    ),
    "bool amount": (
        lambda: TransferRequest("k", T.TRADE, (Posting("a", -True), Posting("b", True))),
        InvalidTransfer,
    ),
    "float amount": (
        lambda: TransferRequest("k", T.TRADE, (Posting("a", -1.5), Posting("b", 1.5))),  # type: ignore[arg-type]
        InvalidTransfer,
    ),
    "empty key": (lambda: move(5, key=""), InvalidTransfer),
    "long key": (lambda: move(5, key="k" * 129), InvalidTransfer),
    "unknown kind": (
        lambda: TransferRequest("k", "gift", (Posting("a", -5), Posting("b", 5))),  # type: ignore[arg-type]
        InvalidTransfer,
    ),
    "bad actor role": (
        lambda: TransferRequest("k", T.THEFT, move(5).postings, {"Thief!": 1}),
        InvalidTransfer,
    ),
    "bad actor id": (
        lambda: TransferRequest("k", T.THEFT, move(5).postings, {"thief": -1}),
        InvalidTransfer,
    ),
    "unknown source": (lambda: move(5, source="nobody"), UnknownAccount),
    "unknown destination": (lambda: move(5, dest="nobody"), UnknownAccount),
    "overdraft": (lambda: move(101), Overdraft),
    "overdraft on one leg of three": (
        lambda: TransferRequest(
            "k", T.TRADE, (Posting("a", -50), Posting("b", -101), Posting("mint", 151))
        ),
        Overdraft,
    ),
}


@pytest.mark.parametrize("case", BAD)
async def test_bad_transfer_is_refused_and_changes_nothing(ledger: Ledger, case: str) -> None:
    await fund(ledger, {"a": 100, "b": 100})
    build, error = BAD[case]
    before = await books(ledger)
    with pytest.raises(error) as caught:
        await ledger.transfer(build())
    assert caught.value.code == error.code
    assert await books(ledger) == before


@pytest.mark.parametrize("amount", [0, -1, -100])
async def test_move_of_no_or_negative_credits_is_invalid(amount: int) -> None:
    with pytest.raises(InvalidTransfer):
        TransferRequest.move("k", T.TRADE, "a", "b", amount)


@pytest.mark.parametrize(
    "other",
    [
        move(6),
        move(5, dest="mint"),
        TransferRequest("k", T.LOOT, move(5).postings),
        TransferRequest("k", T.TRADE, move(5).postings, {"by": 1}),
        TransferRequest("k", T.TRADE, move(5).postings, memo="changed"),
        move(500),  # would also overdraw: the key decides first
    ],
    ids=["amount", "account", "kind", "actors", "memo", "overdraft"],
)
async def test_reused_key_with_another_body_conflicts(
    ledger: Ledger, other: TransferRequest
) -> None:
    await fund(ledger, {"a": 100, "b": 100})
    await ledger.transfer(move(5))
    before = await books(ledger)
    with pytest.raises(KeyConflict) as caught:
        await ledger.transfer(other)
    assert caught.value.code == "key_conflict"
    assert await books(ledger) == before


async def test_a_refusal_does_not_spoil_its_batch(ledger: Ledger) -> None:
    await fund(ledger, {"a": 100, "b": 0})
    outcomes = await ledger.transfer_many(
        [move(60, key="one"), move(60, key="two"), move(40, key="three"), move(0, key="four")]
    )
    assert [type(outcome) for outcome in outcomes] == [Receipt, Overdraft, Receipt, InvalidTransfer]
    assert await ledger.balance("a") == 0
    assert await ledger.balance("b") == 100
    assert (await ledger.audit()).ok


async def test_only_mints_go_below_zero(ledger: Ledger) -> None:
    await fund(ledger, {"a": 0})
    await ledger.open_account("burn", AccountKind.BURN)
    await ledger.transfer(TransferRequest.move("m", T.GRANT, "mint", "a", 7))
    assert await ledger.balance("mint") == -7
    with pytest.raises(Overdraft):
        await ledger.transfer(TransferRequest.move("b", T.FEE, "burn", "a", 1))


async def test_open_account_is_idempotent_but_keeps_its_kind(ledger: Ledger) -> None:
    await ledger.open_account("wallet:ship:1048600", AccountKind.WALLET)
    await ledger.open_account("wallet:ship:1048600", AccountKind.WALLET)
    assert await ledger.balance("wallet:ship:1048600") == 0
    with pytest.raises(KindMismatch):
        await ledger.open_account("wallet:ship:1048600", AccountKind.MINT)
    for bad in ("", "has space", "x" * 65, "-leading"):
        with pytest.raises(InvalidTransfer):
            await ledger.open_account(bad, AccountKind.WALLET)
    with pytest.raises(InvalidTransfer):
        await ledger.open_account("ok", "vault")  # type: ignore[arg-type]


async def test_queries_of_unknown_accounts_are_refused(ledger: Ledger) -> None:
    with pytest.raises(UnknownAccount):
        await ledger.balance("nobody")
    with pytest.raises(UnknownAccount):
        await ledger.history("nobody")
