"""`infinity crew ...`: grow crew members from DNA at the command line.

The lead mounts it with `app.add_typer(crew_app, name="crew")` in `infinity/cli.py`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infinity._terminal import console, refusing
from infinity.crew.genome import InvalidGenome, Persona, normalise, persona

crew_app = typer.Typer(help="Grow and inspect crew members.", no_args_is_help=True)
BAD_INPUT = 2  # the exit code of a usage error


@crew_app.command("new")
def new(
    dna: Annotated[
        str, typer.Option(help="A/C/G/T sequence (>= 64 bases), or a file of it (FASTA accepted).")
    ],
    data: Annotated[Path, typer.Option(help="Folder holding the SQLite file.")] = Path("data"),
    db: Annotated[str | None, typer.Option(help="Database URL instead of --data.")] = None,
) -> None:
    """Grow a crew member from DNA and print who they are; saved to the universe when there is
    one (--data or --db), where they get a ship of their own at the next start."""
    sequence = _read_dna(dna)
    with refusing(InvalidGenome, "invalid DNA:", BAD_INPUT):
        grown = persona(sequence)
    console.print(persona_table(grown))
    url = db if db is not None else _existing(data)
    if url is None:
        console.print(f"[yellow]not saved:[/] no universe in {data} (use --data or --db)")
        return
    agent_id = asyncio.run(_save(url, normalise(sequence), grown))
    console.print(f"[green]saved[/] as agent {agent_id}; aboard a ship of their own next start")


def _read_dna(dna: str) -> str:
    candidate = Path(dna)
    try:
        if len(dna) < 4096 and candidate.is_file():
            return candidate.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass
    return dna


def _existing(data: Path) -> str | None:
    from infinity.store.store import sqlite_url

    return sqlite_url(data) if (data / "infinity.db").exists() else None


async def _save(url: str, genome: str, grown: Persona) -> int:
    from infinity.company.archive import DatabaseArchive
    from infinity.crew.agent import Agent
    from infinity.crew.mind import Minds
    from infinity.store.store import Store

    async with Store.opened(url) as store:
        archive = DatabaseArchive(store.engine)
        (agent_id,) = await archive.allocate_ids(1)
        agent = Agent(agent_id, genome, grown=grown)
        minds = Minds()
        minds.add(agent)
        await archive.flush(minds)
    return agent_id


def persona_table(p: Persona) -> Table:
    """A persona as a rich table: traits, skills and values as bars, looks and voice."""
    table = Table(title=f"[bold]{p.name}[/]", show_header=False, title_style=p.appearance.colour)
    table.add_column(style="cyan")
    table.add_column()
    for heading, group in (("traits", p.traits), ("skills", p.skills), ("values", p.values)):
        table.add_section()
        for field in group.__struct_fields__:
            level = float(getattr(group, field))
            table.add_row(f"{heading}: {field}", f"{_bar(level)} {level:.2f}")
    table.add_section()
    table.add_row("looks", p.appearance.description)
    table.add_row("colour", f"[{p.appearance.colour}]■[/] {p.appearance.colour}")
    table.add_row("voice", f'{p.speech.style}: "{p.speech.greeting}" {p.speech.tic}'.strip())
    return table


def _bar(level: float, width: int = 20) -> str:
    filled = round(level * width)
    return "█" * filled + "·" * (width - filled)
