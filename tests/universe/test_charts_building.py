"""The charts keep what building changes, one change per transaction, and `load_galaxy`
gives it back as the zones have it."""

from __future__ import annotations

from dataclasses import replace

from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody
from infinity.store.store import Store
from infinity.universe.charts import Charts
from infinity.universe.hangar import Hangar

MAIN = 1
DOCK, SPARE, FAR_DOCK = 3, 4, 13
TO_TWO, TO_ONE = 5, 14


def small_galaxy() -> Galaxy:
    """Two systems joined by a pair of gates; the first has two stations."""
    one = StarSystem(
        1,
        "Uno",
        0.0,
        0.0,
        (
            StaticBody(2, Kind.STAR, "Uno", 0.0, 0.0),
            StaticBody(DOCK, Kind.STATION, "Uno Dock", 1000.0, 0.0),
            StaticBody(SPARE, Kind.STATION, "Uno Spare", 1000.0, 8000.0),
            StaticBody(TO_TWO, Kind.GATE, "Gate to Due", -5000.0, 0.0, leads_to=2, dest_gate=14),
            StaticBody(6, Kind.ASTEROID, "Rock", 3000.0, 0.0, ore=50.0),
        ),
    )
    two = StarSystem(
        2,
        "Due",
        4.0,
        3.0,
        (
            StaticBody(12, Kind.STAR, "Due", 0.0, 0.0),
            StaticBody(FAR_DOCK, Kind.STATION, "Due Dock", 500.0, 0.0),
            StaticBody(TO_ONE, Kind.GATE, "Gate to Uno", 5000.0, 0.0, leads_to=1, dest_gate=5),
        ),
    )
    return Galaxy(42, (one, two))


async def charted(store: Store) -> tuple[Charts, Galaxy]:
    charts = Charts(store.engine)
    world = small_galaxy()
    await charts.save_galaxy(world)
    return charts, world


async def loaded(charts: Charts, world_id: int = MAIN, seed: int | None = None) -> Galaxy:
    found = await charts.load_galaxy(world_id, seed)
    assert found is not None
    return found


async def test_a_founded_system_loads_with_its_world(store: Store) -> None:
    charts, world = await charted(store)
    star = StaticBody(30, Kind.STAR, "Tre", 0.0, 0.0)
    founded = StarSystem(3, "Tre", 9.0, 1.5, (star,))
    await charts.add_system(founded, world_id=MAIN)
    assert (await loaded(charts)).systems == (*world.systems, founded)


async def test_a_system_founded_in_another_world_stays_there(store: Store) -> None:
    charts, world = await charted(store)
    founded = StarSystem(300, "Altro", 1.0, 1.0, (StaticBody(301, Kind.STAR, "Altro", 0, 0),))
    await charts.add_system(founded, world_id=2)
    assert (await loaded(charts)).systems == world.systems
    assert (await loaded(charts, 2, seed=7)).systems == (founded,)


async def test_a_system_renamed_and_moved(store: Store) -> None:
    charts, world = await charted(store)
    assert await charts.rename_system(2, "Duetto")
    assert await charts.move_system(2, 6.0, 6.5)
    assert not await charts.rename_system(99, "Nowhere")
    assert not await charts.move_system(99, 0.0, 0.0)
    expected = replace(world.systems[1], name="Duetto", x=6.0, y=6.5)
    assert (await loaded(charts)).systems == (world.systems[0], expected)


async def test_a_removed_system_takes_the_gates_that_lead_to_it(store: Store) -> None:
    charts, world = await charted(store)
    assert await charts.remove_system(2) == [TO_TWO]
    [one] = (await loaded(charts)).systems
    assert one.id == 1
    assert [b.id for b in one.bodies] == [b.id for b in world.systems[0].bodies if b.id != TO_TWO]


async def test_a_built_body_comes_last_in_its_system(store: Store) -> None:
    charts, world = await charted(store)
    built = StaticBody(50, Kind.STATION, "Newport", 2000.0, -700.0)
    await charts.add_body(1, built)
    gate = StaticBody(51, Kind.GATE, "Gate to Due", 0.0, 900.0, leads_to=2, dest_gate=14)
    await charts.add_body(1, gate)
    one = (await loaded(charts)).systems[0]
    assert one.bodies == (*world.systems[0].bodies, built, gate)


async def test_a_body_renamed_and_moved(store: Store) -> None:
    charts, world = await charted(store)
    assert await charts.rename_body(6, "Boulder")
    assert await charts.move_body(6, 3100.0, -50.0)
    assert not await charts.rename_body(999, "Nothing")
    one = (await loaded(charts)).systems[0]
    rock = next(b for b in one.bodies if b.id == 6)
    assert rock == replace(world.systems[0].bodies[4], name="Boulder", x=3100.0, y=-50.0)


async def test_a_removed_rock_or_gate_is_gone(store: Store) -> None:
    charts, _ = await charted(store)
    assert await charts.remove_body(6) is None
    assert await charts.remove_body(TO_TWO) is None
    assert await charts.remove_body(999) is None
    one = (await loaded(charts)).systems[0]
    assert {b.id for b in one.bodies} == {2, DOCK, SPARE}


async def test_a_removed_station_rehomes_and_undocks_stored_ships(store: Store) -> None:
    charts, _ = await charted(store)
    hangar = Hangar(store.engine)
    docked = await hangar.create_ship(
        name="Docked", account_id=None, role="miner", system_id=1,
        home_station=DOCK, home_system=1, docked_at=DOCK,
    )  # fmt: skip
    elsewhere = await hangar.create_ship(
        name="Away", account_id=None, role="trader", system_id=2,
        home_station=DOCK, home_system=1, docked_at=FAR_DOCK,
    )  # fmt: skip
    assert await charts.remove_body(DOCK) == SPARE
    ships = {s.state.id: s.state for s in await hangar.load_ships()}
    assert ships[docked].home_station == SPARE and ships[docked].docked_at == -1
    assert ships[elsewhere].home_station == SPARE and ships[elsewhere].docked_at == FAR_DOCK
    assert await charts.remove_body(SPARE) == -1  # the last station of the system
    ships = {s.state.id: s.state for s in await hangar.load_ships()}
    assert ships[docked].home_station == -1
