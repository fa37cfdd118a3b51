"""Bounty targets as the store knows them, for processes that do not run the crews (a
cluster's gateway and zone hosts): a ship by id, a player by account, a crew by id, each
with the ship a kill of it is claimed on and that ship's owner (docs/cluster.md "The
gateway")."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.company.archive import crews
from infinity.economy.bounties import BountyRefused, Target
from infinity.universe.tables import ships


async def stored_target(engine: AsyncEngine, kind: str, target_id: int) -> Target:
    """The target of a bounty on `kind` ("ship", "player", "crew") `target_id`;
    `BountyRefused("unknown_target")` when the store has none."""
    async with engine.connect() as connection:
        if kind == "crew":
            crew = (
                await connection.execute(
                    sa.select(crews.c.name, crews.c.ship_id).where(crews.c.id == target_id)
                )
            ).first()
            found = None if crew is None else (crew.name, crew.ship_id)
        else:
            by = ships.c.id if kind == "ship" else ships.c.account_id
            ship = (
                await connection.execute(sa.select(ships.c.name, ships.c.id).where(by == target_id))
            ).first()
            found = None if ship is None or kind not in ("ship", "player") else (ship.name, ship.id)
        if found is None:
            raise BountyRefused("unknown_target", f"no {kind} {target_id} in the universe")
        name, ship_id = found
        owner = await connection.scalar(sa.select(ships.c.account_id).where(ships.c.id == ship_id))
    return Target(name, ship_id, owner)


async def stored_crews(engine: AsyncEngine) -> dict[int, tuple[str, int]]:
    """Every crew's (name, ship) as last saved: whose ship a bounty on a crew is claimed on."""
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(crews.c.id, crews.c.name, crews.c.ship_id))
        return {row.id: (row.name, row.ship_id) for row in rows}
