"""Shared fixtures: a real `infinity serve` process on 127.0.0.1."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx2 as httpx
import pytest

PASSWORD = "stardust-42"  # any password a player may choose: not a common one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """One `infinity serve` subprocess with its own data folder; restartable."""

    def __init__(
        self,
        data: Path,
        seed: int = 7,
        npcs: bool = True,
        snapshot_seconds: float = 5.0,
        options: Sequence[str] = (),  # more `infinity serve` options, e.g. limits
    ) -> None:
        self.data = data
        self.options = tuple(options)
        self.snapshot_seconds = snapshot_seconds
        self.seed = seed
        self.npcs = npcs
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 30.0) -> float:
        """Start and wait until /healthz answers; returns seconds to ready."""
        self.data.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "infinity", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--data", str(self.data), "--seed", str(self.seed), "--log-level", "warning",
            "--snapshot-seconds", str(self.snapshot_seconds),
        ]  # fmt: skip
        if not self.npcs:
            command.append("--no-npcs")
        command.extend(self.options)
        began = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"server not ready: {self.log.read_text()[-2000:]}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def register(self, name: str, password: str = PASSWORD) -> dict[str, object]:
        answer = httpx.post(f"{self.url}/api/register", json={"name": name, "password": password})
        assert answer.status_code == 201, answer.text
        body: dict[str, object] = answer.json()
        return body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running server with a fresh universe (seed 7), shared by a test module."""
    running = Server(tmp_path_factory.mktemp("universe") / "data")
    running.start()
    try:
        yield running
    finally:
        if running.process is not None:
            running.stop()


__all__ = ["PASSWORD", "Server", "free_port", "require_ci_or_skip", "signal"]
from tests._ci import require_ci_or_skip  # noqa: E402  (re-exported)
from tests._store import store, url  # noqa: E402, F401  (a fresh store per test)
from tests.pg import postgres_server  # noqa: E402, F401  (PostgreSQL fixtures)
