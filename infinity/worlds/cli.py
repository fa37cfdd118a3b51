"""`infinity template check|list`: validate a modder's template, list what a server offers.

Mounted with `app.add_typer(template_app, name="template")` in `infinity/cli.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from infinity._terminal import console, refusing
from infinity.worlds.template import Fixed, Template, TemplateError, catalogue, load

template_app = typer.Typer(help="Check and list world templates.", no_args_is_help=True)
BAD = 2  # the exit status of a template that cannot be used


@template_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="A template file (.toml or .json).")],
) -> None:
    """Validate one template; say what it makes, or the first bad field and exit 2."""
    with refusing(TemplateError, "invalid template", BAD):
        template = load(file)
    console.print(f"{escape(str(file))}: [green]valid[/] — {_summary(template)}")


@template_app.command("list")
def list_templates(
    data: Annotated[Path, typer.Option(help="The server's data folder (its templates/).")] = Path(
        "data"
    ),
) -> None:
    """The shipped templates and those in `<data>/templates`."""
    with refusing(TemplateError, "invalid template", BAD):
        found = catalogue(data / "templates")
    table = Table(title="world templates")
    for column in ("name", "title", "world"):
        table.add_column(column)
    for template in found.values():
        table.add_row(template.name, template.title, _summary(template))
    console.print(table)


def _summary(template: Template) -> str:
    galaxy = template.galaxy
    size = len(galaxy.systems) if isinstance(galaxy, Fixed) else galaxy.systems
    rules = template.rules
    flags = [
        "economy" if rules.economy else "no economy",
        "permadeath" if rules.permadeath else ("respawn" if rules.respawn else "no respawn"),
        f"builders: {rules.builders}",
    ]
    kind = "fixed" if isinstance(galaxy, Fixed) else "generated"
    return f"{size} {kind} systems; " + ", ".join(flags)
