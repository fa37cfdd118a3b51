"""A process that makes transfers, for the two-process and crash tests.

    python -m tests.ledger._worker drain URL WRITER NAME ATTEMPTS SEED
        Waits for a line on stdin ("go"), then tries ATTEMPTS random drains from the
        shared accounts src:0..src:3 into sink:NAME, 8 at a time, printing one JSON
        line per answer: {"key", "source", "amount", "ok", "code"}.

    python -m tests.ledger._worker crash URL WRITER RUN
        Transfers forever, 16 at a time, printing each key on its own line (flushed)
        only after `transfer` returned; it expects to be killed. The body of a
        transfer is a function of its key (`crash_request`), so the test can replay it.

Both open the ledger with migrate=False: the test migrated the database first.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from typing import Final, Literal

from infinity.ledger import Ledger, LedgerError, Posting, TransferKind, TransferRequest

Writer = Literal["thread", "process"]
SOURCES: Final = tuple(f"src:{n}" for n in range(4))
CRASH_WALLETS: Final = tuple(f"wallet:{n}" for n in range(6))


def crash_request(key: str) -> TransferRequest:
    """The transfer a crash worker makes under `key`: a grant from the mint (two legs) or
    a trade between wallets with a fee burned (three legs), which may be refused."""
    rng = random.Random(key)
    if rng.random() < 0.5:
        dest = rng.choice(CRASH_WALLETS)
        return TransferRequest.move(key, TransferKind.GRANT, "mint", dest, rng.randint(5, 30))
    payer, payee = rng.sample(CRASH_WALLETS, 2)
    fee = rng.randint(1, 3)
    legs = (Posting(payer, -(10 + fee)), Posting(payee, 10), Posting("burn", fee))
    return TransferRequest(key, TransferKind.TRADE, legs, {"by": rng.randint(1, 99)})


async def drain(url: str, writer: Writer, name: str, attempts: int, seed: int) -> None:
    ledger = await Ledger.open(url, migrate=False, writer=writer)
    print(json.dumps({"ready": True}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    rng = random.Random(seed)
    numbers = iter(range(attempts))

    async def one_at_a_time() -> None:
        for n in numbers:
            source = rng.choice(SOURCES)
            amount = rng.randint(1, 40)
            key = f"{name}-{n}"
            request = TransferRequest.move(key, TransferKind.THEFT, source, f"sink:{name}", amount)
            answer: dict[str, object] = {"key": key, "source": source, "amount": amount}
            try:
                await ledger.transfer(request)
                answer |= {"ok": True, "code": None}
            except LedgerError as error:
                answer |= {"ok": False, "code": error.code}
            print(json.dumps(answer), flush=True)

    try:
        await asyncio.gather(*(one_at_a_time() for _ in range(8)))
    finally:
        await ledger.close()


async def crash(url: str, writer: Writer, run: str) -> None:
    ledger = await Ledger.open(url, migrate=False, writer=writer)
    counter = iter(range(10**9))

    async def forever(task: int) -> None:
        for n in counter:
            key = f"{run}-{task}-{n}"
            try:
                await ledger.transfer(crash_request(key))
            except LedgerError:  # an overdraft: nothing to acknowledge
                continue
            sys.stdout.write(key + "\n")
            sys.stdout.flush()

    await asyncio.gather(*(forever(task) for task in range(16)))


def main(argv: list[str]) -> None:
    mode, url, writer_name, *rest = argv
    writer: Writer = "process" if writer_name == "process" else "thread"
    if mode == "drain":
        name, attempts, seed = rest
        asyncio.run(drain(url, writer, name, int(attempts), int(seed)))
    elif mode == "crash":
        (run,) = rest
        asyncio.run(crash(url, writer, run))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
