"""`infinity cluster up|status`: a local cluster for development and tests (docs/cluster.md
"A local cluster").

Mounted in `infinity/cli.py` with `app.add_typer(cluster_app, name="cluster")`; also runs
alone as `python -m infinity.cluster.cli up|status`.
"""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import asyncpg
import nats.errors
import sqlalchemy.exc
import typer
from rich.table import Table

from infinity._terminal import console, errors
from infinity.cluster.local import (
    CLUSTER_FILE,
    MAX_CREW_WORKERS,
    MAX_GATEWAYS,
    ClusterError,
    LocalCluster,
    Plan,
)
from infinity.cluster.nats_server import NatsUnavailable
from infinity.cluster.postgres import PostgresUnavailable
from infinity.cluster.status import ClusterStatus, read_nats_status, read_status

DEFAULT_DATA = Path("data/cluster")
STORE_TROUBLE = (asyncpg.PostgresError, sqlalchemy.exc.SQLAlchemyError)  # creating, reading it

cluster_app = typer.Typer(
    help="A local cluster: NATS, PostgreSQL, zone hosts, crew workers and gateways on this "
    "machine.",
    no_args_is_help=True,
)

DataOption = Annotated[Path, typer.Option(help="Folder the cluster keeps its state in.")]
# Shared with `infinity serve`:
SeedOption = Annotated[
    int, typer.Option(min=0, max=2**31 - 1, help="Galaxy seed, used only on the first start.")
]
SnapshotOption = Annotated[
    float, typer.Option(min=0.5, max=300, help="How often ship motion is saved, seconds.")
]


@cluster_app.command()
def up(
    data: DataOption = DEFAULT_DATA,
    zone_hosts: Annotated[int, typer.Option(min=1, max=64, help="Zone host processes.")] = 2,
    nats_port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="NATS port (default: a free one).")
    ] = None,
    pg_port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="PostgreSQL port (default: a free one).")
    ] = None,
    seed: SeedOption = 1,
    ttl: Annotated[int, typer.Option(min=1, max=60, help="Zone lease TTL, seconds.")] = 6,
    snapshot_seconds: SnapshotOption = 5.0,
    gateways: Annotated[
        int, typer.Option(min=0, max=MAX_GATEWAYS, help="Gateway processes: where players play.")
    ] = 1,
    port: Annotated[
        int,
        typer.Option(
            min=0, max=65535, help="The first gateway's port; the next count up (0: free ports)."
        ),
    ] = 8000,
    crew_workers: Annotated[
        int,
        typer.Option(
            min=0,
            max=MAX_CREW_WORKERS,
            help="Crew worker processes: one runs the crews' minds, the others stand by.",
        ),
    ] = 1,
) -> None:
    """Start NATS, PostgreSQL, the zone hosts, then the crew workers and the gateways; run
    until Ctrl-C, then stop in the reverse order."""
    plan = Plan(
        data, zone_hosts, nats_port, pg_port, seed, ttl, snapshot_seconds, gateways, port,
        crew_workers,
    )  # fmt: skip
    cluster = LocalCluster(plan, say=console.print)
    _stop_on_signals(cluster)
    code = 0
    try:
        cluster.start()
        _say_ready(cluster, data)
        code = cluster.watch()
    except (ClusterError, NatsUnavailable, PostgresUnavailable, OSError, *STORE_TROUBLE) as error:
        errors.print(f"[red]cluster cannot start:[/] {error}")
        code = 2
    finally:
        cluster.stop()
    console.print("[cyan]Cluster stopped.[/]")
    raise typer.Exit(code)


def _say_ready(cluster: LocalCluster, data: Path) -> None:
    """The roles that run, and where a browser plays."""
    console.print(
        f"[bold cyan]Cluster up[/]: {len(cluster.hosts)} zone hosts over "
        f"{len(cluster.zones)} zones, {len(cluster.crew_workers)} crew workers, "
        f"{len(cluster.gateways)} gateways. "
        f"`infinity cluster status --data {data}`; Ctrl-C stops it."
    )
    for gateway in cluster.gateways:
        console.print(f"Play at [bold]{gateway.url}[/] ({gateway.name})")
    if not cluster.gateways:
        console.print("[yellow]No gateway (--gateways 0): players cannot connect.[/]")
    if not cluster.crew_workers:
        console.print("[yellow]No crew worker (--crew-workers 0): the crews do not think.[/]")


def _stop_on_signals(cluster: LocalCluster) -> None:
    """SIGINT and SIGTERM ask for the ordered stop, while starting or running; a second one
    changes nothing (the stop is bounded in time anyway)."""

    def ask(signum: int, frame: FrameType | None) -> None:
        cluster.stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, ask)


@cluster_app.command()
def status(
    data: DataOption = DEFAULT_DATA,
    as_json: Annotated[bool, typer.Option("--json", help="The status as JSON.")] = False,
    nats_url: Annotated[
        str | None,
        typer.Option(
            "--nats", help="Read any cluster's NATS (nats://host:4222) instead of --data's."
        ),
    ] = None,
) -> None:
    """Who owns which zone and since when, the live zone hosts, crew workers (and which
    one thinks) and gateways, and the processes of `up`; exit 1 when the cluster is not
    running."""
    try:
        if nats_url is not None:
            found = asyncio.run(read_nats_status(nats_url))
        else:
            found = asyncio.run(read_status(data / CLUSTER_FILE))
    except FileNotFoundError:
        errors.print(f"[red]no cluster running[/] ({data / CLUSTER_FILE} not found)")
        raise typer.Exit(1) from None
    except (OSError, TimeoutError, nats.errors.Error) as error:
        errors.print(f"[red]cluster not running:[/] NATS does not answer ({error!r})")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(found.as_json(), indent=2))
    else:
        show(found)
    if not found.running:
        raise typer.Exit(1)


def show(found: ClusterStatus) -> None:
    """The tables: zones, zone hosts, crew workers, gateways, and the processes of `up`
    if known."""
    console.print(
        f"[bold]{'running' if found.running else '[red]not running[/]'}[/], NATS {found.nats_url}"
    )
    zones = Table(title="zones")
    for column in ("zone", "system", "owner", "lease age"):
        zones.add_column(column)
    for row in found.zones:
        age = "" if row.age is None else f"{row.age:.1f} s"
        zones.add_row(str(row.zone), row.name, row.owner or "[red]nobody[/]", age)
    console.print(zones)
    owned: dict[str, int] = {}
    for row in found.zones:
        if row.owner is not None:
            owned[row.owner] = owned.get(row.owner, 0) + 1
    hosts = Table(title="zone hosts on the roll")
    hosts.add_column("host")
    hosts.add_column("zones")
    for name in found.roll:
        hosts.add_row(name, str(owned.get(name, 0)))
    console.print(hosts)
    console.print(crew_table(found))
    gateways = Table(title="gateways on the roll")
    for column in ("gateway", "url", "clients"):
        gateways.add_column(column)
    for gateway in found.gateways:
        clients = "?" if gateway.clients is None else str(gateway.clients)
        gateways.add_row(gateway.name, gateway.url or "?", clients)
    console.print(gateways)
    if not found.processes:
        return
    processes = Table(title="processes")
    for column in ("role", "pid", "alive"):
        processes.add_column(column)
    for process in found.processes:
        processes.add_row(process.role, str(process.pid), "yes" if process.alive else "[red]no[/]")
    console.print(processes)


def crew_table(found: ClusterStatus) -> Table:
    """The crew workers on the roll; the one holding the company's lease thinks for every
    crew, the others stand by (one holding it off the roll is listed too: it still
    thinks until its lease lapses)."""
    lease = found.crew_lease
    table = Table(title="crew workers on the roll")
    for column in ("crew worker", "company lease", "lease age"):
        table.add_column(column)
    names = sorted({*found.crew_workers, *([] if lease is None else [lease.holder])})
    for name in names:
        if lease is not None and lease.holder == name:
            table.add_row(name, "[green]holds it: thinks[/]", f"{lease.age:.1f} s")
        else:
            table.add_row(name, "standby", "")
    if lease is None:
        table.caption = "[red]nobody holds the company's lease: the crews do not think[/]"
    return table


if __name__ == "__main__":
    cluster_app()
