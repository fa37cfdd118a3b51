"""One place that builds a small zone for simulation tests (the `check` helper idea)."""

from __future__ import annotations

from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim.kinds import Kind
from infinity.sim.zone import ShipState, StaticBody, TickReport, Zone

STAR, STATION, ROCK, GATE = 1, 2, 3, 4
HOME, OTHER = 1, 2
ME, YOU, THIRD, HUNTER = 1_048_576, 1_048_577, 1_048_578, 1_048_579


def small_zone() -> Zone:
    """A star, a station at (1000, 0), an asteroid at (3000, 0), a gate at (-5000, 0)."""
    return Zone(
        HOME,
        "Testa",
        [
            StaticBody(STAR, Kind.STAR, "Testa", 0.0, 0.0),
            StaticBody(STATION, Kind.STATION, "Testa Station", 1000.0, 0.0),
            StaticBody(ROCK, Kind.ASTEROID, "Rock", 3000.0, 0.0, ore=50.0),
            StaticBody(GATE, Kind.GATE, "Gate to Other", -5000.0, 0.0, leads_to=OTHER, dest_gate=9),
        ],
    )


def close_quarters() -> Zone:
    """A station at (1000, 0), a rock and a gate within reach of it and of a ship that just
    undocked (150 m east): every trade, mine, loot, jump and dock works without flying."""
    return Zone(
        HOME,
        "Testa",
        [
            StaticBody(STAR, Kind.STAR, "Testa", 0.0, 0.0),
            StaticBody(STATION, Kind.STATION, "Testa Station", 1000.0, 0.0),
            StaticBody(ROCK, Kind.ASTEROID, "Rock", 1200.0, 100.0, ore=300.0),
            StaticBody(
                GATE, Kind.GATE, "Gate to Other", 1100.0, -200.0, leads_to=OTHER, dest_gate=9
            ),
        ],
    )


def ship(ship_id: int = ME, x: float = 0.0, y: float = 0.0, **kw: object) -> ShipState:
    return ShipState(ship_id, f"ship{ship_id}", ship_id, STATION, HOME, x, y, **kw)  # type: ignore[arg-type]


def run(zone: Zone, *commands: c.Command, ticks: int = 1) -> list[TickReport]:
    for command in commands:
        zone.submit(command, origin="test")
    return [zone.tick() for _ in range(ticks)]


def events(reports: list[TickReport], kind: type) -> list[ev.Event]:
    return [e for r in reports for e in r.events if isinstance(e, kind)]


def reasons(reports: list[TickReport]) -> list[str]:
    return [str(rej.reason) for r in reports for _, rej in r.rejections]
