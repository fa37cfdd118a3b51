"""An idle universe: what `infinity serve` costs with nobody connected.

Starts the real `infinity serve` (a fresh data folder, the default galaxy of
14 star systems, snapshots on) pinned to one core, once with `--no-npcs`
(every zone idle: no ship in motion) and once as `make run` starts it (NPC
traders and AI crews flying). After a warm-up, R windows of W seconds: the
server's CPU per wall second (from /proc) and each zone's mean tick cost
(from its /metrics histogram). The floor, measured in the same run on the
same core: a bare uvloop with one 20 Hz timer per zone and nothing else.

Usage: python bench/idle_server.py [--quick] [--windows R] [--window W]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Final

import uvloop

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
except ImportError:  # pragma: no cover
    from bench import _common as common

ZONES: Final = 14
TARGET_IDLE_CORES: Final = 0.05
TARGET_IDLE_TICK_US: Final = 50.0
CORE: Final = min(os.sched_getaffinity(0))  # the core the fan-out bench gives the server


def pinned(command: list[str]) -> list[str]:
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(CORE), *command] if taskset else command


def zone_ticks(url: str) -> dict[str, tuple[float, float]]:
    """Per zone: (seconds spent ticking, ticks) so far."""
    with urllib.request.urlopen(url + "/metrics", timeout=5) as answer:
        text = answer.read().decode()
    out: dict[str, list[float]] = {}
    for line in text.splitlines():
        for suffix, slot in (("_sum", 0), ("_count", 1)):
            head = f"infinity_zone_tick_seconds{suffix}{{zone="
            if line.startswith(head):
                name = line[len(head) + 1 : line.index('"}')]
                out.setdefault(name, [0.0, 0.0])[slot] = float(line.rpartition(" ")[2])
    return {name: (pair[0], pair[1]) for name, pair in out.items()}


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("server did not come up")


def measure_server(npcs: bool, windows: int, window: float, warm: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="infinity-idle-") as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable, "-m", "infinity", "serve", "--port", str(port),
            "--data", str(Path(tmp) / "data"), "--log-level", "warning",
            *([] if npcs else ["--no-npcs"]),
        ]  # fmt: skip
        process = subprocess.Popen(pinned(command), stdout=subprocess.DEVNULL)
        try:
            wait_ready(url, process)
            time.sleep(warm)
            rates: list[float] = []
            ticks: list[float] = []
            for _ in range(windows):
                cpu0, t0, z0 = common.proc_cpu_seconds(process.pid), time.time(), zone_ticks(url)
                time.sleep(window)
                cpu1, t1, z1 = common.proc_cpu_seconds(process.pid), time.time(), zone_ticks(url)
                rates.append((cpu1 - cpu0) / (t1 - t0))
                per_zone = [
                    (z1[n][0] - z0[n][0]) / max(1.0, z1[n][1] - z0[n][1]) for n in z1 if n in z0
                ]
                ticks.append(1e6 * common.median(per_zone))
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    return {"cores": common.median(rates), "zone_tick_us": common.median(ticks)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _timers(zones: int, seconds: float) -> float:
    async def zone(phase: float) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + phase
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            due += 0.05

    tasks = [asyncio.create_task(zone(0.05 * i / zones)) for i in range(zones)]
    await asyncio.sleep(1.0)
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.time()
    await asyncio.sleep(seconds)
    r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.time()
    for task in tasks:
        task.cancel()
    return (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / (t1 - t0)


def floor_worker(seconds: float, timers: int = ZONES) -> None:
    """Child process entry: print the bare timers' cores."""
    print(uvloop.run(_timers(timers, seconds)))


def measure_floor(windows: int, window: float, timers: int = ZONES) -> float:
    """`timers` bare 20 Hz timers in a fresh process on the server's core, once per window
    (the floor of anything that wakes at 20 Hz: a zone, an instance's loop)."""
    command = pinned(
        [sys.executable, __file__, "--floor-seconds", str(window), "--floor-timers", str(timers)]
    )
    rates = []
    for _ in range(windows):
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rates.append(float(done.stdout.strip()))
    return common.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 windows of 3 s")
    parser.add_argument("--windows", type=int)
    parser.add_argument("--window", type=float)
    parser.add_argument("--floor-seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--floor-timers", type=int, default=ZONES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_seconds:  # the child process of `measure_floor`
        floor_worker(args.floor_seconds, args.floor_timers)
        return
    windows = args.windows or (3 if args.quick else 5)
    window = args.window or (3.0 if args.quick else 5.0)
    warm = 4.0 if args.quick else 8.0
    idle = measure_server(False, windows, window, warm)
    living = measure_server(True, windows, window, warm)
    floor = measure_floor(windows, window)
    rows = [
        ("idle (--no-npcs)", idle["cores"], idle["zone_tick_us"], idle["cores"] / floor),
        ("living (make run)", living["cores"], living["zone_tick_us"], living["cores"] / floor),
        (f"floor: {ZONES} bare 20 Hz timers", floor, float("nan"), 1.0),
    ]
    common.table(
        f"an idle universe, {ZONES} zones, no clients (median of {windows} x {window:g} s)",
        ("server", "cores", "zone tick µs (median zone)", "÷ floor"),
        rows,
    )
    figures: dict[str, Any] = {
        "bench": "idle_server",
        "idle_cores": idle["cores"],
        "idle_zone_tick_us": idle["zone_tick_us"],
        "living_cores": living["cores"],
        "living_zone_tick_us": living["zone_tick_us"],
        "floor_cores": floor,
        "idle_to_floor": idle["cores"] / floor,
        "targets": {"idle_cores": TARGET_IDLE_CORES, "idle_zone_tick_us": TARGET_IDLE_TICK_US},
        "machine": common.machine(),
    }
    common.emit(figures)


if __name__ == "__main__":
    main()
