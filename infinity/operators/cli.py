"""`infinity killswitch --dry-run`: what the kill switch would erase and what would survive.

Reads the store offline, like `infinity audit verify`; it changes nothing and audits nothing.
The switch itself is pulled on the running server by two operators (the Heart, or
`POST /api/operator/killswitch/arm` then `/confirm`: docs/operators.md).
Mounted with `app.command("killswitch")` in `infinity/cli.py`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from infinity._options import universe_url
from infinity._terminal import console, errors
from infinity.audit.log import ANCHOR
from infinity.operators.killswitch import BURNT, Inventory, erased_at, inventory, prepare
from infinity.store.store import Store

SHOWN = 40  # names per kind in the table (`--json` lists them all)


def killswitch(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what a kill would erase and keep.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The whole inventory as JSON.")] = False,
    data: Annotated[Path, typer.Option(help="Folder holding the database.")] = Path("data"),
    db: Annotated[str | None, typer.Option(help="Database URL instead of --data's SQLite.")] = None,
) -> None:
    """Show what the kill switch would erase (two operators pull it on the running server)."""
    if not dry_run:
        errors.print(
            "[red]only --dry-run here:[/] the kill switch is armed and confirmed by two"
            " operators on the running server (the Heart, or /api/operator/killswitch)"
        )
        raise typer.Exit(2)
    url = universe_url(data, db)

    async def run() -> Inventory:
        async with Store.opened(url) as store:
            return await inventory(store.engine)

    found = asyncio.run(run())
    if as_json:
        print(msgspec.json.encode(found).decode())
        return
    console.print("[bold red]The kill switch would ERASE, for good:[/]")
    for kind, count in found.erase.items():
        names = found.names.get(kind, [])
        listed = ", ".join(names[:SHOWN]) + (
            f", … ({len(names) - SHOWN} more)" if len(names) > SHOWN else ""
        )
        console.print(f"  {kind:<14} {count:>7}  {listed}")
    console.print(
        f"[bold red]and close {len(found.ledger)} ledger accounts[/], burning"
        f" {found.credits} cr to {BURNT}:"
    )
    for name, balance in found.ledger[:SHOWN]:
        console.print(f"  {name:<40} {balance:>12} cr")
    if len(found.ledger) > SHOWN:
        console.print(f"  … {len(found.ledger) - SHOWN} more (--json lists them all)")
    console.print("[bold green]What survives:[/]")
    for kind, count in found.survive.items():
        console.print(f"  {kind:<18} {count:>7}")


galaxy_app = typer.Typer(help="The galaxy of a store.", no_args_is_help=True)


@galaxy_app.command("new")
def new_galaxy(
    seed: Annotated[int, typer.Option(min=0, max=2**31 - 1, help="The new galaxy's seed.")] = 1,
    data: Annotated[Path, typer.Option(help="Folder holding the database.")] = Path("data"),
    db: Annotated[str | None, typer.Option(help="Database URL instead of --data's SQLite.")] = None,
) -> None:
    """After the kill switch: a new galaxy from SEED, which the next `infinity serve` runs
    (audited). Refused where the universe was never erased: there is one already."""
    url = universe_url(data, db)

    async def erased() -> bool:
        async with Store.opened(url) as store:
            return await erased_at(store.engine) is not None

    if not asyncio.run(erased()):
        errors.print("[red]refused:[/] this universe was not erased; it has its galaxy")
        raise typer.Exit(2)
    asyncio.run(prepare(url, data / ANCHOR, True, seed, by="infinity galaxy new"))
    console.print(f"a new galaxy (seed {seed}) begins at the next start of the server")
