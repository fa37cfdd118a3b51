"""Lean load-test pilots: real players' traffic, cheap enough to drive a thousand from one core.

Each pilot speaks the real protocol over its own WebSocket (picows, whose
framing is compiled) and steers like a person does: a new `thrust` or
`move_to` every 100 ms. Reading a frame costs a partial decode that skips
the cells and keeps only `me.ack`, which times input-to-ack; a sample of
frames is decoded whole, so a malformed frame still fails the run. One
steering loop drives every pilot of a fleet, a slice each 10 ms, instead of
a task per pilot. Everything is bounded: a fixed number of pilots for a
fixed time, and each connection closes by itself.
"""

from __future__ import annotations

import asyncio
import random
import resource
import time
from dataclasses import dataclass, field
from typing import Any, Final

import httpx2 as httpx
import msgspec
import numpy as np
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect
from rich.console import Console
from rich.table import Table

from infinity.gateway import wire
from infinity.sim.kinds import Kind

INPUT_SECONDS: Final = 0.1  # a pilot's input interval: people steer continuously
SLICES: Final = 10  # the steering loop wakes SLICES times per input interval
FULL_DECODE_EVERY: Final = 50  # every 50th frame of a pilot is decoded whole and checked
CONNECT_AT_ONCE: Final = 32

_encode = msgspec.msgpack.Encoder().encode


class _AckMe(msgspec.Struct, array_like=True):
    ack: int  # `me`'s first field; the rest of the record is skipped


class _AckFrame(msgspec.Struct, array_like=True, tag=0):
    """A frame read for its ack alone: cells and chat are skipped, not built."""

    tick: int
    dilation: float
    cells: msgspec.Raw
    chat: msgspec.Raw
    me: _AckMe


_acks = msgspec.msgpack.Decoder(_AckFrame)


@dataclass(slots=True)
class Report:
    clients: int = 0
    connected: int = 0
    seconds: float = 0.0
    frames: int = 0
    frame_bytes: int = 0
    commands: int = 0
    latencies: list[float] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)  # seconds between a pilot's frames
    pilot_frames: list[int] = field(default_factory=list)  # frames each pilot has read
    errors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    bot_cpu_seconds: float = 0.0

    def figures(self) -> dict[str, Any]:
        lat = np.array(self.latencies) * 1000.0 if self.latencies else np.array([np.nan])
        gaps = np.array(self.gaps) * 1000.0 if self.gaps else np.array([np.nan])
        per_client = self.frames / self.seconds / max(1, self.connected) if self.seconds else 0.0
        return {
            "clients": self.clients,
            "connected": self.connected,
            "seconds": round(self.seconds, 2),
            "updates_per_s": round(self.frames / self.seconds, 1) if self.seconds else 0.0,
            "updates_per_client_s": round(per_client, 2),
            "bytes_per_frame": round(self.frame_bytes / max(1, self.frames), 1),
            "commands": self.commands,
            "latency_ms_p50": round(float(np.nanpercentile(lat, 50)), 2),
            "latency_ms_p99": round(float(np.nanpercentile(lat, 99)), 2),
            "frame_gap_ms_p99": round(float(np.nanpercentile(gaps, 99)), 2),
            "bot_cpu_per_s": round(self.bot_cpu_seconds / self.seconds, 3) if self.seconds else 0.0,
            "errors": dict(self.errors),
            "failures": len(self.failures),
        }

    def print(self, console: Console) -> None:
        table = Table(title="infinity loadtest")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for key, value in self.figures().items():
            table.add_row(key, str(value))
        console.print(table)
        for failure in self.failures[:5]:
            console.print(f"[red]{failure}[/]")

    def error(self, reason: str) -> None:
        self.errors[reason] = self.errors.get(reason, 0) + 1


class Pilot(WSListener):
    """One player's connection: hello, then frames in and steering out."""

    def __init__(self, token: str, report: Report, rng: random.Random, fire: bool) -> None:
        super().__init__()
        self.token = token
        self.report = report
        self.index = len(report.pilot_frames)
        report.pilot_frames.append(0)
        self.rng = rng
        self.fire = fire
        self.transport: WSTransport | None = None
        self.ship = -1
        self.seq = 0
        self.sent: dict[int, float] = {}  # seq -> perf_counter at send, until acked
        self.frames = 0
        self.last_frame = 0.0  # perf_counter at the previous frame
        self.seen: list[int] = []  # ships in view at the last whole decode
        self.welcomed = asyncio.get_running_loop().create_future()
        self.closed = False

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        transport.send(WSMsgType.BINARY, _encode({"t": "hello", "v": 1, "token": self.token}))

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.closed = True
        if not self.welcomed.done():
            self.welcomed.set_exception(ConnectionError("closed before the welcome"))

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.CLOSE:
            self.closed = True
            if not self.welcomed.done():
                reason = f"closed {frame.get_close_code()!s}: {frame.get_close_reason()}"
                self.welcomed.set_exception(ConnectionError(reason))
            return
        if frame.msg_type != WSMsgType.BINARY:
            return
        data = frame.get_payload_as_bytes()
        if self.ship < 0:
            self._welcome(data)
            return
        first = data[0] if data else 0
        if 0x90 <= first <= 0x9F or first in (0xDC, 0xDD):
            self._frame(data)
        else:
            message = wire.decode(data)
            if isinstance(message, wire.ErrorMessage):
                self.report.error(str(message.reason))

    def _welcome(self, data: bytes) -> None:
        message = wire.decode(data)
        if not isinstance(message, wire.Welcome):
            self.welcomed.set_exception(RuntimeError(f"no welcome: {message!r}"))
            return
        self.ship = message.ship
        self.report.connected += 1
        self.welcomed.set_result(None)

    def _frame(self, data: bytes) -> None:
        report = self.report
        now = time.perf_counter()
        if self.last_frame:
            report.gaps.append(now - self.last_frame)
        self.last_frame = now
        report.frames += 1
        report.frame_bytes += len(data)
        report.pilot_frames[self.index] += 1
        self.frames += 1
        if self.frames % FULL_DECODE_EVERY == 1:
            whole = wire.decode(data)  # raises on a malformed frame: the pilot fails
            assert isinstance(whole, wire.Frame)
            self._look(whole)
        ack = _acks.decode(data).me.ack
        if self.sent and ack >= min(self.sent):
            for seq in [s for s in self.sent if s <= ack]:
                report.latencies.append(now - self.sent.pop(seq))

    def _look(self, frame: wire.Frame) -> None:
        if self.fire:
            self.seen = [
                e.id
                for cell in frame.cells
                for e in cell.entered
                if e.kind == Kind.SHIP and e.id != self.ship
            ][:20]

    def command(self, body: dict[str, Any]) -> None:
        if self.transport is None or self.closed:
            return
        self.seq += 1
        self.sent[self.seq] = time.perf_counter()
        self.transport.send(WSMsgType.BINARY, _encode({**body, "ship": self.ship, "seq": self.seq}))
        self.report.commands += 1

    def steer(self) -> None:
        """One input, as a person at the controls makes ten a second."""
        rng = self.rng
        roll = rng.random()
        if self.fire and self.seen and roll < 0.05:
            self.command({"t": "target", "target": rng.choice(self.seen)})
        elif self.fire and roll < 0.10:
            self.command({"t": "fire"})
        elif roll < 0.30:
            self.command({"t": "move_to", "x": rng.uniform(-2e4, 2e4), "y": rng.uniform(-2e4, 2e4)})
        else:
            throttle = rng.choice((0.3, 0.6, 1.0))
            self.command({"t": "thrust", "throttle": throttle, "turn": rng.uniform(-1.0, 1.0)})

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.send_close()
            self.transport.disconnect()
        self.closed = True


async def _session(http: httpx.AsyncClient, name: str, password: str) -> str:
    answer = await _polite_post(http, "/api/register", {"name": name, "password": password})
    if answer.status_code == 409:
        answer = await _polite_post(http, "/api/login", {"name": name, "password": password})
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


async def _polite_post(
    http: httpx.AsyncClient, path: str, body: dict[str, str], tries: int = 30
) -> httpx.Response:
    """POST, waiting out 429s as Retry-After says (the server limits logins per address:
    many bots from one host need `infinity serve --login-rate 0`)."""
    for _ in range(tries - 1):
        answer = await http.post(path, json=body)
        if answer.status_code != 429:
            return answer
        await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
    return await http.post(path, json=body)


async def sign_up(url: str, clients: int, rng: random.Random) -> list[str]:
    """Register (or log in) `clients` accounts; their session tokens."""
    gate = asyncio.Semaphore(8)
    tag = rng.randrange(16**6)

    async def one(http: httpx.AsyncClient, i: int) -> str:
        async with gate:
            return await _session(http, f"bot-{tag:06x}-{i}", "loadtest-password")

    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return list(await asyncio.gather(*(one(http, i) for i in range(clients))))


async def _board(pilot: Pilot, ws_url: str, gate: asyncio.Semaphore, report: Report) -> bool:
    async with gate:
        try:
            await ws_connect(lambda: pilot, ws_url, max_frame_size=2**22)
            await asyncio.wait_for(pilot.welcomed, 20)
        except Exception as failure:  # counted, not fatal: the run goes on
            report.failures.append(f"{type(failure).__name__}: {failure}")
            pilot.close()
            return False
    return True


async def _steer(pilots: list[Pilot], until: float) -> None:
    """Every pilot gives an input each INPUT_SECONDS, a slice of them every tenth of that."""
    step = INPUT_SECONDS / SLICES
    phase = 0
    next_at = time.monotonic()
    while time.monotonic() < until:
        for pilot in pilots[phase::SLICES]:
            pilot.steer()
        phase = (phase + 1) % SLICES
        next_at += step
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def run_pilots(
    url: str,
    clients: int,
    seconds: float,
    *,
    fire: bool = True,
    tokens: list[str] | None = None,
    seed: int = 1,
    report: Report | None = None,
) -> Report:
    """Fly `clients` pilots against `url` for `seconds` after they board; the measurements."""
    report = report if report is not None else Report()
    report.clients = clients
    rng = random.Random(seed)
    ws_url = url.replace("http", "ws", 1).rstrip("/") + "/ws"
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    tokens = tokens if tokens is not None else await sign_up(url, clients, rng)
    pilots = [Pilot(t, report, random.Random(rng.random()), fire) for t in tokens[:clients]]
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    boarded = await asyncio.gather(*(_board(p, ws_url, gate, report) for p in pilots))
    flying = [p for p, ok in zip(pilots, boarded, strict=True) if ok]
    started = time.monotonic()
    try:
        await _steer(flying, started + seconds)
    finally:
        for pilot in pilots:
            pilot.close()
        report.seconds = time.monotonic() - started
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        report.bot_cpu_seconds = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return report
