"""The star charts: the stored galaxy, its asteroid ore levels and its zone clocks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody
from infinity.store.sql import insert_many, record_of, row_of
from infinity.universe.tables import bodies, galaxy, systems

_SAVE_ORE = (
    sa.update(bodies).where(bodies.c.id == sa.bindparam("b_id")).values(ore=sa.bindparam("b_ore"))
)


class Charts:
    """Reads and writes the galaxy; bulk writes are one transaction and one executemany."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def save_galaxy(self, world: Galaxy) -> None:
        """Replace the stored galaxy with `world`, all or nothing."""
        async with self.engine.begin() as connection:
            await connection.execute(sa.delete(bodies))
            await connection.execute(sa.delete(systems))
            await connection.execute(sa.delete(galaxy).where(galaxy.c.key == "seed"))
            await connection.execute(sa.insert(galaxy), {"key": "seed", "value": str(world.seed)})
            await insert_many(connection, systems, map(_system_row, world.systems))
            body_rows = (
                _body_row(system.id, seq, body)
                for system in world.systems
                for seq, body in enumerate(system.bodies)
            )
            await insert_many(connection, bodies, body_rows)

    async def load_galaxy(self) -> Galaxy | None:
        """The stored galaxy, with today's ore levels; None before the first save."""
        async with self.engine.connect() as connection:
            seed = await connection.scalar(sa.select(galaxy.c.value).where(galaxy.c.key == "seed"))
            if seed is None:
                return None
            system_rows = await connection.execute(sa.select(systems).order_by(systems.c.id))
            body_rows = await connection.execute(
                sa.select(bodies).order_by(bodies.c.system_id, bodies.c.seq)
            )
        grouped: dict[int, list[StaticBody]] = {}
        for row in body_rows:
            body = record_of(StaticBody, row, kind=Kind(row.kind))
            grouped.setdefault(row.system_id, []).append(body)
        built = tuple(
            StarSystem(row.id, row.name, row.x, row.y, tuple(grouped.get(row.id, ())))
            for row in system_rows
        )
        return Galaxy(int(seed), built)

    async def save_ore(self, levels: dict[int, float]) -> None:
        """Write asteroid ore levels (body id -> ore) in one executemany."""
        if not levels:
            return
        params = [{"b_id": body_id, "b_ore": ore} for body_id, ore in levels.items()]
        async with self.engine.begin() as connection:
            await connection.execute(_SAVE_ORE, params)

    async def save_clocks(self, ticks: dict[int, int]) -> None:
        """Each zone's tick count (system id -> ticks); its simulated time is ticks x the step."""
        rows = [{"key": f"clock:{system}", "value": str(tick)} for system, tick in ticks.items()]
        if not rows:
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.delete(galaxy).where(galaxy.c.key.in_([r["key"] for r in rows]))
            )
            await connection.execute(sa.insert(galaxy), rows)

    async def load_clocks(self) -> dict[int, int]:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                sa.select(galaxy.c.key, galaxy.c.value).where(galaxy.c.key.like("clock:%"))
            )
            return {int(key.removeprefix("clock:")): int(value) for key, value in found}


def _system_row(system: StarSystem) -> dict[str, Any]:
    return {"id": system.id, "name": system.name, "x": system.x, "y": system.y}


def _body_row(system_id: int, seq: int, body: StaticBody) -> dict[str, Any]:
    """A body under its system, at its place in the system's order (kept on reload)."""
    return row_of(body, system_id=system_id, seq=seq, kind=int(body.kind))
