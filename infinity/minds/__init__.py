"""Minds that move: one mind as a self-describing document (docs/mind.md), read from the
store and admitted into another.

`document.py` has the format (`MindDocument`), `export` (from a store), `parse` (validated,
hash-checked) and `admit` (into a store, in one transaction); `cli.py` is `infinity mind`.
Nothing imports this package but the composition root, the CLI and the gateway.
"""
