"""Worlds on a cluster: what an idle instance costs a zone host, and how long travel takes.

The cluster as `bench/cluster_hop.py` starts it (nats-server, a throwaway PostgreSQL seeded
by the embedded server's first start, one zone host holding every zone, one gateway, one
crew worker; NPCs and crews on unless `--no-npcs`). Instances of the shipped `space-fleet`
template (4 systems and a flagship each) are made through the gateway's REST, as players
make them, 3 per account. Windows of W seconds measure the CPU per wall second of each
process (`/proc/<pid>/stat`) with 0 instances, with N (once the host holds their zones),
and after all are closed (their zones given back): NPCs and crews drift over minutes, so
the cost of one instance is the N-instance median minus the mean of the two 0-instance
medians, divided by N, the embedded target's way (≤ 0.5% of a core per idle instance),
and its ratio to a floor measured in the same run: one bare 20 Hz timer per zone.
Idle instances have no pilots: what is measured is what an instance costs while nobody
is in it (the loaded path is `bench/cluster_hop.py`'s).
Travel: one player goes into an instance and home again K times through the gateway
(REST request to answer: the host's `Voyage`, the handover's commit with its voyage, the
answer), p50 and p99 of each leg. The host's per-second read of the open worlds
(`OpenWorlds.read`) is timed in this process at 0 and N instances.

Usage: python bench/cluster_worlds.py [--quick] [--no-npcs] [--instances N] [--trips K]
       [--windows R] [--window W]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import httpx2 as httpx
import nats

from infinity.cluster.leases import ZoneLeases
from infinity.cluster.open_worlds import OpenWorlds
from infinity.store.store import Store

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
    from cluster_hop import Cluster, Infra, infrastructure
    from idle_server import measure_floor
except ImportError:  # pragma: no cover
    from bench import _common as common
    from bench.cluster_hop import Cluster, Infra, infrastructure
    from bench.idle_server import measure_floor

TARGET_CORE_PCT: Final = 0.5  # % of one core per idle instance (design.md, as embedded)
PER_ACCOUNT: Final = 3  # WorldLimits.owned
SYSTEMS_EACH: Final = 4  # space-fleet's
PASSWORD: Final = "bench-worlds-password"


def call(client: httpx.Client, method: str, path: str, token: str, body: Any = None) -> Any:
    answer = client.request(method, path, json=body, headers={"authorization": f"Bearer {token}"})
    if answer.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text}")
    return answer.json()


def register(client: httpx.Client, name: str) -> str:
    answer = client.post("/api/register", json={"name": name, "password": PASSWORD})
    if answer.status_code != 201:
        raise RuntimeError(f"register {name}: {answer.status_code} {answer.text}")
    token: str = answer.json()["token"]
    return token


def windows_of(cluster: Cluster, windows: int, window: float) -> dict[str, float]:
    """Median cores per process over the windows, and the others' load on the machine."""
    per: dict[str, list[float]] = {}
    noise = common.NoiseMeter(lambda: sum(cluster.cpu().values()) + common.own_cpu_seconds())
    noise.start()
    for _ in range(windows):
        a, t0 = cluster.cpu(), time.monotonic()
        time.sleep(window)
        b, wall = cluster.cpu(), time.monotonic() - t0
        for name in b:
            per.setdefault(name, []).append((b[name] - a.get(name, 0.0)) / wall)
    found = {name: common.median(values) for name, values in per.items()}
    found["all"] = sum(found.values())
    found["others_load"] = noise.foreign_cores()
    return found


async def held(infra: Infra, count: int, timeout: float = 120.0) -> float:
    """Seconds until `count` zones are held (their host loads a new world's at its next
    claim round, and gives a closed one's back)."""
    client = await nats.connect(infra.nats.url, connect_timeout=2)
    began = time.monotonic()
    try:
        leases = await ZoneLeases.open(client.jetstream(timeout=2.0))
        while len(await leases.holders()) != count:
            if time.monotonic() - began > timeout:
                raise TimeoutError(f"zones held: not {count} within {timeout:g} s")
            await asyncio.sleep(0.2)
        return time.monotonic() - began
    finally:
        await client.close()


async def read_time(db: str, reads: int = 20) -> float:
    """Median ms of one `OpenWorlds.read`, as a host does every second."""
    store = await Store.open(db)
    try:
        worlds = await OpenWorlds.read_from(store.engine)
        spent = []
        for _ in range(reads):
            began = time.perf_counter()
            await worlds.read()
            spent.append(1e3 * (time.perf_counter() - began))
        return common.median(spent)
    finally:
        await store.engine.dispose()


def travels(client: httpx.Client, token: str, world: int, trips: int) -> dict[str, float]:
    """p50/p99 ms of travel in and home, through the gateway."""
    there: list[float] = []
    back: list[float] = []
    for _ in range(trips):
        began = time.perf_counter()
        call(client, "POST", f"/api/worlds/{world}/travel", token, {})
        there.append(1e3 * (time.perf_counter() - began))
        began = time.perf_counter()
        call(client, "POST", "/api/worlds/home", token)
        back.append(1e3 * (time.perf_counter() - began))
    return {
        "in_p50_ms": common.pct(there, 50), "in_p99_ms": common.pct(there, 99),
        "home_p50_ms": common.pct(back, 50), "home_p99_ms": common.pct(back, 99),
    }  # fmt: skip


def run(args: argparse.Namespace, windows: int, window: float, warm: float) -> dict[str, Any]:
    n = args.instances
    with tempfile.TemporaryDirectory(prefix="infinity-cluster-worlds-") as tmp:
        workdir = Path(tmp)
        with infrastructure(workdir, args.npcs) as infra:
            cluster = Cluster(infra, workdir, "w")
            db = infra.pg.url("hop_w")
            try:
                with httpx.Client(base_url=cluster.url, timeout=60.0) as client:
                    time.sleep(warm)
                    empty = windows_of(cluster, windows, window)
                    read_empty = asyncio.run(read_time(db))
                    run_tag = secrets.token_hex(3)
                    tokens = [
                        register(client, f"w{run_tag}{k}")
                        for k in range(math.ceil(n / PER_ACCOUNT))
                    ]
                    began = time.monotonic()
                    made = [
                        call(client, "POST", "/api/worlds", tokens[i // PER_ACCOUNT],
                             {"template": "space-fleet", "name": f"Patrol {i + 1}"})["id"]
                        for i in range(n)
                    ]  # fmt: skip
                    create_ms = 1e3 * (time.monotonic() - began) / n
                    loaded_s = asyncio.run(held(infra, infra.zones + SYSTEMS_EACH * n))
                    trips = travels(client, tokens[0], made[0], args.trips)
                    time.sleep(warm)
                    full = windows_of(cluster, windows, window)
                    read_full = asyncio.run(read_time(db))
                    for i, world in enumerate(made):
                        call(client, "DELETE", f"/api/worlds/{world}", tokens[i // PER_ACCOUNT])
                    given_back_s = asyncio.run(held(infra, infra.zones))
                    time.sleep(warm)
                    closed = windows_of(cluster, windows, window)
            finally:
                cluster.stop()
    return {
        "empty": empty, "full": full, "closed": closed, "trips": trips,
        "create_ms_each": create_ms, "zones_loaded_s": loaded_s, "given_back_s": given_back_s,
        "read_ms": {"0": read_empty, str(n): read_full}, "main_zones": infra.zones,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 windows of 5 s, 12 instances")
    parser.add_argument("--no-npcs", dest="npcs", action="store_false")
    parser.add_argument("--instances", type=int)
    parser.add_argument("--trips", type=int)
    parser.add_argument("--windows", type=int)
    parser.add_argument("--window", type=float)
    args = parser.parse_args()
    args.instances = args.instances or (12 if args.quick else 30)
    args.trips = args.trips or (5 if args.quick else 20)
    windows = args.windows or (3 if args.quick else 5)
    window = args.window or (5.0 if args.quick else 15.0)
    warm = 5.0 if args.quick else 15.0
    n = args.instances
    result = run(args, windows, window, warm)
    empty, full, closed = result["empty"], result["full"], result["closed"]
    processes = [name for name in full if name not in ("all", "others_load")]
    rows = [
        (label, *(found.get(name, float("nan")) for name in processes), found["all"],
         found["others_load"])
        for label, found in (("0", empty), (str(n), full), ("0 (all closed)", closed))
    ]  # fmt: skip
    common.table(
        f"cores per process, 0 then {n} idle space-fleet instances ({SYSTEMS_EACH} systems "
        f"each; median of {windows} x {window:g} s)",
        ("instances", *processes, "all", "others' load"),
        rows,
    )
    per = {
        name: 100.0 * (full[name] - (empty[name] + closed[name]) / 2) / n
        for name in (*processes, "all")
    }
    # floor, same run: one bare 20 Hz timer per instance zone (a zone is a 20 Hz wake-up)
    floor_pct = 100.0 * measure_floor(windows, window, timers=SYSTEMS_EACH * n) / n
    floor_ratio = per["zone host"] / floor_pct if floor_pct > 0 else float("nan")
    trips = result["trips"]
    common.table(
        "one idle instance on a cluster, and travel through a gateway",
        ("figure", "measured", "target", "met"),
        [
            ("zone host CPU per idle instance, % of a core", per["zone host"],
             f"<= {TARGET_CORE_PCT:g}", per["zone host"] <= TARGET_CORE_PCT),
            ("whole cluster CPU per idle instance, % of a core", per["all"], "", ""),
            (f"  floor: {SYSTEMS_EACH} bare 20 Hz timers, % of a core", floor_pct, "", ""),
            ("  zone host per instance ÷ floor, same run", floor_ratio, "", ""),
            ("travel in, p50 / p99 ms", f"{trips['in_p50_ms']:.0f} / {trips['in_p99_ms']:.0f}",
             "", ""),
            ("travel home, p50 / p99 ms",
             f"{trips['home_p50_ms']:.0f} / {trips['home_p99_ms']:.0f}", "", ""),
            ("a world made through the gateway, ms", result["create_ms_each"], "", ""),
            (f"{n} worlds' zones held after their making, s", result["zones_loaded_s"], "", ""),
            (f"{n} closed worlds' zones given back, s", result["given_back_s"], "", ""),
            ("OpenWorlds.read, 0 instances, ms", result["read_ms"]["0"], "", ""),
            (f"OpenWorlds.read, {n} instances, ms", result["read_ms"][str(n)], "", ""),
        ],
    )  # fmt: skip
    common.emit(
        {
            "bench": "cluster_worlds", "machine": common.machine(), "quick": args.quick,
            "npcs": args.npcs, "instances": n, "per_instance_pct": common.rounded(per),
            "target_core_pct": TARGET_CORE_PCT, "floor_pct": round(floor_pct, 3),
            "floor_ratio": round(floor_ratio, 3), **common.rounded(result),
        }
    )  # fmt: skip


if __name__ == "__main__":
    main()
