"""Every world's zones on the cluster (docs/cluster.md "Worlds on the cluster"): zone hosts
lease the systems of every open world, not only the main world's; each zone runs under its
world's rules, follows a change of them, and goes back when its world is closed; a player
whose ship is in an instance is welcomed there through a gateway and gets its frames.

Worlds are made here the way the worlds' service makes them (`Atlas.found`, one
transaction), and a ship is put in one as a committed travel leaves it (its row names a
system of that world): what the hosts and gateways do with them is what is tested.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest

from infinity.accounts.service import Accounts
from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.open_worlds import OpenWorlds
from infinity.cluster.zonehost import ZoneHosting
from infinity.galaxy.model import Galaxy
from infinity.sim.rules import ENGINE_RULES
from infinity.store.store import Store
from infinity.universe.charts import Charts
from infinity.worlds.atlas import Atlas
from infinity.worlds.records import World, zone_rules
from infinity.worlds.service import ENCLAVE
from infinity.worlds.template import Template, shipped
from tests.cluster.processes import (
    SNAPSHOT,
    TTL,
    Player,
    Start,
    StartGateway,
    all_held,
    owners,
    sign_up,
    systems_in,
    until,
)
from tests.nats import TestNats

pytestmark = pytest.mark.slow


@pytest.fixture
async def atlas(seeded: str) -> AsyncIterator[Atlas]:
    store = await Store.open(seeded)
    try:
        yield Atlas(store.engine, Charts(store.engine))
    finally:
        await store.engine.dispose()


async def found(atlas: Atlas, template: Template, name: str) -> tuple[World, Galaxy]:
    """A world made as the worlds' service makes it, owned by an account of its own."""
    store = Store(atlas.engine)
    owner = (await Accounts(store).register(f"{name}-owner", "correct horse battery")).account
    return await atlas.found(
        name=name, template=template.name, kind="instance", visibility="invite",
        owner=owner.id, owner_name=owner.name, seed=11, rules=template.rules,
        galaxy=template.galaxy_for(11),
    )  # fmt: skip


async def berth_in(db: str, ship: int, galaxy: Galaxy) -> int:
    """Dock `ship` at the first station of `galaxy`, as a committed travel leaves its row;
    that station's system."""
    system = next(s for s in galaxy.systems if s.stations())
    station = system.stations()[0]
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        await connection.execute(
            "UPDATE ships SET system_id = $1, docked_at = $2, x = $3, y = $4, vx = 0, vy = 0"
            " WHERE id = $5",
            system.id, station.id, station.x, station.y, ship,
        )  # fmt: skip
    finally:
        await connection.close()
    return system.id


def _systems(galaxy: Galaxy) -> set[int]:
    return {system.id for system in galaxy.systems}


async def test_a_host_leases_every_open_world_under_its_rules_and_gives_back_a_closed_one(
    seeded: str, atlas: Atlas, leases: tuple[ZoneLeases, HostRoll], nats_server: TestNats
) -> None:
    main = await systems_in(seeded)
    fleet, fleet_galaxy = await found(atlas, shipped()["space-fleet"], "Patrol")
    enclave, enclave_galaxy = await found(atlas, ENCLAVE, "Quiet")
    traveller = await _npc_ship(seeded)
    arrived_at = await berth_in(seeded, traveller, fleet_galaxy)
    every = main | _systems(fleet_galaxy) | _systems(enclave_galaxy)
    assert len(every) == len(main) + 5  # four fleet systems and the enclave
    charted = await OpenWorlds.read_from(atlas.engine)
    assert set(charted) == every and charted.name_of(arrived_at) == "Starbase Ares"
    world = charted.world_of(arrived_at)
    assert world is not None and world.id == fleet.id and world.rules == zone_rules(fleet.rules)

    hosting = await ZoneHosting.open(seeded, nats_server.url, "host-solo", TTL, SNAPSHOT, False)
    stopping = asyncio.Event()
    running = asyncio.create_task(hosting.run(stopping))
    try:

        async def all_owned() -> bool:
            return hosting.owned == every

        await until(all_owned, 20, "the host owns every open world's zones")
        universe = hosting.universe
        assert universe.where[traveller] == arrived_at  # loaded where its row names
        assert universe.world_of[arrived_at] == fleet.id
        assert {universe.zones[s].rules for s in main} == {ENGINE_RULES}
        assert {universe.zones[s].rules for s in _systems(fleet_galaxy)} == {
            zone_rules(fleet.rules)
        }
        (quiet,) = _systems(enclave_galaxy)
        assert universe.zones[quiet].rules.damage == 0.0 == zone_rules(enclave.rules).damage

        # The owner speeds the fleet world up: its zones follow within a sweep.
        faster = msgspec.structs.replace(fleet.rules, max_speed=2.0)
        await atlas.set_rules(fleet.id, faster)

        async def sped_up() -> bool:
            return universe.zones[arrived_at].rules == zone_rules(faster)

        await until(sped_up, 5, "the fleet's zones run under the new rules")

        # The enclave is closed: its zone is given back, and its map forgotten here.
        await atlas.close(enclave.id)

        async def closed() -> bool:
            held = await owners(leases[0])
            return quiet not in hosting.owned and quiet not in held

        await until(closed, 10, "the closed world's zone given back")
        assert enclave.id not in universe.galaxies and quiet not in universe.zones
        assert hosting.owned == every - {quiet}
        assert universe.where[traveller] == arrived_at
    finally:
        stopping.set()
        async with asyncio.timeout(10):
            await running
        await hosting.close()
    assert await leases[0].holders() == []


async def test_two_hosts_share_every_world_and_a_player_in_an_instance_flies_there(
    seeded: str,
    atlas: Atlas,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
) -> None:
    """Through a gateway process, with two zone host processes: the instance's zones are
    shared out with the main world's, and its player is welcomed and framed there."""
    gateway = start_gateway("gw-a", seeded)
    await gateway.ready()
    _world, galaxy = await found(atlas, shipped()["space-fleet"], "Frontier")
    token, ship, _home = await sign_up(gateway.url, "voyager")
    arrived_at = await berth_in(seeded, ship, galaxy)  # no host has loaded it yet
    every = await systems_in(seeded) | _systems(galaxy)
    for name in ("host-a", "host-b"):
        start_host(name, seeded)
    await until(all_held(leases[0], every, 2), 30, "every world's zones held by both hosts")

    player = Player("voyager", token, ship)
    welcome = await player.connect(gateway.url)
    try:
        assert welcome["system"] == {"id": arrived_at, "name": "Starbase Ares"}

        async def framed() -> bool:
            return player.frames > 3 and ship in player.seen

        await until(framed, 20, f"frames of the instance's zone\n{gateway.tail()}")
        seq = await player.send("undock")

        async def acked() -> bool:
            return player.ack >= seq

        await until(acked, 10, "the undock applied by the instance zone's host")
        assert player.system == arrived_at and player.closed is None
    finally:
        await player.close()


async def _npc_ship(db: str) -> int:
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        found = await connection.fetchval(
            "SELECT min(id) FROM ships WHERE account_id IS NULL AND role = 'miner'"
        )
    finally:
        await connection.close()
    assert found is not None
    return int(found)
