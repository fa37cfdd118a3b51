"""The subjects zones, gateways and crews meet under on the bus (`bus.py`), in one
place so no two processes spell a subject differently (docs/cluster.md "Subjects")."""

from __future__ import annotations


def subject_id(name: str, value: int) -> int:
    """An id as it may appear in a subject: an int >= 0 (a bool is no id)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0, not {value!r}")
    return value


def zone_commands(zone: int) -> str:
    """Where gateways, crew workers and operators send commands for one zone."""
    return f"zone.{subject_id('zone', zone)}.commands"


ALL_COMMANDS = "zone.*.commands"
"""Every zone's commands: the embedded server takes them all with one subscription."""


def zone_cell(zone: int, cell: int) -> str:
    """Where a zone publishes one interest cell's encoded deltas, once per tick."""
    return f"zone.{subject_id('zone', zone)}.cell.{subject_id('cell', cell)}"


def zone_cells(zone: int) -> str:
    """Every cell of one zone: a wildcard for a watcher of the whole zone."""
    return f"zone.{subject_id('zone', zone)}.cell.*"


def zone_tick(zone: int) -> str:
    """Where a zone publishes the close of each tick (after its cells): the tick, its
    pilots' own records, chat and refusals (docs/cluster.md "Frames over the bus")."""
    return f"zone.{subject_id('zone', zone)}.tick"


def zone_wants(zone: int) -> str:
    """Where a gateway asks a zone for full records of cells its clients newly see."""
    return f"zone.{subject_id('zone', zone)}.wants"


ALL_WANTS = "zone.*.wants"
"""Every zone's asks for full cells: a zone host subscribes once for all its zones."""


def zone_of_subject(subject: str) -> int:
    """The zone a `zone.<id>.…` subject names; `ValueError` for one that names none."""
    prefix, _, rest = subject.partition(".")
    number = rest.partition(".")[0]
    if prefix != "zone" or not number.isdigit() or not number.isascii():
        raise ValueError(f"not a zone subject: {subject!r}")
    return int(number)


def zone_census(zone: int) -> str:
    """Where a zone publishes its whole state once a simulated second, for crew workers."""
    return f"zone.{subject_id('zone', zone)}.census"


ALL_CENSUSES = "zone.*.census"
"""Every zone's census: a crew worker follows the whole galaxy its crews fly in."""
