"""The handover of ships between zone hosts at gate jumps (docs/cluster.md "Handover
between hosts"), over a real nats-server and a real PostgreSQL.

In one process: the arrival place matches what a zone does, and the store's commit is
idempotent by key and fenced by the zone's epoch. As real processes: two zone hosts, a
ship parked at a gate between a zone of each jumps; with `INFINITY_FAULT=handover:<point>`
the host reaching that point dies by SIGKILL, the other takes its zones, a third host
joins; every ship is in exactly one zone of exactly one host afterwards (each host says
which ships it has, on `cluster.host.<name>.ships`), and a retried handover does nothing.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from infinity.cluster import handover
from infinity.cluster.handover import Fenced, Nudge, arrival, host_ships, zone_arrivals
from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from infinity.cluster.zonehost import HoldingZone, HostUniverse
from infinity.commands.types import Jump
from infinity.galaxy.generate import generate
from infinity.gateway.relay import CommandRelay
from infinity.sim import kinds
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.zone import Departure, ShipState, Zone
from infinity.universe.records import SavedShip
from tests.cluster.processes import (
    SNAPSHOT,
    HostProcess,
    census,
    counted,
    owners,
    ships_in,
    systems_in,
    until,
    zone_of,
)
from tests.nats import TestNats

# -- in one process --------------------------------------------------------------------


def test_a_ship_arrives_where_the_zone_would_put_it() -> None:
    galaxy = generate(7)
    here = galaxy.systems[0]
    gate = here.gates()[0]
    there = galaxy.system(gate.leads_to)
    ship = ShipState(900, "Tester", None, NO_ENTITY, here.id, gate.x + 50.0, gate.y, vx=30.0)
    zone = Zone(there.id, there.name, there.bodies)
    zone.admit(ship, gate.dest_gate)
    zone.tick()
    placed, computed = zone.ship_state(ship.id), arrival(there, ship, gate.dest_gate)
    assert math.hypot(placed.x - computed.x, placed.y - computed.y) < 1e-6
    assert (computed.vx, computed.vy, computed.docked_at) == (0.0, 0.0, NO_ENTITY)
    assert computed.heading == pytest.approx(placed.heading)
    assert math.hypot(computed.x - ship.x, computed.y - ship.y) > 1000  # really moved

    station = there.stations()[0] if there.stations() else None
    if station is not None:  # a ship sent home arrives docked at its station
        home = replace(ship, docked_at=station.id)
        assert (arrival(there, home, NO_ENTITY).x, arrival(there, home, NO_ENTITY).y) == (
            station.x,
            station.y,
        )


@pytest.mark.parametrize("taken", [True, False])
def test_a_departure_to_another_host_is_handed_over_or_kept(taken: bool) -> None:
    """Taken by the handover, the ship leaves its zone's arrays but keeps its place in
    `where` (the zone it leaves has authority until the commit); not taken, it is kept."""
    galaxy = generate(7)
    here = galaxy.systems[0]
    gate = here.gates()[0]
    taken_over: list[Departure] = []

    def hand_over(departure: Departure) -> bool:
        if taken:
            taken_over.append(departure)
        return taken

    universe = HostUniverse(galaxy, owns={here.id}.__contains__, hand_over=hand_over)
    ship = ShipState(900, "Tester", None, NO_ENTITY, here.id, gate.x + 50.0, gate.y)
    universe.take_zone(here, 0, [SavedShip(here.id, "miner", ship)])
    zone = universe.zones[here.id]
    assert isinstance(zone, HoldingZone)
    universe.submit(Jump(ship=ship.id, gate=gate.id))
    for _ in range(3):
        universe.tick(here.id)
    assert universe.where[ship.id] == here.id
    if taken:
        assert [(d.state.id, d.to_system, d.arrival_gate) for d in taken_over] == [
            (ship.id, gate.leads_to, gate.dest_gate)
        ]
        assert zone.ship_ids() == [] and zone.held == 0
        universe.forget(ship.id)  # committed elsewhere
        assert ship.id not in universe.where and ship.id not in universe.roles
    else:
        assert zone.ship_ids() == [ship.id] and zone.held == 1


def test_a_nudge_is_read_back_and_junk_is_refused() -> None:
    nudge = Nudge("k" * 32, 12, 3)
    assert Nudge.decode(nudge.encode()) == nudge
    for junk in (b"", b"\xff", b"{}", b'{"key": "", "ship": 1, "zone": 2}', b"[1]"):
        with pytest.raises(ValueError):
            Nudge.decode(junk)
    assert (
        zone_arrivals(4) == "zone.4.arrivals"
        and host_ships("host-a") == "cluster.host.host-a.ships"
    )
    with pytest.raises(ValueError):
        zone_arrivals(-1)


async def test_a_commit_is_idempotent_by_key_and_fenced_by_the_epoch(seeded: str) -> None:
    engine = create_async_engine(seeded)
    try:
        before = await ships_in(seeded)
        ship = min(before.values(), key=lambda s: s.id)
        source, to = ship.system, next(s.system for s in before.values() if s.system != ship.system)
        state = ShipState(ship.id, "x", None, NO_ENTITY, source, 1234.0, 567.0)
        await handover.claim_zone(engine, source, "host-t", "epoch-1")
        key = uuid.uuid4().hex

        assert await handover.commit(engine, key, "host-t", {source: "epoch-1"}, to, state)
        moved = (await ships_in(seeded))[ship.id]
        assert (moved.system, moved.x, moved.y) == (to, 1234.0, 567.0)

        # The same key again, even fenced right and from the ship's new zone: nothing.
        await handover.claim_zone(engine, to, "host-t", "epoch-2")
        again = replace(state, x=1.0, y=2.0)
        assert not await handover.commit(engine, key, "host-t", {to: "epoch-2"}, source, again)
        assert (await ships_in(seeded))[ship.id] == moved
        # A row that names no zone of this host: nothing.
        assert not await handover.commit(
            engine, uuid.uuid4().hex, "host-t", {source: "epoch-1"}, source, again
        )
        # Its zone gained by another host since (a new epoch): fenced, nothing.
        await handover.claim_zone(engine, to, "host-u", "epoch-3")
        with pytest.raises(Fenced):
            await handover.commit(
                engine, uuid.uuid4().hex, "host-t", {to: "epoch-2"}, source, again
            )
        assert (await ships_in(seeded))[ship.id] == moved

        assert not await handover.is_done(engine, key)
        await handover.mark_done(engine, [ship.id], to)
        assert await handover.is_done(engine, key)
        assert {s for s, row in (await ships_in(seeded)).items() if row != before[s]} == {ship.id}
    finally:
        await engine.dispose()


# -- real zone host processes ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gate:
    id: int
    system: int
    x: float
    y: float
    leads_to: int


@pytest.fixture
def hosts(nats_server: TestNats, tmp_path: Path) -> Iterator[list[HostProcess]]:
    started: list[HostProcess] = []
    yield started
    for host in started:
        host.end()


async def gates_in(db: str) -> list[Gate]:
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        rows = await connection.fetch(
            "SELECT b.id, b.system_id, b.x, b.y, b.leads_to FROM bodies b"
            " JOIN systems s ON s.id = b.system_id WHERE s.world_id = 1 AND b.kind = $1"
            " ORDER BY b.id",
            int(kinds.Kind.GATE),
        )
    finally:
        await connection.close()
    return [Gate(r["id"], r["system_id"], r["x"], r["y"], r["leads_to"]) for r in rows]


async def park_at_gates(db: str, gates: list[Gate]) -> dict[int, int]:
    """Put one ship (undocked, stopped, fuelled) 100 m from each gate, as far as the ships
    go; gate -> ship. Done in the store before any host starts."""
    ships = sorted(await ships_in(db))
    parked: dict[int, int] = {}
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        for gate, ship in zip(gates, ships, strict=False):
            await connection.execute(
                "UPDATE ships SET system_id = $1, x = $2, y = $3, vx = 0, vy = 0,"
                " docked_at = $4, fuel = 100 WHERE id = $5",
                gate.system, gate.x + 100.0, gate.y, NO_ENTITY, ship,
            )  # fmt: skip
            parked[gate.id] = ship
    finally:
        await connection.close()
    return parked


async def handover_rows(db: str, ship: int) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        return list(await connection.fetch("SELECT * FROM cluster_handovers WHERE ship = $1", ship))
    finally:
        await connection.close()


async def exactly_once(
    bus: NatsBus,
    hosts: list[HostProcess],
    db: str,
    zones: set[int],
    ship: int | None = None,
    where: int | None = None,
) -> dict[str, dict[int, list[int]]]:
    """Settled: the live hosts hold every zone between them, every ship of the store is in
    exactly one zone of one host, `ship` in `where`, and the store agrees; checked again
    over two snapshot intervals, so a late second copy would show."""
    every = set(await ships_in(db))

    async def settled() -> dict[str, dict[int, list[int]]] | None:
        found = await census(bus, hosts)
        if found is None or {z for zs in found.values() for z in zs} != zones:
            return None
        return found if set(counted(found)) == every else None

    await until(settled, 20, "every zone held and every ship placed")
    for _ in range(5):
        found = await census(bus, hosts)
        assert found is not None
        count = counted(found)
        assert set(count) == every, f"lost: {every - set(count)}"
        assert max(count.values()) == 1, f"doubled: {[s for s, n in count.items() if n > 1]}"
        if ship is not None:
            assert zone_of(found, ship) == where
        await asyncio.sleep(0.5)
    await asyncio.sleep(SNAPSHOT * 1.5)  # the last places written: the store agrees
    stored = await ships_in(db)
    for zones_of_host in found.values():
        for zone, ships in zones_of_host.items():
            assert {stored[s].system for s in ships} <= {zone}, f"store disagrees in {zone}"
    return found


POINTS = ["none", "marked", "committed", "nudged", "arriving"]


@pytest.mark.parametrize("point", POINTS)
async def test_a_ship_jumping_between_hosts_is_in_exactly_one_zone_whoever_dies(
    point: str,
    seeded: str,
    hosts: list[HostProcess],
    leases: tuple[ZoneLeases, HostRoll],
    nats_server: TestNats,
    tmp_path: Path,
) -> None:
    zone_leases, _ = leases
    zones = await systems_in(seeded)
    gates = [g for g in await gates_in(seeded) if g.leads_to in zones]
    parked = await park_at_gates(seeded, gates)
    fault = None if point == "none" else point

    def start(name: str, with_fault: str | None) -> HostProcess:
        log = tmp_path / f"{name}.log"
        hosts.append(HostProcess(name, seeded, nats_server.url, log, fault=with_fault))
        return hosts[-1]

    # A starts alone with the fault and takes every zone; B joins and gets its share by
    # give-back: only A can die at the fault point, B survives it.
    a = start("host-a", fault)
    await until(lambda: _all_held_by(zone_leases, zones, {a.name}), 15, "A holds every zone")
    b = start("host-b", None)
    held = await until(
        lambda: _spread(zone_leases, zones, {a.name, b.name}), 25, "the zones split by A and B"
    )
    # A ship leaves a zone of A for one of B; for `arriving` (A the arriving host) the
    # other way.
    leaving, arriving = (b, a) if point == "arriving" else (a, b)
    crossing = [
        g
        for g in gates
        if g.id in parked and held[g.system] == leaving.name and held[g.leads_to] == arriving.name
    ]
    assert crossing, "a connected galaxy split in two has gates between the halves"
    gate = crossing[0]
    ship, source, to = parked[gate.id], gate.system, gate.leads_to

    bus = await NatsBus.connect(nats_server.url, name="test-gateway", timeout=2)
    try:
        await until(lambda: census(bus, hosts), 10, "both hosts answer")

        async def loaded() -> bool:
            found = await census(bus, hosts)
            return found is not None and zone_of(found, ship) == source

        await until(loaded, 10, f"ship {ship} in zone {source}")
        relay = CommandRelay(bus, {ship: source})
        victim = None if fault is None else a

        async def jumped() -> bool:
            if victim is not None:
                return not victim.alive  # the fault point was reached: SIGKILLed there
            found = await census(bus, hosts)
            return found is not None and zone_of(found, ship) == to

        async def jump_until_done() -> bool:
            if await jumped():
                return True
            await relay.submit(Jump(ship=ship, gate=gate.id))
            await asyncio.sleep(0.2)
            return await jumped()

        started = time.monotonic()
        await until(jump_until_done, 10, f"ship {ship} jumps from {source} to {to} ({point})")
        if victim is not None:
            assert victim.process.wait(5) == -9, victim.tail()  # SIGKILL, not a crash
            assert f"fault injected at handover:{point}" in victim.tail()
        # Before the commit the ship stays in the zone it left; from the commit on it is
        # in the zone it jumped to.
        where = source if point == "marked" else to
        await exactly_once(bus, hosts, seeded, zones, ship, where)
        settle = time.monotonic() - started

        rows = await handover_rows(seeded, ship)
        assert len(rows) == (0 if point == "marked" else 1)
        if rows:
            (row,) = rows
            assert (row["from_zone"], row["to_zone"], row["host"]) == (source, to, leaving.name)
            await until(lambda: _done(seeded, ship), 5, "the handover marked done")
            # A retried nudge with the same key does nothing: still one ship, in `to`.
            await bus.publish(zone_arrivals(to), Nudge(row["key"], ship, to).encode())
            await bus.publish(zone_arrivals(to), Nudge("another-key", ship, to).encode())
            await asyncio.sleep(0.5)
            await exactly_once(bus, hosts, seeded, zones, ship, where)

        # A third host joins (no fault): zones move by give-back, still exactly once.
        joining = start("host-c", None)
        live = {h.name for h in hosts if h.alive}

        await until(lambda: _spread(zone_leases, zones, live), 25, f"zones over {sorted(live)}")
        await exactly_once(bus, hosts, seeded, zones, ship, where)
        assert joining.alive, joining.tail()
    finally:
        await bus.close()
    print(f"{point}: jump to settled in {settle:.1f} s")


async def _done(db: str, ship: int) -> bool:
    rows = await handover_rows(db, ship)
    return bool(rows) and all(row["done_at"] is not None for row in rows)


async def _all_held_by(zone_leases: ZoneLeases, zones: set[int], names: set[str]) -> bool:
    held = await owners(zone_leases)
    return set(held) == zones and set(held.values()) == names


async def _spread(
    zone_leases: ZoneLeases, zones: set[int], names: set[str]
) -> dict[int, str] | None:
    """The owners once every zone is held, by exactly `names`, each at most its share."""
    held = await owners(zone_leases)
    count = Counter(held.values())
    share = math.ceil(len(zones) / len(names))
    settled = set(held) == zones and set(count) == names and max(count.values()) <= share
    return held if settled else None


async def test_many_ships_jump_both_ways_while_hosts_are_killed(
    seeded: str,
    hosts: list[HostProcess],
    leases: tuple[ZoneLeases, HostRoll],
    nats_server: TestNats,
    tmp_path: Path,
) -> None:
    """Every parked ship at a gate between two hosts jumps at once, both ways, and one
    host is SIGKILLed while they do; twice (the second time a newly joined host dies).
    Afterwards every ship is in exactly one zone."""
    zone_leases, _ = leases
    zones = await systems_in(seeded)
    gates = [g for g in await gates_in(seeded) if g.leads_to in zones]
    parked = await park_at_gates(seeded, gates)

    def start(name: str) -> HostProcess:
        hosts.append(HostProcess(name, seeded, nats_server.url, tmp_path / f"{name}.log"))
        return hosts[-1]

    bus = await NatsBus.connect(nats_server.url, name="test-gateway", timeout=2)
    try:
        a = start("host-a")
        await until(lambda: _all_held_by(zone_leases, zones, {a.name}), 15, "A holds every zone")
        b = start("host-b")
        await until(partial(_spread, zone_leases, zones, {a.name, b.name}), 25, "A and B")
        found = await exactly_once(bus, hosts, seeded, zones)
        for killed, joining in ((a, "host-c"), (b, "host-d")):
            live = {h.name for h in hosts if h.alive}
            held = await until(partial(_spread, zone_leases, zones, live), 25, "settled")
            place = {s: z for zs in found.values() for z, ships in zs.items() for s in ships}
            jumps = [
                Jump(ship=parked[g.id], gate=g.id)
                for g in gates
                if g.id in parked
                and place.get(parked[g.id]) == g.system
                and held[g.system] != held[g.leads_to]
            ]
            assert len(jumps) >= 2, "ships at gates between two hosts"
            relay = CommandRelay(bus, {j.ship: place[j.ship] for j in jumps})
            for jump in jumps:
                await relay.submit(jump)
            await asyncio.sleep(0.03)  # some are handing over, some committed, some not yet
            killed.process.kill()
            assert killed.process.wait(5) == -9
            found = await exactly_once(bus, hosts, seeded, zones)
            moved = [j.ship for j in jumps if zone_of(found, j.ship) != place[j.ship]]
            print(f"{killed.name} killed: {len(moved)} of {len(jumps)} ships jumped")
            start(joining)
            live = {h.name for h in hosts if h.alive}
            await until(partial(_spread, zone_leases, zones, live), 25, f"over {sorted(live)}")
            found = await exactly_once(bus, hosts, seeded, zones)
    finally:
        await bus.close()
