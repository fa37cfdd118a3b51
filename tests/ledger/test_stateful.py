"""A hypothesis state machine: random transfers (good, malformed, overdrawing, replayed,
conflicting, in batches) against a plain in-memory model of the books.

One ledger serves every example; each example works in its own namespace of
account names and keys, so the model only has to know its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from infinity.ledger import (
    AccountKind,
    InvalidTransfer,
    KeyConflict,
    Ledger,
    LedgerError,
    Overdraft,
    Posting,
    Receipt,
    TransferKind,
    TransferRequest,
    UnknownAccount,
)
from tests.ledger.conftest import Target

NAMES = ("mint", "burn", "w0", "w1", "w2", "escrow")
KINDS = {
    "mint": AccountKind.MINT,
    "burn": AccountKind.BURN,
    "escrow": AccountKind.ESCROW,
}
_examples = itertools.count()

amounts = st.integers(min_value=-20, max_value=150)
names = st.sampled_from(NAMES)


class Books(RuleBasedStateMachine):
    """The model: balances, the receipt of every accepted key, thieves' victims."""

    def __init__(self, runner: asyncio.Runner, ledger: Ledger) -> None:
        super().__init__()
        self.run = runner.run
        self.ledger = ledger
        number = next(_examples)
        self.space = f"e{number}"
        self.thief = 1000 + number  # actor ids are not namespaced: one thief per example
        self.balances: dict[str, int] = {}
        self.receipts: dict[str, tuple[TransferRequest, Receipt]] = {}
        self.victims: set[int] = set()
        self.keys = itertools.count()

    def account(self, name: str) -> str:
        return f"{self.space}:{name}"

    def fresh_key(self) -> str:
        return f"{self.space}-{next(self.keys)}"

    @initialize()
    def open_accounts(self) -> None:
        for name in NAMES:
            kind = KINDS.get(name, AccountKind.WALLET)
            self.run(self.ledger.open_account(self.account(name), kind))
            self.balances[self.account(name)] = 0

    # -- what the model expects ----------------------------------------------------

    def expect(self, request: TransferRequest) -> type[LedgerError] | None:
        """The refusal the model predicts for a fresh key, or None to accept."""
        legs = request.postings
        accounts = [leg.account for leg in legs]
        if (
            not 2 <= len(legs) <= 16
            or any(leg.amount == 0 for leg in legs)
            or sum(leg.amount for leg in legs) != 0
            or len(set(accounts)) != len(accounts)
        ):
            return InvalidTransfer
        if any(name not in self.balances for name in accounts):
            return UnknownAccount
        for leg in legs:
            after = self.balances[leg.account] + leg.amount
            if after < 0 and not leg.account.endswith(":mint"):
                return Overdraft
        return None

    def apply(self, request: TransferRequest, receipt: Receipt) -> None:
        for leg in request.postings:
            self.balances[leg.account] += leg.amount
        self.receipts[request.key] = (request, receipt)
        if request.kind == TransferKind.THEFT:
            self.victims.add(request.actors["victim"])

    def check(self, request: TransferRequest, outcome: Receipt | LedgerError) -> None:
        """Compare the ledger's answer to a request (made with a fresh key) with the model."""
        refusal = self.expect(request)
        if refusal is None:
            assert isinstance(outcome, Receipt), outcome
            assert not outcome.replayed
            assert set(outcome.postings) == set(request.postings)
            self.apply(request, outcome)
        else:
            assert isinstance(outcome, refusal), (outcome, refusal)

    def submit(self, request: TransferRequest) -> Receipt | LedgerError:
        try:
            return self.run(self.ledger.transfer(request))
        except LedgerError as error:
            return error

    # -- rules ---------------------------------------------------------------------

    @rule(source=names, dest=names, amount=amounts, theft=st.booleans(), victim=st.integers(1, 4))
    def move(self, source: str, dest: str, amount: int, theft: bool, victim: int) -> None:
        kind = TransferKind.THEFT if theft else TransferKind.TRADE
        legs = (Posting(self.account(source), -amount), Posting(self.account(dest), amount))
        actors = {"thief": self.thief, "victim": victim} if theft else {}
        request = TransferRequest(self.fresh_key(), kind, legs, actors)
        self.check(request, self.submit(request))

    @rule(legs=st.lists(st.tuples(names, amounts), min_size=1, max_size=5), balance=st.booleans())
    def many_legs(self, legs: list[tuple[str, int]], balance: bool) -> None:
        postings = [Posting(self.account(name), amount) for name, amount in legs]
        if balance and len(postings) > 1:
            rest = -sum(p.amount for p in postings[:-1])
            postings[-1] = Posting(postings[-1].account, rest)
        request = TransferRequest(self.fresh_key(), TransferKind.TRANSFER, tuple(postings))
        self.check(request, self.submit(request))

    @rule(amount=st.integers(1, 50))
    def unknown_account(self, amount: int) -> None:
        legs = (Posting(self.account("w0"), amount), Posting(self.account("ghost"), -amount))
        request = TransferRequest(self.fresh_key(), TransferKind.TRADE, legs)
        self.check(request, self.submit(request))

    @precondition(lambda self: self.receipts)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.receipts)))
        request, receipt = self.receipts[key]
        outcome = self.submit(request)
        assert outcome == dataclasses.replace(receipt, replayed=True)

    @precondition(lambda self: self.receipts)
    @rule(data=st.data(), memo=st.text(max_size=5))
    def conflict(self, data: st.DataObject, memo: str) -> None:
        key = data.draw(st.sampled_from(sorted(self.receipts)))
        request, _ = self.receipts[key]
        changed = dataclasses.replace(request, memo=request.memo + "!" + memo)
        assert isinstance(self.submit(changed), KeyConflict)

    @rule(
        batch=st.lists(st.tuples(names, names, amounts), min_size=1, max_size=8),
        repeat=st.booleans(),
    )
    def batch(self, batch: list[tuple[str, str, int]], repeat: bool) -> None:
        requests = [
            TransferRequest(
                self.fresh_key(),
                TransferKind.TRADE,
                (Posting(self.account(a), -amount), Posting(self.account(b), amount)),
            )
            for a, b, amount in batch
        ]
        if repeat:
            requests.append(requests[0])
        outcomes = self.run(self.ledger.transfer_many(requests))
        decided: dict[str, Receipt | LedgerError] = {}
        for request, outcome in zip(requests, outcomes, strict=True):
            first = decided.get(request.key)
            if isinstance(first, Receipt):  # the same request again, in the same batch
                assert outcome == dataclasses.replace(first, replayed=True)
                continue
            self.check(request, outcome)
            decided[request.key] = outcome

    # -- invariants ----------------------------------------------------------------

    @invariant()
    def balances_match(self) -> None:
        for name, balance in self.balances.items():
            assert self.run(self.ledger.balance(name)) == balance, name
            if not name.endswith(":mint"):
                assert balance >= 0

    @invariant()
    def victims_match(self) -> None:
        assert self.run(self.ledger.victims("thief", self.thief)) == sorted(self.victims)

    def teardown(self) -> None:
        report = self.run(self.ledger.audit())
        assert report.ok, report.problems
        assert sum(self.balances.values()) == 0


@pytest.fixture
def books_ledger(target: Target) -> Iterator[tuple[asyncio.Runner, Ledger]]:
    """The ledger, on an event loop of the test's own (hypothesis drives it from sync code)."""
    with asyncio.Runner() as runner:
        ledger = runner.run(target.open())
        try:
            yield runner, ledger
        finally:
            runner.run(ledger.close())


def test_books_agree_with_the_model(
    books_ledger: tuple[asyncio.Runner, Ledger], target: Target
) -> None:
    runner, ledger = books_ledger
    examples = {"sqlite": 80, "sqlite-process": 40, "postgres": 30}[target.name]
    config: Any = settings(
        max_examples=examples,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    run_state_machine_as_test(lambda: Books(runner, ledger), settings=config)  # type: ignore[arg-type]
