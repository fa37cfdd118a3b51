"""The SQLite writer in a child process of its own, so it never waits for the GIL.

The parent (`ProcessWriter`) sends each batch down the child's stdin and reads
the decisions back from its stdout, in order; both ways a frame is
a 4-byte big-endian length and a `marshal`led tuple (plain data only: the
entries and decisions of `_books`). The child commits each batch before it
answers, so an answer always means durable. When the parent goes away, even by
SIGKILL, the child reads end-of-file and exits after the batch in hand; it
ignores SIGINT so that a Ctrl-C reaches only the parent, which then closes
the ledger in order.

    python -m infinity.ledger._writer_process PATH SYNCHRONOUS
"""

from __future__ import annotations

import asyncio
import marshal
import signal
import sys
from collections import deque
from typing import Any, BinaryIO

from infinity.ledger._books import Decision, Entry
from infinity.ledger._sqlite import CHECKPOINT_EVERY, SqliteWriter, Synchronous


class WriterGone(RuntimeError):
    """The writer process exited or broke the protocol."""


class ProcessWriter:
    """The parent's end: async `commit` and `open_account`, like the thread writer's.

    A request is written to the pipe at once, in the caller's step (so the next batch
    leaves while the last one's callers are still being woken, and the child never
    waits for them); one reader task, owned here, hands the answers back in order.
    """

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._waiting: deque[asyncio.Future[tuple[Any, ...]]] = deque()
        self._gone: str | None = None
        self._replies = asyncio.get_running_loop().create_task(
            self._read_replies(), name="ledger-writer-replies"
        )

    @classmethod
    async def start(cls, path: str, synchronous: Synchronous) -> ProcessWriter:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "infinity.ledger._writer_process", path, synchronous,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            if await _receive(process) != ("ok", "ready"):
                raise WriterGone("the writer process did not start")
        except BaseException:
            process.kill()
            await process.wait()
            raise
        return cls(process)

    pipeline = 2  # the next batch waits in the pipe while the child commits this one

    def submit(self, entries: list[Entry], now: float) -> asyncio.Future[list[Decision]]:
        return asyncio.ensure_future(self._answer(self._send(("commit", entries, now))))

    async def open_account(self, name: str, kind: str, now: float) -> str:
        return str(await self._answer(self._send(("open", name, kind, now))))

    async def close(self) -> None:
        """Close its stdin: the child finishes what it holds and exits."""
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()
        try:
            await asyncio.wait_for(self._process.wait(), 30)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        await self._replies  # ends at the child's end-of-file

    def _send(self, message: tuple[Any, ...]) -> asyncio.Future[tuple[Any, ...]]:
        """Write a request to the pipe now; the future gets its reply."""
        answer: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        stdin = self._process.stdin
        if self._gone is not None or stdin is None or stdin.is_closing():
            answer.set_exception(WriterGone(self._gone or "the writer process is closed"))
            return answer
        payload = marshal.dumps(message)
        self._waiting.append(answer)  # a cancelled caller's reply is read all the same
        stdin.write(len(payload).to_bytes(4, "big") + payload)  # buffered by the transport
        return answer

    @staticmethod
    async def _answer(answer: asyncio.Future[tuple[Any, ...]]) -> Any:
        reply = await answer
        if reply[0] != "ok":
            raise WriterGone(f"the writer process failed: {reply[1]}")
        return reply[1]

    async def _read_replies(self) -> None:
        try:
            while True:
                reply = await _receive(self._process)
                answer = self._waiting.popleft()
                if not answer.done():
                    answer.set_result(reply)
        except (WriterGone, IndexError) as error:
            self._gone = f"the writer process is gone: {error}"
        finally:
            if self._gone is None:
                self._gone = "the writer process is gone"
            while self._waiting:
                answer = self._waiting.popleft()
                if not answer.done():
                    answer.set_exception(WriterGone(self._gone))


async def _receive(process: asyncio.subprocess.Process) -> tuple[Any, ...]:
    stdout = process.stdout
    assert stdout is not None
    try:
        size = int.from_bytes(await stdout.readexactly(4), "big")
        reply = marshal.loads(await stdout.readexactly(size))
    except (asyncio.IncompleteReadError, EOFError, ValueError) as error:
        raise WriterGone("the writer process exited") from error
    if not isinstance(reply, tuple):
        raise WriterGone("the writer process broke the protocol")
    return reply


def serve(path: str, synchronous: Synchronous, requests: BinaryIO, replies: BinaryIO) -> None:
    """The child's loop: answer each request until end-of-file."""
    writer = SqliteWriter(path, synchronous)

    def send(reply: tuple[Any, ...]) -> None:
        payload = marshal.dumps(reply)
        replies.write(len(payload).to_bytes(4, "big") + payload)
        replies.flush()

    send(("ok", "ready"))
    batches = 0
    try:
        while True:
            header = requests.read(4)
            if len(header) < 4:
                return  # the parent closed the pipe, or died
            body = requests.read(int.from_bytes(header, "big"))
            message = marshal.loads(body)
            try:
                if message[0] == "commit":
                    send(("ok", writer.commit(message[1], message[2])))
                    batches += 1
                    if batches % CHECKPOINT_EVERY == 0:
                        writer.checkpoint()  # the parent is busy waking callers meanwhile
                else:
                    send(("ok", writer.open_account(message[1], message[2], message[3])))
            except Exception as error:  # answered; the batch was rolled back
                send(("error", f"{type(error).__name__}: {error}"))
    finally:
        writer.close()


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    path, synchronous = argv
    if synchronous not in ("normal", "full"):
        raise SystemExit(f"bad synchronous {synchronous!r}")
    serve(path, "full" if synchronous == "full" else "normal", sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main(sys.argv[1:])
