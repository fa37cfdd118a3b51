from __future__ import annotations

from dataclasses import replace

from infinity.galaxy.generate import generate
from infinity.galaxy.model import Galaxy
from infinity.sim.kinds import Kind
from infinity.store.store import Store
from infinity.universe.charts import Charts


def asteroid_ids(world: Galaxy) -> list[int]:
    return [b.id for s in world.systems for b in s.bodies if b.kind == Kind.ASTEROID]


async def test_nothing_saved_loads_none(store: Store) -> None:
    assert await Charts(store.engine).load_galaxy() is None


async def test_galaxy_roundtrips_exactly(store: Store) -> None:
    world = generate(42)
    await Charts(store.engine).save_galaxy(world)
    assert await Charts(store.engine).load_galaxy() == world


async def test_saving_again_replaces_the_galaxy(store: Store) -> None:
    await Charts(store.engine).save_galaxy(generate(42))
    smaller = generate(7, systems=3)
    await Charts(store.engine).save_galaxy(smaller)
    assert await Charts(store.engine).load_galaxy() == smaller


async def test_ore_levels_show_on_load(store: Store) -> None:
    world = generate(42)
    await Charts(store.engine).save_galaxy(world)
    mined = dict.fromkeys(asteroid_ids(world)[:5], 1.25)
    await Charts(store.engine).save_ore(mined)
    loaded = await Charts(store.engine).load_galaxy()
    assert loaded is not None
    ore = {b.id: b.ore for s in loaded.systems for b in s.bodies}
    assert all(ore[body_id] == 1.25 for body_id in mined)
    untouched = world.systems[-1].bodies
    assert loaded.systems[-1].bodies[-1] == untouched[-1]


async def test_ore_survives_a_restart(url: str) -> None:
    store = await Store.open(url)
    world = generate(42)
    await Charts(store.engine).save_galaxy(world)
    first = asteroid_ids(world)[0]
    await Charts(store.engine).save_ore({first: 0.0})
    await store.close()
    store = await Store.open(url)
    try:
        loaded = await Charts(store.engine).load_galaxy()
    finally:
        await store.close()
    system = next(s for s in world.systems if any(b.id == first for b in s.bodies))
    expected = tuple(replace(b, ore=0.0) if b.id == first else b for b in system.bodies)
    assert loaded is not None
    assert loaded.system(system.id).bodies == expected
