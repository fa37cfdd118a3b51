"""Commissioning ships: stored first (so the id is durable), then placed in their zone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.zone import ShipState, StaticBody
from infinity.universe.hangar import Hangar
from infinity.universe.universe import Universe

STARTER_SYSTEMS: Final = 3
"""New players start together in the first few systems, not scattered."""


def berth(galaxy: Galaxy, account: int) -> tuple[StarSystem, StaticBody]:
    """Where a new player's ship is built: a starter system by account, its first station."""
    starters = galaxy.systems[:STARTER_SYSTEMS]
    home = starters[account % len(starters)]
    return home, home.stations()[0]


# What else a new ship needs before anyone flies it, e.g. its wallet: (ship, account) -> None.
Christen = Callable[[int, int | None], Awaitable[None]]


class Shipyard:
    """Builds every new ship (players', crews', NPCs') the same way."""

    def __init__(
        self, hangar: Hangar, universe: Universe, christen: Christen | None = None
    ) -> None:
        self.hangar = hangar
        self.universe = universe
        self._christen = christen

    async def commission(
        self, name: str, account: int | None, role: str, home: StarSystem, station: StaticBody
    ) -> int:
        """Build a new ship docked at `station`: stored first, christened, then placed."""
        ship_id = await self.hangar.create_ship(
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
        if self._christen is not None:
            await self._christen(ship_id, account)
        state = ShipState(
            ship_id, name, account, station.id, home.id, station.x, station.y, docked_at=station.id
        )
        self.universe.place(home.id, state, role)
        return ship_id
