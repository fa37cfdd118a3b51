"""Run every bench script, collect the JSON line each prints last, and summarise.

Usage: python bench/run_all.py [--quick] [--repeat N] [--only NAME ...] [--json PATH]

Each script runs in its own process (its rich table passes through); the
summary compares the headline figures with the service targets (design.md,
"Service targets"); with `--repeat N` every script runs N times and the
summary shows the median of each figure and every run's value. The exit
status is non-zero only if a script fails, not when a target is missed:
misses are results.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
except ImportError:  # pragma: no cover
    from bench import _common as common

HERE: Final = Path(__file__).resolve().parent
SCRIPTS: Final = (
    "zone_tick", "gateway_fanout", "idle_server", "worlds_idle", "snapshot_stall", "ledger",
    "crew", "minds", "transfer", "cluster_hop", "cluster_worlds",
)  # fmt: skip
Row = tuple[str, str, Any, str, Any]


def run_script(name: str, quick: bool) -> dict[str, Any]:
    """Run one bench script, echo its output, and parse its last stdout line."""
    command = [sys.executable, str(HERE / f"{name}.py"), *(["--quick"] if quick else [])]
    started = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.rstrip("\n").splitlines()
    print("\n".join(lines[:-1]), flush=True)
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{name} failed with exit status {done.returncode}")
    figures: dict[str, Any] = json.loads(lines[-1])
    figures["elapsed_s"] = round(time.monotonic() - started, 1)
    return figures


def zone_rows(f: dict[str, Any]) -> list[Row]:
    sizes = f["sizes"]
    largest = sizes[max(sizes, key=int)]
    rows: list[Row] = [
        (f"zone tick p99, {int(n):,} ships", "ms", r["p99_ms"], "", None)
        for n, r in sizes.items()
        if n != max(sizes, key=int)
    ]
    rows.append(
        (
            f"zone tick p99, {int(max(sizes, key=int)):,} ships",
            "ms",
            largest["p99_ms"],
            f"<= {f['target_p99_ms']:g}",
            largest["p99_ms"] <= f["target_p99_ms"],
        )
    )
    return rows


def fanout_rows(f: dict[str, Any]) -> list[Row]:
    counts = f["counts"]
    n = max(counts, key=int)
    r, t = counts[n], f["targets"]
    clients = f"{int(n):,} clients"
    return [
        (f"gateway µs per frame ÷ same-run floor, {clients}", "ratio", r["floor_ratio"],
         f"<= {t['floor_ratio']:g}", r["floor_ratio"] <= t["floor_ratio"]),
        (f"bots connected, {clients}", "clients", r["connected"], f"= {int(n):,}",
         r["connected"] >= int(n)),
        (f"frames/s to the slowest client, {clients}", "Hz", r["client_fps_min"], ">= 19.9",
         r["client_fps_min"] >= 19.9),
        (f"input-to-ack p99, {clients}", "ms", r["latency_ms_p99"],
         f"<= {t['latency_ms_p99']:g}", r["latency_ms_p99"] <= t["latency_ms_p99"]),
        (f"frame gap p99, {clients}", "ms", r["frame_gap_ms_p99"],
         f"<= {t['frame_gap_ms_p99']:g}", r["frame_gap_ms_p99"] <= t["frame_gap_ms_p99"]),
        (f"server CPU per client-frame, {clients}", "µs", r["us_per_frame"],
         f"<= {t['us_per_frame']:g}", r["us_per_frame"] <= t["us_per_frame"]),
        (f"  above the no-client baseline, {clients}", "µs", r["marginal_us_per_frame"],
         f"<= {t['marginal_us_per_frame']:g}",
         r["marginal_us_per_frame"] <= t["marginal_us_per_frame"]),
        (f"bytes per client-frame, {clients}", "B", r["bytes_per_frame"],
         f"<= {t['bytes_per_frame']:g}", r["bytes_per_frame"] <= t["bytes_per_frame"]),
        (f"zone dilation, {clients}", "x", r["dilation"], ">= 0.999", r["dilation"] >= 0.999),
        (f"bot CPU, {clients}", "cores", r["bot_cpu_per_s"], "", None),
    ]  # fmt: skip


def idle_rows(f: dict[str, Any]) -> list[Row]:
    t = f["targets"]
    return [
        ("idle server, 14 zones, no clients", "cores", f["idle_cores"],
         f"<= {t['idle_cores']:g}", f["idle_cores"] <= t["idle_cores"]),
        ("  ÷ bare 20 Hz timers, same run", "ratio", f["idle_to_floor"], "", None),
        ("idle zone tick (median zone)", "µs", f["idle_zone_tick_us"],
         f"<= {t['idle_zone_tick_us']:g}", f["idle_zone_tick_us"] <= t["idle_zone_tick_us"]),
        ("living universe (make run), no clients", "cores", f["living_cores"], "", None),
    ]  # fmt: skip


def worlds_rows(f: dict[str, Any]) -> list[Row]:
    t, n = f["targets"], f["instances"]
    return [
        (f"idle instance of 3 systems, server CPU ({n} instances)", "% core",
         f["core_pct_per_instance"], f"<= {t['core_pct']:g}",
         f["core_pct_per_instance"] <= t["core_pct"]),
        ("  ÷ one bare 20 Hz timer, same run", "ratio", f["floor_ratio"], "", None),
        (f"idle instance of 3 systems, RSS ({n} instances)", "MB", f["mb_per_instance"],
         f"<= {t['mb']:g}", f["mb_per_instance"] <= t["mb"]),
    ]  # fmt: skip


def ledger_rows(f: dict[str, Any]) -> list[Row]:
    t = f["targets"]
    rows: list[Row] = [
        ("ledger durable transfers/s, SQLite", "tps", f["sqlite_tps"],
         f">= {t['sqlite_tps']:g}", f["sqlite_tps"] >= t["sqlite_tps"]),
    ]  # fmt: skip
    if f.get("pg_ratio") is not None:
        rows.append(
            ("ledger vs pgbench tpcb-like, PostgreSQL", "ratio", f["pg_ratio"],
             f">= {t['pg_ratio']:g}", f["pg_ratio"] >= t["pg_ratio"])
        )  # fmt: skip
    return rows


def crew_rows(f: dict[str, Any]) -> list[Row]:
    return [
        ("10,000 crew minds, share of one core", "cores", f["core_share"],
         f"<= {f['target_core_share']:g}", f["core_share"] <= f["target_core_share"]),
        ("  decision round ÷ its floor, same run", "ratio", f["round_to_floor"], "", None),
        ("memory top-10 of 10,000, p99", "ms", f["recall_p99_ms"],
         f"<= {f['target_recall_p99_ms']:g}", f["recall_p99_ms"] <= f["target_recall_p99_ms"]),
        ("  recall ÷ numpy top-10, same run", "ratio", f["recall_to_floor"], "", None),
    ]  # fmt: skip


def stall_rows(f: dict[str, Any]) -> list[Row]:
    r = f["sizes"]["5000"]
    return [
        ("snapshot stall, 5,000 moving ships", "ms", r["stall_max_ms"], "<= 5",
         r["stall_max_ms"] <= 5.0),
        ("snapshot stall / loop floor, same run", "ratio", r["stall_to_floor"], "", None),
    ]  # fmt: skip


def minds_rows(f: dict[str, Any]) -> list[Row]:
    n = f"{f['memories']:,}"
    return [
        (f"mind document, {n} memories", "MiB", f["mib"], "", None),
        (f"  export, {n} memories", "s", f["export_s"], "", None),
        (f"  parse, {n} memories", "s", f["parse_s"], "", None),
        (f"  admit, {n} memories", "s", f["admit_s"], "", None),
        ("  parse ÷ plain JSON + SHA-256, same run", "ratio", f["parse_floor_ratio"], "", None),
    ]  # fmt: skip


def transfer_rows(f: dict[str, Any]) -> list[Row]:
    b, w, n = f["between"], f["within"], f["agents"]
    return [
        (f"mind transfer between two servers, p50 ({n} minds)", "ms", b["p50_ms"], "", None),
        ("  transfer between two servers, p99", "ms", b["p99_ms"], "", None),
        ("  transfer p50 ÷ GET /api/me, same run", "ratio", b["p50_to_floor"], "", None),
        ("  minds moved between servers", "minds", b["moved"], f"= {n}", b["moved"] >= n),
        ("  minds that refused to move (skipped)", "minds", b["refused"], "", None),
        (f"enclave move within a server, p50 ({n} minds)", "ms", w["p50_ms"], "", None),
        ("  enclave move within a server, p99", "ms", w["p99_ms"], "", None),
        ("  enclave move p50 ÷ GET /api/me, same run", "ratio", w["p50_to_floor"], "", None),
    ]  # fmt: skip


def hop_rows(f: dict[str, Any]) -> list[Row]:
    counts = f["counts"]
    n = max(counts, key=int)
    r = counts[n]
    e, c, m = r["embedded"], r["cluster"], r["model_inputs"]
    pilots = f"{int(n):,} pilots"
    return [
        (f"input-to-ack p50, embedded, {pilots}", "ms", e["latency_ms_p50"], "", None),
        (f"input-to-ack p50 through the NATS hop, {pilots}", "ms", c["latency_ms_p50"], "",
         None),
        (f"input-to-ack p99 through the NATS hop, {pilots}", "ms", c["latency_ms_p99"],
         "<= 100", c["latency_ms_p99"] <= 100.0),
        ("  added by the hop, p50 (same run)", "ms", r["ratios"]["added_p50_ms"], "", None),
        ("  added by the hop, p99 (same run)", "ms", r["ratios"]["added_p99_ms"], "", None),
        (f"frames/s per client through the gateway, {pilots}", "Hz", c["client_fps"],
         ">= 19.9", c["client_fps"] >= 19.9),
        (f"gateway CPU per client-frame, {pilots}", "µs", c["front_us_per_frame"], "", None),
        (f"zone host cores per 1,000 pilots, {pilots}", "cores",
         m["zone_host_cores_per_1k_pilots"], "", None),
        (f"NATS msgs/s per 1,000 clients (in + out), {pilots}", "msg/s",
         m["nats_msgs_per_s_per_1k"], "", None),
        (f"  cluster cores ÷ embedded cores, {pilots}", "ratio", r["ratios"]["cpu_all"], "",
         None),
    ]  # fmt: skip


def cluster_worlds_rows(f: dict[str, Any]) -> list[Row]:
    per, n, trips = f["per_instance_pct"], f["instances"], f["trips"]
    target = f["target_core_pct"]
    return [
        (f"idle instance of 4 systems, zone host CPU ({n} instances)", "% core",
         per["zone host"], f"<= {target:g}", per["zone host"] <= target),
        ("  the whole cluster's CPU per idle instance", "% core", per["all"], "", None),
        ("travel into a world through a gateway, p99", "ms", trips["in_p99_ms"], "", None),
        ("travel home through a gateway, p99", "ms", trips["home_p99_ms"], "", None),
    ]  # fmt: skip


SUMMARIES: Final[dict[str, Callable[[dict[str, Any]], list[Row]]]] = {
    "zone_tick": zone_rows,
    "gateway_fanout": fanout_rows,
    "idle_server": idle_rows,
    "worlds_idle": worlds_rows,
    "snapshot_stall": stall_rows,
    "ledger": ledger_rows,
    "crew": crew_rows,
    "minds": minds_rows,
    "transfer": transfer_rows,
    "cluster_hop": hop_rows,
    "cluster_worlds": cluster_worlds_rows,
}


def summary_rows(runs: list[dict[str, dict[str, Any]]]) -> list[tuple[Any, ...]]:
    """Headline rows; with several repeats, the median of each figure and every run's value.

    Rows are matched by label, so a repeat in which a script failed only lacks its rows.
    """
    values: dict[str, list[float]] = {}
    first: dict[str, Row] = {}
    for run in runs:
        for name, figures in run.items():
            for row in SUMMARIES[name](figures):
                first.setdefault(row[0], row)
                values.setdefault(row[0], []).append(float(row[2]))
    rows: list[tuple[Any, ...]] = []
    for label, (_, unit, _, target, met) in first.items():
        middle = common.median(values[label])
        verdict = "" if met is None else _meets(middle, target)
        spread = ", ".join(common.fmt(v) for v in values[label]) if len(runs) > 1 else ""
        rows.append((label, unit, middle, spread, target, verdict))
    return rows


def _meets(value: float, target: str) -> bool:
    """Evaluate a target written as '<= 25', '>= 0.95' or '= 2,000'."""
    op, _, number = target.partition(" ")
    bound = float(number.replace(",", ""))
    return {"<=": value <= bound, ">=": value >= bound, "=": value >= bound}[op]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
    parser.add_argument("--only", nargs="+", choices=SCRIPTS, help="run only these")
    parser.add_argument("--repeat", type=int, default=1, help="run everything N times; medians")
    parser.add_argument("--json", type=Path, help="also write all figures to this file")
    args = parser.parse_args()
    runs: list[dict[str, dict[str, Any]]] = []
    failed: list[str] = []
    for repeat in range(args.repeat):
        results: dict[str, dict[str, Any]] = {}
        for name in args.only or SCRIPTS:
            if args.repeat > 1:
                common.console.print(f"[bold]repeat {repeat + 1}/{args.repeat}: {name}[/]")
            try:
                results[name] = run_script(name, args.quick)
            except (RuntimeError, json.JSONDecodeError) as failure:
                common.console.print(f"[red]{name}: {failure}[/]")
                failed.append(name)
        runs.append(results)
    complete = [run for run in runs if run] or [{}]
    title = "Infinity benchmarks vs service targets" + (" (quick)" if args.quick else "")
    if args.repeat > 1:
        title += f", median of {args.repeat} runs"
    columns = ("figure", "unit", "measured", "runs", "target", "met")
    common.table(title, columns, summary_rows(complete) if complete[0] else [])
    summary = {"bench": "all", "quick": args.quick, "runs": runs, "failed": failed}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
    common.emit(summary)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
