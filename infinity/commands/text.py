"""Free text from players and agents (chat), cleaned the same way wherever it enters."""

from __future__ import annotations


def printable(text: str) -> str:
    """`text` without what a reader cannot see but a display obeys: control characters,
    bidirectional overrides and isolates (U+202A to 202E, U+2066 to 2069), zero-width and other
    format characters. Line breaks, tabs and other separators become spaces; ends are trimmed.
    """
    if text.isprintable():
        return text.strip()
    return "".join(_visible(ch) for ch in text).strip()


def _visible(ch: str) -> str:
    if ch.isprintable():
        return ch
    return " " if ch.isspace() else ""
