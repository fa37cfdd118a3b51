"""Build commands: change a world's galaxy while it runs (issue 12, docs/building.md).

Typed and bounded like every other command, decoded from REST JSON
(`POST /api/worlds/{id}/build`) or planned by the builder in the Heart. A
system or body is named by its id or by its exact name within the world
(`SystemRef`, `BodyRef`), so a plan can refer to a system it founds a step
earlier. The worlds service checks who may build and where, then applies each
at a tick boundary of the zone it changes.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from infinity.commands.types import Coordinate

# Printable: no control characters (C0 or C1), no bidirectional overrides, not blank.
Name = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=40,
        pattern=r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+$",
    ),
]
LightYears = Annotated[float, msgspec.Meta(ge=0.0, le=1000.0)]
SystemRef = Annotated[int, msgspec.Meta(ge=1, lt=2**31)] | Name
BodyRef = Annotated[int, msgspec.Meta(ge=1, lt=2**32)] | Name
Factor = Annotated[float, msgspec.Meta(ge=0.0, le=10.0)]


class _Build(msgspec.Struct, tag_field="op", forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One change to a world's galaxy."""


class _InSystem(_Build, frozen=True, kw_only=True):
    """A change within one system of the world."""

    system: SystemRef


class _OfBody(_InSystem, frozen=True, kw_only=True):
    """A change to one body of a system: a station, a gate or an asteroid."""

    body: BodyRef


class FoundSystem(_Build, tag="found_system", frozen=True, kw_only=True):
    """A new star system (a star and nothing else yet) at (x, y) on the world's map."""

    name: Name
    x: LightYears
    y: LightYears


class RenameSystem(_InSystem, tag="rename_system", frozen=True, kw_only=True):
    """A system's new name, which no other system of the world may bear."""

    name: Name


class MoveSystem(_InSystem, tag="move_system", frozen=True, kw_only=True):
    """Move a system on the galaxy map. Its gates' lanes follow it; inside the system nothing
    moves."""

    x: LightYears
    y: LightYears


class RemoveSystem(_InSystem, tag="remove_system", frozen=True, kw_only=True):
    """Remove a system and the gates that lead to it; ships in it are moved to safety first."""


class _Placed(_InSystem, frozen=True, kw_only=True):
    """A new body of a system, named and placed at (x, y) in the system's own coordinates
    (not the galaxy map's light years)."""

    name: Name
    x: Coordinate
    y: Coordinate


class AddStation(_Placed, tag="add_station", frozen=True, kw_only=True):
    """A station, where pilots dock, trade and refit."""


class AddBelt(_Placed, tag="add_belt", frozen=True, kw_only=True):
    """An asteroid field: `rocks` rocks of `ore` each around (x, y)."""

    rocks: Annotated[int, msgspec.Meta(ge=1, le=40)] = 8
    ore: Annotated[float, msgspec.Meta(gt=0.0, le=100_000.0)] = 400.0


class Link(_InSystem, tag="link", frozen=True, kw_only=True):
    """A pair of gates between two systems of the same world, one in each."""

    to: SystemRef


class RenameBody(_OfBody, tag="rename_body", frozen=True, kw_only=True):
    """A body's new name, shown to the pilots of its system at the next tick."""

    name: Name


class MoveBody(_OfBody, tag="move_body", frozen=True, kw_only=True):
    """Move a body within its system, at the next tick of its zone."""

    x: Coordinate
    y: Coordinate


class RemoveBody(_OfBody, tag="remove_body", frozen=True, kw_only=True):
    """Remove a station, a gate (and its twin on the far side) or an asteroid. Ships docked at
    a removed station are undocked at a safe place and told; none is ever stranded."""


class SetRules(_Build, tag="set_rules", frozen=True, kw_only=True):
    """Change the world's rules; a field left out keeps its value. Only what the world's
    template allows may change (docs/building.md)."""

    damage: Factor | None = None
    mining: Factor | None = None
    max_speed: Annotated[float, msgspec.Meta(gt=0.0, le=3.0)] | None = None
    economy: bool | None = None
    respawn: bool | None = None


BuildCommand = (
    FoundSystem
    | RenameSystem
    | MoveSystem
    | RemoveSystem
    | AddStation
    | AddBelt
    | Link
    | RenameBody
    | MoveBody
    | RemoveBody
    | SetRules
)
MAX_PLAN = 200  # build commands in one request or one plan of the builder
