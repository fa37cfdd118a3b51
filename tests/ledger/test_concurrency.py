"""Many tasks hammering few accounts: every accepted transfer, replayed in commit order
from the opening balances, never overdraws, and lands on the ledger's balances."""

from __future__ import annotations

import asyncio
import os
import random
import signal
from pathlib import Path

import pytest

from infinity.ledger import (
    Ledger,
    LedgerError,
    LedgerUnavailable,
    Overdraft,
    Posting,
    Receipt,
    TransferKind,
    TransferRequest,
)
from tests.ledger.conftest import Target, fund

WALLETS = ("a", "b", "c", "d")
OPENING = 100
TASKS = 60
EACH = 25


def random_request(rng: random.Random, key: str) -> TransferRequest:
    if rng.random() < 0.7:
        source, dest = rng.sample(WALLETS, 2)
        return TransferRequest.move(key, TransferKind.TRADE, source, dest, rng.randint(1, 70))
    one, two, three = rng.sample(WALLETS, 3)
    amount = rng.randint(2, 70)
    legs = (Posting(one, -amount), Posting(two, amount // 2), Posting(three, amount - amount // 2))
    return TransferRequest(key, TransferKind.TRANSFER, legs)


async def test_many_tasks_never_double_spend(target: Target) -> None:
    ledger = await target.open()
    try:
        await check_no_double_spend(ledger)
    finally:
        await ledger.close()


async def check_no_double_spend(ledger: Ledger) -> None:
    await fund(ledger, dict.fromkeys(WALLETS, OPENING))

    async def hammer(task: int) -> list[Receipt | LedgerError]:
        rng = random.Random(task)
        outcomes: list[Receipt | LedgerError] = []
        for n in range(EACH):
            request = random_request(rng, f"{task}-{n}")
            try:
                receipt = await ledger.transfer(request)
            except LedgerError as error:
                outcomes.append(error)
                continue
            outcomes.append(receipt)
            if rng.random() < 0.3:  # a retry is answered, not applied again
                again = await ledger.transfer(request)
                assert again.replayed and again.transfer_id == receipt.transfer_id
        return outcomes

    results = [o for outcomes in await asyncio.gather(*map(hammer, range(TASKS))) for o in outcomes]
    receipts = [o for o in results if isinstance(o, Receipt)]
    refusals = [o for o in results if not isinstance(o, Receipt)]
    assert receipts and refusals  # the race was real: some got through, some were refused
    assert all(isinstance(error, Overdraft) for error in refusals)
    balances = dict.fromkeys(WALLETS, OPENING)
    for receipt in sorted(receipts, key=lambda r: r.transfer_id):  # commit order
        for leg in receipt.postings:
            balances[leg.account] += leg.amount
            assert balances[leg.account] >= 0, receipt
    assert {name: await ledger.balance(name) for name in WALLETS} == balances
    report = await ledger.audit()
    assert report.ok, report.problems
    assert report.transfers == len(WALLETS) + len(receipts)


async def test_two_ledgers_racing_on_the_same_keys_apply_each_once(target: Target) -> None:
    """Two sets of connections (as two processes would have) submit the same requests at
    the same time: each key is applied once and answered to the other as a replay."""
    first = await target.open()
    second = await target.open(migrate=False)
    try:
        await fund(first, {"a": 1000, "b": 0})
        requests = [TransferRequest.move(f"same-{n}", TransferKind.TRADE, "a", "b", 1) for n in range(200)]  # fmt: skip
        one, two = await asyncio.gather(
            first.transfer_many(requests), second.transfer_many(requests)
        )
        for mine, theirs in zip(one, two, strict=True):
            assert isinstance(mine, Receipt) and isinstance(theirs, Receipt)
            assert mine.transfer_id == theirs.transfer_id
            assert mine.replayed != theirs.replayed
        assert await first.balance("b") == 200
        assert (await second.audit()).ok
    finally:
        await second.close()
        await first.close()


async def test_a_dead_writer_process_refuses_instead_of_hanging(tmp_path: Path) -> None:
    target = Target("sqlite-process", f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}", "process")
    ledger = await target.open()
    await fund(ledger, {"a": 10, "b": 0})
    os.kill(ledger._backend._writer._process.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    with pytest.raises(LedgerUnavailable):
        await ledger.transfer(TransferRequest.move("after", TransferKind.TRADE, "a", "b", 1))
    await ledger.close()
    reopened = await target.open(migrate=False)
    try:
        assert await reopened.balance("a") == 10
        assert (
            await reopened.transfer(TransferRequest.move("after", TransferKind.TRADE, "a", "b", 1))
        ).key == "after"
    finally:
        await reopened.close()
