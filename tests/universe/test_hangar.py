from __future__ import annotations

from dataclasses import replace

import pytest

from infinity.accounts.registry import Registry
from infinity.sim.zone import ShipState
from infinity.store.store import Store
from infinity.universe.charts import Charts
from infinity.universe.hangar import AlreadyHasShip, Hangar
from infinity.universe.records import SavedShip
from infinity.universe.tables import FIRST_SHIP_ID


async def new_ship(store: Store, name: str, account_id: int | None = None) -> int:
    role = "miner" if account_id is None else "player"
    return await Hangar(store.engine).create_ship(
        name=name,
        account_id=account_id,
        role=role,
        system_id=3,
        home_station=12,
        home_system=3,
        docked_at=12,
    )


async def test_ship_ids_start_above_body_ids_and_count_up(store: Store) -> None:
    ids = [await new_ship(store, f"Drone {n}") for n in range(3)]
    assert ids == [FIRST_SHIP_ID, FIRST_SHIP_ID + 1, FIRST_SHIP_ID + 2]


async def test_new_ship_is_fresh_and_docked(store: Store) -> None:
    ship_id = await Hangar(store.engine).create_ship(
        name="Kestrel",
        account_id=None,
        role="patrol",
        system_id=3,
        home_station=12,
        home_system=3,
        docked_at=-1,
        x=10.0,
        y=-20.0,
        heading=1.5,
    )
    expected = ShipState(ship_id, "Kestrel", None, 12, 3, x=10.0, y=-20.0, heading=1.5)
    assert await Hangar(store.engine).load_ships() == [SavedShip(3, "patrol", expected)]


async def test_saved_states_load_back(store: Store) -> None:
    a, b = await new_ship(store, "Ore Cat"), await new_ship(store, "Hauler")
    moved = ShipState(
        a, "Ore Cat", None, 12, 3, 1.5, 2.5, 3.0, -4.0, 0.7, 40.0, 0.0, 55.5, 80.0, 2, -1
    )
    await Hangar(store.engine).save_ships([(5, moved)])
    ships = {saved.state.id: saved for saved in await Hangar(store.engine).load_ships()}
    assert ships[a] == SavedShip(5, "miner", moved)
    assert ships[b].system_id == 3


async def test_save_keeps_owner_and_role(store: Store) -> None:
    account = await Registry(store.engine).create_account("Orion", "hash", "player")
    ship_id = await new_ship(store, "Orion", account.id)
    saved = await Hangar(store.engine).ship_of_account(account.id)
    assert saved is not None
    await Hangar(store.engine).save_ships([(4, replace(saved.state, account=None, cargo=9.0))])
    after = await Hangar(store.engine).ship_of_account(account.id)
    assert after is not None
    assert (after.state.id, after.role, after.system_id, after.state.cargo) == (
        ship_id,
        "player",
        4,
        9.0,
    )


async def test_one_ship_per_account(store: Store) -> None:
    account = await Registry(store.engine).create_account("Lyra", "hash", "player")
    await new_ship(store, "Lyra I", account.id)
    with pytest.raises(AlreadyHasShip):
        await new_ship(store, "Lyra II", account.id)
    assert [s.state.name for s in await Hangar(store.engine).load_ships()] == ["Lyra I"]


async def test_npcs_have_no_account(store: Store) -> None:
    await new_ship(store, "Drone A")
    await new_ship(store, "Drone B")
    assert [s.state.account for s in await Hangar(store.engine).load_ships()] == [None, None]


async def test_ships_survive_a_restart_and_ids_keep_counting(url: str) -> None:
    store = await Store.open(url)
    first = await new_ship(store, "Nomad")
    await Hangar(store.engine).save_ships([(2, ShipState(first, "Nomad", None, 12, 3, x=99.0))])
    await store.close()
    store = await Store.open(url)
    try:
        (saved,) = await Hangar(store.engine).load_ships()
        second = await new_ship(store, "Wanderer")
    finally:
        await store.close()
    assert (saved.system_id, saved.state.x) == (2, 99.0)
    assert second == first + 1


async def test_saving_nothing_is_fine(store: Store) -> None:
    await Hangar(store.engine).save_ships([])
    await Charts(store.engine).save_ore({})
    assert await Hangar(store.engine).load_ships() == []


async def test_unknown_ship_role_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await Hangar(store.engine).create_ship(
            name="Ghost",
            account_id=None,
            role="pirate",
            system_id=1,
            home_station=2,
            home_system=1,
            docked_at=-1,
        )
