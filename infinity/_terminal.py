"""The consoles every CLI prints through, and how a CLI refuses.

Soft wrap: a message line is never broken at the terminal's (or a pipe's 80-column) width, so
scripts can grep what the CLI says; tables still fit themselves to the width.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


@contextmanager
def refusing(
    kinds: type[Exception] | tuple[type[Exception], ...], label: str, status: int
) -> Iterator[None]:
    """An expected error in the block (bad input, a refused document) becomes one red line,
    `label` then its reason, and the exit `status`: no traceback, every CLI alike."""
    try:
        yield
    except kinds as error:
        errors.print(f"[red]{label}[/] {escape(str(error))}")
        raise typer.Exit(status) from None
