"""`infinity cluster up|status` as real processes (docs/cluster.md "A local cluster").

`up` starts NATS, PostgreSQL (initdb, a seeded galaxy) and two zone hosts; `status` shows
every zone owned by one of them; a zone host killed with SIGKILL loses its zones to the
other within the lease TTL; SIGTERM to `up` stops every process it started; a second
`up` on the same folder starts the same universe again without initdb or seeding.

Run through `python -m infinity.cluster.cli` (the sub-app), as `infinity cluster` is
the same typer app mounted under the main one.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from infinity.cluster.local import CLUSTER_FILE, pid_alive, read_record, recorded_pids
from infinity.cluster.status import ClusterStatus, read_status

TTL = 2  # seconds: the zone leases' in this cluster
HOSTS = ("host-1", "host-2")
CLI = (sys.executable, "-m", "infinity.cluster.cli")


class Up:
    """One `cluster up` process, its output in a log file."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data = data
        self.log = log
        self.pids: set[int] = set()  # every process it said it started
        argv = [
            *CLI, "up", "--data", str(data), "--zone-hosts", "2",
            "--ttl", str(TTL), "--snapshot-seconds", "1",
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

    def start(run: int) -> Up:
        started.append(Up(cluster_dir / "data", cluster_dir / f"up-{run}.log"))
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


async def ships_in(record: dict[str, Any]) -> int:
    dsn = str(record["postgres"]["url"]).replace("+asyncpg", "")
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM ships")
    finally:
        await connection.close()
    return count


async def stopped(up: Up, within: float) -> None:
    """SIGTERM `up`; it exits 0 and every process it started is gone."""
    record = up.record()
    up.process.send_signal(signal.SIGTERM)
    began = time.monotonic()
    while up.process.poll() is None:
        assert time.monotonic() - began < within, f"up still runs:\n{up.output()[-3000:]}"
        await asyncio.sleep(0.05)
    assert up.process.returncode == 0, up.output()[-3000:]
    alive = [(role, pid) for role, pid in recorded_pids(record) if pid_alive(pid)]
    assert alive == [], f"still running after up stopped: {alive}"
    assert not (up.data / CLUSTER_FILE).exists()
    code, _ = run_status(up.data)
    assert code == 1  # not running


async def test_up_status_kill_stop_and_up_again(start_up: Any) -> None:
    first: Up = start_up(1)
    ready = await owned_by(first, set(HOSTS), within=60)
    out = first.output()
    assert "new cluster (initdb)" in out and "seeding one" in out, out
    zones = {zone.zone: zone.name for zone in ready.zones}
    assert len(zones) >= 10
    record = first.record()
    assert {host["name"] for host in record["zone_hosts"]} == set(HOSTS)
    ships = await ships_in(record)
    assert ships >= 40  # the seeding server's NPC and crew ships

    # `status`: every zone has exactly one owner, one of the two hosts; all processes live.
    code, text = run_status(first.data)
    assert code == 0, text
    shown = json.loads(text)
    assert shown["running"] is True
    assert sorted(z["zone"] for z in shown["zones"]) == sorted(zones)
    assert all(z["owner"] in HOSTS and 0 <= z["lease_age"] <= TTL + 1 for z in shown["zones"])
    assert sorted(shown["roll"]) == list(HOSTS)
    assert all(p["alive"] for p in shown["processes"])
    assert "not a cluster role yet" in shown["gateways"]
    plain = subprocess.run([*CLI, "status", "--data", str(first.data)], capture_output=True)
    assert plain.returncode == 0 and b"host-1" in plain.stdout and b"gateways" in plain.stdout
    # `status --nats`: the same owners from NATS alone, as on a deployment of many machines.
    by_nats = subprocess.run(
        [*CLI, "status", "--nats", record["nats"]["url"], "--json"], capture_output=True
    )
    assert by_nats.returncode == 0, by_nats.stderr
    seen = json.loads(by_nats.stdout)
    assert sorted(z["zone"] for z in seen["zones"]) == sorted(zones)
    assert {z["owner"] for z in seen["zones"]} == set(HOSTS) and seen["processes"] == []

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

    # The same folder again: no initdb, no new galaxy; the same zones and ships, owned again.
    second: Up = start_up(2)
    again = await owned_by(second, set(HOSTS), within=40)
    out = second.output()
    assert "existing cluster" in out and "initdb" not in out and "seeding" not in out, out
    assert {zone.zone: zone.name for zone in again.zones} == zones
    assert await ships_in(second.record()) == ships
    await stopped(second, within=40)
