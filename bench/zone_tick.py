"""Zone tick time at 1k, 10k and 100k moving ships, with weapons and the interest grid.

One `Zone` (one star system's statics plus N ships) is ticked at full speed
on one thread. Every tick, outside the timed region, the harness submits
commands through `Zone.submit` (the same path players and pilots use):

* 1% of ships get new orders (80% `thrust` with a random throttle and turn,
  20% `move_to` a point a few km away; docked ships `undock`);
* 0.2% of ships lock a ship within beam range and `fire`;
* 0.02% lock a ship within torpedo range and launch a `torpedo`.

The timed region is `zone.tick()` followed by `wire.changes_of(zone, report)`,
the gateway's per-cell change bucketing, as the server runs them every tick.
Ships are spread uniformly at the density of ~80 ships per 3x3-cell view, so
larger zones are larger, not denser.

Usage: python bench/zone_tick.py [--quick] [--runs R] [--ticks T] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import pstats
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from infinity._memory import keep_large_allocations
from infinity.commands import types as c
from infinity.galaxy.generate import generate
from infinity.gateway import wire
from infinity.sim import rules, systems
from infinity.sim.kinds import Kind
from infinity.sim.systems import CELL_SIZE
from infinity.sim.zone import ShipState, Zone
from infinity.universe.tables import FIRST_SHIP_ID

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
except ImportError:  # pragma: no cover
    from bench import _common as common

SIZES: Final = (1_000, 10_000, 100_000)
VIEW_SHIPS: Final = 80.0  # ships in one 3x3-cell view
VIEW_AREA: Final = (3 * CELL_SIZE) ** 2
ORDER_FRACTION: Final = 0.01
MOVE_TO_SHARE: Final = 0.2
BEAM_FRACTION: Final = 0.002
TORPEDO_FRACTION: Final = 0.0002
PAIR_CELL: Final = 1000.0  # two ships in one 1 km square are within beam range (1.41 km)
TARGET_P99_MS: Final = 25.0
SEED: Final = 7


@dataclass(slots=True)
class TickSamples:
    """Per-tick timings (ns) and workload counters of one run."""

    tick_ns: list[int] = field(default_factory=list)
    changes_ns: list[int] = field(default_factory=list)
    cpu_ns: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    crossings: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    rejections: list[int] = field(default_factory=list)
    torpedoes: list[int] = field(default_factory=list)
    cells: list[int] = field(default_factory=list)
    gc: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, float]:
        total = np.add(self.tick_ns, self.changes_ns) / 1e6
        return {
            **self.gc,
            "p50_ms": common.pct(total, 50),
            "p99_ms": common.pct(total, 99),
            "max_ms": float(total.max()),
            "cpu_p99_ms": common.pct(np.asarray(self.cpu_ns) / 1e6, 99),
            "tick_p50_ms": common.pct(np.asarray(self.tick_ns) / 1e6, 50),
            "tick_p99_ms": common.pct(np.asarray(self.tick_ns) / 1e6, 99),
            "changes_p50_ms": common.pct(np.asarray(self.changes_ns) / 1e6, 50),
            "changes_p99_ms": common.pct(np.asarray(self.changes_ns) / 1e6, 99),
            "moved_per_tick": float(np.mean(self.moved)),
            "crossings_per_tick": float(np.mean(self.crossings)),
            "events_per_tick": float(np.mean(self.events)),
            "rejections_per_tick": float(np.mean(self.rejections)),
            "torpedoes_alive": float(np.mean(self.torpedoes)),
            "cells_touched": float(np.mean(self.cells)),
        }


# -- building the zone ----------------------------------------------------------


def side_for(ships: int) -> float:
    """Side (m) of the square that holds `ships` at ~80 ships per 3x3-cell view."""
    return float(np.sqrt(ships * VIEW_AREA / VIEW_SHIPS))


def build_zone(ships: int, rng: np.random.Generator) -> Zone:
    """The first system of the seed-1 galaxy, plus `ships` ships spread uniformly."""
    system = generate(1).systems[0]
    zone = Zone(system.id, system.name, system.bodies)
    home = system.stations()[0].id
    half = side_for(ships) / 2
    xy = rng.uniform(-half, half, size=(ships, 2))
    heading = rng.uniform(-np.pi, np.pi, size=ships)
    for i in range(ships):
        state = ShipState(
            FIRST_SHIP_ID + i, f"Ship-{i}", None, home, system.id,
            x=float(xy[i, 0]), y=float(xy[i, 1]), heading=float(heading[i]),
        )  # fmt: skip
        zone.add_ship(state)
    for i in range(ships):  # everyone under way before the first measured tick
        zone.submit(c.Thrust(ship=FIRST_SHIP_ID + i, throttle=0.6, turn=_turn(rng)))
    return zone


def _turn(rng: np.random.Generator) -> float:
    return float(rng.uniform(-1.0, 1.0))


# -- the per-tick workload (not timed) -----------------------------------------------


def ship_rows(zone: Zone) -> np.ndarray:
    b, n = zone.bodies, zone.bodies.n
    return np.flatnonzero(b.kind[:n] == Kind.SHIP)


def close_pairs(zone: Zone, count: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Up to `count` (shooter, target) id pairs of flying ships in one 1 km square."""
    b, n = zone.bodies, zone.bodies.n
    rows = np.flatnonzero((b.kind[:n] == Kind.SHIP) & (b.docked_at[:n] < 0))
    key = np.floor_divide(b.pos[rows], PAIR_CELL).astype(np.int64)
    flat = key[:, 0] * (1 << 32) + key[:, 1]
    order = np.argsort(flat, kind="stable")
    same = np.flatnonzero(flat[order][1:] == flat[order][:-1])
    if same.size == 0:
        return []
    pick = rng.choice(same, size=min(count, same.size), replace=False)
    shooters = b.id[rows[order[pick]]].tolist()
    targets = b.id[rows[order[pick + 1]]].tolist()
    return list(zip(shooters, targets, strict=True))


def submit_orders(zone: Zone, rng: np.random.Generator, ships: int) -> None:
    """New flight orders for 1% of ships; docked (destroyed and respawned) ones undock."""
    b = zone.bodies
    rows = ship_rows(zone)
    chosen = rng.choice(rows, size=max(1, int(ships * ORDER_FRACTION)), replace=False)
    for row in chosen.tolist():
        ship = int(b.id[row])
        if b.docked_at[row] >= 0:
            zone.submit(c.Undock(ship=ship))
        elif rng.random() < MOVE_TO_SHARE:
            x, y = b.pos[row] + rng.uniform(-4000.0, 4000.0, size=2)
            zone.submit(c.MoveTo(ship=ship, x=float(x), y=float(y)))
        else:
            throttle = float(rng.choice((0.3, 0.6, 1.0)))
            zone.submit(c.Thrust(ship=ship, throttle=throttle, turn=_turn(rng)))


def submit_attacks(zone: Zone, rng: np.random.Generator, ships: int) -> None:
    beams = max(1, int(ships * BEAM_FRACTION))
    torpedoes = max(1, int(ships * TORPEDO_FRACTION))
    pairs = close_pairs(zone, beams + torpedoes, rng)
    for k, (shooter, target) in enumerate(pairs):
        zone.submit(c.Target(ship=shooter, target=target))
        if k < beams:
            zone.submit(c.Fire(ship=shooter))
        else:
            zone.submit(c.LaunchTorpedo(ship=shooter))


# -- measuring ----------------------------------------------------------------------


def timed_tick(zone: Zone, samples: TickSamples) -> None:
    """One server tick: the simulation, then the gateway's per-cell bucketing."""
    cpu0 = time.thread_time_ns()
    t0 = time.perf_counter_ns()
    report = zone.tick()
    t1 = time.perf_counter_ns()
    changes = wire.changes_of(zone, report)
    t2 = time.perf_counter_ns()
    samples.cpu_ns.append(time.thread_time_ns() - cpu0)
    samples.tick_ns.append(t1 - t0)
    samples.changes_ns.append(t2 - t1)
    samples.moved.append(int(report.moved.size))
    samples.crossings.append(len(report.cell_changes))
    samples.events.append(len(report.events))
    samples.rejections.append(len(report.rejections))
    samples.cells.append(len(changes.touched()))
    b, n = zone.bodies, zone.bodies.n
    samples.torpedoes.append(int(np.count_nonzero(b.kind[:n] == Kind.TORPEDO)))


def run_once(
    ships: int,
    ticks: int,
    warmup: int,
    seed: int,
    profiler: cProfile.Profile | None = None,
    reset: dict[str, int] | None = None,
) -> TickSamples:
    rng = np.random.default_rng(seed)
    zone = build_zone(ships, rng)
    samples = TickSamples()
    with common.GcWatch() as watch:
        for k in range(warmup + ticks):
            submit_orders(zone, rng, ships)
            submit_attacks(zone, rng, ships)
            if k == warmup:
                samples = TickSamples()  # drop the warm-up ticks
                watch.reset()
                if reset is not None:
                    reset.clear()
                if profiler is not None:
                    profiler.enable()
            timed_tick(zone, samples)
    if profiler is not None:
        profiler.disable()
    samples.gc = watch.figures()
    return samples


# (owner, attribute) of every phase the breakdown times; zone.tick and wire.changes_of
# look these up at call time, so wrapping the attribute times the real call. Names
# that do not exist (the code moves on) are skipped and their time shows as "rest".
PHASES: Final[tuple[tuple[Any, str], ...]] = (
    (Zone, "_apply_commands"),
    (systems, "torpedo_fuses"),
    (Zone, "_expire_torpedoes"),
    (Zone, "_expire_transients"),
    (systems, "apply_damage"),
    (Zone, "_apply_structural"),
    (systems, "update_cells"),
    (systems, "update_shown"),
    (Zone, "_moved_rows"),
    (wire, "pack_moves"),
    (wire, "pack_status"),
    (wire, "_split_by_cell"),
)


def _timed(fn: Callable[..., Any], label: str, spent: dict[str, int]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter_ns()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter_ns() - t0

    return timed


@contextlib.contextmanager
def phase_timers() -> Iterator[dict[str, int]]:
    """Wrap each system and wire step with a timer; yields label -> total ns."""
    spent: dict[str, int] = defaultdict(int)
    saved = [(owner, name, getattr(owner, name)) for owner, name in PHASES if hasattr(owner, name)]
    fixed = systems.FIXED_UPDATE
    for owner, name, fn in saved:
        setattr(owner, name, _timed(fn, name.lstrip("_"), spent))
    systems.FIXED_UPDATE = tuple(_timed(s, s.__name__, spent) for s in fixed)  # type: ignore[misc]
    try:
        yield spent
    finally:
        for owner, name, fn in saved:
            setattr(owner, name, fn)
        systems.FIXED_UPDATE = fixed  # type: ignore[misc]


def breakdown(ships: int, ticks: int, warmup: int) -> dict[str, float]:
    """Mean ms per tick of every phase, plus the untimed rest of tick and changes_of."""
    with phase_timers() as spent:
        samples = run_once(ships, ticks, warmup, SEED, reset=spent)
    per_tick = {label: ns / 1e6 / ticks for label, ns in spent.items()}
    wire_steps = ("pack_moves", "pack_status", "split_by_cell")
    tick_ms = float(np.mean(samples.tick_ns)) / 1e6
    changes_ms = float(np.mean(samples.changes_ns)) / 1e6
    per_tick["rest of tick"] = tick_ms - sum(v for k, v in per_tick.items() if k not in wire_steps)
    per_tick["rest of changes_of"] = changes_ms - sum(per_tick.get(k, 0.0) for k in wire_steps)
    per_tick["TOTAL"] = tick_ms + changes_ms
    return per_tick


def profile_top(profiler: cProfile.Profile, lines: int = 30) -> str:
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(lines)
    return text.getvalue()


# -- reporting ----------------------------------------------------------------------


def plot(results: dict[int, dict[str, Any]]) -> None:
    sizes = list(results)
    common.bar_chart_svg(
        common.OUT / "zone_tick.svg",
        "Zone tick + per-cell bucketing (median of runs)",
        [f"{s:,} ships" for s in sizes],
        {
            "p50 ms": [results[s]["p50_ms"] for s in sizes],
            "p99 ms": [results[s]["p99_ms"] for s in sizes],
            "tick p99 ms": [results[s]["tick_p99_ms"] for s in sizes],
            "changes_of p99 ms": [results[s]["changes_p99_ms"] for s in sizes],
        },
        "milliseconds",
        limit=TARGET_P99_MS,
    )


TABLE_COLUMNS: Final = (
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("cpu p99", "cpu_p99_ms"),
    ("tick p50", "tick_p50_ms"),
    ("tick p99", "tick_p99_ms"),
    ("changes p50", "changes_p50_ms"),
    ("changes p99", "changes_p99_ms"),
    ("moved/tick", "moved_per_tick"),
    ("crossings", "crossings_per_tick"),
    ("events", "events_per_tick"),
    ("torps alive", "torpedoes_alive"),
    ("gc2 n", "gc_gen2_count"),
    ("gc2 max ms", "gc_gen2_max_ms"),
)


def print_table(results: dict[int, dict[str, Any]], runs: int, ticks: int) -> None:
    columns = ("ships", *(title for title, _ in TABLE_COLUMNS), "p99<=25")
    rows = [
        (f"{size:,}", *(r[key] for _, key in TABLE_COLUMNS), r["p99_ms"] <= TARGET_P99_MS)
        for size, r in results.items()
    ]
    common.table(f"zone tick (median of {runs} runs x {ticks} ticks)", columns, rows)


def print_breakdown(phases: dict[str, float], ships: int) -> None:
    total = phases["TOTAL"]
    rows = [(k, v, 100.0 * v / total) for k, v in sorted(phases.items(), key=lambda kv: -kv[1])]
    common.table(
        f"where a tick goes at {ships:,} ships (mean ms per tick)", ("phase", "ms", "%"), rows
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 ticks, one run, no breakdown")
    parser.add_argument("--runs", type=int, help="runs per size (default 3, quick 1)")
    parser.add_argument("--ticks", type=int, help="measured ticks (default 200, quick 40)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--breakdown", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    return parser.parse_args()


def main() -> None:
    keep_large_allocations()  # as `infinity serve` does
    args = parse_args()
    runs = args.runs or (1 if args.quick else 3)
    ticks = args.ticks or (40 if args.quick else 200)
    warmup = 10 if args.quick else 20
    want_breakdown = (not args.quick) if args.breakdown is None else args.breakdown
    largest = max(args.sizes)
    noise = common.NoiseMeter(common.own_cpu_seconds)
    noise.start()
    gc.collect()
    results: dict[int, dict[str, Any]] = {}
    for size in args.sizes:
        per_run = [run_once(size, ticks, warmup, SEED + r).figures() for r in range(runs)]
        results[size] = dict(common.median_of_runs(per_run))
        results[size]["p99_ms_runs"] = [r["p99_ms"] for r in per_run]
    foreign = noise.foreign_cores()
    phases = breakdown(largest, ticks, warmup) if want_breakdown else {}
    if args.profile:
        profiler = cProfile.Profile()
        run_once(largest, ticks, warmup, SEED, profiler)
        print(profile_top(profiler))
    print_table(results, runs, ticks)
    if phases:
        print_breakdown(phases, largest)
    plot(results)
    common.emit(
        {
            "bench": "zone_tick",
            "runs": runs,
            "ticks": ticks,
            "target_p99_ms": TARGET_P99_MS,
            "meets_target": bool(results[largest]["p99_ms"] <= TARGET_P99_MS),
            "sizes": {str(s): r for s, r in results.items()},
            "breakdown_ms": phases,
            "foreign_load_cores": foreign,
            "machine": common.machine(),
            "tick_hz": rules.TICK_HZ,
        }
    )


if __name__ == "__main__":
    main()
