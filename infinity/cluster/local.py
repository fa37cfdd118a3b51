"""A whole cluster on one machine, for development and tests (`infinity cluster up`).

`LocalCluster.start` starts, in this order, each ready before the next: NATS with
JetStream (`DIR/nats`), PostgreSQL (`DIR/pg`, database `infinity`), the store's galaxy on
the first start (the embedded server's own first start, `infinity serve --db`, run until
it answers /healthz and then stopped: the galaxy, the NPC and crew ships, their wallets),
then the zone hosts (`python -m infinity.cluster.zonehost`), each ready once the roll
lists it or it holds a lease, then, together, the crew workers
(`python -m infinity.cluster.crewworker`), each ready once the crew-workers roll lists it,
and the gateways (`python -m infinity.cluster.gateway`, on 127.0.0.1 from `--port` up),
each ready once its /healthz answers. Both act on zones only through their hosts (the
minds' commands and census, the players' commands and frames), so they come after the
hosts; neither needs the other, so they start side by side and their start-ups overlap.
It writes `DIR/cluster.json` (urls, pids, logs, zones) for `infinity cluster status`.
`LocalCluster.stop` stops in the reverse order: the gateways first (their players hear
"going away" while the zones still run), then the crew workers (the minds saved to
PostgreSQL before the company's lease goes back), then the zone hosts (their final
snapshots go to PostgreSQL, their leases to NATS), then PostgreSQL, then NATS.

The data folder lives on: a second start on it finds the PostgreSQL cluster, the seeded
galaxy, the accounts, the minds and the JetStream state where the first left them (no
initdb, no new galaxy).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import nats
import nats.errors

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_server import NatsProcess, NatsUnavailable, start_nats
from infinity.cluster.postgres import (
    PgServer,
    PostgresUnavailable,
    create_database,
    free_port,
    has_cluster,
    open_postgres,
)
from infinity.cluster.subjects import CREW_WORKERS_BUCKET
from infinity.store.store import Store
from infinity.universe.charts import Charts

CLUSTER_FILE = "cluster.json"
DATABASE = "infinity"
READY_SECONDS = 60.0  # for zone hosts and crew workers to show up on a roll, gateways to answer
STOP_SECONDS = 20.0  # for each role to stop in order before it is killed
MAX_GATEWAYS = 16  # one machine's worth: more only share the same cores
MAX_CREW_WORKERS = 8  # one thinks, the others only stand by: a few are plenty
GATEWAY_HOST = "127.0.0.1"  # a local cluster's gateways answer on loopback only
PORT_TRIES = 3  # starts of a gateway on a free port someone else took meanwhile

Say = Callable[[str], None]
T = TypeVar("T")


class ClusterError(RuntimeError):
    """The local cluster cannot start (or was asked to stop while starting)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What `infinity cluster up` starts, and where it keeps it."""

    data: Path
    zone_hosts: int = 2
    nats_port: int | None = None  # None: a free port, recorded in cluster.json
    pg_port: int | None = None
    seed: int = 1  # the galaxy's, used only when the store has none
    ttl: int = 6  # the zone leases' (and the roll's), whole seconds
    snapshot_seconds: float = 5.0
    gateways: int = 1
    port: int = 8000  # the first gateway's, the next ones count up; 0: free ports
    crew_workers: int = 1  # one holds the company's lease, the others stand by

    @property
    def cluster_file(self) -> Path:
        return self.data / CLUSTER_FILE


@dataclass
class RoleProcess:
    """One process of a cluster role (a zone host, a crew worker, a gateway) started by
    `up`, and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    reported: bool = False  # its death was told once

    def alive(self) -> bool:
        return self.process.poll() is None

    def terminate(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)

    def wait(self, until: float) -> None:
        """Wait for the orderly stop until `until` (monotonic), then kill."""
        try:
            self.process.wait(max(0.0, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class GatewayProcess(RoleProcess):
    """One gateway process started by `up`: where players connect."""

    port: int = 0
    free: bool = False  # on a port picked free: started again elsewhere if it was taken
    tries: int = 1

    @property
    def url(self) -> str:
        return f"http://{GATEWAY_HOST}:{self.port}"


@dataclass
class LocalCluster:
    """The processes of one local cluster, started and stopped in order."""

    plan: Plan
    say: Say
    stopping: threading.Event = field(default_factory=threading.Event)
    nats: NatsProcess | None = None
    postgres: PgServer | None = None
    hosts: list[RoleProcess] = field(default_factory=list)
    crew_workers: list[RoleProcess] = field(default_factory=list)
    gateways: list[GatewayProcess] = field(default_factory=list)
    zones: dict[int, str] = field(default_factory=dict)
    initialised: bool = False  # this start ran initdb
    seeded: bool = False  # this start made the galaxy
    seeding: int | None = None  # the pid of the seeding server while it runs

    @property
    def db_url(self) -> str:
        assert self.postgres is not None
        return self.postgres.url(DATABASE)

    def start(self) -> None:
        """Start every role in order, each ready before the next (the crew workers and the
        gateways side by side: both need only the zone hosts); `ClusterError` if one
        cannot (what did start is the caller's to `stop`)."""
        refuse_if_running(self.plan.cluster_file)
        gateway_ports(self.plan)  # a taken port refused now, not after the zone hosts
        self.plan.data.mkdir(parents=True, exist_ok=True)
        folder = self.plan.data / "nats"
        self.nats = on_a_port(lambda port: start_nats(folder, port), self.plan.nats_port)
        self.say(f"NATS (JetStream) on {self.nats.url}, pid {self.nats.process.pid}")
        self._note()
        self._check_stopping()
        self._start_postgres()
        self._note()
        self._check_stopping()
        self._seed_if_new()
        self._check_stopping()
        for number in range(1, self.plan.zone_hosts + 1):
            self._start_host(f"host-{number}")
        self._note()
        self._wait_on_roll("zone host", self.hosts, roll_and_owners)
        self._note()
        for number in range(1, self.plan.crew_workers + 1):
            self._start_crew_worker(f"crew-worker-{number}")
        self._note()
        self._start_gateways()
        self._wait_on_roll("crew worker", self.crew_workers, self._crew_roll)
        self._note(ready=True)

    def watch(self) -> int:
        """Run until `stopping` is set (SIGINT, SIGTERM); say when a zone host dies (its
        zones go to the others within the TTL), a crew worker does (another takes the
        minds within the TTL) or a gateway does (its players come in through another).
        1 if NATS or PostgreSQL died, else 0."""
        while not self.stopping.wait(0.2):
            for host in filter(newly_dead, self.hosts):
                self.say(
                    f"[yellow]zone host {host.name} exited ({host.process.returncode}): its "
                    f"zones go to the others within {self.plan.ttl} s[/]"
                )
            for worker in filter(newly_dead, self.crew_workers):
                self._say_crew_worker_died(worker)
            for gateway in filter(newly_dead, self.gateways):
                self.say(
                    f"[yellow]gateway {gateway.name} exited ({gateway.process.returncode}): "
                    f"its players must come in through another gateway[/]"
                )
            if self.nats is not None and not self.nats.running():
                self.say("[red]NATS exited: stopping the cluster[/]")
                return 1
            if self.postgres is not None and not self.postgres.running():
                self.say("[red]PostgreSQL exited: stopping the cluster[/]")
                return 1
        return 0

    def _say_crew_worker_died(self, worker: RoleProcess) -> None:
        code = worker.process.returncode
        if any(other.alive() for other in self.crew_workers):
            then = f"if it thought, another takes the minds within {self.plan.ttl} s"
        else:
            then = "no crew worker left: the crews' minds stop"
        self.say(f"[yellow]crew worker {worker.name} exited ({code}): {then}[/]")

    def stop(self) -> None:
        """The reverse of `start`: gateways (their players told "going away" while the
        zones still run), crew workers (minds saved while PostgreSQL runs and the lease
        is still held), zone hosts (final snapshots, leases released), then PostgreSQL,
        then NATS. Each is killed if it does not stop within STOP_SECONDS."""
        self._stop_all("gateways", self.gateways)
        self._stop_all("crew workers", self.crew_workers)
        self._stop_all("zone hosts", self.hosts)
        if self.postgres is not None:
            self.postgres.stop(STOP_SECONDS)
            self.say("PostgreSQL stopped")
        if self.nats is not None:
            self.nats.stop(STOP_SECONDS)
            self.say("NATS stopped")
        with contextlib.suppress(FileNotFoundError, ValueError):  # gone, or not ours to read
            record = read_record(self.plan.cluster_file)
            if record.get("up_pid") == os.getpid():
                self.plan.cluster_file.unlink()

    def _stop_all(self, role: str, processes: Sequence[RoleProcess]) -> None:
        """SIGTERM to all of one role at once, then wait for each, all within STOP_SECONDS."""
        for process in processes:
            process.terminate()
        until = time.monotonic() + STOP_SECONDS
        for process in processes:
            process.wait(until)
        if processes:
            self.say(f"{role} stopped: {', '.join(p.name for p in processes)}")

    def record(self, ready: bool = False) -> dict[str, Any]:
        """What `status` needs to find the cluster: urls, pids, zones; `ready` once every
        zone host, crew worker and gateway is."""
        nats_url = None if self.nats is None else self.nats.url
        nats_pid = None if self.nats is None else self.nats.process.pid
        db_url = None if self.postgres is None else self.db_url
        return {
            "up_pid": os.getpid(),
            "ready": ready,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": str(self.plan.data.resolve()),
            "ttl": self.plan.ttl,
            "nats": {"url": nats_url, "pid": nats_pid},
            "postgres": {"url": db_url, "pid": self._postgres_pid()},
            "zones": {str(zone): name for zone, name in sorted(self.zones.items())},
            "zone_hosts": [
                {"name": h.name, "pid": h.process.pid, "log": str(h.log)} for h in self.hosts
            ],
            "crew_workers": [
                {"name": w.name, "pid": w.process.pid, "log": str(w.log)} for w in self.crew_workers
            ],
            "gateways": [
                {"name": g.name, "pid": g.process.pid, "url": g.url, "log": str(g.log)}
                for g in self.gateways
            ],
            **({} if self.seeding is None else {"seeding_pid": self.seeding}),
        }

    def _note(self, ready: bool = False) -> None:
        """Write cluster.json as far as started: an `up` killed while starting still
        leaves the pids of what it started for the next `up` to find."""
        write_record(self.plan.cluster_file, self.record(ready))

    def _seeding(self, pid: int | None) -> None:
        """Note the seeding server in cluster.json while it runs, so nothing `up` started
        goes unnamed if `up` dies meanwhile."""
        self.seeding = pid
        self._note()

    def _postgres_pid(self) -> int | None:
        """The postmaster's pid: the process to watch (not a `runuser` in between)."""
        if self.postgres is None or self.postgres.process is None:
            return None
        return self.postgres.postmaster_pid() or self.postgres.process.pid

    def _check_stopping(self) -> None:
        if self.stopping.is_set():
            raise ClusterError("asked to stop while starting")

    def _start_postgres(self) -> None:
        root = self.plan.data / "pg"
        self.initialised = not has_cluster(root)
        self.postgres = on_a_port(lambda port: open_postgres(root, port), self.plan.pg_port)
        made = "new cluster (initdb)" if self.initialised else "existing cluster"
        self.say(f"PostgreSQL on 127.0.0.1:{self.postgres.port}, {made} in {root}")
        if asyncio.run(create_database(self.postgres, DATABASE)):
            self.say(f"database {DATABASE} created")

    def _seed_if_new(self) -> None:
        """Make the galaxy by the embedded server's first start if the store has none."""
        self.zones = asyncio.run(stored_zones(self.db_url))
        if self.zones:
            self.say(f"store holds a galaxy of {len(self.zones)} zones")
            return
        self.say(f"no galaxy in the store: seeding one (seed {self.plan.seed})")
        seed_store(self.db_url, self.plan, self._seeding)
        self.seeded = True
        self.zones = asyncio.run(stored_zones(self.db_url))
        if not self.zones:
            raise ClusterError("the seeding server stopped without storing a galaxy")
        self.say(f"seeded a galaxy of {len(self.zones)} zones")

    def _start_host(self, name: str) -> None:
        self.hosts.append(self._start_role("zonehost", name, "--snapshot-seconds"))

    def _start_crew_worker(self, name: str) -> None:
        self.crew_workers.append(self._start_role("crewworker", name, "--save-seconds"))

    def _start_role(self, module: str, name: str, every: str) -> RoleProcess:
        """`python -m infinity.cluster.<module>` on this cluster's store and NATS, its
        output in logs/<name>.log; `every`: its option for how often it saves."""
        assert self.nats is not None
        log = self.plan.data / "logs" / f"{name}.log"
        argv = [
            sys.executable, "-m", f"infinity.cluster.{module}", "--db", self.db_url,
            "--nats", self.nats.url, "--name", name, "--ttl", str(self.plan.ttl),
            every, str(self.plan.snapshot_seconds),
        ]  # fmt: skip
        return RoleProcess(name, launch(argv, log), log)

    async def _crew_roll(self, nats_url: str) -> set[str]:
        return await crew_roll(nats_url, self.plan.ttl)

    def _wait_on_roll(
        self,
        role: str,
        processes: Sequence[RoleProcess],
        live: Callable[[str], Coroutine[Any, Any, set[str]]],
    ) -> None:
        """Every one of `processes` is among the names `live(nats_url)` gives, or
        `ClusterError` with the log's tail of one that exited, or of the first late."""
        assert self.nats is not None
        waiting = {process.name: process for process in processes}
        deadline = time.monotonic() + READY_SECONDS
        while waiting:
            self._check_stopping()
            for process in waiting.values():
                if not process.alive():
                    raise ClusterError(f"{role} {process.name} exited: {tail(process.log)}")
            with contextlib.suppress(OSError, TimeoutError, nats.errors.Error):
                present = asyncio.run(live(self.nats.url))
                for name in sorted(set(waiting) & present):
                    self.say(f"{role} {name} ready, pid {waiting.pop(name).process.pid}")
            if waiting and time.monotonic() > deadline:
                late = next(iter(waiting.values()))
                raise ClusterError(
                    f"{role}s not ready in {READY_SECONDS:.0f} s: {', '.join(waiting)}: "
                    f"{tail(late.log)}"
                )
            time.sleep(0.2)

    def _start_gateways(self) -> None:
        """The gateways, all at once, on their ports; each ready once /healthz answers."""
        ports = gateway_ports(self.plan)
        for number, port in enumerate(ports, start=1):
            self.gateways.append(self._launch_gateway(f"gateway-{number}", port))
        self._note()
        self._wait_gateways_ready()

    def _launch_gateway(self, name: str, port: int, tries: int = 1) -> GatewayProcess:
        assert self.nats is not None
        log = self.plan.data / "logs" / f"{name}.log"
        argv = [
            sys.executable, "-m", "infinity.cluster.gateway", "--db", self.db_url,
            "--nats", self.nats.url, "--name", name, "--host", GATEWAY_HOST, "--port", str(port),
        ]  # fmt: skip
        free = self.plan.port == 0
        return GatewayProcess(name, launch(argv, log), log, port=port, free=free, tries=tries)

    def _wait_gateways_ready(self) -> None:
        """Every gateway answers /healthz, or `ClusterError` with its log's tail."""
        waiting = {gateway.name for gateway in self.gateways}
        deadline = time.monotonic() + READY_SECONDS
        while waiting:
            self._check_stopping()
            for index, gateway in enumerate(self.gateways):
                if gateway.name in waiting and self._gateway_ready(index):
                    waiting.discard(gateway.name)
            if waiting and time.monotonic() > deadline:
                late = [g for g in self.gateways if g.name in waiting]
                raise ClusterError(
                    f"gateways not answering /healthz in {READY_SECONDS:.0f} s: "
                    f"{', '.join(g.name for g in late)}: {tail(late[0].log)}"
                )
            time.sleep(0.2)

    def _gateway_ready(self, index: int) -> bool:
        """Whether the gateway answers /healthz now; one that exited is started again on
        another free port (`_again`) or fails the start."""
        gateway = self.gateways[index]
        if not gateway.alive():
            self.gateways[index] = self._again(gateway)
            self._note()
            return False
        if (health(gateway.url) or {}).get("role") != "gateway":
            return False
        self.say(f"gateway {gateway.name} ready on {gateway.url}, pid {gateway.process.pid}")
        return True

    def _again(self, gateway: GatewayProcess) -> GatewayProcess:
        """A gateway that exited while starting: on another free port if someone took the
        free one it was given, else `ClusterError`."""
        said = tail(gateway.log)
        taken = "address already in use" in said.lower()
        if gateway.free and taken and gateway.tries < PORT_TRIES:
            return self._launch_gateway(gateway.name, free_port(), gateway.tries + 1)
        why = f"port {gateway.port} is taken" if taken else f"exit {gateway.process.returncode}"
        raise ClusterError(f"gateway {gateway.name} exited ({why}): {said}")


def on_a_port(start: Callable[[int], T], port: int | None, tries: int = 3) -> T:
    """`start(port)`; with no port asked for, on a free one, tried again on another if it
    fails (a free port may be taken by someone else before the server binds it)."""
    if port is not None:
        return start(port)
    for attempt in range(tries):
        try:
            return start(free_port())
        except (NatsUnavailable, PostgresUnavailable):
            if attempt == tries - 1:
                raise
    raise AssertionError("not reached")


def gateway_ports(plan: Plan) -> list[int]:
    """The gateways' ports: `plan.port` and up, each free now (else `ClusterError`, as a
    gateway started on a taken port only dies), or free ones when `plan.port` is 0."""
    if plan.port == 0:
        ports: set[int] = set()
        while len(ports) < plan.gateways:
            ports.add(free_port())
        return sorted(ports)
    ports_asked = list(range(plan.port, plan.port + plan.gateways))
    if ports_asked and ports_asked[-1] > 65535:
        raise ClusterError(f"{plan.gateways} gateways from port {plan.port} go past 65535")
    taken = [port for port in ports_asked if not port_free(port)]
    if taken:
        wanted = "port P free" if plan.gateways == 1 else f"ports P to P+{plan.gateways - 1} free"
        raise ClusterError(
            f"gateway port {', '.join(map(str, taken))} is taken on {GATEWAY_HOST} (another "
            f"server?): pass --port P with {wanted}, or --port 0 for free ports"
        )
    return ports_asked


def port_free(port: int) -> bool:
    """Nobody listens on GATEWAY_HOST:port (a port left in TIME_WAIT is free, as for
    uvicorn, which binds with SO_REUSEADDR too)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((GATEWAY_HOST, port))
        except OSError:
            return False
    return True


def health(url: str) -> dict[str, Any] | None:
    """What a server's /healthz says when it answers 200 ({} if no JSON object); None
    while it does not."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1.0) as answer:
            if answer.status != 200:
                return None
            body = answer.read()
    except (urllib.error.URLError, OSError):
        return None
    try:
        said = json.loads(body)
    except ValueError:
        return {}
    return said if isinstance(said, dict) else {}


def launch(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    """A role's process, its output appended to `log`, in a session of its own so a
    terminal's Ctrl-C reaches `up` alone and the stop keeps its order."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def newly_dead(process: RoleProcess) -> bool:
    """True once, the first time `process` is seen dead."""
    if process.alive() or process.reported:
        return False
    process.reported = True
    return True


def refuse_if_running(cluster_file: Path) -> None:
    """One `up` per data folder: another live one (or its processes) keeps it."""
    try:
        record = read_record(cluster_file)
    except FileNotFoundError:
        return
    alive = [f"{role} {pid}" for role, pid in recorded_pids(record) if pid_alive(pid)]
    if alive:
        raise ClusterError(f"a cluster already runs on {cluster_file.parent}: {', '.join(alive)}")


async def stored_zones(db: str) -> dict[int, str]:
    """The main world's star systems in the store (the zones to host), by id; empty when
    it holds no galaxy."""
    store = await Store.open(db)
    try:
        galaxy = await Charts(store.engine).load_galaxy()
    finally:
        await store.close()
    return {} if galaxy is None else {system.id: system.name for system in galaxy.systems}


def seed_store(db: str, plan: Plan, noting: Callable[[int | None], None]) -> None:
    """Run `infinity serve --db` until /healthz answers, then SIGTERM it: its first start
    stores the galaxy, the NPC and crew ships and their wallets, exactly as an embedded
    universe begins. `noting` hears its pid, then None once it is gone. `ClusterError` if
    it does not come up."""
    port = free_port()
    folder = plan.data / "seed"  # the server's --data: its audit anchor lives there
    log = plan.data / "logs" / "seed.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable, "-m", "infinity", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--data", str(folder), "--db", db, "--seed", str(plan.seed), "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as out:
        server = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        noting(server.pid)
        _wait_healthy(server, port, log)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        noting(None)


def _wait_healthy(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the seeding server answers, even when asked to stop meanwhile: one stopped
    halfway would leave a galaxy without all its ships, and no later start seeds again."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ClusterError(f"the seeding server exited: {tail(log)}")
        if health(f"http://127.0.0.1:{port}") is not None:
            return
        time.sleep(0.1)
    raise ClusterError(f"the seeding server did not answer /healthz: {tail(log)}")


async def crew_roll(nats_url: str, ttl: int) -> set[str]:
    """The crew workers NATS knows are alive: on their roll."""
    client = await nats.connect(nats_url, connect_timeout=2, allow_reconnect=False)
    try:
        js = client.jetstream(timeout=2.0)
        return await (await HostRoll.open(js, ttl, CREW_WORKERS_BUCKET)).live()
    finally:
        await client.close()


async def roll_and_owners(nats_url: str) -> set[str]:
    """The zone hosts NATS knows are alive: on the roll, or holding a lease."""
    client = await nats.connect(nats_url, connect_timeout=2, allow_reconnect=False)
    try:
        js = client.jetstream(timeout=2.0)
        roll = await (await HostRoll.open(js)).live()
        owners = {held.owner for held in await (await ZoneLeases.open(js)).holders()}
        return roll | owners
    finally:
        await client.close()


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Replace cluster.json whole, so `status` never reads half of one."""
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(record, indent=2) + "\n")
    partial.replace(path)


def read_record(path: Path) -> dict[str, Any]:
    """cluster.json as written by `up`; FileNotFoundError when no cluster was started."""
    record = json.loads(path.read_text())
    if not isinstance(record, dict):
        raise ValueError(f"{path}: not a cluster record")
    return record


def recorded_pids(record: dict[str, Any]) -> list[tuple[str, int]]:
    """Every process a record names, as (role, pid), in start order."""
    found: list[tuple[str, int]] = [("up", int(record["up_pid"]))]
    for role in ("nats", "postgres"):
        pid = record.get(role, {}).get("pid")
        if isinstance(pid, int):
            found.append((role, pid))
    for host in record.get("zone_hosts", []):
        found.append((f"zone host {host['name']}", int(host["pid"])))
    for worker in record.get("crew_workers", []):
        found.append((f"crew worker {worker['name']}", int(worker["pid"])))
    for gateway in record.get("gateways", []):
        found.append((f"gateway {gateway['name']}", int(gateway["pid"])))
    if isinstance(record.get("seeding_pid"), int):
        found.append(("seeding server", record["seeding_pid"]))
    return found


def pid_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's: it exists
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here: trust the signal
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-1500:]
    except OSError:
        return "(no log)"
