"""Two processes on one database, and a process killed with SIGKILL, again and again."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from infinity.ledger import AccountKind, Receipt, TransferKind, TransferRequest
from tests.ledger._worker import CRASH_WALLETS, SOURCES, crash_request
from tests.ledger.conftest import Target

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.ledger._worker", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip


async def test_two_processes_never_double_spend(target: Target) -> None:
    ledger = await target.open()
    await ledger.open_account("mint", AccountKind.MINT)
    for name in (*SOURCES, "sink:one", "sink:two"):
        await ledger.open_account(name, AccountKind.WALLET)
    for source in SOURCES:
        await ledger.transfer(TransferRequest.move(source, TransferKind.GRANT, "mint", source, 100))
    workers = [await spawn("drain", target.url, target.writer, name, "250", str(seed))
               for seed, name in enumerate(("one", "two"))]  # fmt: skip
    try:
        for worker in workers:  # both ready before either starts, so they overlap
            assert worker.stdout is not None
            line = await asyncio.wait_for(worker.stdout.readline(), 30)
            assert json.loads(line) == {"ready": True}
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
        outputs = await asyncio.wait_for(
            asyncio.gather(*(worker.communicate() for worker in workers)), 60
        )
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    assert [worker.returncode for worker in workers] == [0, 0]
    answers = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(answers) == 500
    assert {answer["code"] for answer in answers} <= {None, "overdraft"}
    taken = Counter[str]()
    for answer in answers:
        if answer["ok"]:
            taken[answer["source"]] += answer["amount"]
    for source in SOURCES:
        assert taken[source] <= 100  # nobody spent a credit twice
        assert await ledger.balance(source) == 100 - taken[source]
    sinks = {name: sum(a["amount"] for a in answers if a["ok"] and a["key"].startswith(name))
             for name in ("one", "two")}  # fmt: skip
    # Whichever process commits first may drain every source (group commit is fast), so one
    # of them may get nothing through; what must hold is checked against the books below.
    assert sum(answer["ok"] for answer in answers) > 0
    for name, total in sinks.items():
        assert await ledger.balance(f"sink:{name}") == total
    report = await ledger.audit()
    assert report.ok, report.problems
    await ledger.close()


async def test_kill_9_loses_and_duplicates_nothing(target: Target) -> None:
    ledger = await target.open()
    await ledger.open_account("mint", AccountKind.MINT)
    await ledger.open_account("burn", AccountKind.BURN)
    for name in CRASH_WALLETS:
        await ledger.open_account(name, AccountKind.WALLET)
    await ledger.close()
    rng = random.Random(4)
    acknowledged: list[str] = []
    for run in range(KILLS):
        worker = await spawn("crash", target.url, target.writer, f"r{run}")
        assert worker.stdout is not None
        first = await asyncio.wait_for(worker.stdout.readline(), 30)  # it is transferring
        await asyncio.sleep(rng.uniform(0.0, 0.2))
        worker.kill()
        rest = await worker.stdout.read()
        await worker.wait()
        lines = (first + rest).decode().split("\n")
        acknowledged += lines[:-1]  # the last piece has no newline: not acknowledged
    assert len(acknowledged) > KILLS

    ledger = await target.open(migrate=False)
    try:
        report = await ledger.audit()
        assert report.ok, report.problems
        replays = await ledger.transfer_many([crash_request(key) for key in acknowledged])
        assert all(isinstance(r, Receipt) and r.replayed for r in replays)  # all there
        assert (await ledger.audit()) == report  # and replaying changed nothing
    finally:
        await ledger.close()
    stored = await rows(target.url, "SELECT t.key, count(*) FROM ledger_transfers t "
                                    "JOIN ledger_postings p ON p.transfer_id = t.id GROUP BY t.key")  # fmt: skip
    assert report.transfers == len(stored)  # so every key is there once (and unique)
    for key, legs in stored:  # every transfer whole: all its legs, or none
        assert legs == len(crash_request(key).postings), key


async def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        connection = sqlite3.connect(parsed.database)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    pg = await asyncpg.connect(dsn)
    try:
        return [tuple(record) for record in await pg.fetch(sql)]
    finally:
        await pg.close()
