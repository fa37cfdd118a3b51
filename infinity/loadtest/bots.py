"""Load-test bots: log in, connect, fly and fire over the real protocol; measure.

Input-to-seen latency is the wall time from sending a command with `seq`
until the first frame whose `me.ack` is at least `seq` arrives: that frame
carries the tick that applied the command. Everything is bounded: a fixed
number of bots for a fixed time, and each connection closes by itself.
"""

from __future__ import annotations

import asyncio
import random
import resource
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
import msgspec
import numpy as np
import websockets
from rich.console import Console
from rich.table import Table

from infinity.gateway import wire
from infinity.sim.kinds import Kind

_encode = msgspec.msgpack.Encoder().encode


@dataclass(slots=True)
class Report:
    clients: int = 0
    connected: int = 0
    seconds: float = 0.0
    frames: int = 0
    frame_bytes: int = 0
    commands: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    bot_cpu_seconds: float = 0.0

    def figures(self) -> dict[str, Any]:
        lat = np.array(self.latencies) * 1000.0 if self.latencies else np.array([np.nan])
        return {
            "clients": self.clients,
            "connected": self.connected,
            "seconds": round(self.seconds, 2),
            "updates_per_s": round(self.frames / self.seconds, 1) if self.seconds else 0.0,
            "updates_per_client_s": round(self.frames / self.seconds / max(1, self.connected), 2)
            if self.seconds
            else 0.0,
            "bytes_per_frame": round(self.frame_bytes / max(1, self.frames), 1),
            "commands": self.commands,
            "latency_ms_p50": round(float(np.nanpercentile(lat, 50)), 2),
            "latency_ms_p99": round(float(np.nanpercentile(lat, 99)), 2),
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


async def _recv(ws: Any) -> bytes:
    return bytes(await ws.recv(decode=False))


class Bot:
    def __init__(self, token: str, ws_url: str, report: Report, rng: random.Random, fire: bool):
        self.token = token
        self.ws_url = ws_url
        self.report = report
        self.rng = rng
        self.fire = fire
        self.ship = -1
        self.seq = 0
        self.sent: dict[int, float] = {}
        self.seen: set[int] = set()

    async def run(self, until: float) -> None:
        async with websockets.connect(
            self.ws_url, compression=None, max_size=2**22, open_timeout=20
        ) as ws:
            await ws.send(_encode({"t": "hello", "v": 1, "token": self.token}))
            welcome = wire.decode(await asyncio.wait_for(_recv(ws), 20))
            if not isinstance(welcome, wire.Welcome):
                raise RuntimeError(f"no welcome: {welcome!r}")
            self.ship = welcome.ship
            self.report.connected += 1
            await self._command(ws, {"t": "undock"})
            sender = asyncio.create_task(self._fly(ws, until))
            try:
                await self._listen(ws, until)
            finally:
                sender.cancel()

    async def _command(self, ws: Any, body: dict[str, Any]) -> None:
        self.seq += 1
        self.sent[self.seq] = time.perf_counter()
        await ws.send(_encode({**body, "ship": self.ship, "seq": self.seq}))
        self.report.commands += 1

    async def _fly(self, ws: Any, until: float) -> None:
        await asyncio.sleep(self.rng.random())
        while time.monotonic() < until:
            throttle = self.rng.choice((0.3, 0.6, 1.0))
            await self._command(
                ws, {"t": "thrust", "throttle": throttle, "turn": self.rng.uniform(-1, 1)}
            )
            if self.fire and self.seen:
                target = self.rng.choice(tuple(self.seen))
                await self._command(ws, {"t": "target", "target": target})
                await self._command(ws, {"t": "fire"})
            await asyncio.sleep(1.0)

    async def _listen(self, ws: Any, until: float) -> None:
        report = self.report
        while True:
            remaining = until - time.monotonic()
            if remaining <= 0:
                return
            try:
                data = await asyncio.wait_for(_recv(ws), remaining)
            except TimeoutError:
                return
            message = wire.decode(data)
            if isinstance(message, wire.Frame):
                report.frames += 1
                report.frame_bytes += len(data)
                self._ack(message.me.ack)
                if self.fire:
                    self._remember(message.cells)
            elif isinstance(message, wire.ErrorMessage):
                reason = str(message.reason)
                report.errors[reason] = report.errors.get(reason, 0) + 1

    def _ack(self, ack: int) -> None:
        if not self.sent:
            return
        now = time.perf_counter()
        for seq in [s for s in self.sent if s <= ack]:
            self.report.latencies.append(now - self.sent.pop(seq))

    def _remember(self, cells: list[wire.Cell]) -> None:
        for cell in cells:
            for record in cell.entered:
                if record.kind == Kind.SHIP and record.id != self.ship:
                    self.seen.add(record.id)
            for gone in cell.left:
                self.seen.discard(gone)


async def run_bots(
    url: str,
    clients: int,
    seconds: float,
    *,
    fire: bool = True,
    tokens: list[str] | None = None,
    seed: int = 1,
) -> Report:
    """Run `clients` bots against `url` for `seconds`; returns the measurements."""
    report = Report(clients=clients)
    rng = random.Random(seed)
    ws_url = url.replace("http", "ws", 1).rstrip("/") + "/ws"
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    if tokens is None:
        gate = asyncio.Semaphore(8)
        password = "loadtest-password"
        tag = rng.randrange(16**6)

        async def sign_up(i: int) -> str:
            async with gate:
                return await _session(http, f"bot-{tag:06x}-{i}", password)

        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            tokens = list(await asyncio.gather(*(sign_up(i) for i in range(clients))))
    started = time.monotonic()
    until = started + seconds
    bots = [Bot(t, ws_url, report, random.Random(rng.random()), fire) for t in tokens[:clients]]

    async def fly(bot: Bot) -> None:
        try:
            await bot.run(until)
        except Exception as failure:  # counted, not fatal: the run goes on
            report.failures.append(f"{type(failure).__name__}: {failure}")

    await asyncio.gather(*(fly(b) for b in bots))
    report.seconds = time.monotonic() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    report.bot_cpu_seconds = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return report
