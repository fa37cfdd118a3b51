"""Crew workers (docs/cluster.md "Crew workers"): zones seen from afar through their
censuses, and the crews' minds run by a process that simulates no zone, acting only
through commands relayed to the zones' hosts.

In one process: a census loads into a replica that matches the zone and tells its
observers the tick's events; a bad census changes nothing. As processes, over real NATS
and PostgreSQL: a new player is hailed by the captain of a crew whose minds run on a crew
worker; the worker killed with SIGKILL, a standby takes the minds over from their last
save, and the crews go on (no mind lost, none doubled).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx2 as httpx
import numpy as np
import pytest

from infinity.cluster import handover
from infinity.cluster.census import ReplicaUniverse, ZoneCensus
from infinity.cluster.crewworker import MINDS_FENCE, minds_fence
from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.commands.types import Command, Fire, Target, Undock
from infinity.company.archive import DatabaseArchive
from infinity.crew.memory import MemoryKind
from infinity.crew.mind import Minds
from infinity.crew.needs import interim_purse
from infinity.economy import accounts
from infinity.galaxy.generate import generate
from infinity.gateway.bus import LocalBus, Outbox
from infinity.gateway.subjects import ALL_CENSUSES, zone_census
from infinity.ledger import Ledger
from infinity.sim import events as ev
from infinity.sim.rules import ENGINE_RULES
from infinity.sim.zone import ShipState, TickReport, Zone
from infinity.store.store import Store
from infinity.universe.universe import Universe
from infinity.worlds.atlas import renumber
from tests.cluster.processes import (
    TTL,
    Player,
    Start,
    StartGateway,
    assert_books_balance,
    sign_up,
    until,
)
from tests.nats import TestNats

# -- in one process --------------------------------------------------------------------


async def test_a_census_makes_a_replica_of_the_zone_and_tells_its_events() -> None:
    galaxy = generate(seed=3, systems=4)
    source = Universe(galaxy)
    system = galaxy.systems[0]
    station = system.stations()[0]
    for ship, account in ((900_001, 7), (900_002, None)):
        state = ShipState(ship, f"s{ship}", account, station.id, system.id, station.x,
                          station.y + ship % 10 * 50.0)  # fmt: skip
        source.place(system.id, state, "player" if account else "crew")
    bus = LocalBus()
    outbox = Outbox(bus)
    census = ZoneCensus(outbox, source)
    source.observe(census.on_tick)
    sent: list[Command] = []
    replica = ReplicaUniverse(galaxy, lambda command: sent.append(command) is None)
    seen: list[tuple[int, TickReport]] = []
    replica.observe(lambda zone, report: seen.append((zone.system_id, report)))
    subscription = await bus.subscribe(ALL_CENSUSES, replica.on_census)
    stopping = asyncio.Event()
    publishing = asyncio.create_task(outbox.run(stopping))
    try:
        for command in (Undock(ship=900_001), Target(ship=900_001, target=900_002)):
            source.submit(command)
        for _ in range(25):  # a simulated second and more: one census at least
            source.submit(Fire(ship=900_001))
            source.tick(system.id)
        await until(lambda: _told(seen), 5, "a census told")
    finally:
        stopping.set()
        await publishing
        await subscription.close()

    copy, original = replica.zones[system.id], source.zones[system.id]
    assert_same_bodies(copy, original, tick_of=seen[-1][1])
    assert replica.where[900_001] == system.id and replica.owners[900_001] == 7
    assert replica.ship_of_account == {7: 900_001}
    assert replica.roles[900_002] == "crew"
    assert copy.info[900_002].name == "s900002"
    told = [e for _zone, report in seen for e in report.events]
    assert any(isinstance(e, ev.Beam) and e.shooter == 900_001 for e in told)

    # A command sent into the replica goes out by relay, never into a zone here.
    assert replica.submit(Undock(ship=900_002))
    assert sent == [Undock(ship=900_002)]
    assert not replica.submit(Undock(ship=123))  # a ship in no zone
    with pytest.raises(RuntimeError):
        replica.tick(system.id)


def assert_same_bodies(copy: Zone, original: Zone, tick_of: TickReport) -> None:
    """The copy is the original as of the census's tick (the original may be ahead)."""
    assert copy.clock.tick == tick_of.tick
    n = copy.bodies.n
    assert n == original.bodies.n
    assert np.array_equal(copy.bodies.id[:n], original.bodies.id[:n])
    assert copy.bodies.row_of == original.bodies.row_of


async def _told(seen: list[tuple[int, TickReport]]) -> bool:
    return bool(seen)


async def test_a_bad_census_changes_nothing() -> None:
    galaxy = generate(seed=3, systems=4)
    replica = ReplicaUniverse(galaxy, lambda command: True)
    zone = galaxy.systems[0].id
    before = replica.zones[zone].bodies.export()
    from infinity.gateway.bus import Message

    for data in (b"", b"\xc1", b"\x93\x01\x02\x03", b"\x97" + b"\x00" * 7):
        await replica.on_census(Message(zone_census(zone), data))
    assert replica.bad == 4 and replica.censuses == 0
    assert replica.zones[zone].bodies.export() == before


# -- as processes ----------------------------------------------------------------------


class WorkerProcess:
    """One crew worker: `infinity serve --role crew-worker`, its output in a log file."""

    def __init__(self, name: str, db: str, nats_url: str, log: Path) -> None:
        self.name = name
        self.log = log
        argv = [
            sys.executable, "-m", "infinity", "serve", "--role", "crew-worker", "--db", db,
            "--nats", nats_url, "--name", name, "--lease-ttl", str(TTL),
            "--snapshot-seconds", "1",
        ]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def thinking(self) -> bool:
        return "thinking for" in self.log.read_text(errors="replace")

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@pytest.fixture
def workers(nats_server: TestNats, tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.end()


async def living_minds(db: str) -> dict[int, str]:
    """agent id -> name, of every mind alive in the store."""
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        rows = await connection.fetch("SELECT id, name FROM agents WHERE alive")
    finally:
        await connection.close()
    return {row["id"]: row["name"] for row in rows}


@pytest.mark.slow
async def test_crews_run_on_a_worker_hail_a_new_player_and_survive_its_death(
    seeded: str,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
    workers: list[WorkerProcess],
    nats_server: TestNats,
    tmp_path: Path,
) -> None:
    minds = await living_minds(seeded)
    assert len(minds) >= 20  # the founding crews
    upkeep_before = await _upkeep_paid(seeded)
    start_host("host-a", seeded)
    gateway = start_gateway("gw-a", seeded)
    await gateway.ready()
    for name in ("worker-a", "worker-b"):
        workers.append(WorkerProcess(name, seeded, nats_server.url, tmp_path / f"{name}.log"))
    first = await until(lambda: _one_thinking(workers), 25, "a worker thinking")

    # A new player in a starter system, where the crews were founded, is hailed by name.
    async def hailed(name: str) -> Player:
        token, ship, _system = await sign_up(gateway.url, name)
        player = Player(name, token, ship)
        await player.connect(gateway.url)

        async def heard() -> bool:
            return any(name in text and "Welcome" in text for _who, text in player.chat)

        await until(heard, 25, f"{name} hailed\n{first.tail()}")
        await player.close()
        return player

    await hailed("newcomer")
    await _crews_answer_through_the_gateway(gateway.url)

    # SIGKILL the thinking worker: the standby takes the minds over and thinks on.
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(5)
    second = await until(lambda: _one_thinking(workers), TTL + 15, "the standby thinking")
    assert second is not first
    await hailed("latecomer")
    await _crews_answer_through_the_gateway(gateway.url)
    assert await living_minds(seeded) == minds  # none lost, none doubled, none renamed

    # What the crews spend is upkeep in the ledger, settled by the thinking worker.
    async def spent() -> bool:
        return await _upkeep_paid(seeded) > upkeep_before

    await until(spent, 25, f"the crews' upkeep in the ledger\n{second.tail()}")
    assert_books_balance(seeded)


async def _crews_answer_through_the_gateway(url: str) -> None:
    """The crews' REST on a cluster gateway, answered by the worker holding the crews: a
    player in a starter system sees the crews there, one of them in detail; an order from
    someone who captains no crew is refused as on one server; a bad body is refused."""
    token, _ship, system = await sign_up(url, f"asker-{uuid.uuid4().hex[:6]}")
    auth = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=auth, timeout=10.0) as client:

        async def roster() -> list[dict[str, Any]] | None:  # once a census showed its ship
            answer = await client.get("/api/agents")
            assert answer.status_code == 200, answer.text
            return answer.json()["agents"] or None

        seen = await until(roster, 10, "the crews in the asker's system")
        assert all(a["system"] == system for a in seen)
        one = await client.get(f"/api/agents/{seen[0]['id']}")
        assert one.status_code == 200 and one.json()["id"] == seen[0]["id"], one.text
        assert (await client.get("/api/agents/999999999")).status_code == 404
        order = await client.post("/api/crew/orders", json={"text": "attack the station"})
        assert (order.status_code, order.json()["error"]) == (403, "not_captain"), order.text
        bad = await client.post("/api/crew/orders", json={"text": ""})
        assert (bad.status_code, bad.json()["error"]) == (422, "invalid"), bad.text
        enlist = await client.post("/api/operator/crew", json={"dna": "x"})
        assert enlist.status_code == 403, enlist.text  # a player is no operator
    anonymous = httpx.get(f"{url}/api/agents", timeout=10.0)
    assert anonymous.status_code == 401


async def _upkeep_paid(db: str) -> int:
    ledger = await Ledger.open(db, migrate=False)
    try:
        return await ledger.balance(accounts.UPKEEP)
    finally:
        await ledger.close()


async def _one_thinking(workers: list[WorkerProcess]) -> WorkerProcess | None:
    alive = [w for w in workers if w.process.poll() is None and w.thinking()]
    dead = [w for w in workers if w.process.poll() is not None]
    live_thinking = [w for w in alive if w not in dead]
    return live_thinking[-1] if len(live_thinking) >= 1 else None


async def test_no_census_is_made_while_no_crew_worker_listens() -> None:
    galaxy = generate(seed=3, systems=4)
    source = Universe(galaxy)
    outbox = Outbox(LocalBus())
    listening = False
    census = ZoneCensus(outbox, source, lambda: listening)
    source.observe(census.on_tick)
    system = galaxy.systems[0].id
    for _ in range(25):
        source.tick(system)
    assert outbox.pending == outbox.published == 0
    listening = True
    for _ in range(25):
        source.tick(system)
    assert outbox.pending + outbox.published >= 1  # the local bus takes it at once


async def test_only_the_main_worlds_zones_are_censused() -> None:
    """The crews live in the main world: an instance's zones send no census."""
    galaxy = generate(seed=3, systems=4)
    source = Universe(galaxy)
    instance = generate(seed=5, systems=2)
    source.add_world(2, renumber(instance, 500, 2**31), ENGINE_RULES)
    outbox = Outbox(LocalBus())
    census = ZoneCensus(outbox, source)
    source.observe(census.on_tick)
    for _ in range(25):
        source.tick(500)
    assert outbox.pending == outbox.published == 0
    for _ in range(25):
        source.tick(galaxy.systems[0].id)
    assert outbox.pending + outbox.published >= 1


async def test_a_save_by_a_worker_that_lost_the_company_writes_nothing(seeded: str) -> None:
    """The company's minds are fenced as zones are: each worker that takes the lease
    writes its epoch, and a save still in flight from the one before it (stalled past its
    lease) is refused inside its transaction; the minds stay as the new holder read them."""
    store = await Store.open(seeded)
    try:
        engine = store.engine
        await handover.claim_zone(engine, MINDS_FENCE, "worker-a", "epoch-a")
        minds = Minds(7)
        late = DatabaseArchive(engine, minds_fence("epoch-a"))
        await late.restore(minds, interim_purse)
        agent = next(iter(minds.agents.values()))
        agent.remember(MemoryKind.OBSERVATION, "a thing seen while the lease held", 1.0)
        assert await late.flush(minds) >= 1  # while its epoch stands: written
        stored = len(await late.memories(agent.id))

        await handover.claim_zone(engine, MINDS_FENCE, "worker-b", "epoch-b")  # b took over
        agent.remember(MemoryKind.OBSERVATION, "a thing seen after the lease lapsed", 2.0)
        with pytest.raises(handover.Fenced):
            await late.flush(minds)
        assert len(await late.memories(agent.id)) == stored  # nothing of it written
        holder = DatabaseArchive(engine, minds_fence("epoch-b"))
        await holder.flush(minds)  # the holder's own save goes through
        assert len(await holder.memories(agent.id)) == stored + 1
    finally:
        await store.close()
