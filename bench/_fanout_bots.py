"""The client side of the fan-out bench: `infinity.loadtest.bots.run_bots` in a child process.

`run_bots` keeps its `Report` to itself until the run ends, so to measure
steady-state windows (not the connection storm) this worker subclasses
`Report` to get hold of the live one. The driver sends, over a control
queue, the wall-clock boundaries of its windows (once every bot is
connected) and later "stop"; the worker records its cumulative counters at
each boundary, then cancels `run_bots` and reports. Latencies are appended
in order, so a boundary's `len(latencies)` splits them into windows exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from typing import Any, Final

import uvloop

from infinity.loadtest import bots

POLL: Final = 0.05
CLOSE_GRACE: Final = 10.0


@dataclass(slots=True)
class Mark:
    """Cumulative bot counters at one boundary."""

    at: float
    connected: int
    frames: int
    frame_bytes: int
    commands: int
    latencies: int


@dataclass(slots=True)
class BotResult:
    marks: list[Mark] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    connected: int = 0
    clients: int = 0


_live: list[bots.Report] = []


class _LiveReport(bots.Report):
    """A Report that registers itself so the sampler can read it while the run goes on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _live.append(self)


def _mark() -> Mark:
    if not _live:
        return Mark(time.time(), 0, 0, 0, 0, 0)
    r = _live[-1]
    return Mark(time.time(), r.connected, r.frames, r.frame_bytes, r.commands, len(r.latencies))


async def _next_order(control: Queue[Any]) -> Any:
    while True:
        try:
            return control.get_nowait()
        except queue.Empty:
            await asyncio.sleep(POLL)


async def _follow_orders(control: Queue[Any], marks: list[Mark]) -> None:
    """Mark at every boundary the driver sends; return when told to stop."""
    while True:
        order = await _next_order(control)
        if order == "stop":
            return
        for at in order:
            await asyncio.sleep(max(0.0, at - time.time()))
            marks.append(_mark())


async def _run(url: str, tokens: list[str], seconds: float, control: Queue[Any]) -> BotResult:
    result = BotResult(clients=len(tokens))
    flying = asyncio.create_task(
        bots.run_bots(url, len(tokens), seconds, tokens=tokens, seed=len(tokens))
    )
    orders = asyncio.create_task(_follow_orders(control, result.marks))
    await asyncio.wait({flying, orders}, return_when=asyncio.FIRST_COMPLETED)
    for task in (flying, orders):
        task.cancel()
    await asyncio.wait({flying, orders}, timeout=CLOSE_GRACE)
    report = _live[-1] if _live else bots.Report()
    with contextlib.suppress(BaseException):
        report = flying.result()  # the finished report, when the run ended by itself
    result.latencies = list(report.latencies)
    result.errors = dict(report.errors)
    result.failures = report.failures[:20]
    result.connected = report.connected
    return result


def bot_worker(
    url: str, tokens: list[str], seconds: float, control: Queue[Any], out: Queue[Any]
) -> None:
    """Process entry point: bots under uvloop for at most `seconds`; a `BotResult` on `out`."""
    bots.Report = _LiveReport  # type: ignore[misc]
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        out.put(runner.run(_run(url, tokens, seconds, control)))
