"""`infinity mind export|import`: one mind to a file and back (docs/mind.md).

Mounted with `app.add_typer(mind_app, name="mind")` in `infinity/cli.py`. Both work on the
store offline (a running server's own saves are what export reads; an admitted mind joins
a running server at its next start).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity._options import DataOption, DbOption, universe_url
from infinity._terminal import console, errors, refusing
from infinity.company.consenting import MindRefused
from infinity.minds.document import MAX_BYTES, Refused, UnknownAgent, arrive, export, parse
from infinity.minds.transfer import leave_by_file, retire_by_file, return_by_file
from infinity.store.store import Store

T = TypeVar("T")

mind_app = typer.Typer(
    help="Export a mind to a file, and admit one from a file.", no_args_is_help=True
)
REFUSED = 2  # the exit status of a bad, tampered or refused document, or a missing agent


@mind_app.command("export")
def export_mind(
    agent: Annotated[int, typer.Argument(min=1, help="The agent's id.")],
    data: DataOption = Path("data"),
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the document here (owner-only) instead of stdout.")
    ] = None,
    transfer: Annotated[
        bool,
        typer.Option(
            "--transfer",
            help="Move the mind (with its consent): it leaves this store under a key the "
            "document carries; `infinity mind retire KEY` once it was imported elsewhere. "
            "Only with the server stopped.",
        ),
    ] = False,
) -> None:
    """Write one mind as a JSON mind document (to stdout, or --out FILE)."""
    url = universe_url(data, db)

    async def run() -> bytes:
        async with Store.opened(url) as store:
            if transfer:
                key, document, _ = await leave_by_file(store.engine, agent, f"cli:{_user()}")
                errors.print(f"agent {agent} is in transit under key {key}")
                return document
            return await export(store.engine, agent)

    try:
        document = asyncio.run(run())
    except (UnknownAgent, Refused) as refused:
        errors.print(f"[red]not exported:[/] {refused.args[0]}")
        raise typer.Exit(REFUSED) from None
    except MindRefused as refused:
        errors.print(f"[red]not moved:[/] {refused.detail}")
        raise typer.Exit(REFUSED) from None
    if out is None:
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(document)
    console.print(f"agent {agent} exported to {out} ({len(document)} bytes)")


@mind_app.command("import")
def import_mind(
    file: Annotated[Path, typer.Argument(help="A mind document (- for stdin).", allow_dash=True)],
    data: DataOption = Path("data"),
    db: DbOption = None,
) -> None:
    """Admit a mind from a mind document and print its agent id here (exit 2: refused).

    A bad, tampered or refused document is refused with the reason and changes nothing.
    """
    url = universe_url(data, db)
    document = _read(file)
    with refusing(Refused, "refused:", REFUSED):
        mind = parse(document)

    async def run() -> tuple[int, bool]:
        async with Store.opened(url) as store:
            return await arrive(store.engine, mind)

    with refusing(Refused, "refused:", REFUSED):
        agent, fresh = asyncio.run(run())
    if not fresh:
        errors.print(f"already arrived under this key as agent {agent}; nothing admitted")
    else:
        errors.print(
            f"admitted {mind.identity.name} (agent {mind.identity.id} in the document)"
            f" as agent {agent}"
        )
    if mind.transfer is None:
        console.print(agent)
        return
    # The receipt the operator carries back: `infinity mind retire KEY --as AGENT` there.
    receipt = {"key": mind.transfer.key, "agent": agent, "fresh": fresh}
    sys.stdout.write(json.dumps(receipt) + "\n")


@mind_app.command("retire")
def retire_mind(
    key: Annotated[str, typer.Argument(help="The transfer key (from the import's receipt).")],
    arrived_as: Annotated[
        int | None, typer.Option("--as", help="The mind's agent id where it arrived.")
    ] = None,
    data: DataOption = Path("data"),
    db: DbOption = None,
) -> None:
    """Finish a move through a file: the mind arrived elsewhere (its receipt), so it retires
    here for good. Only with the server stopped."""
    cause = _on_store(
        universe_url(data, db), lambda engine: retire_by_file(engine, key, arrived_as)
    )
    console.print(f"retired: {cause}")


@mind_app.command("return")
def return_mind(
    key: Annotated[str, typer.Argument(help="The transfer key the exported file carries.")],
    never_imported: Annotated[
        bool,
        typer.Option(
            "--never-imported",
            help="You vouch the file was never imported anywhere and is destroyed.",
        ),
    ] = False,
    data: DataOption = Path("data"),
    db: DbOption = None,
) -> None:
    """Call off a move through a file that never arrived: the mind lives here again. Only
    with the server stopped, and only if the file was never imported (else two would live)."""
    if not never_imported:
        errors.print(
            "[red]refused:[/] a returned mind whose file was imported somewhere would be two "
            "live minds; say --never-imported to vouch it was not (and destroy the file)"
        )
        raise typer.Exit(REFUSED)
    name = _on_store(universe_url(data, db), lambda engine: return_by_file(engine, key))
    console.print(f"returned: {name} lives here again (transfer {key} called off)")


def _on_store(url: str, act: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `act` on the store at `url` (opened, then closed); a refusal exits 2 with why."""

    async def run() -> T:
        async with Store.opened(url) as store:
            return await act(store.engine)

    with refusing(Refused, "refused:", REFUSED):
        return asyncio.run(run())


def _user() -> str:
    try:
        return os.getlogin()
    except OSError:
        return str(os.getuid())


def _read(file: Path) -> bytes:
    """The file's bytes, refusing one over the size limit before reading it."""
    try:
        if str(file) == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with file.open("rb") as opened:
                data = opened.read(MAX_BYTES + 1)
    except OSError as bad:
        errors.print(f"[red]refused:[/] cannot read {file}: {bad.strerror}")
        raise typer.Exit(REFUSED) from None
    if len(data) > MAX_BYTES:
        errors.print(f"[red]refused:[/] {file} is larger than {MAX_BYTES} bytes")
        raise typer.Exit(REFUSED)
    return data
