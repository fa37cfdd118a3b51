"""Snapshots write what changed, from the zones' arrays, and lose nothing when a write fails."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from infinity.commands import types as c
from infinity.galaxy.generate import generate
from infinity.sim.zone import ShipState
from infinity.store.store import Store
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import Hangar, Motion
from infinity.universe.snapshots import Snapshots
from infinity.universe.universe import Universe

MOVER, IDLER = 1_048_576, 1_048_577


async def harbour(store: Store) -> tuple[Universe, Snapshots, Hangar]:
    universe = Universe(generate(3))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    hangar = Hangar(store.engine)
    for name in ("Mover", "Idler"):
        ship = await hangar.create_ship(
            name=name, account_id=None, role="miner", system_id=home.id,
            home_station=station.id, home_system=home.id, docked_at=-1, x=station.x + 900.0,
        )  # fmt: skip
        universe.place(
            home.id, ShipState(ship, name, None, station.id, home.id, station.x + 900.0), "miner"
        )
    snapshots = Snapshots(universe, hangar, Charts(store.engine), ChatLog(store.engine))
    return universe, snapshots, hangar


async def positions(hangar: Hangar) -> dict[int, tuple[float, float]]:
    return {s.state.id: (s.state.x, s.state.vx) for s in await hangar.load_ships()}


def fly(universe: Universe, ticks: int) -> None:
    system = universe.galaxy.systems[0].id
    universe.submit(c.Thrust(ship=MOVER, throttle=1.0, turn=0.0))
    for _ in range(ticks):
        universe.tick(system)


async def test_only_changed_ships_are_written_and_what_is_written_is_exact(store: Store) -> None:
    universe, snapshots, hangar = await harbour(store)
    await snapshots.save()
    fly(universe, 10)
    written: list[int] = []
    save_motion = hangar.save_motion

    async def spy(motion: Motion, also: Callable[[AsyncConnection], object] | None = None) -> None:
        written.extend(motion.ids.tolist())
        await save_motion(motion, also)  # type: ignore[arg-type]

    hangar.save_motion = spy  # type: ignore[method-assign]
    await snapshots.save()
    assert written == [MOVER]
    zone = universe.zones[universe.galaxy.systems[0].id]
    state = zone.ship_state(MOVER)
    assert (await positions(hangar))[MOVER] == (state.x, state.vx)
    stored = {s.state.id: s.state for s in await hangar.load_ships()}
    assert stored[MOVER] == state and stored[IDLER] == zone.ship_state(IDLER)


async def test_a_failed_write_is_written_again_at_the_next_snapshot(store: Store) -> None:
    universe, snapshots, hangar = await harbour(store)
    await snapshots.save()
    fly(universe, 10)
    save_motion = hangar.save_motion

    async def outage(motion: Motion, also: object = None) -> None:
        raise OSError("disk gone")

    hangar.save_motion = outage  # type: ignore[method-assign]
    with pytest.raises(OSError):
        await snapshots.save()
    hangar.save_motion = save_motion  # type: ignore[method-assign]
    await snapshots.save()  # nothing moved since the failure, yet the move is written now
    state = universe.zones[universe.galaxy.systems[0].id].ship_state(MOVER)
    assert (await positions(hangar))[MOVER] == (state.x, state.vx)
