"""`infinity cluster up|status` as real processes (docs/cluster.md "A local cluster").

`up` starts NATS, PostgreSQL (initdb, a seeded galaxy), two zone hosts, two crew workers
and two gateways (a player registers through one and plays through the other); `status`
shows every zone owned by one of the hosts, both crew workers on their roll with exactly
one holding the company's lease, and both gateways with their clients; a zone host
killed with SIGKILL loses its zones to the other within the lease TTL; SIGINT (Ctrl-C)
to `up` stops every process it started, gateways first, then the crew workers; a second
`up` on the same folder (one gateway on a free port, no crew worker) starts the same
universe again without initdb or seeding, and the player logs in again.

Run through `python -m infinity.cluster.cli` (the sub-app), as `infinity cluster` is
the same typer app mounted under the main one.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx2 as httpx
import msgspec
import pytest
import websockets

from infinity.cluster.local import (
    CLUSTER_FILE,
    ClusterError,
    LocalCluster,
    Plan,
    RoleProcess,
    gateway_ports,
    launch,
    pid_alive,
    read_record,
    recorded_pids,
)
from infinity.cluster.status import ClusterStatus, GatewayRow, gateway_row, read_status
from infinity.gateway.wire import PROTOCOL_VERSION
from tests.cluster.processes import until
from tests.conftest import PASSWORD

TTL = 2  # seconds: the zone leases' in this cluster
HOSTS = ("host-1", "host-2")
GATEWAYS = ("gateway-1", "gateway-2")
CREW_WORKERS = ("crew-worker-1", "crew-worker-2")
CLI = (sys.executable, "-m", "infinity.cluster.cli")
STOP_ORDER = (
    "gateways stopped", "crew workers stopped", "zone hosts stopped", "PostgreSQL stopped",
    "NATS stopped",
)  # fmt: skip


class Up:
    """One `cluster up` process, its output in a log file."""

    def __init__(
        self, data: Path, log: Path, gateways: int, port: int, crew_workers: int | None
    ) -> None:
        self.data = data
        self.log = log
        self.pids: set[int] = set()  # every process it said it started
        crew = [] if crew_workers is None else ["--crew-workers", str(crew_workers)]
        argv = [
            *CLI, "up", "--data", str(data), "--zone-hosts", "2",
            "--ttl", str(TTL), "--snapshot-seconds", "1",
            "--gateways", str(gateways), "--port", str(port), *crew,
        ]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def record(self) -> dict[str, Any]:
        record = read_record(self.data / CLUSTER_FILE)
        self.pids.update(pid for _, pid in recorded_pids(record))
        return record

    async def status(self) -> ClusterStatus | None:
        """The status as `status` reads it, or None while the cluster is not up yet."""
        assert self.process.poll() is None, f"up exited:\n{self.output()[-3000:]}"
        try:
            self.record()
            return await read_status(self.data / CLUSTER_FILE)
        except (FileNotFoundError, OSError, TimeoutError):
            return None

    def end(self) -> None:
        """Whatever happened: nothing this `up` started outlives the test."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for pid in self.pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    """A folder the `postgres` user can reach when the suite runs as root (pytest's own
    tmp is closed to other users)."""
    root = Path(tempfile.mkdtemp(prefix="infinity-cluster-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def start_up(cluster_dir: Path) -> Iterator[Any]:
    started: list[Up] = []

    def start(run: int, gateways: int, port: int, crew_workers: int | None = None) -> Up:
        log = cluster_dir / f"up-{run}.log"
        started.append(Up(cluster_dir / "data", log, gateways, port, crew_workers))
        return started[-1]

    try:
        yield start
    finally:
        for up in started:
            up.end()


def run_status(data: Path) -> tuple[int, str]:
    done = subprocess.run(
        [*CLI, "status", "--data", str(data), "--json"], capture_output=True, timeout=30
    )
    return done.returncode, done.stdout.decode()


async def whole_status(data: Path, within: float = 10.0) -> dict[str, Any]:
    """`status --json` once its rolls list every process `up` started: a roll is a view of
    heartbeats, and under load one may lapse for a beat before its next write."""
    deadline = time.monotonic() + within
    while True:
        code, text = run_status(data)
        assert code == 0, text
        shown: dict[str, Any] = json.loads(text)
        whole = (
            sorted(shown["roll"]) == list(HOSTS)
            and [g["name"] for g in shown["gateways"]] == list(GATEWAYS)
            and shown["crew_workers"] == list(CREW_WORKERS)
        )
        if whole or time.monotonic() > deadline:
            return shown
        await asyncio.sleep(0.5)


async def owned_by(up: Up, hosts: set[str], within: float) -> ClusterStatus:
    """Wait until `up` says it is ready and every zone is owned by one of `hosts`, each
    holding at least one."""
    deadline = time.monotonic() + within
    while True:
        found = await up.status()
        if found is not None and found.running and found.zones:
            owners = [zone.owner for zone in found.zones]
            if set(owners) == hosts:
                return found
        assert time.monotonic() < deadline, (
            f"zones not owned by {hosts}: {found}\n{up.output()[-3000:]}"
        )
        await asyncio.sleep(0.1)


async def crew_thinking(up: Up, workers: set[str], within: float) -> ClusterStatus:
    """Wait until `workers` are the crew workers on the roll and one of them holds the
    company's lease (taken at its first claim round after it joined the roll)."""
    deadline = time.monotonic() + within
    while True:
        found = await up.status()
        if found is not None and set(found.crew_workers) == workers and found.crew_lease:
            return found
        assert time.monotonic() < deadline, f"no crew worker thinks: {found}"
        await asyncio.sleep(0.1)


async def ships_in(record: dict[str, Any]) -> int:
    dsn = str(record["postgres"]["url"]).replace("+asyncpg", "")
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM ships")
    finally:
        await connection.close()
    return count


def free_ports(count: int) -> int:
    """The first of `count` consecutive ports free on 127.0.0.1 now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first: int = s.getsockname()[1]
        if first + count <= 65536 and all(port_free(first + i) for i in range(1, count)):
            return first
    raise AssertionError(f"no {count} consecutive free ports")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def register(url: str, name: str) -> str:
    """A new player, through one gateway: its token."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        answer = await client.post(f"{url}/api/register", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


async def log_in(url: str, name: str) -> int:
    async with httpx.AsyncClient(timeout=10.0) as client:
        answer = await client.post(f"{url}/api/login", json={"name": name, "password": PASSWORD})
    return answer.status_code


async def healthz(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        answer = await client.get(f"{url}/healthz")
    assert answer.status_code == 200, answer.text
    said: dict[str, Any] = answer.json()
    return said


async def gateways_shown(up: Up, clients: dict[str, int], within: float) -> ClusterStatus:
    """The status once its gateways have the given client counts, by name (each gateway
    says its count on the roll every 2 s)."""
    deadline = time.monotonic() + within
    while True:
        found = await up.status()
        if found is not None and {g.name: g.clients for g in found.gateways} == clients:
            return found
        assert time.monotonic() < deadline, f"gateways not {clients}: {found}"
        await asyncio.sleep(0.2)


async def stopped(up: Up, within: float, signum: int = signal.SIGINT) -> None:
    """SIGINT (Ctrl-C) or SIGTERM to `up`; it exits 0, having stopped the roles in the
    reverse order of their start, and every process it started is gone."""
    record = up.record()
    up.process.send_signal(signum)
    began = time.monotonic()
    while up.process.poll() is None:
        assert time.monotonic() - began < within, f"up still runs:\n{up.output()[-3000:]}"
        await asyncio.sleep(0.05)
    assert up.process.returncode == 0, up.output()[-3000:]
    out = up.output()
    steps = [s for s in STOP_ORDER if record["crew_workers"] or not s.startswith("crew")]
    said = [out.find(step) for step in steps]
    assert -1 not in said and said == sorted(said), out[-3000:]
    alive = [(role, pid) for role, pid in recorded_pids(record) if pid_alive(pid)]
    assert alive == [], f"still running after up stopped: {alive}"
    assert not (up.data / CLUSTER_FILE).exists()
    code, _ = run_status(up.data)
    assert code == 1  # not running


async def test_up_status_kill_stop_and_up_again(start_up: Any) -> None:
    port = free_ports(len(GATEWAYS))
    first: Up = start_up(1, gateways=len(GATEWAYS), port=port, crew_workers=len(CREW_WORKERS))
    ready = await owned_by(first, set(HOSTS), within=90)
    await crew_thinking(first, set(CREW_WORKERS), within=TTL + 5)
    out = first.output()
    assert "new cluster (initdb)" in out and "seeding one" in out, out
    zones = {zone.zone: zone.name for zone in ready.zones}
    assert len(zones) >= 10
    record = first.record()
    assert {host["name"] for host in record["zone_hosts"]} == set(HOSTS)
    assert [worker["name"] for worker in record["crew_workers"]] == list(CREW_WORKERS)
    ships = await ships_in(record)
    assert ships >= 40  # the seeding server's NPC and crew ships

    # `status`: every zone has exactly one owner, one of the two hosts; all processes live.
    shown = await whole_status(first.data)
    assert shown["running"] is True
    assert sorted(z["zone"] for z in shown["zones"]) == sorted(zones)
    assert all(z["owner"] in HOSTS and 0 <= z["lease_age"] <= TTL + 1 for z in shown["zones"])
    assert sorted(shown["roll"]) == list(HOSTS)
    assert all(p["alive"] for p in shown["processes"])
    urls = {g["name"]: g["url"] for g in record["gateways"]}
    assert shown["gateways"] == [{"name": n, "url": urls[n], "clients": 0} for n in GATEWAYS]
    # Both crew workers on their roll, exactly one thinking: the company lease's holder.
    assert shown["crew_workers"] == list(CREW_WORKERS)
    assert shown["crew_lease"]["holder"] in CREW_WORKERS
    assert 0 <= shown["crew_lease"]["lease_age"] <= TTL + 1
    assert await thinking(first, within=10) == [shown["crew_lease"]["holder"]]
    plain = subprocess.run([*CLI, "status", "--data", str(first.data)], capture_output=True)
    assert plain.returncode == 0 and b"host-1" in plain.stdout and b"gateway-2" in plain.stdout
    assert b"crew-worker-2" in plain.stdout and b"holds it" in plain.stdout

    # `status --nats`: the same owners from NATS alone, as on a deployment of many machines.
    async def by_nats() -> dict[str, Any] | None:
        """The status from NATS once it shows the company's lease held and both crew
        workers on their roll: on a loaded machine a late heartbeat or renewal (TTL 2 s)
        may leave either empty for a moment."""
        found = subprocess.run(
            [*CLI, "status", "--nats", record["nats"]["url"], "--json"], capture_output=True
        )
        assert found.returncode == 0, found.stderr
        said: dict[str, Any] = json.loads(found.stdout)
        held = said["crew_lease"] is not None and said["crew_workers"] == list(CREW_WORKERS)
        return said if held else None

    seen = await until(by_nats, TTL + 5, "the company's lease and roll seen through NATS")
    assert sorted(z["zone"] for z in seen["zones"]) == sorted(zones)
    assert {z["owner"] for z in seen["zones"]} == set(HOSTS) and seen["processes"] == []
    assert [g["name"] for g in seen["gateways"]] == list(GATEWAYS)
    assert seen["crew_workers"] == list(CREW_WORKERS)
    assert seen["crew_lease"]["holder"] in CREW_WORKERS

    await gateways_play(first, port)

    # SIGKILL host-2: its zones go to host-1 within the TTL (and a claim round).
    victim = next(h for h in record["zone_hosts"] if h["name"] == "host-2")
    os.kill(victim["pid"], signal.SIGKILL)
    killed = time.monotonic()
    after = await owned_by(first, {"host-1"}, within=TTL + 5)
    assert time.monotonic() - killed <= TTL + 5
    code, text = run_status(first.data)
    shown = json.loads(text)
    assert code == 0 and all(z["owner"] == "host-1" for z in shown["zones"])
    assert shown["roll"] == ["host-1"]
    dead = [p for p in shown["processes"] if not p["alive"]]
    assert [p["role"] for p in dead] == ["zone host host-2"], shown["processes"]
    assert len(after.zones) == len(zones)

    await stopped(first, within=40)

    # The same folder again: no initdb, no new galaxy; the same zones and ships, owned
    # again; one gateway, on a free port, where the player of the first run logs in.
    second: Up = start_up(2, gateways=1, port=0, crew_workers=0)
    again = await owned_by(second, set(HOSTS), within=40)
    out = second.output()
    assert "existing cluster" in out and "initdb" not in out and "seeding" not in out, out
    assert {zone.zone: zone.name for zone in again.zones} == zones
    assert await ships_in(second.record()) == ships + 1  # the player's
    (only,) = second.record()["gateways"]
    assert only["name"] == "gateway-1" and f"Play at {only['url']}" in out, out
    assert second.record()["crew_workers"] == [] and "No crew worker" in out, out
    assert await log_in(only["url"], "voyager") == 200
    await stopped(second, within=40, signum=signal.SIGTERM)


async def thinking(up: Up, within: float) -> list[str]:
    """The crew workers whose logs say they think (once one does: it says so after
    restoring the minds, a moment after taking the lease)."""
    deadline = time.monotonic() + within
    while True:
        logs = {w["name"]: Path(w["log"]) for w in up.record()["crew_workers"]}
        said = [n for n, log in logs.items() if f"{n}: thinking for" in log.read_text()]
        if said or time.monotonic() > deadline:
            return said
        await asyncio.sleep(0.1)


async def gateways_play(up: Up, port: int) -> None:
    """Both gateways answer on their ports; a player registers through gateway-1 and plays
    through gateway-2; `status` shows each gateway's url and clients."""
    gateways = up.record()["gateways"]
    urls = {g["name"]: g["url"] for g in gateways}
    assert urls == {name: f"http://127.0.0.1:{port + i}" for i, name in enumerate(GATEWAYS)}
    for name, url in urls.items():
        assert f"Play at {url}" in up.output()
        said = await healthz(url)
        assert said["ok"] is True and said["role"] == "gateway" and said["name"] == name
    token = await register(urls["gateway-1"], "voyager")
    ws_url = urls["gateway-2"].replace("http://", "ws://") + "/ws"
    # Unread frames pile up meanwhile: an unbounded queue lets the closing handshake through.
    async with websockets.connect(ws_url, compression=None, max_queue=None) as ws:
        hello = {"t": "hello", "v": PROTOCOL_VERSION, "token": token}
        await ws.send(msgspec.msgpack.encode(hello))
        welcome = msgspec.msgpack.decode(await asyncio.wait_for(ws.recv(), 5))
        assert welcome["t"] == "welcome", welcome
        shown = await gateways_shown(up, {"gateway-1": 0, "gateway-2": 1}, within=10)
    assert {g.name: g.url for g in shown.gateways} == urls
    await gateways_shown(up, {"gateway-1": 0, "gateway-2": 0}, within=10)


def test_gateway_ports_count_up_from_port_and_refuse_a_taken_one(tmp_path: Path) -> None:
    first = free_ports(3)
    assert gateway_ports(Plan(tmp_path, gateways=3, port=first)) == [first, first + 1, first + 2]
    assert gateway_ports(Plan(tmp_path, gateways=0, port=first)) == []
    assert len(set(gateway_ports(Plan(tmp_path, gateways=4, port=0)))) == 4
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first + 1))
        taken.listen()
        with pytest.raises(ClusterError, match=f"port {first + 1} is taken.*--port 0"):
            gateway_ports(Plan(tmp_path, gateways=3, port=first))
    with pytest.raises(ClusterError, match="past 65535"):
        gateway_ports(Plan(tmp_path, gateways=2, port=65535))


def test_a_gateway_heartbeat_is_read_leniently_and_its_pid_recorded() -> None:
    said = json.dumps({"url": "http://127.0.0.1:8000", "clients": 3}).encode()
    assert gateway_row("g", said) == GatewayRow("g", "http://127.0.0.1:8000", 3)
    assert gateway_row("g", b"") == GatewayRow("g", "", None)
    assert gateway_row("g", b'{"url": 5, "clients": true}') == GatewayRow("g", "", None)
    record = {"up_pid": 1, "zone_hosts": [{"name": "host-1", "pid": 2}],
              "gateways": [{"name": "gateway-1", "pid": 3, "url": "", "log": ""}]}  # fmt: skip
    assert recorded_pids(record) == [("up", 1), ("zone host host-1", 2), ("gateway gateway-1", 3)]
    record["crew_workers"] = [{"name": "crew-worker-1", "pid": 4, "log": ""}]
    assert recorded_pids(record)[2] == ("crew worker crew-worker-1", 4)


def test_a_crew_worker_that_exits_while_starting_fails_the_start(tmp_path: Path) -> None:
    """Before NATS is even asked: the log's tail says why."""
    log = tmp_path / "crew-worker-1.log"
    code = "import sys; print('crew worker crew-worker-1 cannot start: no galaxy'); sys.exit(2)"
    process = launch([sys.executable, "-c", code], log)
    process.wait(10)
    cluster = LocalCluster(Plan(tmp_path), say=print)
    cluster.nats = SimpleNamespace(url="nats://127.0.0.1:1")  # type: ignore[assignment]
    cluster.crew_workers.append(RoleProcess("crew-worker-1", process, log))
    with pytest.raises(ClusterError, match=r"crew worker crew-worker-1 exited: .*no galaxy"):
        cluster._wait_on_roll("crew worker", cluster.crew_workers, cluster._crew_roll)
