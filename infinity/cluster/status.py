"""What a local cluster looks like now (`infinity cluster status`).

Read from `DIR/cluster.json` (the processes `up` started) and from NATS itself (the zone
leases, the company's lease, and the rolls of live zone hosts, crew workers and
gateways), never from the processes' own word: a zone's owner is whoever holds its lease,
the crew worker that thinks is whoever holds the company's, and a host, a crew worker or
a gateway is alive for the cluster while its heartbeat is on its roll. A gateway's
heartbeat also carries its address and how many clients play through it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from nats.js.client import JetStreamContext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import Holder, ZoneLeases
from infinity.cluster.local import pid_alive, read_record, recorded_pids
from infinity.cluster.open_worlds import OpenWorlds
from infinity.cluster.subjects import (
    COMPANY,
    CREW_LEASES_BUCKET,
    CREW_WORKERS_BUCKET,
    GATEWAYS_BUCKET,
)

STORE_TIMEOUT = 2.0  # seconds to connect to the store for the zones' names


@dataclass(frozen=True, slots=True)
class ZoneRow:
    """One zone: its owner (None while nobody holds its lease) and the lease's age."""

    zone: int
    name: str
    owner: str | None
    age: float | None


@dataclass(frozen=True, slots=True)
class GatewayRow:
    """One gateway on the roll: where players connect to it, and how many play there
    (None when its heartbeat says nothing readable)."""

    name: str
    url: str
    clients: int | None


@dataclass(frozen=True, slots=True)
class CrewLease:
    """The crew worker that runs the minds now, and the seconds since it renewed the
    company's lease (near the TTL: it stalls, and a standby is about to take over)."""

    holder: str
    age: float

    def as_json(self) -> dict[str, Any]:
        return {"holder": self.holder, "lease_age": self.age}


@dataclass(frozen=True, slots=True)
class ProcessRow:
    role: str
    pid: int
    alive: bool


@dataclass
class ClusterStatus:
    """The cluster as NATS and the process table see it."""

    running: bool  # the `up` process that owns the cluster lives, and was ready
    nats_url: str
    zones: list[ZoneRow] = field(default_factory=list)
    roll: list[str] = field(default_factory=list)
    processes: list[ProcessRow] = field(default_factory=list)
    gateways: list[GatewayRow] = field(default_factory=list)
    crew_workers: list[str] = field(default_factory=list)  # on their roll
    crew_lease: CrewLease | None = None  # None: nobody thinks for the crews

    def as_json(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "nats": self.nats_url,
            "zones": [
                {"zone": z.zone, "name": z.name, "owner": z.owner, "lease_age": z.age}
                for z in self.zones
            ],
            "roll": self.roll,
            "processes": [{"role": p.role, "pid": p.pid, "alive": p.alive} for p in self.processes],
            "gateways": [
                {"name": g.name, "url": g.url, "clients": g.clients} for g in self.gateways
            ],
            "crew_workers": self.crew_workers,
            "crew_lease": None if self.crew_lease is None else self.crew_lease.as_json(),
        }


def processes_of(record: dict[str, Any]) -> list[ProcessRow]:
    return [ProcessRow(role, pid, pid_alive(pid)) for role, pid in recorded_pids(record)]


async def read_status(cluster_file: Path) -> ClusterStatus:
    """The status of the cluster recorded in `cluster_file`; FileNotFoundError if none
    was started there, OSError or a NATS error when NATS does not answer."""
    record = read_record(cluster_file)
    processes = processes_of(record)
    names = await zone_names(record)
    running = processes[0].alive and record.get("ready") is True
    status = ClusterStatus(running, str(record["nats"]["url"]), processes=processes)
    if record["nats"]["url"] is None:
        raise OSError("the cluster is starting: NATS is not up yet")
    await _read_nats(status, names, int(record.get("ttl", 6)))
    return status


async def zone_names(record: dict[str, Any]) -> dict[int, str]:
    """Every open world's zones by name, read from the store once the cluster is ready
    (through an engine that never migrates, so a status never races `up`'s migration);
    before then, or when the store does not answer, the main world's as `up` recorded."""
    recorded = {int(zone): str(name) for zone, name in record.get("zones", {}).items()}
    db = record.get("postgres", {}).get("url")
    if record.get("ready") is not True or not isinstance(db, str):
        return recorded
    engine = create_async_engine(db, connect_args={"timeout": STORE_TIMEOUT})
    try:
        worlds = await OpenWorlds.read_from(engine)
    except (OSError, SQLAlchemyError, TimeoutError):  # the store away: who holds what still shows
        return recorded
    finally:
        await engine.dispose()
    return {zone: worlds.name_of(zone) or "" for zone in worlds}


async def read_nats_status(nats_url: str) -> ClusterStatus:
    """The status of any cluster, from its NATS alone (a deployment on several machines,
    docs/deploy.md): the held zones, the company's lease and the rolls of zone hosts,
    crew workers and gateways; no processes, no zone names. Running means NATS
    answered."""
    status = ClusterStatus(running=True, nats_url=nats_url)
    await _read_nats(status, {})
    return status


async def _read_nats(status: ClusterStatus, names: dict[int, str], ttl: int = 6) -> None:
    """Fill in the zones' owners, the company's lease and the rolls, as NATS has them now.
    `ttl` only matters for a bucket not made yet (each key carries its own TTL)."""
    client = await nats.connect(status.nats_url, connect_timeout=2, allow_reconnect=False)
    try:
        js = client.jetstream(timeout=2.0)
        held = {h.zone: h for h in await (await ZoneLeases.open(js)).holders()}
        status.roll = sorted(await (await HostRoll.open(js)).live())
        gateways = await (await HostRoll.open(js, bucket=GATEWAYS_BUCKET)).about()
        status.gateways = [gateway_row(name, gateways[name]) for name in sorted(gateways)]
        await _read_crew(js, status, ttl)
    finally:
        await client.close()
    status.zones = [_zone_row(zone, names.get(zone, ""), held.get(zone)) for zone in
                    sorted(names.keys() | held.keys())]  # fmt: skip


async def _read_crew(js: JetStreamContext, status: ClusterStatus, ttl: int) -> None:
    """The crew workers on their roll, and which one holds the company's lease."""
    status.crew_workers = sorted(await (await HostRoll.open(js, ttl, CREW_WORKERS_BUCKET)).live())
    held = await (await ZoneLeases.open(js, ttl, CREW_LEASES_BUCKET)).holders()
    company = [CrewLease(h.owner, h.age) for h in held if h.zone == COMPANY]
    status.crew_lease = company[0] if company else None


def _zone_row(zone: int, name: str, holder: Holder | None) -> ZoneRow:
    if holder is None:
        return ZoneRow(zone, name, None, None)
    return ZoneRow(zone, name, holder.owner, holder.age)


def gateway_row(name: str, about: bytes) -> GatewayRow:
    """A gateway's heartbeat, {"url": ..., "clients": N}; what it does not say is left
    blank rather than failing the whole status."""
    try:
        said = json.loads(about)
    except ValueError:
        said = None
    if not isinstance(said, dict):
        return GatewayRow(name, "", None)
    url, clients = said.get("url"), said.get("clients")
    countable = isinstance(clients, int) and not isinstance(clients, bool)
    return GatewayRow(name, url if isinstance(url, str) else "", clients if countable else None)
