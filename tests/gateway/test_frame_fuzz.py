"""Property tests of the frame decoder: any bytes in, a command or a typed error out."""

from __future__ import annotations

import typing
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from infinity.commands.types import COMMAND_TYPES, Command, Thrust
from infinity.gateway.socket import parse_command

SHIP = 1_048_600
REASONS = {"bad_frame", "unknown_type", "invalid", "too_large", "not_your_ship"}
TAGS = [t.__struct_config__.tag for t in COMMAND_TYPES]

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def check(frame: bytes) -> None:
    """The one place that exercises the decoder: it never raises, and errors are typed."""
    result = parse_command(frame, SHIP)
    if isinstance(result, bytes):
        error: dict[str, Any] = msgspec.msgpack.decode(result)
        assert error["t"] == "error" and error["reason"] in REASONS
        assert isinstance(error["seq"], int)
    else:
        assert result.ship == SHIP


@given(st.binary(max_size=6000))
@settings(max_examples=400)
def test_arbitrary_bytes(frame: bytes) -> None:
    check(frame)


@given(st.dictionaries(st.text(max_size=10), values, max_size=6))
@settings(max_examples=300)
def test_arbitrary_maps(body: dict[str, Any]) -> None:
    check(msgspec.msgpack.encode(body))


@given(
    st.sampled_from(TAGS),
    st.dictionaries(
        st.sampled_from(
            [
                "ship",
                "seq",
                "throttle",
                "turn",
                "x",
                "y",
                "target",
                "station",
                "gate",
                "asteroid",
                "text",
            ]
        ),
        values,
        max_size=5,
    ),
)
@settings(max_examples=400)
def test_known_types_with_arbitrary_fields(tag: str, fields: dict[str, Any]) -> None:
    check(msgspec.msgpack.encode({"t": tag, **fields}))


def test_a_good_command_decodes() -> None:
    frame = msgspec.msgpack.encode({"t": "thrust", "seq": 3, "ship": SHIP, "throttle": 0.5})
    assert parse_command(frame, SHIP) == Thrust(ship=SHIP, seq=3, throttle=0.5)


def test_every_command_type_is_decodable() -> None:
    assert set(typing.get_args(Command)) == set(COMMAND_TYPES)
