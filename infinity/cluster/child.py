"""A local server run as a child process, awaited until it answers: what the local
nats-server (`nats_server.py`) and PostgreSQL (`postgres.py`) share.

`spawn` starts it in a session of its own with its output appended to its log;
`await_ready` polls until it answers, and stops it when it exits or stays silent.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar


class Child(Protocol):
    """A server started by `spawn`: its log, whether it still runs, and its stop."""

    @property
    def log(self) -> Path: ...

    def running(self) -> bool: ...

    def stop(self) -> None: ...


C = TypeVar("C", bound=Child)


def spawn(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start `argv` in a new session (a Ctrl-C at the terminal is not its stop), its
    output and errors appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def await_ready(
    child: C, answers: Callable[[], bool], timeout: float, what: str, error: type[Exception]
) -> C:
    """`child` once `answers()` (polled every 50 ms) is True; else it is stopped, and
    `error` raised with the end of its log (it exited, or did not answer by `timeout`)."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not child.running():
                raise error(f"{what} exited: {tail(child.log)}")
            if answers():
                return child
            time.sleep(0.05)
        raise error(f"{what} not ready after {timeout} s: {tail(child.log)}")
    except BaseException:
        child.stop()
        raise


def tail(log: Path) -> str:
    """The end of a log, for an error message."""
    try:
        return log.read_text(errors="replace")[-1500:]
    except OSError:
        return "(no log)"
