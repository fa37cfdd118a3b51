"""Replays, history, victims, audit and shutdown, on both backends."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from infinity.ledger import (
    AccountKind,
    InvalidTransfer,
    Ledger,
    LedgerUnavailable,
    Posting,
    TransferKind,
    TransferRequest,
)
from tests.ledger.conftest import Target, fund

T = TransferKind


async def test_replay_returns_the_original_receipt(ledger: Ledger) -> None:
    await fund(ledger, {"a": 100, "b": 0})
    request = TransferRequest.move("pay-1", T.TRADE, "a", "b", 30, actors={"by": 7}, memo="ore")
    first = await ledger.transfer(request)
    assert not first.replayed
    assert first.postings == (Posting("a", -30), Posting("b", 30))
    assert dict(first.actors) == {"by": 7}
    again = await ledger.transfer(request)
    assert again == dataclasses.replace(first, replayed=True)
    assert (await ledger.balance("a"), await ledger.balance("b")) == (70, 30)
    history, _ = await ledger.history("a")
    assert [receipt.key for receipt in history] == ["pay-1", "fund:a"]


async def test_replay_is_recognised_whatever_the_leg_order(ledger: Ledger) -> None:
    await fund(ledger, {"a": 100, "b": 0})
    legs = (Posting("b", 30), Posting("a", -30))
    first = await ledger.transfer(TransferRequest("k", T.TRADE, legs))
    again = await ledger.transfer(TransferRequest("k", T.TRADE, legs[::-1]))
    assert again.replayed and again.transfer_id == first.transfer_id


async def test_replay_of_a_transfer_that_could_not_happen_now(ledger: Ledger) -> None:
    await fund(ledger, {"a": 100, "b": 0})
    request = TransferRequest.move("all", T.TRADE, "a", "b", 100)
    first = await ledger.transfer(request)
    assert (await ledger.transfer(request)).transfer_id == first.transfer_id  # a holds 0 now
    assert await ledger.balance("b") == 100


async def test_duplicates_in_one_batch_apply_once(ledger: Ledger) -> None:
    await fund(ledger, {"a": 100, "b": 0})
    request = TransferRequest.move("twice", T.TRADE, "a", "b", 10)
    outcomes = await asyncio.gather(*(ledger.transfer(request) for _ in range(5)))
    assert len({receipt.transfer_id for receipt in outcomes}) == 1
    assert sum(not receipt.replayed for receipt in outcomes) == 1
    assert await ledger.balance("b") == 10


async def test_replay_survives_reopening(target: Target) -> None:
    ledger = await target.open()
    await fund(ledger, {"a": 100, "b": 0})
    request = TransferRequest.move("k", T.TRADE, "a", "b", 10)
    first = await ledger.transfer(request)
    await ledger.close()
    ledger = await target.open(migrate=False)
    try:
        assert await ledger.transfer(request) == dataclasses.replace(first, replayed=True)
        assert await ledger.balance("b") == 10
    finally:
        await ledger.close()


async def test_history_pages_newest_first(ledger: Ledger) -> None:
    await fund(ledger, {"a": 1000, "b": 0, "c": 0})
    for n in range(7):
        await ledger.transfer(TransferRequest.move(f"t{n}", T.TRADE, "a", "b", n + 1))
    await ledger.transfer(TransferRequest.move("other", T.TRADE, "a", "c", 1))
    keys: list[str] = []
    cursor: int | None = None
    pages = 0
    while True:
        page, cursor = await ledger.history("b", cursor=cursor, limit=3)
        keys += [receipt.key for receipt in page]
        pages += 1
        if cursor is None:
            break
    assert keys == [f"t{n}" for n in reversed(range(7))]
    assert pages == 3
    newest = (await ledger.history("b", limit=1))[0][0]
    assert newest.postings == (Posting("a", -7), Posting("b", 7))


async def test_victims_are_the_distinct_victims_of_theft(ledger: Ledger) -> None:
    await fund(ledger, {"wallet:ship:1": 100, "wallet:ship:2": 100, "wallet:ship:9": 0})
    thief, ship_one, ship_two = 9, 1, 2

    async def take(key: str, kind: TransferKind, victim: int, named: int | None = None) -> None:
        request = TransferRequest.move(
            key, kind, f"wallet:ship:{victim}", "wallet:ship:9", 5,
            actors={"thief": thief, "victim": victim if named is None else named},
        )  # fmt: skip
        await ledger.transfer(request)

    await take("s1", T.THEFT, ship_two)
    await take("s2", T.THEFT, ship_one)
    await take("s3", T.THEFT, ship_two)
    await take("s4", T.TRADE, ship_one, named=5)  # not a theft: 5 is no victim
    assert await ledger.victims("thief", thief) == [ship_one, ship_two]
    assert await ledger.victims("thief", 12345) == []
    assert await ledger.victims("victim", ship_two) == [ship_two]


async def test_balances_are_the_funded_accounts_under_a_prefix(ledger: Ledger) -> None:
    await fund(
        ledger,
        {"escrow:wreck:b:2": 5, "escrow:wreck:a:1": 7, "escrow:wreck:a:3": 0, "escrow:wreckage": 9},
        AccountKind.ESCROW,
    )
    assert await ledger.balances("escrow:wreck:") == [
        ("escrow:wreck:a:1", 7),
        ("escrow:wreck:b:2", 5),
    ]
    assert await ledger.balances("escrow:wreck:a") == [("escrow:wreck:a:1", 7)]
    assert await ledger.balances("mint") == [("mint", -21)]
    assert await ledger.balances("nothing") == []
    for bad in ("", "%", "escrow:wreck:%", "_"):
        with pytest.raises(InvalidTransfer):
            await ledger.balances(bad)


async def test_audit_totals(ledger: Ledger) -> None:
    await fund(ledger, {"a": 100, "b": 50})
    await ledger.open_account("burn", AccountKind.BURN)
    await ledger.transfer(TransferRequest.move("fee", T.FEE, "a", "burn", 30))
    report = await ledger.audit()
    assert report.ok, report.problems
    assert (report.minted, report.burned, report.circulating) == (150, 30, 120)
    assert (report.accounts, report.transfers, report.postings) == (4, 3, 6)


async def test_audit_finds_a_tampered_balance(plain_target: Target) -> None:
    ledger_url = plain_target.url
    ledger = await plain_target.open()
    try:
        await fund(ledger, {"a": 100})
        await tamper(
            ledger_url, "UPDATE ledger_accounts SET balance = balance + 1 WHERE name = 'a'"
        )
        report = await ledger.audit()
        assert not report.ok
        assert any("'a' caches balance 101" in problem for problem in report.problems)
        assert any("balances sum to 1" in problem for problem in report.problems)
        await tamper(ledger_url, "DELETE FROM ledger_postings WHERE account = 'mint'")
        report = await ledger.audit()
        assert any("postings sum to 100 over 1 legs" in problem for problem in report.problems)
    finally:
        await ledger.close()


async def tamper(url: str, sql: str) -> None:
    """Change the books behind the ledger's back, as a bug or an intruder would."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        connection = sqlite3.connect(parsed.database)
        with connection:
            connection.execute(sql)
        connection.close()
        return
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    pg = await asyncpg.connect(dsn)
    try:
        await pg.execute(sql)
    finally:
        await pg.close()


async def test_close_commits_what_is_queued_then_refuses(target: Target) -> None:
    ledger = await target.open()
    await fund(ledger, {"a": 100, "b": 0})
    pending = [
        asyncio.ensure_future(ledger.transfer(TransferRequest.move(f"q{n}", T.TRADE, "a", "b", 1)))
        for n in range(20)
    ]
    await asyncio.sleep(0)
    await ledger.close()
    assert all(not task.result().replayed for task in pending)
    with pytest.raises(LedgerUnavailable):
        await ledger.transfer(TransferRequest.move("late", T.TRADE, "a", "b", 1))
    reopened = await target.open(migrate=False)
    try:
        assert await reopened.balance("b") == 20
    finally:
        await reopened.close()


async def test_a_cancelled_caller_does_not_break_the_batch(ledger: Ledger) -> None:
    await fund(ledger, {"a": 100, "b": 0})
    request = TransferRequest.move("c", T.TRADE, "a", "b", 10)
    task = asyncio.ensure_future(ledger.transfer(request))
    await asyncio.sleep(0)
    task.cancel()
    others = [
        ledger.transfer(TransferRequest.move(f"o{n}", T.TRADE, "a", "b", 1)) for n in range(3)
    ]
    await asyncio.gather(*others)
    receipt = await ledger.transfer(request)  # committed or not, retrying is safe
    assert await ledger.balance("b") == 13
    assert receipt.key == "c"
