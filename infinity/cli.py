"""`infinity`: run the universe, and load-test it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from infinity._options import DataOption, DbOption, universe_url
from infinity._terminal import console
from infinity.audit.cli import audit_app
from infinity.cluster.cli import SeedOption, SnapshotOption, cluster_app
from infinity.company.cli import crew_app
from infinity.minds.cli import mind_app
from infinity.operators.cli import galaxy_app, killswitch
from infinity.worlds.cli import template_app

app = typer.Typer(
    name="infinity",
    help="Infinity: a persistent universe of players and AI crews.",
    no_args_is_help=True,
    add_completion=False,
)


def _check_host(host: str) -> str:
    if not host.strip():
        raise typer.BadParameter("host must not be empty")
    return host


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on.", callback=_check_host)
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    data: Annotated[Path, typer.Option(help="Folder for the SQLite file and other state.")] = Path(
        "data"
    ),
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL (sqlite+aiosqlite:///… or postgresql+asyncpg://…); default: a SQLite file in --data."
        ),
    ] = None,
    seed: SeedOption = 1,
    npcs: Annotated[bool, typer.Option(help="Fly non-player traffic.")] = True,
    snapshot_seconds: SnapshotOption = 5.0,
    time_scale: Annotated[
        float,
        typer.Option(
            min=1.0, max=100.0, help="Simulated seconds per wall second (research, tests)."
        ),
    ] = 1.0,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    llm_url: Annotated[
        str | None,
        typer.Option(
            help="OpenAI-compatible base URL (…/v1) for the crews' language-model mind; key from INFINITY_LLM_KEY."
        ),
    ] = None,
    llm_model: Annotated[str, typer.Option(help="Model name sent to --llm-url.")] = "default",
    ledger_writer: Annotated[
        str, typer.Option(help="thread, or process: ledger commits in a child process (faster).")
    ] = "thread",
    max_connections: Annotated[
        int, typer.Option(min=1, help="Open HTTP and WebSocket connections; more are closed.")
    ] = 1000,
    idle_timeout: Annotated[
        int,
        typer.Option(min=1, max=300, help="Seconds a client has for a request head or body."),
    ] = 5,
    max_body: Annotated[
        int, typer.Option(min=1024, max=2**20, help="Bytes of one request body; more is 413.")
    ] = 4096,
    login_rate: Annotated[
        float,
        typer.Option(min=0, help="Register/log-in attempts per second per address (0: no limit)."),
    ] = 1.0,
    login_burst: Annotated[
        int, typer.Option(min=1, help="Register/log-in attempts an address may make at once.")
    ] = 20,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            help="PEM certificate: serve HTTPS and WSS (needs --tls-key; WebXR wants it)."
        ),
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    killswitch_window: Annotated[
        float, typer.Option(min=1, max=3600, help="Seconds a second operator has to confirm.")
    ] = 120.0,
    new_galaxy: Annotated[
        bool, typer.Option(help="After the kill switch: start a new galaxy (from --seed).")
    ] = False,
    role: Annotated[
        str,
        typer.Option(
            help="all: the whole universe in this process (the default); zone-host: simulate "
            "the zones this process owns by lease in a cluster; gateway: hold players' "
            "sockets on --host/--port and relay them to the zone hosts; crew-worker: run the "
            "crews' minds (each needs --nats, --name and a postgresql --db; docs/cluster.md)."
        ),
    ] = "all",
    nats: Annotated[
        str | None,
        typer.Option(help="NATS URL (nats://host:port, JetStream on): cluster roles."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="This process's name, unique in the cluster per role.")
    ] = None,
    lease_ttl: Annotated[
        int,
        typer.Option(min=1, max=600, help="Zone lease lifetime, whole seconds: --role zone-host."),
    ] = 6,
) -> None:
    """Start the universe: zones, gateway, web client at http://HOST:PORT."""
    if role != "all":
        where = (host, port)
        raise typer.Exit(
            _serve_role(
                role,
                db,
                nats,
                name,
                lease_ttl,
                snapshot_seconds,
                log_level,
                where,
                npcs,
                limits=(max_connections, login_rate, login_burst),
            )
        )

    from infinity._memory import keep_large_allocations

    keep_large_allocations()

    from infinity.embedded import Settings, web_app
    from infinity.gateway.app import Gateway, server_config
    from infinity.gateway.limits import Limits

    if db is not None and not db.startswith(("sqlite", "postgresql")):
        raise typer.BadParameter("--db must be a sqlite+aiosqlite or postgresql+asyncpg URL")
    level = log_level.lower()
    if level not in ("debug", "info", "warning", "error"):
        raise typer.BadParameter("--log-level must be debug, info, warning or error")
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if llm_url is not None and not llm_url.startswith(("http://", "https://")):
        raise typer.BadParameter("--llm-url must be an http(s) URL")
    if ledger_writer not in ("thread", "process"):
        raise typer.BadParameter("--ledger-writer must be thread or process")
    if (tls_cert is None) != (tls_key is None):
        raise typer.BadParameter("--tls-cert and --tls-key go together")
    for option, path in (("--tls-cert", tls_cert), ("--tls-key", tls_key)):
        if path is not None and not path.is_file():
            raise typer.BadParameter(f"{option}: no such file: {path}")
    settings = Settings(
        data=data,
        db=db,  # None: a SQLite file in `data`
        seed=seed,
        snapshot_seconds=snapshot_seconds,
        npcs=npcs,
        llm_url=llm_url,
        llm_model=llm_model,
        ledger_writer="process" if ledger_writer == "process" else "thread",
        time_scale=time_scale,
        killswitch_window=killswitch_window,
    )
    from infinity._terminal import errors
    from infinity.audit.log import ANCHOR
    from infinity.operators.killswitch import prepare

    data.mkdir(parents=True, exist_ok=True)
    refusal = asyncio.run(prepare(settings.db_url, data / ANCHOR, new_galaxy, seed))
    if refusal is not None:  # erased by the kill switch: no galaxy until an operator asks
        errors.print(f"[red]{refusal}[/]")
        raise typer.Exit(3)
    limits = Limits(
        max_body=max_body,
        max_connections=max_connections,
        idle_timeout=idle_timeout,
        login_rate=login_rate,
        login_burst=login_burst,
    )
    config = server_config(
        web_app(settings),
        host,
        port,
        level,
        limits,
        tls_cert=None if tls_cert is None else str(tls_cert),
        tls_key=None if tls_key is None else str(tls_key),
    )
    scheme = "https" if tls_cert is not None else "http"
    console.print(f"[bold cyan]Infinity[/] on [link]{scheme}://{host}:{port}[/link]  data: {data}")
    try:
        Gateway(config).run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        console.print("[cyan]Infinity stopped.[/]")


@app.command()
def loadtest(
    clients: Annotated[int, typer.Option(min=1, max=5000, help="Bot clients to connect.")] = 50,
    seconds: Annotated[float, typer.Option(min=1, max=3600, help="How long to fly.")] = 20.0,
    url: Annotated[str, typer.Option(help="Server base URL.")] = "http://127.0.0.1:8000",
    allow_remote: Annotated[
        bool, typer.Option(help="Allow a server that is not on loopback.")
    ] = False,
    fire: Annotated[bool, typer.Option(help="Bots also target and fire.")] = True,
) -> None:
    """Connect pilots that speak the real protocol, steer every 100 ms and fire; print a summary."""
    from urllib.parse import urlparse

    from infinity.loadtest.pilots import Report, run_pilots

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise typer.BadParameter("--url must be http://host:port")
    if not allow_remote and parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise typer.BadParameter("refusing a non-loopback server without --allow-remote")
    report: Report = asyncio.run(run_pilots(url, clients, seconds, fire=fire))
    report.print(console)


def _serve_role(
    role: str,
    db: str | None,
    nats: str | None,
    name: str | None,
    ttl: int,
    snapshots: float,
    level: str,
    where: tuple[str, int],
    npcs: bool,
    limits: tuple[int, float, int],
) -> int:
    """`serve --role zone-host|gateway|crew-worker`: a cluster role (infinity/cluster/
    zonehost.py, gateway.py, crewworker.py)."""
    if role not in ("zone-host", "gateway", "crew-worker"):
        raise typer.BadParameter(
            f"--role {role}: the roles are all, zone-host, gateway and crew-worker"
        )
    if not (db or "").startswith("postgresql") or not nats or not name:
        raise typer.BadParameter(
            f"--role {role} needs --db postgresql+asyncpg://…, --nats and --name"
        )
    common = ["--db", db or "", "--nats", nats, "--name", name, "--log-level", level.lower()]
    if role == "gateway":
        from infinity.cluster.gateway import main as gateway

        connections, rate, burst = limits
        return gateway(
            [*common, "--host", where[0], "--port", str(where[1]), "--max-connections",
             str(connections), "--login-rate", str(rate), "--login-burst", str(burst)]
        )  # fmt: skip
    if role == "crew-worker":
        from infinity.cluster.crewworker import main as crew_worker

        return crew_worker([*common, "--ttl", str(ttl), "--save-seconds", str(snapshots)])
    from infinity.cluster.zonehost import main as zone_host

    quiet = [] if npcs else ["--no-npcs"]
    return zone_host([*common, "--ttl", str(ttl), "--snapshot-seconds", str(snapshots), *quiet])


app.add_typer(crew_app, name="crew")
app.add_typer(cluster_app, name="cluster")
app.add_typer(audit_app, name="audit")
app.add_typer(template_app, name="template")
app.add_typer(mind_app, name="mind")
app.command("killswitch")(killswitch)
app.add_typer(galaxy_app, name="galaxy")


@app.command()
def role(
    name: Annotated[str, typer.Argument(help="The account's name.")],
    role: Annotated[str, typer.Argument(help="player, operator or builder.")],
    data: DataOption = Path("data"),
    db: DbOption = None,
) -> None:
    """Give an account a role (the server need not be stopped)."""
    from infinity.accounts.records import ROLES
    from infinity.accounts.registry import Registry
    from infinity.store.store import Store

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(sorted(ROLES))}")

    async def run() -> bool:
        async with Store.opened(universe_url(data, db)) as store:
            registry = Registry(store.engine)
            account = await registry.account_by_name(name)
            if account is None:
                return False
            await registry.set_role(account.id, role)
            return True

    if not asyncio.run(run()):
        raise typer.BadParameter(f"no account named {name!r}")
    console.print(f"{name} is now [bold]{role}[/]")


ledger_app = typer.Typer(help="Inspect and audit the credit ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


async def _account_name(url: str, account: str) -> str:
    """Accept a ledger account name, or `player:NAME` for a player's wallet."""
    if not account.startswith("player:"):
        return account
    from infinity.accounts.registry import Registry
    from infinity.economy import accounts
    from infinity.store.store import Store

    async with Store.opened(url) as store:
        found = await Registry(store.engine).account_by_name(account.removeprefix("player:"))
    if found is None:
        raise typer.BadParameter(f"no player named {account.removeprefix('player:')!r}")
    return accounts.wallet(0, found.id)


def _with_ledger(url: str) -> Any:
    from infinity.ledger import Ledger

    return Ledger.open(url)


@ledger_app.command("balance")
def ledger_balance(
    account: Annotated[str, typer.Argument(help="Account name, or player:NAME.")],
    data: DataOption = Path("data"),
    db: DbOption = None,
) -> None:
    """Print an account's balance."""
    from infinity.ledger import UnknownAccount

    async def run() -> int:
        url = universe_url(data, db)
        name = await _account_name(url, account)
        ledger = await _with_ledger(url)
        try:
            balance: int = await ledger.balance(name)
            return balance
        except UnknownAccount:
            raise typer.BadParameter(f"no ledger account {name!r}") from None
        finally:
            await ledger.close()

    console.print(f"{account}: [bold]{asyncio.run(run())}[/] cr")


@ledger_app.command("history")
def ledger_history(
    account: Annotated[str, typer.Argument(help="Account name, or player:NAME.")],
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    cursor: Annotated[int | None, typer.Option(min=0, help="From a previous page.")] = None,
    data: DataOption = Path("data"),
    db: DbOption = None,
) -> None:
    """Print an account's transfers, newest first."""
    from rich.table import Table

    from infinity.ledger import UnknownAccount

    async def run() -> tuple[str, list[Any], int | None]:
        url = universe_url(data, db)
        name = await _account_name(url, account)
        ledger = await _with_ledger(url)
        try:
            receipts, after = await ledger.history(name, cursor, limit)
            return name, receipts, after
        except UnknownAccount:
            raise typer.BadParameter(f"no ledger account {name!r}") from None
        finally:
            await ledger.close()

    name, receipts, after = asyncio.run(run())
    table = Table(title=f"history of {name}")
    for column in ("id", "kind", "change", "memo", "actors"):
        table.add_column(column)
    for r in receipts:
        change = sum(p.amount for p in r.postings if p.account == name)
        table.add_row(str(r.transfer_id), str(r.kind), f"{change:+d}", r.memo, str(dict(r.actors)))
    console.print(table)
    if after is not None:
        console.print(f"more: --cursor {after}")


@ledger_app.command("audit")
def ledger_audit(data: DataOption = Path("data"), db: DbOption = None) -> None:
    """Check every invariant of the books; exits 1 if one fails."""

    async def run() -> Any:
        ledger = await _with_ledger(universe_url(data, db))
        try:
            return await ledger.audit()
        finally:
            await ledger.close()

    report = asyncio.run(run())
    console.print(
        f"accounts {report.accounts}  transfers {report.transfers}  postings {report.postings}\n"
        f"minted {report.minted}  burned {report.burned}  circulating {report.circulating}"
    )
    if report.ok:
        console.print("[green]audit passed[/]")
        return
    for problem in report.problems:
        console.print(f"[red]{problem}[/]")
    raise typer.Exit(1)


def main() -> None:
    app()
