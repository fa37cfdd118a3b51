"""Gateway fan-out: N bot clients at 20 Hz against a real server over loopback WebSockets.

For each client count:

0. in-process (no sockets, `_fanout_inproc.py`): the same zone and N sessions
   on a real `Fanout`, to time `Fanout.on_tick` and the session writer tasks
   per client-frame;
1. a fresh server (`_fanout_server.py`: the real app under uvicorn as
   `infinity serve` runs it, one zone of 5,000 moving ships, ~80 per 3x3-cell
   view) starts as a subprocess; its CPU with traffic but no clients is the
   baseline (zone ticks, traffic commands, the other empty zones, snapshots);
2. bots (`infinity.loadtest.bots.run_bots`, in 1 process per 1,000 clients,
   sharing the same 2 cores) connect, undock (refused: they start in flight),
   then thrust, target and fire once a second each;
3. once the server counts every bot as connected (bounded wait) and after a
   settling pause, R measured windows of W seconds. At each boundary the
   driver reads the server's and the bots' CPU time from /proc/<pid>/stat and
   the server's /metrics; the bots record their frame, byte and latency
   counters at the same instants.

Per window: server CPU seconds per wall second, server CPU per client-frame
(total, and marginal = above the no-client baseline), bytes per frame,
input-to-seen latency p50/p99, frames delivered vs clients x 20 per second,
bot CPU, and how many cores other processes on the machine kept busy.
Figures are medians over the windows.

Usage: python bench/gateway_fanout.py [--quick] [--clients N ...] [--windows R] [--window W]
       [--profile] [--server-gc-freeze] [--bot-processes P]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Final

import numpy as np

from infinity.galaxy.generate import generate
from infinity.sim import rules

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
    from _fanout_bots import BotResult, Mark, bot_worker
    from _fanout_inproc import measure_inproc
except ImportError:  # pragma: no cover
    from bench import _common as common
    from bench._fanout_bots import BotResult, Mark, bot_worker
    from bench._fanout_inproc import measure_inproc

HERE: Final = Path(__file__).resolve().parent
SHIPS: Final = 5000
TARGET_P99_MS: Final = 100.0  # input-to-ack
TARGET_GAP_P99_MS: Final = 60.0
TARGET_US_PER_FRAME: Final = 40.0  # all-in, at 1,000 clients
TARGET_MARGINAL_US: Final = 15.0
TARGET_FLOOR_RATIO: Final = 3.0  # "within 2-3x of the physical floor"
TARGET_BYTES_PER_FRAME: Final = 1200.0
COLYSEUS_US_PER_FRAME: Final = 264.0  # issue 9: Colyseus 0.18 with StateView, same workload
CLIENTS_PER_BOT_PROCESS: Final = 1000
ZONE_NAME: Final = generate(1).systems[0].name


@dataclass(frozen=True, slots=True)
class Plan:
    counts: tuple[int, ...]
    windows: int
    window: float
    baseline: float
    settle: float
    bot_processes: int | None  # None: one per CLIENTS_PER_BOT_PROCESS clients
    profile: bool = False
    server_gc_freeze: bool = False
    inproc_ticks: int = 100

    def connect_budget(self, clients: int) -> float:
        """The longest the driver waits for every bot to be connected."""
        return 10.0 + clients / 50.0

    def processes(self, clients: int) -> int:
        if self.bot_processes:
            return self.bot_processes
        return max(1, -(-clients // CLIENTS_PER_BOT_PROCESS))


@dataclass(slots=True)
class Sample:
    """What the driver reads at one boundary."""

    at: float
    server_cpu: float
    bot_cpu: float
    metrics: dict[str, float]


@dataclass(slots=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str
    tokens: list[str]
    log: Path
    setup_seconds: float = 0.0
    status: Path | None = None  # the floor server's client count (it has no /metrics)

    @property
    def pid(self) -> int:
        return self.process.pid


# -- the server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cores() -> tuple[set[int], set[int]]:
    """(the server's cores, the bots' cores): one for the server, the rest for the bots."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return set(available), set(available)
    return {available[0]}, set(available[1:])


SERVER_CORES, BOT_CORES = cores()


def pin(cpus: set[int]) -> list[str]:
    """A `taskset` prefix that keeps a command on `cpus`, where taskset exists."""
    taskset = shutil.which("taskset")
    return [taskset, "-c", ",".join(map(str, sorted(cpus)))] if taskset else []


def start_server(clients: int, workdir: Path, gc_freeze: bool) -> Server:
    port = free_port()
    tokens = workdir / "tokens.json"
    log = workdir / "server.log"
    command = [
        sys.executable, str(HERE / "_fanout_server.py"), "--port", str(port),
        "--clients", str(clients), "--ships", str(SHIPS), "--data", str(workdir / "data"),
        "--tokens", str(tokens), "--gc-stats", str(workdir / "gc.json"),
        *(["--gc-freeze"] if gc_freeze else []),
    ]  # fmt: skip
    command = [*pin(SERVER_CORES), *command]
    started = time.monotonic()
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", [], log)
    wait_ready(server, timeout=60.0 + clients / 50.0)
    server.tokens = json.loads(tokens.read_text())
    server.setup_seconds = time.monotonic() - started
    return server


def wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"bench server exited: {server.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError("bench server did not come up")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=5)


def read_metrics(url: str) -> dict[str, float]:
    """The bench zone's tick histogram, dilation, and the fan-out counters."""
    with urllib.request.urlopen(url + "/metrics", timeout=5) as answer:
        text = answer.read().decode()
    wanted = {
        f'infinity_zone_tick_seconds_sum{{zone="{ZONE_NAME}"}}': "tick_sum",
        f'infinity_zone_tick_seconds_count{{zone="{ZONE_NAME}"}}': "tick_count",
        f'infinity_zone_dilation{{zone="{ZONE_NAME}"}}': "dilation",
        "infinity_frames_sent_total": "frames_sent",
        "infinity_frame_bytes_total": "frame_bytes_sent",
        "infinity_sessions": "sessions",
        "infinity_event_loop_stalls_total": "loop_stalls",
    }
    out: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name in wanted:
            out[wanted[name]] = float(value)
    return out


# -- sampling -------------------------------------------------------------------------


def sample(server: Server, bot_pids: list[int]) -> Sample:
    at = time.time()
    server_cpu = common.proc_cpu_seconds(server.pid)
    bot_cpu = sum(common.proc_cpu_seconds(pid) for pid in bot_pids)
    metrics = read_metrics(server.url) if server.status is None else {}
    return Sample(at, server_cpu, bot_cpu, metrics)


def baseline_cpu(server: Server, seconds: float) -> tuple[float, float]:
    """Server CPU seconds per wall second, and mean zone tick ms, with no clients."""
    first = sample(server, [])
    time.sleep(seconds)
    last = sample(server, [])
    wall = last.at - first.at
    return (last.server_cpu - first.server_cpu) / wall, tick_ms(first, last)


def tick_ms(a: Sample, b: Sample) -> float:
    count = b.metrics.get("tick_count", 0.0) - a.metrics.get("tick_count", 0.0)
    spent = b.metrics.get("tick_sum", 0.0) - a.metrics.get("tick_sum", 0.0)
    return 1000.0 * spent / count if count else float("nan")


# -- one client count -----------------------------------------------------------------


@dataclass(slots=True)
class CountResult:
    clients: int
    processes: int
    setup_seconds: float
    baseline_cpu_per_s: float
    baseline_tick_ms: float
    windows: list[dict[str, float]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    connected: int = 0
    connect_seconds: float = float("nan")
    foreign_load_cores: float = float("nan")
    server_gc: dict[str, float] = field(default_factory=dict)
    inproc: dict[str, float] = field(default_factory=dict)
    floor: dict[str, float] = field(default_factory=dict)
    slowest_fps: float = float("nan")


@dataclass(slots=True)
class Bots:
    """The bot processes, a control queue each, and the queue their results come back on."""

    workers: list[BaseProcess]
    controls: list[Any]
    results: Any

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.pid is not None]

    def tell(self, order: Any) -> None:
        for control in self.controls:
            control.put(order)


def launch_bots(server: Server, clients: int, processes: int, seconds: float) -> Bots:
    context = mp.get_context("spawn")
    results = context.Queue()
    tokens = server.tokens[:clients]
    workers: list[BaseProcess] = []
    controls: list[Any] = []
    for k in range(processes):
        control = context.Queue()
        args = (server.url, tokens[k::processes], seconds, control, results, BOT_CORES)
        worker = context.Process(target=bot_worker, args=args, daemon=True)
        worker.start()
        workers.append(worker)
        controls.append(control)
    return Bots(workers, controls, results)


def collect(bots: Bots, timeout: float) -> list[BotResult]:
    """Stop the bots and gather their results (a process that died yields none)."""
    bots.tell("stop")
    results: list[BotResult] = []
    deadline = time.monotonic() + timeout
    for _ in bots.workers:
        try:
            results.append(bots.results.get(timeout=max(1.0, deadline - time.monotonic())))
        except queue.Empty:
            common.console.print("[red]a bot process returned no result[/]")
    for worker in bots.workers:
        worker.join(timeout=10)
        if worker.is_alive():
            worker.kill()
    return results


def wait_connected(server: Server, clients: int, budget: float) -> float:
    """Poll the server's session gauge until every bot is in (or the budget is spent)."""
    started = time.monotonic()
    while time.monotonic() - started < budget:
        if sessions(server) >= clients:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def sessions(server: Server) -> float:
    if server.status is None:
        return read_metrics(server.url).get("sessions", 0.0)
    with contextlib.suppress(OSError, ValueError):
        return float(server.status.read_text())
    return 0.0


def window_figures(
    a: Sample, b: Sample, marks: list[tuple[Mark, Mark]], lat: list[float], gaps: list[float]
) -> dict[str, float]:
    wall = b.at - a.at
    frames = sum(m1.frames - m0.frames for m0, m1 in marks)
    frame_bytes = sum(m1.frame_bytes - m0.frame_bytes for m0, m1 in marks)
    server_cpu = b.server_cpu - a.server_cpu
    lat_ms = np.asarray(lat) * 1000.0
    connected = sum(m0.connected for m0, _ in marks)
    expected = max(1, connected) * rules.TICK_HZ
    return {
        "seconds": wall,
        "connected": float(connected),
        "frames_per_s": frames / wall,
        "client_fps_mean": frames / wall / max(1, connected),
        "expected_frames_per_s": float(expected),
        "delivered_ratio": frames / wall / expected,
        "server_cpu_per_s": server_cpu / wall,
        "us_per_frame": 1e6 * server_cpu / frames if frames else float("nan"),
        "bytes_per_frame": frame_bytes / frames if frames else float("nan"),
        "latency_ms_p50": common.pct(lat_ms, 50),
        "latency_ms_p99": common.pct(lat_ms, 99),
        "latency_samples": float(lat_ms.size),
        "frame_gap_ms_p99": common.pct(np.asarray(gaps) * 1000.0, 99),
        "bot_cpu_per_s": (b.bot_cpu - a.bot_cpu) / wall,
        "commands_per_s": sum(m1.commands - m0.commands for m0, m1 in marks) / wall,
        "server_frames_queued_per_s": (
            b.metrics.get("frames_sent", 0.0) - a.metrics.get("frames_sent", 0.0)
        )
        / wall,
        "tick_ms": tick_ms(a, b),
        "dilation": b.metrics.get("dilation", float("nan")),
        # Event-loop stalls over 5 ms in the window (snapshots, the store, the ledger must
        # cause none: design.md "No stalls"), seen by the server's own lag probe.
        "loop_stalls": b.metrics.get("loop_stalls", 0.0) - a.metrics.get("loop_stalls", 0.0),
    }


def slowest_client(samples: list[Sample], results: list[BotResult]) -> float:
    """Frames per second of the slowest boarded pilot over all the windows together: a
    single window's count is off by a frame either way (±0.2 Hz in 5 s) at its edges."""
    results = [r for r in results if len(r.marks) == len(samples)]
    rates = [
        (f1 - f0) / (r.marks[-1].at - r.marks[0].at)  # the bot process's own clock: its
        for r in results  # marks may run late of the driver's when its loop is busy
        for f0, f1 in zip(r.marks[0].pilot_frames, r.marks[-1].pilot_frames, strict=True)
        if f1 > 0
    ]
    return min(rates, default=0.0)


def windows_of(samples: list[Sample], results: list[BotResult]) -> list[dict[str, float]]:
    out: list[dict[str, float]] = []
    results = [r for r in results if len(r.marks) == len(samples)]
    for k in range(len(samples) - 1):
        marks = [(r.marks[k], r.marks[k + 1]) for r in results]
        lat = [
            x for r in results for x in r.latencies[r.marks[k].latencies : r.marks[k + 1].latencies]
        ]
        gaps = [x for r in results for x in r.gaps[r.marks[k].gaps : r.marks[k + 1].gaps]]
        out.append(window_figures(samples[k], samples[k + 1], marks, lat, gaps))
    return out


def run_count(clients: int, plan: Plan) -> CountResult:
    inproc = measure_inproc(clients, SHIPS, ticks=plan.inproc_ticks)
    with tempfile.TemporaryDirectory(prefix="infinity-fanout-") as tmp:
        server = start_server(clients, Path(tmp), plan.server_gc_freeze)
        try:
            result = measure(server, clients, plan)
        finally:
            stop_server(server)
        gc_stats = Path(tmp) / "gc.json"
        result.server_gc = json.loads(gc_stats.read_text()) if gc_stats.exists() else {}
        frame_bytes = common.median_of_runs(result.windows).get("bytes_per_frame", 1150.0)
        result.floor = measure_floor(clients, plan, Path(tmp), frame_bytes)
    result.inproc = inproc
    return result


def start_floor(workdir: Path, frame_bytes: float) -> Server:
    port = free_port()
    status = workdir / "floor.status"
    log = workdir / "floor.log"
    command = [
        *pin(SERVER_CORES), sys.executable, str(HERE / "_fanout_floor.py"), "--port", str(port),
        "--frame-bytes", str(int(frame_bytes)), "--status", str(status),
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", [], log, status=status)
    deadline = time.monotonic() + 30.0
    while not status.exists() and time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"floor server exited: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    return server


def measure_floor(clients: int, plan: Plan, workdir: Path, frame_bytes: float) -> dict[str, float]:
    """The same pilots against the floor server: its CPU per frame and what the pilots saw."""
    server = start_floor(workdir, frame_bytes)
    server.tokens = [f"floor-{i}" for i in range(clients)]
    processes = plan.processes(clients)
    budget = plan.connect_budget(clients)
    try:
        bots = launch_bots(server, clients, processes, budget + plan.settle + 60.0)
        try:
            wait_connected(server, clients, budget)
            first = time.time() + plan.settle
            boundaries = [first + k * plan.window for k in range(plan.windows + 1)]
            bots.tell(boundaries)
            samples = common.sample_at(boundaries, lambda: sample(server, bots.pids))
        finally:
            results = collect(bots, timeout=60.0)
    finally:
        stop_server(server)
    med = common.median_of_runs(windows_of(samples, results))
    return {
        "floor_us_per_frame": med["us_per_frame"],
        "floor_client_fps_mean": med["client_fps_mean"],
        "floor_latency_ms_p99": med["latency_ms_p99"],
    }


def measure(server: Server, clients: int, plan: Plan) -> CountResult:
    base_rate, base_tick = baseline_cpu(server, plan.baseline)
    processes = plan.processes(clients)
    budget = plan.connect_budget(clients)
    bots = launch_bots(server, clients, processes, budget + plan.settle + 60.0)
    try:
        connect_seconds = wait_connected(server, clients, budget)
        first = time.time() + plan.settle
        boundaries = [first + k * plan.window for k in range(plan.windows + 1)]
        bots.tell(boundaries)
        noise = common.NoiseMeter(lambda: _cpu_of([server.pid, *bots.pids, os.getpid()]))
        time.sleep(max(0.0, first - time.time()))
        noise.start()
        os.kill(server.pid, signal.SIGUSR1)  # the server's GC figures start now
        with profiling(server, plan, clients, plan.windows * plan.window):
            samples = common.sample_at(boundaries, lambda: sample(server, bots.pids))
        foreign = noise.foreign_cores()
    finally:
        results = collect(bots, timeout=60.0)
    result = CountResult(clients, processes, server.setup_seconds, base_rate, base_tick)
    result.connect_seconds = connect_seconds
    result.windows = windows_of(samples, results)
    result.slowest_fps = slowest_client(samples, results)
    for r in results:
        for reason, count in r.errors.items():
            result.errors[reason] = result.errors.get(reason, 0) + count
        result.failures.extend(r.failures)
        result.connected += r.connected
    result.foreign_load_cores = foreign
    return result


@contextlib.contextmanager
def profiling(server: Server, plan: Plan, clients: int, seconds: float) -> Iterator[None]:
    """With --profile, py-spy records the server during the measured windows."""
    if not plan.profile:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    raw = common.OUT / f"fanout_server_{clients}.txt"
    raw.parent.mkdir(parents=True, exist_ok=True)
    command = [
        spy, "record", "--pid", str(server.pid), "--duration", str(int(seconds)),
        "--rate", "200", "--format", "raw", "--output", str(raw), "--nonblocking",
    ]  # fmt: skip
    spy_process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        try:
            spy_process.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            spy_process.kill()
        if raw.exists():
            print_profile(raw)


def print_profile(raw: Path, lines: int = 30) -> None:
    """Self and inclusive shares per function from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = [_short(f) for f in stack.split(";")]
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    top = sorted(inclusive.items(), key=lambda kv: -kv[1])[:lines]
    rows = [(name, 100.0 * n / total, 100.0 * own.get(name, 0) / total) for name, n in top]
    common.table(
        f"server profile: {raw.name} ({total} samples)", ("function", "incl %", "self %"), rows
    )


def _short(frame: str) -> str:
    """'fn (path/to/module.py:12)' -> 'fn (module.py)'."""
    name, _, where = frame.partition(" (")
    return f"{name} ({Path(where.split(':')[0]).name})" if where else name


def _cpu_of(pids: list[int]) -> float:
    return sum(common.proc_cpu_seconds(pid) for pid in pids)


# -- reporting ------------------------------------------------------------------------


def summary(result: CountResult) -> dict[str, Any]:
    med = common.median_of_runs(result.windows)
    frames = med["frames_per_s"]
    marginal = med["server_cpu_per_s"] - result.baseline_cpu_per_s
    med["marginal_us_per_frame"] = 1e6 * marginal / frames if frames else float("nan")
    inproc = result.inproc
    med["transport_us_per_frame"] = med["marginal_us_per_frame"] - inproc["fanout_us_per_frame"]
    med["client_fps_min"] = result.slowest_fps
    floor = result.floor
    med["floor_ratio"] = med["us_per_frame"] / floor.get("floor_us_per_frame", float("nan"))
    return {
        **med,
        **inproc,
        **floor,
        **{f"server_{k}": v for k, v in result.server_gc.items()},
        "clients": result.clients,
        "bot_processes": result.processes,
        "connected_total": result.connected,
        "baseline_cpu_per_s": result.baseline_cpu_per_s,
        "baseline_tick_ms": result.baseline_tick_ms,
        "setup_seconds": result.setup_seconds,
        "connect_seconds": result.connect_seconds,
        "foreign_load_cores": result.foreign_load_cores,
        "errors": result.errors,
        "failures": len(result.failures),
        "failure_samples": sorted(set(result.failures))[:3],
        "p99_ms_windows": [w["latency_ms_p99"] for w in result.windows],
        "us_per_frame_windows": [w["us_per_frame"] for w in result.windows],
    }


HEADLINE: Final = (
    ("connected", "connected"),
    ("fps/client mean", "client_fps_mean"),
    ("fps/client min", "client_fps_min"),
    ("µs/frame", "us_per_frame"),
    ("marginal µs", "marginal_us_per_frame"),
    ("÷ floor", "floor_ratio"),
    ("B/frame", "bytes_per_frame"),
    ("ack p50 ms", "latency_ms_p50"),
    ("ack p99 ms", "latency_ms_p99"),
    ("gap p99 ms", "frame_gap_ms_p99"),
    ("dilation", "dilation"),
    ("server cpu/s", "server_cpu_per_s"),
    ("bot cpu/s", "bot_cpu_per_s"),
    ("others' load", "foreign_load_cores"),
)
BREAKDOWN: Final = (
    ("no-client cpu/s", "baseline_cpu_per_s"),
    ("marginal µs", "marginal_us_per_frame"),
    ("fan-out µs", "fanout_us_per_frame"),
    ("transport µs", "transport_us_per_frame"),
    ("floor µs", "floor_us_per_frame"),
    ("tick+fan-out ms", "tick_ms"),
    ("dilation", "dilation"),
    ("loop stalls >5 ms", "loop_stalls"),
    ("gc2 n", "server_gc_gen2_count"),
    ("gc2 max ms", "server_gc_gen2_max_ms"),
)


def print_table(rows: dict[int, dict[str, Any]], plan: Plan) -> None:
    for title, columns in (
        (f"gateway fan-out, {SHIPS:,} ships (median of {plan.windows} x {plan.window:g} s)",
         HEADLINE),
        ("where the server's CPU per client-frame goes (marginal = above no-client baseline;"
         " fan-out measured in-process; transport = the rest; floor = the same pilots on a server that only sends)", BREAKDOWN),
    ):  # fmt: skip
        body = [
            (f"{n:,}", *(r.get(key, float("nan")) for _, key in columns)) for n, r in rows.items()
        ]
        common.table(title, ("clients", *(name for name, _ in columns)), body)
    for n, r in rows.items():
        if r.get("server_gen2_census"):
            common.console.print(
                f"{n} clients: objects the collector tracks (not frozen) {r['server_gen2_census']}"
            )
        if r["errors"] or r["failures"]:
            common.console.print(f"{n} clients: errors {r['errors']}, failures {r['failures']}")
            for failure in r["failure_samples"]:
                common.console.print(f"  [red]{failure}[/]")


def plot(rows: dict[int, dict[str, Any]]) -> None:
    groups = [f"{n:,} clients" for n in rows]
    common.bar_chart_svg(
        common.OUT / "gateway_fanout.svg",
        "Server CPU per client-frame (median of windows)",
        groups,
        {
            "total µs": [r["us_per_frame"] for r in rows.values()],
            "marginal µs": [r["marginal_us_per_frame"] for r in rows.values()],
            "fan-out µs (in-process)": [r["fanout_us_per_frame"] for r in rows.values()],
            "floor µs": [r.get("floor_us_per_frame", float("nan")) for r in rows.values()],
        },
        "µs per client-frame",
        limit=TARGET_US_PER_FRAME,
    )
    common.bar_chart_svg(
        common.OUT / "gateway_fanout_fps.svg",
        "Frames per second delivered to each client (median of windows)",
        groups,
        {
            "mean": [r["client_fps_mean"] for r in rows.values()],
            "slowest client": [r["client_fps_min"] for r in rows.values()],
        },
        "frames/s per client",
        limit=20.0,
    )


def verdict(largest: dict[str, Any]) -> dict[str, bool]:
    return {
        "latency_p99": bool(largest["latency_ms_p99"] <= TARGET_P99_MS),
        "frame_gap_p99": bool(largest["frame_gap_ms_p99"] <= TARGET_GAP_P99_MS),
        "us_per_frame": bool(largest["us_per_frame"] <= TARGET_US_PER_FRAME),
        "marginal_us": bool(largest["marginal_us_per_frame"] <= TARGET_MARGINAL_US),
        "floor_ratio": bool(largest["floor_ratio"] <= TARGET_FLOOR_RATIO),
        "bytes_per_frame": bool(largest["bytes_per_frame"] <= TARGET_BYTES_PER_FRAME),
        "all_connected": bool(largest["connected"] >= largest["clients"]),
        "full_rate": bool(largest["client_fps_min"] >= 19.9),
        "no_dilation": bool(largest["dilation"] >= 0.999),
    }


def parse_args() -> Plan:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 300 clients, 2 x 3 s")
    parser.add_argument("--clients", type=int, nargs="+", help="client counts")
    parser.add_argument("--windows", type=int, help="measured windows (default 3, quick 2)")
    parser.add_argument("--window", type=float, help="seconds per window (default 5, quick 3)")
    parser.add_argument("--bot-processes", type=int, help="default: one per 1,000 clients")
    parser.add_argument("--profile", action="store_true", help="py-spy the server (windows)")
    parser.add_argument(
        "--server-gc-freeze", action="store_true", help="experiment: gc.freeze() in the server"
    )
    args = parser.parse_args()
    counts = args.clients or ([100, 300] if args.quick else [250, 500, 1000])
    return Plan(
        counts=tuple(counts),
        windows=args.windows or (2 if args.quick else 3),
        window=args.window or (3.0 if args.quick else 5.0),
        baseline=2.0 if args.quick else 3.0,
        settle=1.5 if args.quick else 2.0,
        bot_processes=args.bot_processes,
        profile=args.profile,
        server_gc_freeze=args.server_gc_freeze,
        inproc_ticks=40 if args.quick else 100,
    )


def main() -> None:
    plan = parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    rows: dict[int, dict[str, Any]] = {}
    for clients in plan.counts:
        common.console.print(f"[dim]fan-out: {clients} clients...[/]")
        rows[clients] = summary(run_count(clients, plan))
    print_table(rows, plan)
    plot(rows)
    largest = rows[max(rows)]
    common.emit(
        {
            "bench": "gateway_fanout",
            "ships": SHIPS,
            "windows": plan.windows,
            "window_s": plan.window,
            "targets": {
                "latency_ms_p99": TARGET_P99_MS,
                "frame_gap_ms_p99": TARGET_GAP_P99_MS,
                "us_per_frame": TARGET_US_PER_FRAME,
                "marginal_us_per_frame": TARGET_MARGINAL_US,
                "floor_ratio": TARGET_FLOOR_RATIO,
                "bytes_per_frame": TARGET_BYTES_PER_FRAME,
                "colyseus_us_per_frame": COLYSEUS_US_PER_FRAME,
            },
            "server_gc_freeze": plan.server_gc_freeze,
            "meets_at_largest": verdict(largest),
            "counts": {str(n): r for n, r in rows.items()},
            "machine": common.machine(),
        }
    )


if __name__ == "__main__":
    main()
