"""Ledger throughput: durable transfers/s with group commit, on SQLite and PostgreSQL.

Many concurrent callers (asyncio tasks, like ships and crew settling their
business) each await `Ledger.transfer` in a loop; a transfer counts once
`transfer` has returned, which is after its batch's COMMIT. The books hold a
mint, a burn and an upkeep account, 50 station markets and 10,000 ship
wallets, each wallet funded first. Each transfer is one of: 40% a trade
(wallet -> market), 20% mining income (market -> wallet), 20% upkeep
(wallet -> upkeep), 15% wallet to wallet, 5% theft (wallet -> wallet, with
thief and victim recorded). Keys are unique per caller and call.

Runs, each on fresh books:
* SQLite, WAL + synchronous=NORMAL (the project's setting), writer in a thread
  of the event loop's process, then in a process of its own (`writer="process"`),
  then synchronous=FULL (also survives power loss) with the process writer;
* PostgreSQL (a server started here as the tests start theirs, fsync on), then
  pgbench's builtin tpcb-like run against the same server: the target is a
  ratio >= 1.

The event loop is uvloop's, as `infinity serve` runs. At the end of each run
`Ledger.audit` must pass.

Usage: python bench/ledger.py [--quick] [--seconds S] [--callers N] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal

import asyncpg
import uvloop

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.pg, which starts PostgreSQL
    sys.path.insert(0, str(ROOT))

from infinity.ledger import (  # noqa: E402
    AccountKind,
    Ledger,
    LedgerError,
    TransferKind,
    TransferRequest,
)
from tests.pg import PgServer, PostgresUnavailable, fresh_database, start_postgres  # noqa: E402

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
except ImportError:  # pragma: no cover
    from bench import _common as common

WALLETS: Final = 10_000
MARKETS: Final = 50
ZONES: Final = 4  # the per-tick run: zones, each handing over a tick's transfers at once
TICK_BATCH: Final = 2_000
TARGET_SQLITE_TPS: Final = 50_000.0
TARGET_PG_RATIO: Final = 1.0
K = TransferKind


async def open_books(ledger: Ledger) -> tuple[list[str], list[str]]:
    """Open the accounts and fund every wallet and market from the mint."""
    for name, kind in (
        ("mint", AccountKind.MINT),
        ("burn", AccountKind.BURN),
        ("upkeep", AccountKind.UPKEEP),
    ):
        await ledger.open_account(name, kind)
    wallets = [f"wallet:ship:{(1 << 20) + n}" for n in range(WALLETS)]
    markets = [f"market:station:{n}" for n in range(MARKETS)]
    for names, kind in ((wallets, AccountKind.WALLET), (markets, AccountKind.MARKET)):
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            await asyncio.gather(*(ledger.open_account(name, kind) for name in chunk))
    grants = [
        TransferRequest.move(f"seed:{name}", K.GRANT, "mint", name, 1_000_000)
        for name in wallets + markets
    ]
    outcomes = await ledger.transfer_many(grants)
    assert not any(isinstance(outcome, LedgerError) for outcome in outcomes)
    return wallets, markets


def request_maker(
    caller: int, wallets: list[str], markets: list[str]
) -> Callable[[int], TransferRequest]:
    rng = random.Random(caller)
    pick = rng.randrange
    ship = 1 << 20

    def make(n: int) -> TransferRequest:
        key = f"b{caller}-{n}"
        index = pick(WALLETS)
        wallet = wallets[index]
        roll = rng.random()
        amount = pick(1, 50)
        if roll < 0.4:
            market = markets[pick(MARKETS)]
            return TransferRequest.move(
                key, K.TRADE, wallet, market, amount, actors={"ship": ship + index}
            )
        if roll < 0.6:
            market = markets[pick(MARKETS)]
            return TransferRequest.move(
                key, K.MINING, market, wallet, amount, actors={"ship": ship + index}
            )
        if roll < 0.8:
            return TransferRequest.move(
                key, K.UPKEEP, wallet, "upkeep", pick(1, 5), actors={"ship": ship + index}
            )
        other = pick(WALLETS)
        if other == index:
            other = (other + 1) % WALLETS
        if roll < 0.95:
            return TransferRequest.move(
                key, K.TRANSFER, wallet, wallets[other], amount, actors={"by": ship + index}
            )
        actors = {"thief": ship + other, "victim": ship + index}
        return TransferRequest.move(key, K.THEFT, wallet, wallets[other], amount, actors=actors)  # fmt: skip

    return make


async def drive(
    ledger: Ledger,
    callers: int,
    seconds: float,
    extra_cpu: Callable[[], float],
    tick_batch: int = 0,
) -> dict[str, float]:
    """Run the callers for a warm-up second, then measure for `seconds`.

    With `tick_batch`, each caller is a zone instead: it hands `tick_batch` transfers
    at a time to `Ledger.transfer_many` (group commit per tick), and latency is that call's.
    """
    wallets, markets = await open_books(ledger)
    gc.collect()
    gc.freeze()  # as the server does once loaded: long-lived books leave the full collections
    measuring = False
    stop = False
    accepted = 0
    refused = 0
    latencies: list[float] = []

    async def caller(number: int) -> None:
        nonlocal accepted, refused
        make = request_maker(number, wallets, markets)
        clock = time.perf_counter
        n = 0
        while not stop:
            n += 1
            request = make(n)
            began = clock()
            try:
                await ledger.transfer(request)
            except LedgerError:  # an overdraft now and then
                if measuring:
                    refused += 1
                continue
            if measuring:
                accepted += 1
                latencies.append(clock() - began)

    async def zone(number: int) -> None:
        nonlocal accepted, refused
        make = request_maker(number, wallets, markets)
        clock = time.perf_counter
        n = 0
        while not stop:
            requests = [make(n + k) for k in range(tick_batch)]
            n += tick_batch
            began = clock()
            outcomes = await ledger.transfer_many(requests)
            if measuring:
                latencies.append(clock() - began)
                failed = sum(isinstance(outcome, LedgerError) for outcome in outcomes)
                refused += failed
                accepted += len(outcomes) - failed

    with common.GcWatch() as gc_watch:
        async with asyncio.TaskGroup() as group:
            for number in range(callers):
                group.create_task(zone(number) if tick_batch else caller(number))
            await asyncio.sleep(1.0)
            measuring = True
            gc_watch.reset()
            noise = common.NoiseMeter(lambda: common.own_cpu_seconds() + extra_cpu())
            noise.start()
            wall0, cpu0, extra0 = time.perf_counter(), common.own_cpu_seconds(), extra_cpu()
            await asyncio.sleep(seconds)
            measuring = False
            wall = time.perf_counter() - wall0
            cpu = common.own_cpu_seconds() - cpu0
            extra = extra_cpu() - extra0
            foreign = noise.foreign_cores()
            stop = True
        gc_figures = gc_watch.figures()
    audit_began = time.perf_counter()
    report = await ledger.audit()
    done = max(accepted, 1)
    return {
        "tps": accepted / wall,
        "transfers": float(accepted),
        "refused": float(refused),
        "latency_p50_ms": common.pct(latencies, 50) * 1e3,
        "latency_p99_ms": common.pct(latencies, 99) * 1e3,
        "cpu_us_per_transfer": (cpu + extra) / done * 1e6,
        "loop_cpu_us_per_transfer": cpu / done * 1e6,
        "writer_cpu_us_per_transfer": extra / done * 1e6,
        # What two idle cores would sustain with loop and writer on one each: for runs on
        # a shared machine, where `foreign_cores` of other work slow the wall clock down.
        "capacity_tps": done / max(cpu, extra, 1e-9),
        "cores_used": (cpu + extra) / wall,
        "foreign_cores": foreign,
        "gc_ms_per_s": gc_figures["gc_gen2_total_ms"] / wall,
        "audit_ok": float(report.ok),
        "audit_s": time.perf_counter() - audit_began,
        "total_transfers": float(report.transfers),
    }


def writer_cpu(ledger: Ledger) -> Callable[[], float]:
    """CPU seconds of the ledger's writer process, if it has one (else 0)."""
    process = getattr(getattr(ledger, "_backend", None), "_writer", None)
    pid = getattr(getattr(process, "_process", None), "pid", None)
    if pid is None:
        return lambda: 0.0

    def seconds() -> float:
        try:
            return common.proc_cpu_seconds(pid)
        except OSError:
            return 0.0

    return seconds


async def sqlite_run(
    writer: Literal["thread", "process"],
    synchronous: Literal["normal", "full"],
    callers: int,
    seconds: float,
    tick_batch: int = 0,
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'infinity.db'}"
        ledger = await Ledger.open(url, writer=writer, synchronous=synchronous)
        try:
            return await drive(ledger, callers, seconds, writer_cpu(ledger), tick_batch)
        finally:
            await ledger.close()


async def postgres_run(server: PgServer, callers: int, seconds: float) -> dict[str, float]:
    ledger = await Ledger.open(fresh_database(server))
    try:
        return await drive(ledger, callers, seconds, lambda: 0.0)
    finally:
        await ledger.close()


def pgbench(server: PgServer, seconds: float) -> dict[str, float]:
    """pgbench's builtin tpcb-like script, scale 1, 8 clients on 2 threads."""

    async def create() -> None:
        connection = await asyncpg.connect(server.dsn())
        try:
            await connection.execute("CREATE DATABASE pgbench")
        finally:
            await connection.close()

    asyncio.run(create())
    where = ["-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
    subprocess.run(
        server.command("pgbench", "-i", "-s", "1", "-q", *where, "pgbench"),
        check=True,
        capture_output=True,
    )
    clients = ["-c", "8", "-j", "2", "-T", str(int(seconds))]
    done = subprocess.run(
        server.command("pgbench", *clients, *where, "pgbench"),
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    if found is None:
        raise RuntimeError(f"no tps in pgbench output:\n{done.stdout}\n{done.stderr}")
    latency = re.search(r"latency average = ([0-9.]+) ms", done.stdout)
    return {
        "tps": float(found.group(1)),
        "latency_avg_ms": float(latency.group(1)) if latency else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs")
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per run")
    parser.add_argument("--callers", type=int, default=4000, help="concurrent callers")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    seconds = args.seconds or (3.0 if args.quick else 8.0)
    pgbench_seconds = 5.0 if args.quick else 10.0

    def run(job: Any) -> dict[str, float]:
        result: dict[str, float] = uvloop.run(job)
        return result

    sqlite = {
        "thread": run(sqlite_run("thread", "normal", args.callers, seconds)),
        "process": run(sqlite_run("process", "normal", args.callers, seconds)),
        "process_full": run(sqlite_run("process", "full", args.callers, seconds)),
        "process_ticks": run(sqlite_run("process", "normal", ZONES, seconds, TICK_BATCH)),
    }
    figures: dict[str, Any] = {
        "sqlite": sqlite,
        "sqlite_tps": max(result["tps"] for result in sqlite.values()),
        "targets": {"sqlite_tps": TARGET_SQLITE_TPS, "pg_ratio": TARGET_PG_RATIO},
        "callers": args.callers,
        "seconds": seconds,
        "machine": common.machine(),
    }
    if not args.no_postgres:
        try:
            server = start_postgres(durable=True)
        except PostgresUnavailable as error:
            figures["postgres_error"] = str(error)
        else:
            try:
                figures["postgres"] = run(postgres_run(server, args.callers, seconds))
                figures["pgbench"] = pgbench(server, pgbench_seconds)
                figures["pg_ratio"] = figures["postgres"]["tps"] / figures["pgbench"]["tps"]
                figures["postgres_bin"] = str(server.bin_dir)
            finally:
                server.stop()
    report(figures)
    common.emit(figures)


def report(figures: dict[str, Any]) -> None:
    rows: list[list[Any]] = []
    names = {
        "thread": "SQLite, NORMAL, writer thread",
        "process": "SQLite, NORMAL, writer process",
        "process_full": "SQLite, FULL, writer process",
        "process_ticks": f"SQLite, NORMAL, writer process, {ZONES} zones x {TICK_BATCH:,}/tick",
    }
    runs = [(names[key], value) for key, value in figures["sqlite"].items()]
    if "postgres" in figures:
        runs.append(("PostgreSQL (fsync on)", figures["postgres"]))
    for name, r in runs:
        rows.append([
            name, r["tps"], r["latency_p50_ms"], r["latency_p99_ms"],
            r["loop_cpu_us_per_transfer"], r["writer_cpu_us_per_transfer"], r["cores_used"],
            r["foreign_cores"], r["gc_ms_per_s"], r["capacity_tps"], bool(r["audit_ok"]),
        ])  # fmt: skip
    common.table(
        f"Ledger: durable transfers/s, {figures['callers']:,} callers, {figures['seconds']:g} s",
        ["books", "transfers/s", "p50 ms", "p99 ms", "loop µs/tr", "writer µs/tr", "cores",
         "other load", "GC ms/s", "capacity/s", "audit ok"],
        rows,
    )  # fmt: skip
    print(
        "loop/writer µs/tr: CPU per transfer of the event loop's process and of the writer"
        " process (the thread writer counts in the loop's). other load: cores busy with other"
        " work meanwhile. GC ms/s: full collections. capacity/s: transfers/s if loop and"
        " writer each had a core to themselves (PostgreSQL: the server's CPU is not counted)."
    )
    targets = figures["targets"]
    summary: list[list[Any]] = [
        ["SQLite transfers/s (best)", figures["sqlite_tps"], f">= {targets['sqlite_tps']:,.0f}",
         figures["sqlite_tps"] >= targets["sqlite_tps"]],
    ]  # fmt: skip
    if "pg_ratio" in figures:
        summary.append(["pgbench tpcb-like tps", figures["pgbench"]["tps"], "", ""])
        summary.append(["ledger / pgbench", figures["pg_ratio"], f">= {targets['pg_ratio']:g}",
                        figures["pg_ratio"] >= targets["pg_ratio"]])  # fmt: skip
    elif "postgres_error" in figures:
        summary.append(["PostgreSQL", figures["postgres_error"], "", ""])
    common.table("Ledger targets", ["figure", "value", "target", "met"], summary)


if __name__ == "__main__":
    main()
