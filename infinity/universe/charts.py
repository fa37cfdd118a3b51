"""The star charts: the stored galaxy, its asteroid ore levels and its zone clocks."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody
from infinity.store.sql import insert_many, record_of, row_of
from infinity.universe.tables import bodies, galaxy, ships, systems
from infinity.universe.universe import MAIN_WORLD

_SAVE_ORE = (
    sa.update(bodies).where(bodies.c.id == sa.bindparam("b_id")).values(ore=sa.bindparam("b_ore"))
)


class Charts:
    """Reads and writes the galaxy; bulk writes are one transaction and one executemany."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def save_galaxy(self, world: Galaxy, world_id: int = MAIN_WORLD) -> None:
        """Replace the stored galaxy of world `world_id` with `world`, all or nothing."""
        async with self.engine.begin() as connection:
            mine = sa.select(systems.c.id).where(systems.c.world_id == world_id)
            await connection.execute(sa.delete(bodies).where(bodies.c.system_id.in_(mine)))
            await connection.execute(sa.delete(systems).where(systems.c.world_id == world_id))
            if world_id == MAIN_WORLD:
                await connection.execute(sa.delete(galaxy).where(galaxy.c.key == "seed"))
                await connection.execute(
                    sa.insert(galaxy), {"key": "seed", "value": str(world.seed)}
                )
            await add_systems(connection, world_id, world.systems)

    async def load_galaxy(
        self, world_id: int = MAIN_WORLD, seed: int | None = None
    ) -> Galaxy | None:
        """World `world_id`'s stored galaxy, with today's ore levels; None before the first
        save. `seed`: an instance's own (the main world's is in the `galaxy` table)."""
        async with self.engine.connect() as connection:
            if seed is None:
                found = await connection.scalar(
                    sa.select(galaxy.c.value).where(galaxy.c.key == "seed")
                )
                if found is None:
                    return None
                seed = int(found)
            mine = systems.c.world_id == world_id
            system_rows = await connection.execute(
                sa.select(systems).where(mine).order_by(systems.c.id)
            )
            body_rows = await connection.execute(
                sa.select(bodies)
                .where(bodies.c.system_id.in_(sa.select(systems.c.id).where(mine)))
                .order_by(bodies.c.system_id, bodies.c.seq)
            )
        grouped: dict[int, list[StaticBody]] = {}
        for row in body_rows:
            body = record_of(StaticBody, row, kind=Kind(row.kind))
            grouped.setdefault(row.system_id, []).append(body)
        built = tuple(
            StarSystem(row.id, row.name, row.x, row.y, tuple(grouped.get(row.id, ())))
            for row in system_rows
        )
        return Galaxy(seed, built)

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

    # -- building (issue 12): one change, one transaction, as the zones apply them ------

    async def add_system(self, system: StarSystem, world_id: int) -> None:
        """Store a system founded in world `world_id`, with whatever bodies it has."""
        async with self.engine.begin() as connection:
            await add_systems(connection, world_id, [system])

    async def rename_system(self, system_id: int, name: str) -> bool:
        """False when no such system is stored."""
        return await self._update(systems, system_id, name=name)

    async def move_system(self, system_id: int, x: float, y: float) -> bool:
        """The system's place on the galaxy map; False when no such system is stored."""
        return await self._update(systems, system_id, x=x, y=y)

    async def remove_system(self, system_id: int) -> list[int]:
        """Remove a system, its bodies, and the gates elsewhere that lead to it (a gate to a
        system that is gone would strand whoever jumped). Returns those gates' ids, for their
        zones to raze them too."""
        async with self.engine.begin() as connection:
            found = await connection.execute(
                sa.select(bodies.c.id).where(
                    (bodies.c.leads_to == system_id) & (bodies.c.system_id != system_id)
                )
            )
            gates = [int(gate) for gate in found.scalars()]
            await connection.execute(
                sa.delete(bodies).where((bodies.c.system_id == system_id) | bodies.c.id.in_(gates))
            )
            await connection.execute(sa.delete(systems).where(systems.c.id == system_id))
        return gates

    async def add_body(self, system_id: int, body: StaticBody) -> None:
        """Store a body built in a system, last in the system's order."""
        async with self.engine.begin() as connection:
            last = await connection.scalar(
                sa.select(sa.func.max(bodies.c.seq)).where(bodies.c.system_id == system_id)
            )
            seq = 0 if last is None else int(last) + 1
            await connection.execute(sa.insert(bodies), _body_row(system_id, seq, body))

    async def rename_body(self, body_id: int, name: str) -> bool:
        """False when no such body is stored."""
        return await self._update(bodies, body_id, name=name)

    async def move_body(self, body_id: int, x: float, y: float) -> bool:
        """The body's place in its system (metres); False when no such body is stored."""
        return await self._update(bodies, body_id, x=x, y=y)

    async def remove_body(self, body_id: int) -> int | None:
        """Remove a body. For a station, stored ships that called it home get the station
        nearest it in its system, ties to the lowest id, as the zone chose
        (`sim.building.raze`), or -1 when there is none; ships stored docked at it are
        stored undocked. Returns that new home for a station, else None (also when no
        such body is stored)."""
        async with self.engine.begin() as connection:
            found = await connection.execute(sa.select(bodies).where(bodies.c.id == body_id))
            razed = found.first()
            if razed is None:
                return None
            await connection.execute(sa.delete(bodies).where(bodies.c.id == body_id))
            if razed.kind != Kind.STATION:
                return None
            home = await _nearest_station(connection, razed)
            await connection.execute(
                sa.update(ships).where(ships.c.home_station == body_id).values(home_station=home)
            )
            await connection.execute(
                sa.update(ships).where(ships.c.docked_at == body_id).values(docked_at=-1)
            )
        return home

    async def _update(self, table: sa.Table, row_id: int, **values: object) -> bool:
        async with self.engine.begin() as connection:
            done = await connection.execute(
                sa.update(table).where(table.c.id == row_id).values(**values)
            )
        return bool(done.rowcount)


async def _nearest_station(connection: AsyncConnection, razed: sa.Row[Any]) -> int:
    """The stored station nearest `razed` in its system, ties to the lowest id; -1 if none."""
    found = await connection.execute(
        sa.select(bodies.c.id, bodies.c.x, bodies.c.y).where(
            (bodies.c.system_id == razed.system_id) & (bodies.c.kind == int(Kind.STATION))
        )
    )
    ranked = sorted((math.hypot(x - razed.x, y - razed.y), int(i)) for i, x, y in found)
    return ranked[0][1] if ranked else -1


async def add_systems(
    connection: AsyncConnection, world_id: int, added: Iterable[StarSystem]
) -> None:
    """Store systems of world `world_id` and their bodies, in the caller's transaction."""
    added = list(added)
    await insert_many(connection, systems, (_system_row(s, world_id) for s in added))
    rows = (_body_row(s.id, seq, body) for s in added for seq, body in enumerate(s.bodies))
    await insert_many(connection, bodies, rows)


def _system_row(system: StarSystem, world_id: int) -> dict[str, Any]:
    return {
        "id": system.id,
        "name": system.name,
        "x": system.x,
        "y": system.y,
        "world_id": world_id,
    }


def _body_row(system_id: int, seq: int, body: StaticBody) -> dict[str, Any]:
    """A body under its system, at its place in the system's order (kept on reload)."""
    return row_of(body, system_id=system_id, seq=seq, kind=int(body.kind))
