"""Zone host processes over a real nats-server and a real PostgreSQL (docs/cluster.md "The
zone host"): two hosts share the galaxy's zones, relayed commands move ships, a host
killed with SIGKILL is taken over from its last snapshot without losing a ship, and an
orderly stop writes a final snapshot and frees its zones at once.

The store is seeded the way a real one is: `infinity serve --db` runs once on it (the
galaxy, the NPC and crew ships) and stops. The hosts run as `python -m
infinity.cluster.zonehost` processes; the test reads what they did from the store and the
lease bucket only.
"""

from __future__ import annotations

import asyncio
import math
import signal
import time
from collections import Counter

import asyncpg
import pytest

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from infinity.cluster.targets import stored_crews, stored_target
from infinity.cluster.zonehost import HoldingZone, HostUniverse, ZoneHosting
from infinity.commands.types import (
    Buy,
    Command,
    Jump,
    MoveTo,
    Stop,
    Thrust,
    Undock,
)
from infinity.economy import accounts
from infinity.economy.bounties import BountyBoard, post
from infinity.galaxy.generate import generate
from infinity.gateway.relay import CommandRelay
from infinity.ledger import Ledger
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.rules import SHIP_MAX_SPEED
from infinity.sim.zone import ShipState, Zone
from infinity.store.store import Store
from infinity.universe.records import SavedShip
from tests.cluster.processes import (
    SNAPSHOT,
    TTL,
    Start,
    Stored,
    all_held,
    owners,
    ships_in,
    systems_in,
    until,
)
from tests.nats import TestNats
from tests.pg import PgServer, fresh_database


async def send(relay: CommandRelay, *commands: Command) -> None:
    """Send the commands a few times over a second: a zone just gained may open its inbox
    a moment after its lease shows (the commands used here are the same when repeated)."""
    for _ in range(5):
        for command in commands:
            assert await relay.submit(command)
        await asyncio.sleep(0.2)


async def fly(relay: CommandRelay, db: str, ship: int, x: float, y: float, near: float) -> Stored:
    """Relay undock + move-to until the store shows the ship within `near` m of (x, y)
    (resent while waiting: a zone just gained may not have opened its inbox yet)."""
    commands: list[Command] = [Undock(ship=ship), MoveTo(ship=ship, x=x, y=y)]

    async def arrived() -> Stored | None:
        for command in commands:
            assert await relay.submit(command)
        stored = (await ships_in(db))[ship]
        return stored if stored.distance(x, y) <= near else None

    return await until(arrived, 15, f"ship {ship} flown to ({x:.0f}, {y:.0f})")


async def test_two_hosts_share_the_zones_survive_a_kill_and_stop_in_order(
    seeded: str,
    start_host: Start,
    leases: tuple[ZoneLeases, HostRoll],
    nats_server: TestNats,
) -> None:
    zone_leases, roll = leases
    before = await ships_in(seeded)
    zones = await systems_in(seeded)
    assert len(zones) >= 10 and len(before) >= 40  # a real universe, not an empty one

    a, b = start_host("host-a", seeded), start_host("host-b", seeded)

    split = all_held(zone_leases, zones, 2)
    held = await until(split, 20, "every zone held, by both hosts")
    a_zones = {zone for zone, owner in held.items() if owner == "host-a"}

    gateway = await NatsBus.connect(nats_server.url, name="test-gateway", timeout=2)
    try:
        relay = CommandRelay(gateway, {ship.id: ship.system for ship in before.values()})
        # A command relayed to a ship in a zone of A moves it; it stops at the target.
        mover = min((s for s in before.values() if s.system in a_zones), key=lambda s: s.id)
        target = (mover.x + 600.0, mover.y)
        flown = await fly(relay, seeded, mover.id, *target, near=40.0)
        assert flown.distance(mover.x, mover.y) >= 500
        await until(lambda: _still(seeded, mover.id), 5, "the ship stopped at the target")

        # SIGKILL A: B takes every zone from the last snapshots, without losing a ship.
        a.signal(signal.SIGKILL)
        await a.exited(5)
        killed = time.monotonic()
        last = await ships_in(seeded)  # nobody writes A's zones until B loads them
        await until(
            lambda: _all_held_by(zone_leases, zones, "host-b"), TTL + 6, "B holds every zone"
        )
        takeover = time.monotonic() - killed
        assert takeover <= TTL + 4, f"takeover took {takeover:.1f} s"

        of_a = {ship.id for ship in last.values() if ship.system in a_zones}

        async def rewritten_by_b() -> dict[int, Stored] | None:
            now = await ships_in(seeded)
            fresh = all(now[ship].updated > last[ship].updated for ship in of_a)
            return now if fresh else None

        after = await until(rewritten_by_b, 3 * SNAPSHOT + 2, "B snapshots A's ships")
        drift = SHIP_MAX_SPEED * 3 * SNAPSHOT  # at most this far from A's last snapshot
        for ship in of_a:
            assert after[ship].system == last[ship].system
            assert after[ship].distance(last[ship].x, last[ship].y) <= drift, ship
        assert after[mover.id].distance(last[mover.id].x, last[mover.id].y) < 1.0  # it had stopped

        # Commands for A's former zones now reach B.
        again = (target[0], target[1] + 500.0)
        await fly(relay, seeded, mover.id, *again, near=40.0)

        # SIGTERM B: it stops in order, and its leases go at once, not by their TTL.
        b.signal(signal.SIGTERM)
        assert await b.exited(10) == 0, b.tail()
        assert await zone_leases.holders() == []  # released, not left to lapse (TTL 2 s)
        assert await roll.live() == set()
        final = await ships_in(seeded)
    finally:
        await gateway.close()

    # Never a ship lost, none doubled, none moved to another zone: no jump was made.
    assert set(final) == set(before)
    assert Counter(s.system for s in final.values()) == Counter(s.system for s in before.values())
    assert "final snapshot of zones" in b.tail()  # its effect: the next test


async def _still(db: str, ship: int) -> bool:
    """The ship's stored place is the same over more than a snapshot interval."""
    first = (await ships_in(db))[ship]
    await asyncio.sleep(1.5 * SNAPSHOT)
    return (await ships_in(db))[ship].distance(first.x, first.y) == 0.0


async def _all_held_by(zone_leases: ZoneLeases, zones: set[int], owner: str) -> bool:
    held = await owners(zone_leases)
    return set(held) == zones and set(held.values()) == {owner}


async def test_a_zone_given_back_or_left_at_a_stop_is_saved_before_its_lease_goes(
    seeded: str,
    start_host: Start,
    leases: tuple[ZoneLeases, HostRoll],
    nats_server: TestNats,
) -> None:
    """Snapshots a minute apart: only the save of a zone given back to a joining host, and
    the final snapshot of an orderly stop, can put a ship's new place in the store."""
    zone_leases, _ = leases
    zones, before = await systems_in(seeded), await ships_in(seeded)
    a = start_host("host-a", seeded, snapshot=60.0)
    await until(lambda: _all_held_by(zone_leases, zones, "host-a"), 10, "A holds every zone")
    first_back = max(zones)  # a host gives back its highest zone first
    mover = min((s for s in before.values() if s.system == first_back), key=lambda s: s.id)
    gateway = await NatsBus.connect(nats_server.url, name="test-gateway", timeout=2)
    try:
        relay = CommandRelay(gateway, {ship.id: ship.system for ship in before.values()})
        await send(relay, Undock(ship=mover.id), MoveTo(ship=mover.id, x=mover.x + 600, y=mover.y))
        await asyncio.sleep(2.0)  # it flies; A writes nothing yet
        assert (await ships_in(seeded))[mover.id] == before[mover.id]

        b = start_host("host-b", seeded, snapshot=60.0)

        async def given_back() -> bool:
            return (await owners(zone_leases)).get(first_back) == "host-b"

        await until(given_back, 10, "B holds the zone A gave back")
        saved = (await ships_in(seeded))[mover.id]
        assert saved.system == first_back
        assert saved.distance(mover.x, mover.y) >= 100, "the zone went back unsaved"
        assert "saved to be given back" in a.tail()

        # B flies it on; only B's final snapshot at SIGTERM can write where it got to.
        await send(relay, MoveTo(ship=mover.id, x=saved.x, y=saved.y + 600))
        await asyncio.sleep(2.0)
        assert (await ships_in(seeded))[mover.id] == saved
    finally:
        await gateway.close()
    for host in (a, b):
        host.signal(signal.SIGTERM)
    assert [await a.exited(10), await b.exited(10)] == [0, 0], a.tail() + b.tail()
    after = await ships_in(seeded)
    assert after[mover.id].distance(saved.x, saved.y) >= 100, "no final snapshot"
    assert Counter(s.system for s in after.values()) == Counter(s.system for s in before.values())


async def test_a_host_applies_flight_commands_and_settles_trades(
    seeded: str, leases: tuple[ZoneLeases, HostRoll], nats_server: TestNats
) -> None:
    """In one process: a host alone owns every zone, flies a ship on a relayed command, and
    settles a relayed purchase in the ledger (its economy), goods after credits."""
    zones, before = await systems_in(seeded), await ships_in(seeded)
    hosting = await ZoneHosting.open(
        seeded, nats_server.url, "host-solo", TTL, SNAPSHOT, npcs=False
    )
    stopping = asyncio.Event()
    running = asyncio.create_task(hosting.run(stopping))
    gateway = await NatsBus.connect(nats_server.url, name="test-gateway", timeout=2)
    try:

        async def all_owned() -> bool:
            return hosting.owned == zones

        await until(all_owned, 10, "the host owns every zone")
        assert set(hosting.universe.zones) == zones
        assert set(hosting.universe.where) == set(before)  # every ship, each once
        ship, buyer = sorted(before)[:2]
        zone = hosting.universe.zone_of(buyer)
        assert zone is not None
        b, home = zone.bodies, zone.ship_state(buyer).home_station
        row = b.row_of[buyer]  # docked at its home station, with room for what it buys
        b.pos[row], b.vel[row], b.docked_at[row] = b.pos[b.row_of[home]], 0.0, home
        b.fuel[row] = 50.0
        credits = hosting.economy.credits_of_ship(buyer)
        relay = CommandRelay(gateway, {s.id: s.system for s in before.values()})
        for command in [
            Buy(ship=buyer, good="fuel", quantity=10.0), Undock(ship=ship),
            Thrust(ship=ship, throttle=1.0),
        ]:  # fmt: skip
            assert await relay.submit(command)

        async def flying() -> bool:
            zone = hosting.universe.zone_of(ship)
            return zone is not None and math.hypot(*_velocity(zone, ship)) > 10.0

        async def bought() -> bool:
            return zone.ship_state(buyer).fuel == 60.0

        await until(flying, 5, "the ship flies on full throttle")
        await until(bought, 5, "the fuel bought")
        assert hosting.economy.credits_of_ship(buyer) < credits
        assert hosting.refused == 0
    finally:
        await gateway.close()
        stopping.set()
        async with asyncio.timeout(10):
            await running
        await hosting.close()
    assert await leases[0].holders() == []


def _velocity(zone: Zone, ship: int) -> tuple[float, float]:
    state = zone.ship_state(ship)
    return state.vx, state.vy


async def test_a_host_refuses_to_start_on_a_store_with_no_galaxy(
    postgres_server: PgServer, start_host: Start, leases: tuple[ZoneLeases, HostRoll]
) -> None:
    """A zone host never makes a galaxy: something else seeds the store."""
    host = start_host("host-empty", fresh_database(postgres_server))
    assert await host.exited(15) == 2
    assert "no galaxy" in host.tail()
    assert await leases[0].holders() == []


def _ticks(universe: HostUniverse, count: int) -> None:
    for _ in range(count):
        for system in list(universe.zones):
            universe.tick(system)


@pytest.mark.parametrize("destination_owned", [False, True])
def test_a_jump_to_a_zone_of_another_host_keeps_the_ship_in_its_zone(
    destination_owned: bool,
) -> None:
    """Until the handover between hosts exists, a ship leaves only for a zone this host
    owns; any other departure keeps it, stopped, in the zone it was in."""
    galaxy = generate(7)
    here = galaxy.systems[0]
    gate = here.gates()[0]
    elsewhere = next(s.id for s in galaxy.systems if s.id not in (here.id, gate.leads_to))
    owned = {here.id} | ({gate.leads_to} if destination_owned else set())
    universe = HostUniverse(galaxy, owns=owned.__contains__)
    assert universe.zones == {}  # a host's universe starts with no zone
    # Its home is on no host's list here: a plain Universe would send it there and fail.
    ship = ShipState(900, "Tester", None, NO_ENTITY, elsewhere, gate.x + 50.0, gate.y)
    universe.take_zone(here, 0, [SavedShip(here.id, "miner", ship)])
    if destination_owned:
        universe.take_zone(galaxy.system(gate.leads_to), 0, [])
    zone = universe.zones[here.id]
    assert isinstance(zone, HoldingZone)

    universe.submit(Jump(ship=ship.id, gate=gate.id))
    _ticks(universe, 3)

    if destination_owned:
        assert universe.where[ship.id] == gate.leads_to
        assert ship.id in universe.zones[gate.leads_to].ship_ids()
        assert ship.id not in zone.ship_ids()
        assert zone.held == 0
    else:
        assert universe.where[ship.id] == here.id
        assert zone.ship_ids() == [ship.id]
        kept = zone.ship_state(ship.id)
        assert math.hypot(kept.x - ship.x, kept.y - ship.y) < 1.0
        assert (kept.vx, kept.vy) == (0.0, 0.0)
        assert zone.held == 1

    universe.drop_zone(here.id)  # lost: the zone and its ships are forgotten here
    assert here.id not in universe.zones
    if not destination_owned:
        assert ship.id not in universe.where and ship.id not in universe.roles


def test_a_ship_sent_home_to_a_zone_of_another_host_is_kept_docked_here() -> None:
    """A destroyed ship respawns at its home station; when that is in a zone of another
    host, it is kept here instead, docked at a station of this zone."""
    galaxy = generate(7)
    here = galaxy.systems[0]
    away = next(s for s in galaxy.systems[1:] if s.stations())
    universe = HostUniverse(galaxy, owns={here.id}.__contains__)
    ship = ShipState(901, "Tester", None, away.stations()[0].id, away.id, 2000.0, 0.0)
    universe.take_zone(here, 0, [SavedShip(here.id, "miner", ship)])
    zone = universe.zones[here.id]
    zone.bodies.damage[zone.bodies.row_of[ship.id]] = 1e9  # a torpedo too many
    universe.submit(Stop(ship=ship.id))  # wakes the zone at rest
    _ticks(universe, 3)

    assert universe.where[ship.id] == here.id
    kept = zone.ship_state(ship.id)
    assert kept.docked_at in {station.id for station in here.stations()}
    assert kept.home_system == away.id  # still its home, for when the handover exists
    assert zone.held == 1


async def roles_in(db: str) -> dict[int, str]:
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        rows = await connection.fetch("SELECT id, role FROM ships")
    finally:
        await connection.close()
    return {row["id"]: row["role"] for row in rows}


async def test_npc_pilots_fly_the_npc_ships_of_a_host_and_leave_the_crews_alone(
    seeded: str, start_host: Start, leases: tuple[ZoneLeases, HostRoll]
) -> None:
    before, roles = await ships_in(seeded), await roles_in(seeded)
    npcs = {s for s, role in roles.items() if role in ("miner", "patrol", "trader")}
    crews = {s for s, role in roles.items() if role == "crew"}
    assert npcs and crews
    start_host("host-a", seeded, npcs=True)

    async def flying() -> set[int] | None:
        now = await ships_in(seeded)
        moved = {s for s in npcs if s in now and now[s].distance(before[s].x, before[s].y) > 50}
        return moved if len(moved) >= len(npcs) // 3 else None

    await until(flying, 25, "the NPC pilots flying")
    after = await ships_in(seeded)
    assert set(after) == set(before)  # none lost or made: jumps between zones keep them
    for ship in crews:  # no crew worker runs: the crews' ships stay where they were
        assert after[ship].distance(before[ship].x, before[ship].y) < 1.0


async def test_a_bounty_on_a_crew_posted_elsewhere_is_claimed_by_the_zones_host(
    seeded: str, leases: tuple[ZoneLeases, HostRoll], nats_server: TestNats
) -> None:
    """A zone host holds no crews (a crew worker does): it reads their ships from the store,
    so a bounty on a crew posted by another process (a gateway) is paid to whoever
    destroys that crew's ship in one of its zones."""
    hosting = await ZoneHosting.open(
        seeded, nats_server.url, "host-solo", TTL, SNAPSHOT, npcs=False
    )
    stopping = asyncio.Event()
    running = asyncio.create_task(hosting.run(stopping))
    store = await Store.open(seeded)
    ledger = await Ledger.open(seeded, migrate=False)
    try:
        zones = await systems_in(seeded)

        async def all_owned() -> bool:
            return hosting.owned == zones

        await until(all_owned, 10, "the host owns every zone")
        crews = await stored_crews(store.engine)
        crew_id, (_name, crew_ship) = min(crews.items())
        zone = hosting.universe.zone_of(crew_ship)
        assert zone is not None
        hunter = next(s for s, z in hosting.universe.where.items() if z == zone.system_id
                      and s != crew_ship)  # fmt: skip
        board = BountyBoard(store.engine)
        target = await stored_target(store.engine, "crew", crew_id)
        bounty, _ = await post(board, ledger, accounts.LAW_POSTER, "crew", crew_id, target, 50)

        async def known() -> bool:  # the host's look at the books, every 10 sweeps
            return crew_id in hosting.economy.crews

        await until(known, 15, "the crews read from the store")
        b = zone.bodies
        row = b.row_of[crew_ship]
        b.last_hit_by[row], b.damage[row] = hunter, 10_000.0  # the hunter's final blow

        async def paid() -> bool:
            return not await board.open_on("crew", crew_id)

        await until(paid, 10, "the bounty paid")
        (claimed,) = [x for x in await board.bounties("paid") if x.id == bounty.id]
        assert claimed.paid_to == hunter
    finally:
        await ledger.close()
        await store.close()
        stopping.set()
        async with asyncio.timeout(10):
            await running
        await hosting.close()
