"""Subject names and the matching rules, as pure functions."""

from __future__ import annotations

import pytest

from infinity.cluster import subjects
from infinity.gateway import subjects as zone_subjects
from infinity.gateway.bus import check_pattern, check_subject, matches


def test_zone_subjects() -> None:
    assert zone_subjects.zone_commands(0) == "zone.0.commands"
    assert zone_subjects.zone_cell(12, 345) == "zone.12.cell.345"
    assert zone_subjects.zone_cells(12) == "zone.12.cell.*"
    assert subjects.lease_key(7) == "zone.7"
    assert subjects.LEASES_BUCKET == "zone-leases"


def test_every_name_is_a_valid_subject_and_the_wildcard_covers_the_cells() -> None:
    check_subject(zone_subjects.zone_commands(3))
    check_subject(zone_subjects.zone_cell(3, 4))
    check_pattern(zone_subjects.zone_cells(3))
    assert matches(zone_subjects.zone_cells(3), zone_subjects.zone_cell(3, 4))
    assert not matches(zone_subjects.zone_cells(3), zone_subjects.zone_cell(30, 4))
    assert not matches(zone_subjects.zone_cells(3), zone_subjects.zone_commands(3))


@pytest.mark.parametrize("bad", [-1, True, 1.0, "1", None])
def test_ids_are_ints_from_zero(bad: object) -> None:
    with pytest.raises(ValueError):
        zone_subjects.zone_commands(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        zone_subjects.zone_cell(1, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        subjects.lease_key(bad)  # type: ignore[arg-type]


def test_a_lease_key_names_its_zone_and_nothing_else_does() -> None:
    assert subjects.zone_of_lease(subjects.lease_key(42)) == 42
    for bad in ("zone.", "zone.x", "zone.-1", "ship.4", "zone.4.cell", "zone.٣"):
        with pytest.raises(ValueError):
            subjects.zone_of_lease(bad)


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("a.b", "a.b", True),
        ("a.b", "a.c", False),
        ("a.*", "a.b", True),
        ("a.*", "a", False),
        ("a.*", "a.b.c", False),
        ("*.b", "a.b", True),
        ("a.>", "a.b.c", True),
        ("a.>", "a", False),
        (">", "a", True),
        ("a.*.c", "a.b.c", True),
        ("a.*.c", "a.b.d", False),
    ],
)
def test_matching(pattern: str, subject: str, expected: bool) -> None:
    assert matches(pattern, subject) is expected
