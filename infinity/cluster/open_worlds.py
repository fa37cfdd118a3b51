"""Every open world's star systems, as the store holds them: the zones a cluster leases and
its gateways name (docs/cluster.md "Worlds on the cluster").

The zones of a cluster are the systems of every open world: the main world's, and each
instance's and enclave's (`worlds` rows not closed). `OpenWorlds` is a live view of them
that its owner reads again (`read`) once a second: a world made elsewhere joins the next
claim round, and a closed world's zones leave it, so their hosts give them back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.sim.rules import ENGINE_RULES, ZoneRules
from infinity.universe.tables import systems
from infinity.universe.universe import MAIN_WORLD
from infinity.worlds.records import zone_rules
from infinity.worlds.tables import worlds
from infinity.worlds.template import Rules

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OpenWorld:
    """What a host needs to load one world's zone: its galaxy's seed and its rules."""

    id: int
    seed: int
    rules: ZoneRules
    stored_rules: str  # the row's JSON, to see a change without decoding again
    permadeath: bool = False  # a player's ship destroyed here: its account is gone from it

    @property
    def main(self) -> bool:
        return self.id == MAIN_WORLD


class OpenWorlds:
    """The systems of every open world (a `Collection` of system ids), each with its world
    and name, as last read from the store."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._world_of: dict[int, int] = {}  # system -> its world
        self._names: dict[int, str] = {}  # system -> its name
        self._worlds: dict[int, OpenWorld] = {}

    @classmethod
    async def read_from(cls, engine: AsyncEngine) -> OpenWorlds:
        found = cls(engine)
        await found.read()
        return found

    async def read(self) -> list[OpenWorld]:
        """Read every open world again; the worlds (already known) whose rules changed."""
        open_world = worlds.c.closed_at.is_(None)
        async with self._engine.connect() as connection:
            world_rows = await connection.execute(
                sa.select(worlds.c.id, worlds.c.seed, worlds.c.rules).where(open_world)
            )
            system_rows = await connection.execute(
                sa.select(systems.c.id, systems.c.name, systems.c.world_id)
                .join(worlds, worlds.c.id == systems.c.world_id)
                .where(open_world)
            )
        found: dict[int, OpenWorld] = {}
        for row in world_rows:
            try:
                found[row.id] = self._world(row.id, row.seed, row.rules)
            except (msgspec.DecodeError, msgspec.ValidationError) as error:
                log.warning("world %s left out: its stored rules are bad: %s", row.id, error)
        changed = [
            now
            for world, now in found.items()
            if world in self._worlds and self._worlds[world].stored_rules != now.stored_rules
        ]
        self._worlds = found
        self._world_of = {}
        self._names = {}
        for row in system_rows:
            if row.world_id not in found:
                continue
            self._world_of[row.id] = row.world_id
            self._names[row.id] = row.name
        return changed

    def _world(self, world: int, seed: int, stored: str) -> OpenWorld:
        """The world as stored; its rules decoded again only when their JSON changed (the
        main world keeps the engine's, as in one process)."""
        known = self._worlds.get(world)
        if known is not None and known.stored_rules == stored:
            return known
        if world == MAIN_WORLD:
            return OpenWorld(world, seed, ENGINE_RULES, stored)
        rules = msgspec.json.decode(stored.encode(), type=Rules)
        return OpenWorld(world, seed, zone_rules(rules), stored, rules.permadeath)

    def world_of(self, system: int) -> OpenWorld | None:
        """The open world `system` belongs to (None: no open world has it)."""
        world = self._world_of.get(system)
        return None if world is None else self._worlds.get(world)

    def name_of(self, system: int) -> str | None:
        return self._names.get(system)

    def __contains__(self, system: object) -> bool:
        return system in self._world_of

    def __iter__(self) -> Iterator[int]:
        return iter(self._world_of)

    def __len__(self) -> int:
        return len(self._world_of)
