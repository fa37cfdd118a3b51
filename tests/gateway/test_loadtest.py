"""`infinity loadtest`'s pilots against a real server: they board, steer every 100 ms,
read frames and time input-to-ack, and stop by themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infinity.loadtest.pilots import INPUT_SECONDS, run_pilots
from tests.conftest import Server


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(
        tmp_path_factory.mktemp("loadtest") / "data", npcs=False, options=["--login-rate", "0"]
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_pilots_board_steer_and_measure(open_server: Server) -> None:
    report = await run_pilots(open_server.url, 6, 3.0, fire=True, seed=3)
    figures = report.figures()
    assert figures["connected"] == 6 and not report.failures
    # each pilot steers every 100 ms: about 6 x 3 s x 10 inputs, less a start-up sliver
    assert report.commands >= 0.8 * 6 * 3.0 / INPUT_SECONDS
    assert figures["updates_per_client_s"] > 15  # frames at the zone's 20 Hz
    assert 0 < figures["latency_ms_p50"] < 500  # acks arrive, and in time
    assert figures["frame_gap_ms_p99"] < 500
    assert figures["bytes_per_frame"] > 0 and sum(report.errors.values()) < report.commands
