"""The worlds' persistence: world rows, members, an instance's galaxy, and voyages.

Every change is one transaction. A voyage (a ship gone to another world) is
written together with the ship's new place, so a process killed at any moment
leaves the ship in exactly one world: the stored row says which.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.accounts.tables import accounts
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.zone import StaticBody
from infinity.store.sql import next_ids
from infinity.universe.charts import Charts, add_systems
from infinity.universe.tables import bodies, ships, systems
from infinity.worlds.records import Visibility, World, WorldKind
from infinity.worlds.tables import (
    BODY_COUNTER,
    SYSTEM_COUNTER,
    WORLD_COUNTER,
    bridge_posts,
    voyages,
    world_members,
    worlds,
)
from infinity.worlds.template import Rules


@dataclass(frozen=True, slots=True)
class Berth:
    """Where a ship is (or will be): its system, place, the station it is docked at (or -1),
    and its home."""

    system: int
    x: float
    y: float
    docked_at: int
    home_station: int
    home_system: int


@dataclass(frozen=True, slots=True)
class Voyage:
    """A ship away in another world, and the berth it comes back to."""

    ship: int
    world: int
    key: str
    origin: Berth


Room = Callable[[int, int], None]
"""Refuse (raise) a new instance, given (the owner's, everyone's) open instances."""

Launch = Callable[[AsyncConnection, Galaxy], Awaitable[int]]
"""Build a new world's flagship in the world's transaction, given its placed galaxy: its id."""


class Atlas:
    def __init__(self, engine: AsyncEngine, charts: Charts) -> None:
        self.engine = engine
        self.charts = charts

    async def load(self) -> list[World]:
        """Every open world, main first, with its members."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(worlds, accounts.c.name.label("owner_name"))
                .outerjoin(accounts, accounts.c.id == worlds.c.owner_id)
                .where(worlds.c.closed_at.is_(None))
                .order_by(worlds.c.id)
            )
            found = [_world(row) for row in rows]
            members = await connection.execute(
                sa.select(world_members.c.world_id, accounts.c.id, accounts.c.name).join(
                    accounts, accounts.c.id == world_members.c.account_id
                )
            )
            listed: dict[int, dict[int, str]] = {}
            for world_id, account, name in members:
                listed.setdefault(world_id, {})[account] = name
            held = await connection.execute(
                sa.select(
                    bridge_posts.c.world_id, bridge_posts.c.post, accounts.c.id, accounts.c.name
                )
                .join(accounts, accounts.c.id == bridge_posts.c.account_id)
                .order_by(bridge_posts.c.post)
            )
            posts: dict[int, list[tuple[str, int, str]]] = {}
            for world_id, post, account, name in held:
                posts.setdefault(world_id, []).append((post, account, name))
        return [
            replace(w, members=_frozen(listed.get(w.id, {})), posts=tuple(posts.get(w.id, ())))
            for w in found
        ]

    async def world(self, world_id: int) -> World | None:
        """One open world, with its members (None: none such, or closed)."""
        return next((w for w in await self.load() if w.id == world_id), None)

    async def census(self) -> dict[int, tuple[int, int]]:
        """Each open world's count of systems and of ships in them."""
        open_world = (systems.c.world_id == worlds.c.id) & worlds.c.closed_at.is_(None)
        in_system = ships.c.system_id == systems.c.id
        async with self.engine.connect() as connection:
            counted = await connection.execute(
                sa.select(systems.c.world_id, sa.func.count(sa.distinct(systems.c.id)),
                          sa.func.count(ships.c.id))
                .join(worlds, open_world)
                .outerjoin(ships, in_system)
                .group_by(systems.c.world_id)
            )  # fmt: skip
            return {world: (count, aboard) for world, count, aboard in counted}

    async def world_of_system(self, system: int) -> int | None:
        async with self.engine.connect() as connection:
            found = await connection.scalar(
                sa.select(systems.c.world_id).where(systems.c.id == system)
            )
        return None if found is None else int(found)

    async def ships_in(self, world: int) -> list[int]:
        """The ships whose rows name a system of `world`."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(ships.c.id)
                .join(systems, systems.c.id == ships.c.system_id)
                .where(systems.c.world_id == world)
                .order_by(ships.c.id)
            )
            return [int(ship) for (ship,) in rows]

    async def home_strays(self, home: Berth) -> list[int]:
        """Ships whose rows name a system no world has (their world was closed while they
        travelled in): each back where its voyage set out from while that system stands,
        else at `home`; their voyages end. One transaction; the ships moved."""
        stored = sa.select(systems.c.id).where(systems.c.id == ships.c.system_id)
        async with self.engine.begin() as connection:
            strays = await connection.execute(
                sa.select(ships.c.id).where(~sa.exists(stored)).with_for_update()
            )
            moved = [int(ship) for (ship,) in strays]
            for ship in moved:
                voyage = await end_voyage(connection, ship)
                origin = None if voyage is None else voyage.origin
                standing = origin is not None and await connection.scalar(
                    sa.select(systems.c.id).where(systems.c.id == origin.system)
                )
                await _berth(connection, ship, origin if origin and standing else home)
        return moved

    async def voyage(self, ship: int) -> Voyage | None:
        async with self.engine.connect() as connection:
            return await voyage_of(connection, ship)

    async def galaxy_of(self, world: World) -> Galaxy:
        galaxy = await self.charts.load_galaxy(world.id, seed=world.seed)
        return galaxy if galaxy is not None else Galaxy(world.seed)

    async def found(
        self,
        *,
        name: str,
        template: str,
        kind: WorldKind,
        visibility: Visibility,
        owner: int,
        owner_name: str,
        seed: int,
        rules: Rules,
        galaxy: Galaxy,
        room: Room | None = None,
        flagship: Launch | None = None,
    ) -> tuple[World, Galaxy]:
        """Store a new world and its galaxy under fresh ids, all or nothing. `room` is
        called once the world counter is taken (which makes one maker wait for another),
        with the open instances the owner and the server have: it raises to refuse, so no
        two makers, in one process or many, pass a limit together. `flagship` builds the
        world's flagship in the same transaction: no world is ever stored without it."""
        now = time.time()
        async with self.engine.begin() as connection:
            world_id = await next_ids(connection, WORLD_COUNTER)
            if room is not None:
                room(*await _instances(connection, owner))
            placed = await _placed(connection, galaxy)
            await connection.execute(
                sa.insert(worlds),
                {
                    "id": world_id, "name": name, "template": template, "kind": kind,
                    "visibility": visibility, "owner_id": owner, "seed": seed,
                    "rules": msgspec.json.encode(rules).decode(), "created_at": now,
                },
            )  # fmt: skip
            await add_systems(connection, world_id, placed.systems)
            ship = None if flagship is None else await flagship(connection, placed)
            if ship is not None:
                await connection.execute(
                    sa.update(worlds).where(worlds.c.id == world_id).values(flagship_id=ship)
                )
        world = World(world_id, name, template, kind, visibility, owner, seed, rules, now)
        return replace(world, owner_name=owner_name, flagship=ship), placed

    async def set_flagship(self, world: int, ship: int) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(worlds).where(worlds.c.id == world).values(flagship_id=ship)
            )

    async def seat(self, world: int, post: str, account: int) -> None:
        """`account` now holds `post` (and no other post of this world)."""
        async with self.engine.begin() as connection:
            mine = bridge_posts.c.world_id == world
            await connection.execute(
                sa.delete(bridge_posts).where(
                    mine & ((bridge_posts.c.post == post) | (bridge_posts.c.account_id == account))
                )
            )
            await connection.execute(
                sa.insert(bridge_posts), {"world_id": world, "post": post, "account_id": account}
            )

    async def unseat(self, world: int, account: int) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.delete(bridge_posts).where(
                    (bridge_posts.c.world_id == world) & (bridge_posts.c.account_id == account)
                )
            )

    async def take_system_id(self) -> int:
        async with self.engine.begin() as connection:
            return await next_ids(connection, SYSTEM_COUNTER)

    async def take_body_ids(self, count: int = 1) -> int:
        """`count` fresh body ids; returns the last."""
        async with self.engine.begin() as connection:
            return await next_ids(connection, BODY_COUNTER, count)

    async def add_member(self, world: int, account: int, most: int | None = None) -> bool:
        """Add a member; False, nothing written, when the world already has `most` others
        (counted with the world's row locked, so invitations at once wait for each other)."""
        mine = world_members.c.world_id == world
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.select(worlds.c.id).where(worlds.c.id == world).with_for_update()
            )
            others = await connection.scalar(
                sa.select(sa.func.count()).where(mine & (world_members.c.account_id != account))
            )
            if most is not None and (others or 0) >= most:
                return False
            await connection.execute(
                sa.delete(world_members).where(mine & (world_members.c.account_id == account))
            )
            await connection.execute(
                sa.insert(world_members),
                {"world_id": world, "account_id": account, "added_at": time.time()},
            )
        return True

    async def remove_member(self, world: int, account: int) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.delete(world_members).where(
                    (world_members.c.world_id == world) & (world_members.c.account_id == account)
                )
            )

    async def set_rules(self, world: int, rules: Rules) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(worlds)
                .where(worlds.c.id == world)
                .values(rules=msgspec.json.encode(rules).decode())
            )

    async def close(self, world: int, flagship: int | None = None) -> None:
        """Mark the world closed and drop its galaxy and its flagship (no other ship may be
        in it any more)."""
        async with self.engine.begin() as connection:
            if flagship is not None:
                await connection.execute(sa.delete(ships).where(ships.c.id == flagship))
            mine = sa.select(systems.c.id).where(systems.c.world_id == world)
            await connection.execute(sa.delete(bodies).where(bodies.c.system_id.in_(mine)))
            await connection.execute(sa.delete(systems).where(systems.c.world_id == world))
            await connection.execute(
                sa.update(worlds).where(worlds.c.id == world).values(closed_at=time.time())
            )

    async def voyages(self) -> dict[int, Voyage]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(sa.select(voyages))
            return {row.ship_id: _voyage(row) for row in rows}

    async def depart(self, voyage: Voyage, arrival: Berth) -> None:
        """Record the voyage and put the ship at its arrival, in one transaction."""
        async with self.engine.begin() as connection:
            await connection.execute(sa.delete(voyages).where(voyages.c.ship_id == voyage.ship))
            await connection.execute(sa.insert(voyages), _voyage_row(voyage))
            await _berth(connection, voyage.ship, arrival)

    async def come_back(self, ship: int, origin: Berth) -> None:
        """End the voyage and put the ship back where it set out from, in one transaction."""
        async with self.engine.begin() as connection:
            await connection.execute(sa.delete(voyages).where(voyages.c.ship_id == ship))
            await _berth(connection, ship, origin)

    async def move(self, ship: int, to: Berth) -> None:
        """Store a ship's new berth in its world (moved out of a system being removed)."""
        async with self.engine.begin() as connection:
            await _berth(connection, ship, to)

    async def forget_voyage(self, ship: int) -> None:
        """A voyage whose ship never left (the process died between the two writes of a
        snapshot race): the ship is home, so the record goes."""
        async with self.engine.begin() as connection:
            await connection.execute(sa.delete(voyages).where(voyages.c.ship_id == ship))


async def _instances(connection: AsyncConnection, owner: int) -> tuple[int, int]:
    """(the owner's, everyone's) open instances."""
    counted = await connection.execute(
        sa.select(sa.func.count().filter(worlds.c.owner_id == owner), sa.func.count()).where(
            (worlds.c.kind == "instance") & worlds.c.closed_at.is_(None)
        )
    )
    owned, total = counted.one()
    return int(owned), int(total)


async def _placed(connection: AsyncConnection, galaxy: Galaxy) -> Galaxy:
    """`galaxy` renumbered into ids no other world uses: systems above the Heart's, bodies
    below its star, both from the store's counters."""
    count = sum(len(s.bodies) for s in galaxy.systems)
    last_system = await next_ids(connection, SYSTEM_COUNTER, len(galaxy.systems))
    last_body = await next_ids(connection, BODY_COUNTER, count)
    return renumber(galaxy, last_system - len(galaxy.systems) + 1, last_body - count + 1)


def renumber(galaxy: Galaxy, first_system: int, first_body: int) -> Galaxy:
    """The same galaxy with systems numbered from `first_system` and bodies from
    `first_body`, in order; gates still lead where they led."""
    system_id = {s.id: first_system + k for k, s in enumerate(galaxy.systems)}
    old_bodies = [b.id for s in galaxy.systems for b in s.bodies]
    body_id = {old: first_body + k for k, old in enumerate(old_bodies)}

    def moved(body: StaticBody) -> StaticBody:
        return replace(
            body,
            id=body_id[body.id],
            leads_to=system_id.get(body.leads_to, body.leads_to),
            dest_gate=body_id.get(body.dest_gate, body.dest_gate),
        )

    built = tuple(
        StarSystem(system_id[s.id], s.name, s.x, s.y, tuple(moved(b) for b in s.bodies))
        for s in galaxy.systems
    )
    return Galaxy(galaxy.seed, built)


async def record_voyage(connection: AsyncConnection, voyage: Voyage) -> Voyage:
    """In the caller's transaction: record `voyage`; a ship already away keeps the origin of
    its first voyage, where it comes back to. The voyage as recorded."""
    row = (
        await connection.execute(sa.select(voyages).where(voyages.c.ship_id == voyage.ship))
    ).first()
    if row is not None:
        voyage = replace(voyage, origin=_voyage(row).origin)
        await connection.execute(sa.delete(voyages).where(voyages.c.ship_id == voyage.ship))
    await connection.execute(sa.insert(voyages), _voyage_row(voyage))
    return voyage


async def end_voyage(connection: AsyncConnection, ship: int) -> Voyage | None:
    """In the caller's transaction: the ship is home; its voyage, if it had one, is gone."""
    row = (await connection.execute(sa.select(voyages).where(voyages.c.ship_id == ship))).first()
    await connection.execute(sa.delete(voyages).where(voyages.c.ship_id == ship))
    return None if row is None else _voyage(row)


async def voyage_of(connection: AsyncConnection, ship: int) -> Voyage | None:
    row = (await connection.execute(sa.select(voyages).where(voyages.c.ship_id == ship))).first()
    return None if row is None else _voyage(row)


async def _berth(connection: AsyncConnection, ship: int, at: Berth) -> None:
    await connection.execute(
        sa.update(ships)
        .where(ships.c.id == ship)
        .values(
            system_id=at.system, x=at.x, y=at.y, vx=0.0, vy=0.0, docked_at=at.docked_at,
            home_station=at.home_station, home_system=at.home_system, updated_at=time.time(),
        )
    )  # fmt: skip


def _voyage_row(voyage: Voyage) -> dict[str, Any]:
    o = voyage.origin
    return {
        "ship_id": voyage.ship, "world_id": voyage.world, "key": voyage.key,
        "from_system": o.system, "x": o.x, "y": o.y, "docked_at": o.docked_at,
        "home_station": o.home_station, "home_system": o.home_system, "at": time.time(),
    }  # fmt: skip


def _voyage(row: sa.Row[Any]) -> Voyage:
    origin = Berth(row.from_system, row.x, row.y, row.docked_at, row.home_station, row.home_system)
    return Voyage(row.ship_id, row.world_id, row.key, origin)


def _world(row: sa.Row[Any]) -> World:
    rules = msgspec.json.decode(row.rules.encode(), type=Rules)
    return World(
        row.id, row.name, row.template, row.kind, row.visibility, row.owner_id, row.seed,
        rules, row.created_at, owner_name=row.owner_name or "", flagship=row.flagship_id,
    )  # fmt: skip


def _frozen(members: dict[int, str]) -> tuple[tuple[int, str], ...]:
    return tuple(sorted(members.items(), key=lambda item: item[1]))
