"""The NATS hop: the same pilots on the embedded server and on a cluster, same run, same count.

Both sides as they run by default, NPC ships, pilots and crews included. Embedded:
`infinity serve` on SQLite, `--login-rate 0`: the floor every cluster figure is divided
by, measured in the same run. Cluster: a nats-server (JetStream, monitoring on), a
throwaway PostgreSQL seeded by the embedded server's first start (as
`infinity/cluster/local.py`'s `seed_store` and the tests' `universe_db` seed a store), one
zone host (`python -m infinity.cluster.zonehost`) holding every zone, one gateway
(`python -m infinity.cluster.gateway`) and one crew worker (`python -m
infinity.cluster.crewworker`). `--no-npcs` plays both without NPCs or crews (the first
runs in BENCHMARKS.md). For each client count N, each setup
in turn gets N lean pilots (`infinity.loadtest.pilots`, in their own process as in
`bench/gateway_fanout.py`): they register through `/api/register`, undock, play over
`/ws` and steer every 100 ms (5% target, 5% fire). The JSON goes to stdout's last line
and to `bench/out/cluster_hop_HHMM.json`, the latency plot to `bench/out/cluster_hop.svg`.

Per window (after boarding and a settling pause), from the pilots: frames/s delivered,
input-to-ack latency (a command's send until the first frame whose `me.ack` covers its
seq: command -> tick -> frame, the NATS hop both ways included in the cluster), bytes
per frame; from `/proc/<pid>/stat`: CPU seconds per wall second of every process
(PostgreSQL: the postmaster and its backends); from nats-server's `/varz`: messages and
bytes in and out per second. Before the pilots board, one window with no clients
measures each process's idle cost. Figures are medians over the windows.

Usage: python bench/cluster_hop.py [--quick] [--no-npcs] [--clients N ...] [--windows R]
       [--window W]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import asyncpg
import httpx2 as httpx
import nats
import numpy as np

from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_server import NatsProcess, start_nats
from infinity.cluster.postgres import PgServer, free_port, start_postgres
from infinity.cluster.subjects import CREW_LEASES_BUCKET
from infinity.loadtest import pilots

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
    from _fanout_bots import BotResult, Mark, bot_worker
except ImportError:  # pragma: no cover
    from bench import _common as common
    from bench._fanout_bots import BotResult, Mark, bot_worker

SEED: Final = 1
TICK_HZ: Final = 20
READY_S: Final = 120.0
STOP_S: Final = 20.0
TEMPLATE: Final = "seeded"
SETTLE_S: Final = 2.0  # after a crew worker takes the lease, before its idle cost is measured
VARZ: Final = ("in_msgs", "out_msgs", "in_bytes", "out_bytes")
PER_ADDRESS: Final = 16  # sign-ups per loopback source address (the gateway allows 20 at once)
PASSWORD: Final = "loadtest-password"


# -- processes ------------------------------------------------------------------------


@dataclass
class Role:
    """One process we started: its name, the process, its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def spawn(name: str, argv: list[str], log: Path) -> Role:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, *argv], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Role(name, process, log)


def wait_healthy(role: Role, url: str, timeout: float = READY_S) -> float:
    """Seconds until `url`/healthz answers 200; raises if the process exits first."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if role.process.poll() is not None:
            raise RuntimeError(f"{role.name} exited: {role.tail()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return time.monotonic() - began
        time.sleep(0.1)
    raise TimeoutError(f"{role.name} not ready: {role.tail()}")


def serve_argv(port: int, data: Path, db: str | None, npcs: bool) -> list[str]:
    return [
        "-m", "infinity", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--data", str(data), "--seed", str(SEED), "--log-level", "warning",
        "--login-rate", "0", *([] if npcs else ["--no-npcs"]), *(["--db", db] if db else []),
    ]  # fmt: skip


def children_of(pid: int) -> list[int]:
    """Direct children of `pid` (PostgreSQL's backends and workers), from /proc."""
    found: list[int] = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            raw = Path(f"/proc/{entry.name}/stat").read_bytes().decode()
            if int(raw[raw.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):  # a backend that just ended
            total += common.proc_cpu_seconds(pid)
    return total


# -- the two setups -------------------------------------------------------------------


class Setup:
    """What the pilots play on: a base URL and the processes whose CPU is measured."""

    kind = ""
    url = ""

    def cpu(self) -> dict[str, float]:
        raise NotImplementedError

    def varz(self) -> dict[str, float]:
        return {}

    def stop(self) -> None:
        raise NotImplementedError


class Embedded(Setup):
    kind = "embedded"

    def __init__(self, workdir: Path, npcs: bool) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        argv = serve_argv(port, workdir / "data", None, npcs)
        self.role = spawn("server", argv, workdir / "serve.log")
        try:
            self.ready_s = wait_healthy(self.role, self.url)
        except BaseException:
            self.role.stop()
            raise

    def cpu(self) -> dict[str, float]:
        return {"server": cpu_of([self.role.process.pid])}

    def stop(self) -> None:
        self.role.stop()


@dataclass
class Infra:
    """NATS and PostgreSQL, started once for the whole bench, and the seeded template."""

    nats: NatsProcess
    monitor: int
    pg: PgServer
    npcs: bool
    zones: int = 0
    seed_s: float = float("nan")

    def varz(self) -> dict[str, float]:
        with httpx.Client(timeout=5.0) as client:
            got = client.get(f"http://127.0.0.1:{self.monitor}/varz").json()
        return {key: float(got[key]) for key in VARZ}

    def pg_pids(self) -> list[int]:
        postmaster = self.pg.postmaster_pid()
        return [postmaster, *children_of(postmaster)] if postmaster else []


@contextlib.contextmanager
def infrastructure(workdir: Path, npcs: bool) -> Iterator[Infra]:
    monitor = free_port()
    server = start_nats(workdir / "nats", free_port(), monitor_port=monitor)
    try:
        pg = start_postgres(durable=True)
        try:
            infra = Infra(server, monitor, pg, npcs)
            seed(infra, workdir)
            yield infra
        finally:
            pg.stop()
    finally:
        server.stop()


def seed(infra: Infra, workdir: Path) -> None:
    """The template database: the embedded server's first start on it, stopped once it
    answers (as `infinity cluster up` seeds a store)."""
    asyncio.run(_sql(infra.pg, f'CREATE DATABASE "{TEMPLATE}"'))
    port = free_port()
    argv = serve_argv(port, workdir / "seed", infra.pg.url(TEMPLATE), infra.npcs)
    role = spawn("seed", argv, workdir / "seed.log")
    try:
        infra.seed_s = wait_healthy(role, f"http://127.0.0.1:{port}")
    finally:
        role.stop()
    count = asyncio.run(_sql(infra.pg, "SELECT count(*) FROM systems WHERE world_id = 1", TEMPLATE))
    infra.zones = int(count or 0)


async def _sql(pg: PgServer, statement: str, database: str = "postgres") -> Any:
    connection = await asyncpg.connect(pg.dsn(database), timeout=10.0)
    try:
        return await connection.fetchval(statement)
    finally:
        await connection.close()


class Cluster(Setup):
    """One zone host holding every zone and one gateway, on a fresh copy of the template."""

    kind = "cluster"

    def __init__(self, infra: Infra, workdir: Path, tag: str) -> None:
        self.infra = infra
        database = f"hop_{tag}"
        asyncio.run(_sql(infra.pg, f'CREATE DATABASE "{database}" TEMPLATE "{TEMPLATE}"'))
        db = infra.pg.url(database)
        self.roles: list[Role] = []
        try:
            began = time.monotonic()
            host = f"host-{tag}"
            self.roles.append(
                spawn(
                    "zone host",
                    ["-m", "infinity.cluster.zonehost", "--db", db, "--nats", infra.nats.url,
                     "--name", host, "--ttl", "6", "--snapshot-seconds", "5",
                     *([] if infra.npcs else ["--no-npcs"]), "--log-level", "warning"],
                    workdir / f"zonehost-{tag}.log",
                )
            )  # fmt: skip
            asyncio.run(self._hosting(host, infra.zones))
            self.host_ready_s = time.monotonic() - began
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            self.roles.append(
                spawn(
                    "gateway",
                    ["-m", "infinity.cluster.gateway", "--db", db, "--nats", infra.nats.url,
                     "--name", f"gw-{tag}", "--host", "127.0.0.1", "--port", str(port),
                     "--log-level", "warning"],
                    workdir / f"gateway-{tag}.log",
                )
            )  # fmt: skip
            self.gateway_ready_s = wait_healthy(self.roles[1], self.url)
            if infra.npcs:  # the crews think where `infinity serve` runs them in-process
                self.roles.append(
                    spawn(
                        "crew worker",
                        ["-m", "infinity.cluster.crewworker", "--db", db, "--nats",
                         infra.nats.url, "--name", f"crew-{tag}", "--ttl", "6",
                         "--save-seconds", "5", "--log-level", "warning"],
                        workdir / f"crewworker-{tag}.log",
                    )
                )  # fmt: skip
                asyncio.run(self._thinking(f"crew-{tag}"))  # its start is not idle cost
        except BaseException:
            self.stop()
            raise

    async def _hosting(self, host: str, zones: int) -> None:
        """Until the zone host holds every zone (it claims them within a TTL or two)."""
        client = await nats.connect(self.infra.nats.url, connect_timeout=2)
        try:
            leases = await ZoneLeases.open(client.jetstream(timeout=2.0))
            deadline = time.monotonic() + READY_S
            while time.monotonic() < deadline:
                role = self.roles[0]
                if role.process.poll() is not None:
                    raise RuntimeError(f"zone host exited: {role.tail()}")
                held = [h for h in await leases.holders() if h.owner == host]
                if len(held) >= zones:
                    return
                await asyncio.sleep(0.2)
            raise TimeoutError(f"zone host holds too few zones: {self.roles[0].tail()}")
        finally:
            await client.close()

    async def _thinking(self, worker: str) -> None:
        """Until the crew worker holds the company's lease, and its minds are restored."""
        client = await nats.connect(self.infra.nats.url, connect_timeout=2)
        try:
            leases = await ZoneLeases.open(client.jetstream(timeout=2.0), 6, CREW_LEASES_BUCKET)
            deadline = time.monotonic() + READY_S
            while not any(h.owner == worker for h in await leases.holders()):
                role = self.roles[-1]
                if role.process.poll() is not None:
                    raise RuntimeError(f"crew worker exited: {role.tail()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"crew worker not thinking: {role.tail()}")
                await asyncio.sleep(0.2)
            await asyncio.sleep(SETTLE_S)  # restoring the minds, founding nothing
        finally:
            await client.close()

    def cpu(self) -> dict[str, float]:
        out = {role.name: cpu_of([role.process.pid]) for role in self.roles}
        out["nats"] = cpu_of([self.infra.nats.process.pid])
        out["postgres"] = cpu_of(self.infra.pg_pids())
        return out

    def varz(self) -> dict[str, float]:
        return self.infra.varz()

    def stop(self) -> None:
        for role in reversed(self.roles):  # the gateway first, then the zone host
            role.stop()


# -- pilots and windows ---------------------------------------------------------------


async def sign_up(url: str, clients: int, tag: str) -> list[str]:
    """Register `clients` players; their session tokens. The gateway limits register and
    log-in per client address (20 at once, then 1 a second) and, unlike `infinity serve`,
    has no `--login-rate 0`: each batch of PER_ADDRESS comes from its own loopback
    address (127.0.0.2, 127.0.0.3, ...), still 127.0.0.0/8. Both setups sign up so."""
    gate = asyncio.Semaphore(8)

    async def batch(k: int, names: list[str]) -> list[str]:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{k // 250}.{k % 250 + 2}")
        async with httpx.AsyncClient(base_url=url, timeout=60, transport=transport) as http:
            return [await one(http, name) for name in names]

    async def one(http: httpx.AsyncClient, name: str) -> str:
        async with gate:
            body = {"name": name, "password": PASSWORD}
            for _ in range(30):
                answer = await http.post("/api/register", json=body)
                if answer.status_code != 429:
                    break
                await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
            answer.raise_for_status()
            return str(answer.json()["token"])

    names = [f"hop-{tag}-{i}" for i in range(clients)]
    chunks = [names[i : i + PER_ADDRESS] for i in range(0, clients, PER_ADDRESS)]
    done = await asyncio.gather(*(batch(k, chunk) for k, chunk in enumerate(chunks)))
    return [token for tokens in done for token in tokens]


def undocking_worker(*args: Any) -> None:
    """`_fanout_bots.bot_worker`, with pilots that undock first: a new player's ship is
    docked, and `infinity.loadtest.pilots` only steers (a docked ship refuses thrust). A
    pilot refused as docked (back at a station after its ship was destroyed) undocks
    again at its next input instead of steering."""
    steer, on_frame = pilots.Pilot.steer, pilots.Pilot.on_ws_frame

    def undock_or_steer(self: pilots.Pilot) -> None:
        if getattr(self, "docked", True):
            self.docked = False  # type: ignore[attr-defined]
            self.command({"t": "undock"})
        else:
            steer(self)

    def frame(self: pilots.Pilot, transport: Any, message: Any) -> None:
        before = self.report.errors.get("docked", 0)
        on_frame(self, transport, message)
        if self.report.errors.get("docked", 0) != before:
            self.docked = True  # type: ignore[attr-defined]

    pilots.Pilot.steer = undock_or_steer  # type: ignore[method-assign]
    pilots.Pilot.on_ws_frame = frame  # type: ignore[method-assign]
    bot_worker(*args)


@dataclass(slots=True)
class Sample:
    at: float
    cpu: dict[str, float]
    varz: dict[str, float]
    bots_cpu: float


def sample(setup: Setup, bot_pids: list[int]) -> Sample:
    return Sample(time.time(), setup.cpu(), setup.varz(), cpu_of(bot_pids))


def rates(a: Sample, b: Sample) -> dict[str, float]:
    """CPU seconds per wall second of each process, and NATS's per-second counts."""
    wall = b.at - a.at
    out = {f"cpu_{k.replace(' ', '_')}": (b.cpu[k] - a.cpu[k]) / wall for k in b.cpu}
    out["cpu_all"] = sum(out.values())
    for key in VARZ:
        if key in b.varz:
            out[f"nats_{key}_per_s"] = (b.varz[key] - a.varz[key]) / wall
    return out


@dataclass(slots=True)
class Plan:
    counts: list[int]
    windows: int
    window: float
    settle: float
    idle: float

    def boarding(self, clients: int) -> float:
        """Seconds the pilots are given to connect (32 at a time) before the windows."""
        return 4.0 + clients / 60.0


@dataclass(slots=True)
class Measured:
    kind: str
    clients: int
    idle: dict[str, float] = field(default_factory=dict)
    windows: list[dict[str, float]] = field(default_factory=list)
    signup_s: float = float("nan")
    errors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    foreign_cores: float = float("nan")

    def median(self) -> dict[str, float]:
        return common.median_of_runs(self.windows) if self.windows else {}


def window_figures(
    a: Sample, b: Sample, marks: list[tuple[Mark, Mark]], lat: list[float]
) -> dict[str, float]:
    wall = b.at - a.at
    frames = sum(m1.frames - m0.frames for m0, m1 in marks)
    frame_bytes = sum(m1.frame_bytes - m0.frame_bytes for m0, m1 in marks)
    connected = sum(m0.connected for m0, _ in marks)
    lat_ms = np.asarray(lat) * 1000.0
    out = rates(a, b)
    frames_per_s = frames / wall
    front = out.get("cpu_gateway", out.get("cpu_server", float("nan")))
    out |= {
        "seconds": wall,
        "connected": float(connected),
        "frames_per_s": frames_per_s,
        "client_fps": frames_per_s / max(1, connected),
        "bytes_per_frame": frame_bytes / frames if frames else float("nan"),
        "commands_per_s": sum(m1.commands - m0.commands for m0, m1 in marks) / wall,
        "latency_ms_p50": common.pct(lat_ms, 50),
        "latency_ms_p99": common.pct(lat_ms, 99),
        "latency_samples": float(lat_ms.size),
        "bots_cpu_per_s": (b.bots_cpu - a.bots_cpu) / wall,
        # the process that writes the frames (the gateway; the embedded server does all)
        "front_us_per_frame": 1e6 * front / frames_per_s if frames_per_s else float("nan"),
        "all_us_per_frame": 1e6 * out["cpu_all"] / frames_per_s if frames_per_s else float("nan"),
    }
    if "nats_in_msgs_per_s" in out:
        per_k = 1000.0 / max(1, connected)
        for key in VARZ:
            out[f"nats_{key}_per_s_per_1k"] = out[f"nats_{key}_per_s"] * per_k
    return out


def fly(setup: Setup, clients: int, plan: Plan) -> Measured:
    """Sign up `clients` players on `setup`, fly them, measure the windows."""
    measured = Measured(setup.kind, clients)
    # the setup with no clients: its idle cost
    first = sample(setup, [])
    time.sleep(plan.idle)
    measured.idle = rates(first, sample(setup, []))
    began = time.monotonic()
    tag = f"{setup.kind[0]}{clients}-{random.randrange(16**6):06x}"
    tokens = asyncio.run(sign_up(setup.url, clients, tag))
    measured.signup_s = time.monotonic() - began
    boarding = plan.boarding(clients)
    span = boarding + plan.settle + plan.windows * plan.window
    context = mp.get_context("spawn")
    results = context.Queue()
    control = context.Queue()
    cores = set(range(os.cpu_count() or 1))
    worker = context.Process(
        target=undocking_worker,
        args=(setup.url, tokens, span + 30.0, control, results, cores),
        daemon=True,
    )
    worker.start()
    got: list[BotResult] = []
    samples: list[Sample] = []
    try:
        first_at = time.time() + boarding + plan.settle
        boundaries = [first_at + k * plan.window for k in range(plan.windows + 1)]
        control.put(boundaries)
        pids = [worker.pid] if worker.pid else []
        noise = common.NoiseMeter(lambda: sum(setup.cpu().values()) + cpu_of([*pids, os.getpid()]))
        time.sleep(max(0.0, first_at - time.time()))
        noise.start()
        samples = common.sample_at(boundaries, lambda: sample(setup, pids))
        measured.foreign_cores = noise.foreign_cores()
    finally:
        control.put("stop")
        with contextlib.suppress(queue.Empty):
            got.append(results.get(timeout=60.0))
        worker.join(timeout=10)
        if worker.is_alive():
            worker.kill()
            worker.join(timeout=5)
    for result in got:
        measured.errors = dict(result.errors)
        measured.failures = list(result.failures)
        if len(result.marks) != len(samples):
            continue
        for k in range(len(samples) - 1):
            m0, m1 = result.marks[k], result.marks[k + 1]
            lat = result.latencies[m0.latencies : m1.latencies]
            measured.windows.append(window_figures(samples[k], samples[k + 1], [(m0, m1)], lat))
    if not measured.windows:
        raise RuntimeError(f"{setup.kind}, {clients} pilots: no windows measured")
    return measured


def measure_count(
    clients: int, plan: Plan, infra: Infra, workdir: Path
) -> tuple[Measured, Measured]:
    embedded: Setup = Embedded(workdir / f"embedded-{clients}", infra.npcs)
    try:
        alone = fly(embedded, clients, plan)
    finally:
        embedded.stop()
    cluster: Setup = Cluster(infra, workdir, str(clients))
    try:
        hopped = fly(cluster, clients, plan)
    finally:
        cluster.stop()
    return alone, hopped


# -- reporting ------------------------------------------------------------------------


def ratio(a: float, b: float) -> float:
    return a / b if b and a == a and b == b else float("nan")


def summary(alone: Measured, hopped: Measured) -> dict[str, Any]:
    e, c = alone.median(), hopped.median()
    n = max(1.0, c.get("connected", 0.0))
    zone_active = c["cpu_zone_host"] - hopped.idle.get("cpu_zone_host", 0.0)
    return {
        "embedded": e | {"idle": alone.idle, "signup_s": alone.signup_s},
        "cluster": c | {"idle": hopped.idle, "signup_s": hopped.signup_s},
        "embedded_errors": alone.errors,
        "cluster_errors": hopped.errors,
        "cluster_failures": hopped.failures[:5],
        "embedded_failures": alone.failures[:5],
        "foreign_cores": max(alone.foreign_cores, hopped.foreign_cores),
        "ratios": {
            "latency_p50": ratio(c["latency_ms_p50"], e["latency_ms_p50"]),
            "latency_p99": ratio(c["latency_ms_p99"], e["latency_ms_p99"]),
            "added_p50_ms": c["latency_ms_p50"] - e["latency_ms_p50"],
            "added_p99_ms": c["latency_ms_p99"] - e["latency_ms_p99"],
            "cpu_all": ratio(c["cpu_all"], e["cpu_all"]),
            "us_per_frame_all": ratio(c["all_us_per_frame"], e["all_us_per_frame"]),
            "client_fps": ratio(c["client_fps"], e["client_fps"]),
        },
        "model_inputs": {
            "zone_host_cores_per_1k_pilots": 1000.0 * c["cpu_zone_host"] / n,
            "zone_host_active_cores_per_1k_pilots": 1000.0 * zone_active / n,
            "gateway_us_per_client_frame": c["front_us_per_frame"],
            "nats_msgs_per_s_per_1k": c["nats_in_msgs_per_s_per_1k"]
            + c["nats_out_msgs_per_s_per_1k"],
            "nats_bytes_per_s_per_1k": c["nats_in_bytes_per_s_per_1k"]
            + c["nats_out_bytes_per_s_per_1k"],
            "nats_cores_per_1k": 1000.0 * c["cpu_nats"] / n,
        },
    }


def print_tables(results: dict[int, dict[str, Any]], plan: Plan) -> None:
    title = (
        f"the NATS hop: embedded vs cluster (1 zone host + 1 gateway [+ 1 crew worker with "
        f"NPCs]), same pilots, same run "
        f"(median of {plan.windows} x {plan.window:g} s)"
    )
    rows = []
    for n, r in results.items():
        for kind in ("embedded", "cluster"):
            f = r[kind]
            rows.append(
                (f"{n:,} {kind}", f["connected"], f["client_fps"], f["latency_ms_p50"],
                 f["latency_ms_p99"], f["frames_per_s"], f["front_us_per_frame"],
                 f.get("cpu_server", f.get("cpu_zone_host")), f.get("cpu_gateway", float("nan")),
                 f.get("cpu_crew_worker", float("nan")), f.get("cpu_nats", float("nan")),
                 f.get("cpu_postgres", float("nan")),
                 f["cpu_all"], f["bots_cpu_per_s"])
            )  # fmt: skip
    common.table(
        title,
        ("pilots", "connected", "fps/client", "ack p50 ms", "ack p99 ms", "frames/s",
         "front µs/frame", "server|zone host cores", "gateway cores", "crew worker cores",
         "nats cores",
         "postgres cores", "all cores", "pilots' cores"),
        rows,
    )  # fmt: skip
    nats_rows = []
    for n, r in results.items():
        c = r["cluster"]
        nats_rows.append(
            (f"{n:,}", c["nats_in_msgs_per_s"], c["nats_out_msgs_per_s"],
             c["nats_in_bytes_per_s"] / 1e6, c["nats_out_bytes_per_s"] / 1e6,
             c["nats_in_msgs_per_s_per_1k"], c["nats_out_msgs_per_s_per_1k"],
             c["nats_in_bytes_per_s_per_1k"] / 1e6, c["nats_out_bytes_per_s_per_1k"] / 1e6,
             c["idle"].get("nats_in_msgs_per_s", float("nan")),
             c["idle"].get("nats_out_msgs_per_s", float("nan")))
        )  # fmt: skip
    common.table(
        "NATS traffic (nats-server /varz deltas), cluster",
        ("pilots", "in msgs/s", "out msgs/s", "in MB/s", "out MB/s", "in msgs/s per 1k",
         "out msgs/s per 1k", "in MB/s per 1k", "out MB/s per 1k", "idle in msgs/s",
         "idle out msgs/s"),
        nats_rows,
    )  # fmt: skip
    common.table(
        "cluster ÷ embedded, same run",
        ("pilots", "ack p50", "ack p99", "added p50 ms", "added p99 ms", "all cores",
         "all µs per frame", "fps/client", "others' load (cores)"),
        [
            (f"{n:,}", r["ratios"]["latency_p50"], r["ratios"]["latency_p99"],
             r["ratios"]["added_p50_ms"], r["ratios"]["added_p99_ms"], r["ratios"]["cpu_all"],
             r["ratios"]["us_per_frame_all"], r["ratios"]["client_fps"], r["foreign_cores"])
            for n, r in results.items()
        ],
    )  # fmt: skip


def plot(results: dict[int, dict[str, Any]]) -> None:
    groups = [f"{n:,} pilots" for n in results]
    common.bar_chart_svg(
        common.OUT / "cluster_hop.svg",
        "input-to-ack latency, embedded vs cluster (NATS hop)",
        groups,
        {
            "embedded p50": [r["embedded"]["latency_ms_p50"] for r in results.values()],
            "cluster p50": [r["cluster"]["latency_ms_p50"] for r in results.values()],
            "embedded p99": [r["embedded"]["latency_ms_p99"] for r in results.values()],
            "cluster p99": [r["cluster"]["latency_ms_p99"] for r in results.values()],
        },
        "ms",
        limit=100.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 pilots, 2 x 3 s windows")
    parser.add_argument("--clients", type=int, nargs="+", help="pilot counts (default 100 500)")
    parser.add_argument("--windows", type=int, help="measured windows (default 3, quick 2)")
    parser.add_argument("--window", type=float, help="seconds per window (default 5, quick 3)")
    parser.add_argument(
        "--no-npcs", dest="npcs", action="store_false",
        help="no NPC ships, pilots or crews on either side (default: as they run by default)",
    )  # fmt: skip
    args = parser.parse_args()
    # a SIGTERM unwinds like Ctrl-C: every process is stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    plan = Plan(
        counts=args.clients or ([100] if args.quick else [100, 500]),
        windows=args.windows or (2 if args.quick else 3),
        window=args.window or (3.0 if args.quick else 5.0),
        settle=2.0 if args.quick else 3.0,
        idle=2.0 if args.quick else 3.0,
    )
    load_before = os.getloadavg()[0]
    results: dict[int, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="infinity-hop-") as tmp,
        infrastructure(Path(tmp), args.npcs) as infra,
    ):
        for n in plan.counts:
            alone, hopped = measure_count(n, plan, infra, Path(tmp))
            results[n] = summary(alone, hopped)
        seed_s, zones = infra.seed_s, infra.zones
    print_tables(results, plan)
    plot(results)
    figures: dict[str, Any] = {
        "bench": "cluster_hop",
        "windows": plan.windows,
        "window_s": plan.window,
        "zones": zones,
        "seed_s": seed_s,
        "embedded_npcs": args.npcs,
        "counts": {str(n): r for n, r in results.items()},
        "machine": common.machine() | {"load_avg_1m_before": round(load_before, 2)},
    }
    common.OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%H%M", time.gmtime())
    (common.OUT / f"cluster_hop_{stamp}.json").write_text(
        json.dumps(common.rounded(figures), indent=1) + "\n"
    )
    common.emit(figures)


if __name__ == "__main__":
    main()
