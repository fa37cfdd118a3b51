"""What a hidden ship leaves behind is hidden too (an operator's avatar must not be betrayed)."""

from __future__ import annotations

from infinity.commands.internal import Destroy
from infinity.galaxy.generate import generate
from infinity.sim import events as ev
from infinity.sim import rules
from infinity.sim.zone import ShipState
from infinity.universe.universe import Universe

AVATAR, PILOT = 1_048_576, 1_048_577


def test_the_wreck_of_a_hidden_ship_is_hidden_and_a_visible_ones_is_not() -> None:
    universe = Universe(generate(3))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    for ship, name in ((AVATAR, "Warden"), (PILOT, "Vega")):
        state = ShipState(ship, name, None, station.id, home.id, station.x + 2_000.0, station.y)
        universe.place(home.id, state, "player")
    universe.hidden.add(AVATAR)
    universe.submit(Destroy(ship=AVATAR))
    universe.submit(Destroy(ship=PILOT))
    report = universe.tick(home.id)
    wrecks = {e.ship: e.wreck for e in report.events if isinstance(e, ev.Wrecked)}
    assert set(wrecks) == {AVATAR, PILOT}
    assert wrecks[AVATAR] in universe.hidden and wrecks[PILOT] not in universe.hidden
    for _ in range(int(rules.WRECK_LIFETIME * rules.TICK_HZ) + 2):  # the wreck drifts apart
        universe.tick(home.id)
    assert wrecks[AVATAR] not in universe.zones[home.id].bodies.row_of
    assert universe.hidden == {AVATAR}  # the set does not keep what is gone
