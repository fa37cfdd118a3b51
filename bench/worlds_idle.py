"""Idle instances: what a private world costs while nobody is in it (issue 12).

Starts the real `infinity serve` as `make run` does (a fresh data folder, the default
galaxy of 14 systems, NPC traffic and crews on, snapshots on) pinned to one core, with
a small template `outpost` (3 fixed systems, a station in each, gates between them) in
`<data>/templates`. After a warm-up, R windows of W seconds with no instance: the
server's CPU per wall second (utime + stime from /proc/<pid>/stat) and its RSS
(VmRSS from /proc/<pid>/status). Then N instances of `outpost` are made through the
REST API (a few accounts: each may own 3), one ship travels into one of them and back
home, and after a settle the same windows again. Then every instance is closed and,
after a settle, the windows once more: the main world's NPCs and crews drift over
minutes, so the CPU per instance is the N-instance median minus the mean of the two
0-instance medians around it, divided by N (the RSS: minus the first; freed memory is
not given back). Against the target: an idle instance ≤ 0.5% of a core and ≤ 5 MB. The instances' own zone ticks (from the `infinity_zone_tick_seconds`
histogram of their systems) are reported too: the share of a core they take and the
mean tick.

Usage: python bench/worlds_idle.py [--quick] [--instances N] [--windows R] [--window W]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Final

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
    from idle_server import free_port, measure_floor, pinned, wait_ready, zone_ticks
except ImportError:  # pragma: no cover
    from bench import _common as common
    from bench.idle_server import free_port, measure_floor, pinned, wait_ready, zone_ticks

TARGET_CORE_PCT: Final = 0.5  # % of one core per idle instance
TARGET_MB: Final = 5.0  # RSS per idle instance
PER_ACCOUNT: Final = 3  # WorldLimits.owned
REQUEST_TIMEOUT: Final = 30.0
SYSTEMS: Final = ("Outpost Alpha", "Outpost Beta", "Outpost Gamma")
TEMPLATE: Final = f"""\
version = 1
name = "outpost"
title = "Outpost"
description = "Three quiet systems, a station in each, gates between them (bench/worlds_idle.py)."

[galaxy]
kind = "fixed"

[[galaxy.systems]]
name = "{SYSTEMS[0]}"
x = 10.0
y = 10.0
stations = [{{ name = "Alpha Station", x = 2000.0, y = 0.0 }}]
gates_to = ["{SYSTEMS[1]}", "{SYSTEMS[2]}"]

[[galaxy.systems]]
name = "{SYSTEMS[1]}"
x = 30.0
y = 10.0
stations = [{{ name = "Beta Station", x = -1500.0, y = 1000.0 }}]
gates_to = ["{SYSTEMS[2]}"]

[[galaxy.systems]]
name = "{SYSTEMS[2]}"
x = 20.0
y = 30.0
stations = [{{ name = "Gamma Station", x = 0.0, y = -2500.0 }}]
"""


def rss_mb(pid: int) -> float:
    """Resident set of a process in MiB, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def call(url: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """One JSON request to the server; an error answer raises with its body."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as failure:
        detail = failure.read().decode(errors="replace")
        raise RuntimeError(f"{method} {path}: {failure.code} {detail}") from None


def make_instances(url: str, count: int) -> dict[str, Any]:
    """`count` instances of `outpost`, PER_ACCOUNT per account; one ship visits one."""
    tokens: list[str] = []
    made: list[int] = []
    run = secrets.token_hex(3)
    for n in range(math.ceil(count / PER_ACCOUNT)):
        password = secrets.token_urlsafe(18)
        session = call(url, "POST", "/api/register", {"name": f"b{run}{n}", "password": password})
        tokens.append(session["token"])
    started = time.monotonic()
    for i in range(count):
        body = {"template": "outpost", "name": f"Outpost {i + 1}"}
        made.append(call(url, "POST", "/api/worlds", body, tokens[i // PER_ACCOUNT])["id"])
    create_s = time.monotonic() - started
    started = time.monotonic()
    there = call(url, "POST", f"/api/worlds/{made[0]}/travel", {}, tokens[0])
    home = call(url, "POST", "/api/worlds/home", None, tokens[0])
    travel_s = time.monotonic() - started
    if there["world"] != made[0] or home["world"] != 1:
        raise RuntimeError(f"travel went wrong: {there} then {home}")
    listed = call(url, "GET", "/api/worlds", None, tokens[0])["worlds"]
    systems = sorted({w["systems"] for w in listed if w["kind"] == "instance"})
    return {
        "worlds": made,
        "tokens": [tokens[i // PER_ACCOUNT] for i in range(count)],
        "create_ms_each": 1e3 * create_s / count,
        "travel_there_and_back_s": travel_s,
        "arrived": there,
        "systems_per_instance": systems,
    }


def measure(pid: int, url: str, windows: int, window: float) -> dict[str, float]:
    """Medians over windows: server cores, RSS, and the outpost zones' tick cost."""
    cores: list[float] = []
    rss: list[float] = []
    outpost_cores: list[float] = []
    outpost_tick_us: list[float] = []
    main_tick_us: list[float] = []
    noise = common.NoiseMeter(lambda: common.proc_cpu_seconds(pid) + common.own_cpu_seconds())
    noise.start()
    for _ in range(windows):
        cpu0, t0, z0 = common.proc_cpu_seconds(pid), time.time(), zone_ticks(url)
        time.sleep(window)
        cpu1, t1, z1 = common.proc_cpu_seconds(pid), time.time(), zone_ticks(url)
        wall = t1 - t0
        cores.append((cpu1 - cpu0) / wall)
        rss.append(rss_mb(pid))
        spent = {n: (z1[n][0] - z0[n][0], z1[n][1] - z0[n][1]) for n in z1 if n in z0}
        ours = [spent[n] for n in SYSTEMS if n in spent]
        seconds, ticks = sum(s for s, _ in ours), sum(c for _, c in ours)
        outpost_cores.append(seconds / wall if ours else float("nan"))
        outpost_tick_us.append(1e6 * seconds / ticks if ticks else float("nan"))
        main = [s / c for n, (s, c) in spent.items() if n not in SYSTEMS and c]
        main_tick_us.append(1e6 * common.median(main))
    return {
        "cores": common.median(cores),
        "cores_min": min(cores),
        "cores_max": max(cores),
        "rss_mb": common.median(rss),
        "rss_first_mb": rss[0],
        "rss_last_mb": rss[-1],
        "outpost_zone_cores": common.median(outpost_cores),
        "outpost_tick_us": common.median(outpost_tick_us),
        "main_zone_tick_us": common.median(main_tick_us),
        "foreign_load_cores": noise.foreign_cores(),
    }


def run(instances: int, windows: int, window: float, warm: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="infinity-worlds-idle-") as tmp:
        data = Path(tmp) / "data"
        (data / "templates").mkdir(parents=True)
        (data / "templates" / "outpost.toml").write_text(TEMPLATE)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable, "-m", "infinity", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--data", str(data), "--log-level", "warning",
        ]  # fmt: skip
        process = subprocess.Popen(pinned(command), stdout=subprocess.DEVNULL)
        try:
            wait_ready(url, process)
            time.sleep(warm)
            empty = measure(process.pid, url, windows, window)
            made = make_instances(url, instances)
            time.sleep(warm)
            full = measure(process.pid, url, windows, window)
            for world, token in zip(made["worlds"], made["tokens"], strict=True):
                call(url, "DELETE", f"/api/worlds/{world}", None, token)
            time.sleep(warm)
            closed = measure(process.pid, url, windows, window)
            if process.poll() is not None:
                raise RuntimeError("server exited during the run")
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    return {"empty": empty, "full": full, "closed": closed, "made": made}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 windows of 5 s")
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--windows", type=int)
    parser.add_argument("--window", type=float)
    args = parser.parse_args()
    windows = args.windows or (3 if args.quick else 5)
    window = args.window or (5.0 if args.quick else 20.0)
    warm = 5.0 if args.quick else 20.0
    n = args.instances
    result = run(n, windows, window, warm)
    empty, full, closed, made = (result[k] for k in ("empty", "full", "closed", "made"))
    baseline = (empty["cores"] + closed["cores"]) / 2
    core_pct = 100.0 * (full["cores"] - baseline) / n
    mb = (full["rss_mb"] - empty["rss_mb"]) / n
    tick_pct = 100.0 * full["outpost_zone_cores"] / n
    # floor, same run: one bare 20 Hz timer per instance (an instance is one timer's wake-ups)
    floor_pct = 100.0 * measure_floor(windows, window, timers=n) / n
    common.table(
        f"the server, 0 then {n} idle instances of 3 systems (median of {windows} x {window:g} s)",
        ("instances", "server cores", "RSS MB", "main zone tick µs", "outpost zones cores",
         "outpost tick µs", "others' load cores"),
        [
            (0, empty["cores"], empty["rss_mb"], empty["main_zone_tick_us"], float("nan"),
             float("nan"), empty["foreign_load_cores"]),
            (n, full["cores"], full["rss_mb"], full["main_zone_tick_us"],
             full["outpost_zone_cores"], full["outpost_tick_us"], full["foreign_load_cores"]),
            ("0 (all closed)", closed["cores"], closed["rss_mb"], closed["main_zone_tick_us"],
             closed["outpost_zone_cores"], closed["outpost_tick_us"],
             closed["foreign_load_cores"]),
        ],
    )  # fmt: skip
    common.table(
        "one idle instance (3 systems): the difference ÷ instances",
        ("figure", "measured", "target", "met"),
        [
            ("server CPU, % of a core", core_pct, f"<= {TARGET_CORE_PCT:g}",
             core_pct <= TARGET_CORE_PCT),
            ("  of which its zones' ticks, % of a core", tick_pct, "", ""),
            ("  floor: one bare 20 Hz timer, % of a core", floor_pct, "", ""),
            ("  server CPU ÷ floor", core_pct / floor_pct, "", ""),
            ("RSS, MB", mb, f"<= {TARGET_MB:g}", mb <= TARGET_MB),
        ],
    )  # fmt: skip
    common.console.print(
        f"server cores per window, 0 instances {empty['cores_min']:.3f} to {empty['cores_max']:.3f},"
        f" {n} instances {full['cores_min']:.3f} to {full['cores_max']:.3f}, closed"
        f" {closed['cores_min']:.3f} to {closed['cores_max']:.3f}; RSS drift with 0"
        f" instances {empty['rss_last_mb'] - empty['rss_first_mb']:+.1f} MB;"
        f" made in {made['create_ms_each']:.0f} ms each; travel there and back"
        f" {made['travel_there_and_back_s']:.1f} s (arrived in world {made['arrived']['world']},"
        f" system {made['arrived']['system']}); load avg {os.getloadavg()[0]:.2f}"
    )
    figures: dict[str, Any] = {
        "bench": "worlds_idle",
        "instances": n,
        "core_pct_per_instance": core_pct,
        "zone_tick_core_pct_per_instance": tick_pct,
        "floor_core_pct_per_instance": floor_pct,
        "floor_ratio": core_pct / floor_pct,
        "mb_per_instance": mb,
        "outpost_tick_us": full["outpost_tick_us"],
        "empty": empty,
        "full": full,
        "closed": closed,
        "create_ms_each": made["create_ms_each"],
        "travel_there_and_back_s": made["travel_there_and_back_s"],
        "systems_per_instance": made["systems_per_instance"],
        "targets": {"core_pct": TARGET_CORE_PCT, "mb": TARGET_MB},
        "machine": common.machine(),
    }
    common.emit(figures)


if __name__ == "__main__":
    main()
