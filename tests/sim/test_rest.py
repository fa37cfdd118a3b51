"""A zone at rest skips its systems (issue 9: idle zones cost little): that shortcut must
change nothing that the full tick would have changed."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from infinity.commands import types as c
from infinity.sim import rules
from infinity.sim.bodies import COLUMNS, Bodies
from infinity.sim.zone import TickReport, Zone
from tests.sim.scenario import STATION, ship, small_zone


class _Busy(Zone):
    """The same zone, never at rest: every tick runs every system."""

    def _resting(self) -> bool:
        return False


def _full_tick(zone: Zone) -> tuple[Zone, TickReport]:
    twin = copy.deepcopy(zone)
    twin.__class__ = _Busy
    return twin, twin.tick()


def _same_bodies(a: Bodies, b: Bodies) -> None:
    assert a.n == b.n
    for name in COLUMNS:
        np.testing.assert_array_equal(
            getattr(a, name)[: a.n], getattr(b, name)[: b.n], err_msg=name
        )


def _same_report(a: TickReport, b: TickReport) -> None:
    assert (a.tick, a.sim_time, a.events, a.rejections) == (b.tick, b.sim_time, b.events, [])
    assert (a.cell_changes, a.departures) == (b.cell_changes, b.departures)
    assert a.moved.tolist() == b.moved.tolist() and a.status.tolist() == b.status.tolist()


ships = st.lists(
    st.fixed_dictionaries(
        {
            "docked": st.booleans(),
            "shield": st.sampled_from([rules.SHIP_SHIELD, rules.SHIP_SHIELD / 2]),
            "energy": st.sampled_from([rules.SHIP_ENERGY, rules.SHIP_ENERGY - 1]),
            "hull": st.sampled_from([rules.SHIP_HULL, rules.SHIP_HULL / 3]),
            "vx": st.sampled_from([0.0, 0.0, 5.0]),
        }
    ),
    max_size=4,
)


@settings(max_examples=80, deadline=None)
@given(ships, st.integers(0, 3))
def test_a_zone_at_rest_ticks_exactly_as_a_busy_one(
    fleet: list[dict[str, object]], warm: int
) -> None:
    zone = small_zone()
    for i, spec in enumerate(fleet):
        docked = STATION if spec.pop("docked") else -1
        zone.add_ship(ship(1_048_576 + i, x=1000.0, docked_at=docked, **spec))  # type: ignore[arg-type]
    for _ in range(warm):  # let shields and energy recharge, statuses show
        zone.tick()
    twin, expected = _full_tick(zone)
    got = zone.tick()
    _same_bodies(zone.bodies, twin.bodies)
    _same_report(got, expected)


def test_an_empty_zone_and_a_docked_fleet_rest_and_a_command_wakes_them() -> None:
    zone = small_zone()
    zone.add_ship(ship(docked_at=STATION))
    zone.tick()
    assert zone._resting()
    zone.submit(c.Undock(ship=1_048_576), origin="test")
    assert not zone._resting()
    zone.tick()
    assert not zone._resting()  # flying now


def test_a_ship_placed_in_a_resting_zone_wakes_it() -> None:
    zone = small_zone()
    zone.tick()
    assert zone._resting()
    zone.add_ship(ship(x=500.0, vx=3.0))  # loaded in flight
    assert not zone._resting()
    before = zone.bodies.pos[zone.bodies.row_of[1_048_576]].copy()
    zone.tick()
    assert zone.bodies.pos[zone.bodies.row_of[1_048_576]][0] > before[0]  # it moved
