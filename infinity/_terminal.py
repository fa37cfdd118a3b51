"""The consoles every CLI prints through.

Soft wrap: a message line is never broken at the terminal's (or a pipe's 80-column) width, so
scripts can grep what the CLI says; tables still fit themselves to the width.
"""

from rich.console import Console

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)
