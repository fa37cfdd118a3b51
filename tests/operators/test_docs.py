"""docs/operators.md cannot drift from the code: its permission table is regenerated here."""

from __future__ import annotations

from pathlib import Path

from infinity.accounts.permissions import PERMISSIONS, Role
from infinity.gateway import operator_api

DOC = Path(__file__).resolve().parents[2] / "docs" / "operators.md"


def permission_table() -> str:
    """The table as docs/operators.md prints it: one row per role, its verbs sorted."""
    rows = ["| role | verbs |", "| --- | --- |"]
    for role in Role:
        verbs = ", ".join(f"`{verb.value}`" for verb in sorted(PERMISSIONS[role]))
        rows.append(f"| `{role.value}` | {verbs} |")
    return "\n".join(rows)


def test_the_permission_table_in_the_doc_is_the_code_s() -> None:
    assert permission_table() in DOC.read_text(encoding="utf-8"), (
        "docs/operators.md is out of date; its table should read:\n" + permission_table()
    )


def test_every_operator_route_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for e in operator_api.ENDPOINTS:
        assert f"`{e.method} {e.path}" in text, f"{e.method} {e.path} is not in docs/operators.md"
