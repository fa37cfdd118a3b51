"""`infinity audit verify|tail`: check the chain, read the newest entries (never edit them).

Mounted with `app.add_typer(audit_app, name="audit")` in `infinity/cli.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infinity._options import universe_url
from infinity._terminal import console, errors
from infinity.audit.log import ANCHOR, AuditLog, Entry
from infinity.store.store import Store

audit_app = typer.Typer(help="Verify and read the operators' audit log.", no_args_is_help=True)
BROKEN = 1  # the exit status of a broken chain

DataOption = Annotated[Path, typer.Option(help="Folder holding the database and the anchor.")]
DbOption = Annotated[str | None, typer.Option(help="Database URL instead of --data's SQLite.")]


async def _opened(data: Path, db: str | None) -> tuple[AuditLog, Store]:
    store = await Store.open(universe_url(data, db))
    return AuditLog(store.engine, data / ANCHOR), store


@audit_app.command("verify")
def verify(data: DataOption = Path("data"), db: DbOption = None) -> None:
    """Recompute every entry's hash and compare the head with its anchor; exit 1 on a break."""

    async def run() -> bool:
        log, store = await _opened(data, db)
        try:
            report = await log.verify()
        finally:
            await store.close()
        for problem in report.breaks:
            errors.print(f"[red]broken:[/] {problem}")
        state = "[green]intact[/]" if report.ok else "[red]BROKEN[/]"
        console.print(f"audit log {state}: {report.length} entries, head {report.head[:16]}…")
        return report.ok

    if not asyncio.run(run()):
        raise typer.Exit(BROKEN)


@audit_app.command("tail")
def tail(
    data: DataOption = Path("data"),
    db: DbOption = None,
    count: Annotated[int, typer.Option(min=1, max=10_000, help="How many entries.")] = 20,
    follow: Annotated[bool, typer.Option(help="Keep printing new entries (Ctrl-C stops).")] = False,
) -> None:
    """Print the newest entries; with --follow, then every new one as it is written."""

    async def run() -> None:
        log, store = await _opened(data, db)
        try:
            entries = await log.tail(count)
            console.print(entries_table(entries))
            after = entries[-1].seq if entries else 0
            while follow:
                await asyncio.sleep(1.0)
                fresh = await log.tail(1_000, after=after)
                if fresh:
                    console.print(entries_table(fresh, title=None))
                    after = fresh[-1].seq
        finally:
            await store.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


def entries_table(entries: list[Entry], title: str | None = "audit log") -> Table:
    table = Table(title=title)
    for column in ("seq", "when", "who", "verb", "target", "result", "args"):
        table.add_column(column)
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e.at))
        result = e.result if not e.reason else f"{e.result}: {e.reason}"
        table.add_row(
            str(e.seq), when, f"{e.actor_name} ({e.role})", e.verb, e.target, result, e.args
        )
    return table
