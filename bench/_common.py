"""Helpers shared by the bench scripts: statistics, tables, the JSON line, /proc CPU, SVG.

Every bench script prints a rich table and then, as its very last line on
stdout, exactly one JSON object of its figures (`emit`), which `run_all.py`
collects.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rich.console import Console
from rich.table import Table

OUT = Path(__file__).resolve().parent / "out"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

console = Console(stderr=False, highlight=False, width=200)


def pct(samples: Sequence[float] | np.ndarray, q: float) -> float:
    """The q-th percentile (0..100) of samples, NaN when empty."""
    if len(samples) == 0:
        return float("nan")
    return float(np.percentile(np.asarray(samples, dtype=np.float64), q))


def median(values: Iterable[float]) -> float:
    finite = [v for v in values if v == v]  # drop NaN
    return float(statistics.median(finite)) if finite else float("nan")


def median_of_runs(runs: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Per key, the median across runs (every run has the same numeric keys)."""
    keys = runs[0].keys()
    return {k: median(r[k] for r in runs) for k in keys}


def rounded(figures: Mapping[str, Any], digits: int = 3) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, float):
            out[key] = round(value, digits) if value == value else None
        elif isinstance(value, Mapping):
            out[key] = rounded(value, digits)
        else:
            out[key] = value
    return out


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a rich table; the first column left-aligned, the rest right-aligned."""
    t = Table(title=title)
    for i, name in enumerate(columns):
        t.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        t.add_row(*(fmt(v) for v in row))
    console.print(t)


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def emit(figures: Mapping[str, Any]) -> None:
    """The last line on stdout: one JSON object."""
    sys.stdout.flush()
    print(json.dumps(rounded(figures), separators=(",", ":")), flush=True)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        raw = handle.read().decode()
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def bar_chart_svg(
    path: Path,
    title: str,
    groups: Sequence[str],
    series: Mapping[str, Sequence[float]],
    unit: str,
    limit: float | None = None,
) -> None:
    """A small grouped bar chart written by hand (no plotting library needed)."""
    width, height, left, bottom, top = 640, 360, 60, 40, 40
    colours = ("#4c78a8", "#f58518", "#54a24b", "#e45756")
    peak = max([v for vals in series.values() for v in vals if v == v] + [limit or 0.0]) * 1.1
    peak = peak or 1.0
    plot_h, plot_w = height - top - bottom, width - left - 20
    slot = plot_w / max(1, len(groups))
    bar_w = slot * 0.8 / max(1, len(series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 20}" y2="{top + plot_h}" '
        'stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
        f'<text x="12" y="{top + plot_h / 2}" transform="rotate(-90 12 {top + plot_h / 2})" '
        f'text-anchor="middle">{unit}</text>',
    ]
    for k in range(5):
        value = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f'<text x="{left - 4}" y="{y + 4}" text-anchor="end">{value:.3g}</text>')
    for g, group in enumerate(groups):
        x0 = left + g * slot + slot * 0.1
        parts.append(
            f'<text x="{left + g * slot + slot / 2}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{group}</text>'
        )
        for s, (name, values) in enumerate(series.items()):
            value = values[g] if values[g] == values[g] else 0.0
            h = plot_h * value / peak
            x = x0 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{colours[s % len(colours)]}"><title>{name}: '
                f"{value:.3g}</title></rect>"
            )
    for s, name in enumerate(series):
        y = top + 14 * s
        parts.append(
            f'<rect x="{left + 10}" y="{y}" width="10" height="10" '
            f'fill="{colours[s % len(colours)]}"/>'
            f'<text x="{left + 24}" y="{y + 9}">{name}</text>'
        )
    if limit is not None:
        y = top + plot_h - plot_h * limit / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="red" '
            f'stroke-dasharray="6 4"/><text x="{width - 24}" y="{y - 4:.1f}" '
            f'text-anchor="end" fill="red">target {limit:g}</text>'
        )
    parts.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n")


def _system_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores), from /proc/stat."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


class NoiseMeter:
    """How many cores *other* processes kept busy while a bench ran (the machine is shared).

    `ours` is a callable returning the CPU seconds of the bench's own processes.
    """

    def __init__(self, ours: Any) -> None:
        self._ours = ours
        self._t0 = 0.0
        self._busy0 = 0.0
        self._ours0 = 0.0

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._busy0 = _system_busy_seconds()
        self._ours0 = self._ours()

    def foreign_cores(self) -> float:
        wall = time.monotonic() - self._t0
        busy = _system_busy_seconds() - self._busy0
        mine = self._ours() - self._ours0
        return max(0.0, (busy - mine) / wall) if wall > 0 else float("nan")


def own_cpu_seconds() -> float:
    """CPU seconds of this process (all threads)."""
    return proc_cpu_seconds(os.getpid())


class GcWatch:
    """Counts garbage collections and their pauses (via `gc.callbacks`) while installed."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.where: list[str] = []  # what was running when each full collection began
        self._started = 0.0

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def reset(self) -> None:
        for pauses in self.pauses.values():
            pauses.clear()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            if info["generation"] == 2:
                stack = traceback.extract_stack(limit=6)[:-1]
                self.where.append(" < ".join(f"{f.name}" for f in reversed(stack)))
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1e3)

    def figures(self) -> dict[str, float]:
        full = self.pauses[2]
        return {
            "gc_gen2_count": float(len(full)),
            "gc_gen2_max_ms": max(full, default=0.0),
            "gc_gen2_total_ms": sum(full),
            "gc_young_max_ms": max(self.pauses[0] + self.pauses[1], default=0.0),
            "gc_gen2_where": self.where[-5:],
        }


T = TypeVar("T")


def sample_at(boundaries: Iterable[float], take: Callable[[], T]) -> list[T]:
    """`take()` at each wall-clock time of `boundaries` (sleeping until it): the samples
    whose differences make a bench's windows."""
    samples: list[T] = []
    for at in boundaries:
        time.sleep(max(0.0, at - time.time()))
        samples.append(take())
    return samples
