"""The wire layout is written twice, in wire.py and in the browser's wire.js: they must agree."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from infinity.commands.errors import Reason, Rejection
from infinity.commands.notices import Notice, NoticeKind
from infinity.gateway import wire
from infinity.operators.hunting import Marker
from infinity.sim.kinds import Kind

STATIC = Path(wire.__file__).resolve().parents[1] / "web" / "static"


def js_lists(source: str, name: str) -> dict[str, tuple[str, ...]]:
    """`export const NAME = [...]` or `{key: [...], ...}` lists of strings, from ES module text."""
    found = re.search(rf"export const {name} = ([\[{{].*?[\]}}]);", source, re.DOTALL)
    assert found, f"{name} is not in the module"
    body = found.group(1)
    if body.startswith("["):
        return {"": tuple(re.findall(r'"(\w+)"', body))}
    entries = re.findall(r"(\w+): \[(.*?)\]", body, re.DOTALL)
    return {key: tuple(re.findall(r'"(\w+)"', names)) for key, names in entries}


def test_the_browser_indexes_records_as_the_server_writes_them() -> None:
    source = (STATIC / "wire.js").read_text()
    for name, fields in {
        "FRAME_FIELDS": wire.FRAME_FIELDS,
        "CELL_FIELDS": wire.CELL_FIELDS,
        "ENTITY_FIELDS": wire.ENTITY_FIELDS,
        "ME_FIELDS": wire.ME_FIELDS,
        "CHAT_FIELDS": wire.CHAT_FIELDS,
        "MARKER_FIELDS": wire.MARKER_FIELDS,
    }.items():
        assert js_lists(source, name) == {"": fields}, name
    assert js_lists(source, "EVENT_FIELDS") == wire.EVENT_FIELDS
    assert f"export const FRAME_TAG = {wire.Frame.__struct_config__.tag};" in source


def test_the_browser_knows_the_entity_kinds() -> None:
    source = (STATIC / "world.js").read_text()
    found = re.search(r"export const Kind = Object\.freeze\(\{(.*?)\}\);", source, re.DOTALL)
    assert found
    kinds = {name: int(value) for name, value in re.findall(r"(\w+): (\d+)", found.group(1))}
    assert kinds == {k.name: k.value for k in Kind}


def test_a_notice_is_sent_with_its_kind_and_without_unknown_fields() -> None:
    notice = Notice(kind=NoticeKind.SIPHONED, text="siphoned: -8 cr", credits=92, amount=8)
    assert msgspec.msgpack.decode(wire.told(notice)) == {
        "t": "notice",
        "kind": "siphoned",
        "text": "siphoned: -8 cr",
        "credits": 92,
        "amount": 8,
    }


def test_a_refusal_is_told_as_an_error() -> None:
    refusal = Rejection(Reason.NO_CREDITS, "the wallet holds 3 cr", seq=12)
    assert msgspec.msgpack.decode(wire.told(refusal)) == {
        "t": "error",
        "reason": "no_credits",
        "detail": "the wallet holds 3 cr",
        "seq": 12,
    }


def test_markers_are_positional_records_in_a_tagged_message() -> None:
    marker = Marker(share=3, ship=7, name="Corsair", system=2, system_name="Vega", x=1.5, y=-2.0)
    assert msgspec.msgpack.decode(wire.markers([marker])) == {
        "t": "markers",
        "markers": [[3, 7, "Corsair", 2, "Vega", 1.5, -2.0]],
    }
    assert wire.decode(wire.markers([])) == wire.Markers(markers=[])
