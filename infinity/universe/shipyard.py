"""Commissioning ships: stored first (so the id is durable), then placed in their zone."""

from __future__ import annotations

from infinity.galaxy.model import StarSystem
from infinity.sim.zone import ShipState, StaticBody
from infinity.store.store import Store
from infinity.universe.universe import Universe


async def commission(
    store: Store,
    universe: Universe,
    name: str,
    account: int | None,
    role: str,
    home: StarSystem,
    station: StaticBody,
) -> int:
    """Build a new ship docked at `station`: stored first, then placed in its zone."""
    ship_id = await store.create_ship(
        name=name,
        account_id=account,
        role=role,
        system_id=home.id,
        home_station=station.id,
        home_system=home.id,
        docked_at=station.id,
        x=station.x,
        y=station.y,
    )
    state = ShipState(
        ship_id, name, account, station.id, home.id, station.x, station.y, docked_at=station.id
    )
    universe.place(home.id, state, role)
    return ship_id
