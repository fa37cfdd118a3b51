"""Frames over the bus (docs/cluster.md "Frames over the bus"), in one process on the
`LocalBus`: a client fed by a gateway's `CellFrames` from a zone's `ZoneFrames` ends up
seeing exactly what the zone holds around its ship; a lost cell record is repaired by a
full one, never shown wrong; a zone whose ticks go backwards (taken over from a snapshot)
resends everything in full; refusals reach the client that sent the command."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import numpy as np
import pytest

from infinity.commands import types as c
from infinity.commands.errors import Reason, Rejection
from infinity.commands.notices import Notice, NoticeKind
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.gateway import wire
from infinity.gateway.bus import LocalBus, Outbox
from infinity.gateway.frames import IDLE_TICKS, CellFrames, ZoneFrames
from infinity.gateway.relay import Origin
from infinity.gateway.session import QueuedLink, Session
from infinity.gateway.subjects import zone_cell
from infinity.sim.kinds import Kind
from infinity.sim.systems import neighbourhood
from infinity.sim.zone import ShipState, StaticBody
from infinity.universe.universe import Universe

ME, NEAR, FAR = 1_048_576, 1_048_577, 1_048_578
SOL = 1
CREDITS = {ME: 1_250, NEAR: 40, FAR: 0}  # what each ship's player holds, as the wallets say


async def _never(_: bytes) -> None:
    raise AssertionError("the test drains queues itself")


async def _no_close(code: int, reason: str) -> None:
    return None


@dataclass
class Client:
    """What a browser holds, from the frames it was sent: entities by id, and positions."""

    session: Session
    entities: dict[int, int] = field(default_factory=dict)  # id -> cell
    places: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> quantised x, y
    frames: int = 0
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    acks: list[int] = field(default_factory=list)
    credits: list[int] = field(default_factory=list)

    def read(self) -> None:
        link = self.session.link
        assert isinstance(link, QueuedLink)
        for data in list(link._queue):
            message = wire.decode(data)
            if isinstance(message, wire.Frame):
                self._apply(message)
            elif isinstance(message, wire.ErrorMessage):
                self.errors.append(message.reason)
            elif isinstance(message, wire.NoticeMessage):
                self.notices.append(message.text)
        link._queue.clear()

    def _apply(self, frame: wire.Frame) -> None:
        self.frames += 1
        self.acks.append(frame.me.ack)
        self.credits.append(frame.me.credits)
        for cell in frame.cells:
            if cell.full:
                for gone in [e for e, at in self.entities.items() if at == cell.key]:
                    del self.entities[gone]
            for entity in cell.entered:
                self.entities[entity.id] = cell.key
                self.places[entity.id] = (round(entity.x * 10), round(entity.y * 10))
            for left in cell.left:
                if self.entities.get(left) == cell.key:
                    del self.entities[left]
            ox, oy = cell.ox, cell.oy
            for move in np.frombuffer(cell.moves, dtype=wire.MOVE):
                x, y = ox + move["x"] / 10.0, oy + move["y"] / 10.0
                self.places[int(move["id"])] = (round(x * 10), round(y * 10))
        if frame.me.view is not None:
            view = set(frame.me.view)
            self.entities = {e: at for e, at in self.entities.items() if at in view}

    def seen(self) -> dict[int, tuple[int, int]]:
        return {e: self.places[e] for e in self.entities}


def new_client(ship: int) -> Client:
    return Client(Session(ship, f"s{ship}", ship, QueuedLink(_never, _no_close)))


def truth(world: Universe, ship: int) -> dict[int, tuple[int, int]]:
    """What the zone holds in the 3x3 cells around `ship`: id -> quantised x, y."""
    b = world.zones[SOL].bodies
    view = neighbourhood(int(b.cell[b.row_of[ship]]))
    rows = [r for r in range(b.n) if int(b.cell[r]) in view and not b.gone[r]]
    return {int(b.id[r]): (round(b.pos[r, 0] * 10), round(b.pos[r, 1] * 10)) for r in rows}


def near(seen: dict[int, tuple[int, int]], held: dict[int, tuple[int, int]]) -> bool:
    """The same entities, each within the wire's 0.1 quantum of where the zone has it."""
    return seen.keys() == held.keys() and all(
        abs(seen[e][0] - held[e][0]) <= 1 and abs(seen[e][1] - held[e][1]) <= 1 for e in seen
    )


def universe() -> Universe:
    bodies = (
        StaticBody(1, Kind.STAR, "Sol", 0.0, 0.0),
        StaticBody(2, Kind.STATION, "Sol Station", 100.0, 100.0),
    )
    return Universe(Galaxy(1, (StarSystem(SOL, "Sol", 0.0, 0.0, bodies),)))


class Dropping(LocalBus):
    """A bus that loses the next record of one cell, as a network might."""

    def __init__(self) -> None:
        super().__init__()
        self.lose: str | None = None
        self.asks = 0

    def publish_now(self, subject: str, data: bytes) -> bool:
        if subject == self.lose:
            self.lose = None
            return True
        if subject.endswith(".wants"):
            self.asks += 1
        return super().publish_now(subject, data)


@dataclass
class Scene:
    universe: Universe
    bus: Dropping
    frames: ZoneFrames
    gateway: CellFrames
    cluster: Client  # fed over the bus

    async def tick(self, count: int = 1) -> None:
        for _ in range(count):
            self.universe.tick(SOL)
            for _ in range(10):  # the outbox, the bus and the gateway each take a turn
                await asyncio.sleep(0)
        self.cluster.read()

    def truth(self) -> dict[int, tuple[int, int]]:
        return truth(self.universe, ME)


@pytest.fixture
async def scene() -> AsyncIterator[Scene]:
    world = universe()
    for ship, account, x in ((ME, 1, 200.0), (NEAR, 2, 400.0), (FAR, None, 40_000.0)):
        world.place(SOL, ShipState(ship, f"s{ship}", account, 2, SOL, x, 100.0), "player")
    bus = Dropping()
    outbox = Outbox(bus)
    players = np.array([ME, NEAR, FAR], dtype=np.int64)  # the ships clients may watch
    cluster = new_client(ME)
    frames = ZoneFrames(  # ME's command 7 applied
        bus, outbox, {ME: {cluster.session.sender: 7}}, lambda: players, world.where,
        credits=CREDITS.__getitem__,
    )  # fmt: skip
    world.observe(frames.on_tick)
    gateway = CellFrames(bus, lambda session: None)
    gateway.watch(cluster.session, SOL)
    stopping = asyncio.Event()
    runs = [outbox.run(stopping), frames.run(stopping), gateway.run(stopping)]
    tasks = [asyncio.create_task(run) for run in runs]
    for _ in range(5):
        await asyncio.sleep(0)
    try:
        yield Scene(world, bus, frames, gateway, cluster)
    finally:
        stopping.set()
        await asyncio.gather(*tasks)


async def test_a_client_over_the_bus_sees_what_the_zone_holds(scene: Scene) -> None:
    await scene.tick(3)  # the cells a new view needs come in full one tick later
    assert near(scene.cluster.seen(), scene.truth())
    assert set(scene.cluster.seen()) == {ME, NEAR, 1, 2}  # the far ship is out of view
    scene.universe.submit(c.Thrust(ship=ME, seq=5, throttle=1.0, turn=0.3))
    views = [scene.cluster.session.view]
    for _ in range(60):  # three seconds of flight
        await scene.tick()
        views.append(scene.cluster.session.view)
        if (
            len(views) > 2 and views[-1] == views[-2] == views[-3]
        ):  # a new view's cells come a tick later
            assert near(scene.cluster.seen(), scene.truth())
    await scene.tick(2)
    assert near(scene.cluster.seen(), scene.truth())
    assert scene.cluster.frames >= 60


async def test_a_lost_cell_record_is_repaired_by_a_full_one(scene: Scene) -> None:
    await scene.tick(3)
    scene.universe.submit(c.Thrust(ship=NEAR, seq=1, throttle=1.0, turn=0.0))
    await scene.tick(2)
    asks = scene.bus.asks
    cell = scene.cluster.entities[NEAR]
    scene.bus.lose = f"zone.{SOL}.cell.{cell}"
    await scene.tick()  # NEAR's move is lost for the cluster client...
    assert scene.bus.lose is None
    await scene.tick(2)  # ...which asks for the cell and gets it whole
    assert scene.bus.asks > asks
    assert near(scene.cluster.seen(), scene.truth())


async def test_a_zone_restarted_from_a_snapshot_is_resent_in_full(scene: Scene) -> None:
    await scene.tick(30)
    assert NEAR in scene.cluster.seen()
    # Another host takes the zone over from a snapshot in which NEAR was elsewhere: its
    # ticks count from the snapshot's, lower, and nothing in them says NEAR left.
    taken = universe()
    for ship, account, x in ((ME, 1, 200.0), (FAR, None, 40_000.0)):
        taken.place(SOL, ShipState(ship, f"s{ship}", account, 2, SOL, x, 100.0), "player")
    outbox = Outbox(scene.bus)
    players = np.array([ME, NEAR], dtype=np.int64)
    frames = ZoneFrames(scene.bus, outbox, {}, lambda: players, taken.where)
    taken.observe(frames.on_tick)
    scene.frames.forget(SOL)  # the old host let it go
    stopping = asyncio.Event()
    tasks = [asyncio.create_task(outbox.run(stopping)), asyncio.create_task(frames.run(stopping))]
    await asyncio.sleep(0)
    try:
        for _ in range(3):
            taken.tick(SOL)
            for _ in range(10):
                await asyncio.sleep(0)
    finally:
        stopping.set()
        await asyncio.gather(*tasks)
    scene.cluster.read()
    assert NEAR not in scene.cluster.seen()  # no ghost of the state that is gone
    assert ME in scene.cluster.seen()
    # The new host applied none of ME's commands yet: the client's ack does not go back.
    assert scene.cluster.acks[-1] == 7 and min(scene.cluster.acks) == 7


async def test_refusals_and_notices_reach_the_ships_client(scene: Scene) -> None:
    await scene.tick(2)
    scene.universe.submit(
        c.Dock(ship=ME, seq=9, station=FAR), Origin(ME, scene.cluster.session.sender)
    )
    scene.universe.submit(c.Dock(ship=ME, seq=8, station=FAR), Origin(ME, 12345))  # another's
    scene.frames.tell(ME, Rejection(Reason.MARKET_CLOSED, "the market's books are closed", 10))
    scene.frames.tell(NEAR, Rejection(Reason.NO_CREDITS, "not mine", 11))
    scene.frames.tell(ME, Notice(kind=NoticeKind.SOLD, text="sold 5 ore for 60 cr", credits=9))
    scene.frames.tell(FAR + 99, Notice(kind=NoticeKind.SOLD, text="a ship of no zone here"))
    await scene.tick()
    assert sorted(scene.cluster.errors) == sorted(["market_closed", "wrong_kind"])
    assert scene.cluster.notices == ["sold 5 ore for 60 cr"]


async def test_me_carries_the_players_credits_as_in_one_process(scene: Scene) -> None:
    await scene.tick(3)
    assert scene.cluster.credits[-1] == CREDITS[ME]


async def test_cells_no_view_holds_are_let_go_after_a_while(scene: Scene) -> None:
    far = new_client(FAR)
    scene.gateway.watch(far.session, SOL)
    await scene.tick(3)
    b = scene.universe.zones[SOL].bodies
    mine, theirs = (set(neighbourhood(int(b.cell[b.row_of[s]]))) for s in (ME, FAR))
    assert not mine & theirs
    listened = scene.bus.listened
    assert all(listened(zone_cell(SOL, cell)) for cell in mine | theirs)
    scene.gateway.leave(far.session)
    await scene.tick(IDLE_TICKS // 2)
    assert all(listened(zone_cell(SOL, cell)) for cell in theirs)  # not at once: 2 s
    await scene.tick(IDLE_TICKS)
    assert not any(listened(zone_cell(SOL, cell)) for cell in theirs)
    assert all(listened(zone_cell(SOL, cell)) for cell in mine)  # still seen
