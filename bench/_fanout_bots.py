"""The client side of the fan-out bench: `infinity.loadtest.pilots.run_pilots` in a child process.

The worker hands `run_pilots` its own `Report` and reads it live, to measure
steady-state windows (not the connection storm). The driver sends, over a control
queue, the wall-clock boundaries of its windows (once every bot is
connected) and later "stop"; the worker records its cumulative counters at
each boundary, then cancels `run_bots` and reports. Latencies are appended
in order, so a boundary's `len(latencies)` splits them into windows exactly (and
the same for the gaps between frames).
"""

from __future__ import annotations

import asyncio
import os
import queue
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from typing import Any, Final

import uvloop

from infinity.loadtest import pilots

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
    gaps: int
    pilot_frames: tuple[int, ...]  # each pilot's frames so far


@dataclass(slots=True)
class BotResult:
    marks: list[Mark] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    connected: int = 0
    clients: int = 0


def _mark(r: pilots.Report) -> Mark:
    return Mark(
        time.time(),
        r.connected,
        r.frames,
        r.frame_bytes,
        r.commands,
        len(r.latencies),
        len(r.gaps),
        tuple(r.pilot_frames),
    )


async def _next_order(control: Queue[Any]) -> Any:
    while True:
        try:
            return control.get_nowait()
        except queue.Empty:
            await asyncio.sleep(POLL)


async def _follow_orders(control: Queue[Any], report: pilots.Report, marks: list[Mark]) -> None:
    """Mark at every boundary the driver sends; return when told to stop."""
    while True:
        order = await _next_order(control)
        if order == "stop":
            return
        for at in order:
            await asyncio.sleep(max(0.0, at - time.time()))
            marks.append(_mark(report))


async def _run(url: str, tokens: list[str], seconds: float, control: Queue[Any]) -> BotResult:
    result = BotResult(clients=len(tokens))
    report = pilots.Report()
    flying = asyncio.create_task(
        pilots.run_pilots(url, len(tokens), seconds, tokens=tokens, seed=len(tokens), report=report)
    )
    orders = asyncio.create_task(_follow_orders(control, report, result.marks))
    await asyncio.wait({flying, orders}, return_when=asyncio.FIRST_COMPLETED)
    for task in (flying, orders):
        task.cancel()
    await asyncio.wait({flying, orders}, timeout=CLOSE_GRACE)
    result.latencies = list(report.latencies)
    result.gaps = list(report.gaps)
    result.errors = dict(report.errors)
    result.failures = report.failures[:20]
    result.connected = report.connected
    return result


def bot_worker(
    url: str,
    tokens: list[str],
    seconds: float,
    control: Queue[Any],
    out: Queue[Any],
    cores: set[int],
) -> None:
    """Process entry point: pilots under uvloop, kept on `cores` (off the server's), for at
    most `seconds`; a `BotResult` on `out`."""
    os.sched_setaffinity(0, cores)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        out.put(runner.run(_run(url, tokens, seconds, control)))
