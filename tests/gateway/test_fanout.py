"""Interest management: what each client is sent, checked through the Fanout boundary,
with commands and frames on the in-process bus as `infinity serve` runs them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import msgspec
import pytest

from infinity.commands import types as c
from infinity.commands.errors import Reason, Rejection
from infinity.commands.notices import Notice, NoticeKind
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.gateway import wire
from infinity.gateway.bus import LocalBus
from infinity.gateway.fanout import Fanout
from infinity.gateway.localnet import LocalNet
from infinity.gateway.session import QueuedLink, Session
from infinity.operators.hunting import Marker, Sighting
from infinity.sim.kinds import Kind
from infinity.sim.zone import ShipState, StaticBody
from infinity.universe.universe import Universe

A, B, FAR = 1_048_576, 1_048_577, 1_048_578


async def _never(_: bytes) -> None:
    raise AssertionError("the test drains queues itself")


async def _no_close(code: int, reason: str) -> None:
    return None


def session_of(ship: int) -> Session:
    return Session(ship, f"s{ship}", ship, QueuedLink(_never, _no_close))


def outbox(session: Session) -> list[bytes]:
    link = session.link
    assert isinstance(link, QueuedLink)
    return list(link._queue)


def universe() -> Universe:
    bodies = (
        StaticBody(1, Kind.STAR, "Sol", 0.0, 0.0),
        StaticBody(2, Kind.STATION, "Sol Station", 100.0, 100.0),
    )
    return Universe(Galaxy(1, (StarSystem(1, "Sol", 0.0, 0.0, bodies),)))


def messages(session: Session) -> list[wire.Frame | wire.ServerMessage]:
    out = [wire.decode(f) for f in outbox(session)]
    assert isinstance(session.link, QueuedLink)
    session.link._queue.clear()
    return out


def frames(session: Session) -> list[wire.Frame]:
    return [m for m in messages(session) if isinstance(m, wire.Frame)]


def seen_ids(frame: wire.Frame) -> set[int]:
    return {record.id for cell in frame.cells for record in cell.entered}


@dataclass
class Scene:
    """One zone, its inbox and frames, and the fan-out, on one `LocalBus`, running."""

    universe: Universe
    bus: LocalBus
    fanout: Fanout
    sessions: dict[int, Session]

    async def tick(self, count: int = 1) -> None:
        """Ticks, each followed by turns enough for the bus to carry its close."""
        for _ in range(count):
            await self.turns()
            self.universe.tick(1)
            await self.turns()

    async def turns(self) -> None:
        for _ in range(12):  # relay, inbox, outbox, bus and frames each take a turn
            await asyncio.sleep(0)

    def submit(self, command: c.Command, session: Session) -> None:
        assert self.fanout.submit(command, session)


@pytest.fixture
async def scene() -> AsyncIterator[Scene]:
    u = universe()
    for ship, x in ((A, 300.0), (B, 400.0), (FAR, 40_000.0)):
        u.place(1, ShipState(ship, f"s{ship}", ship, 2, 1, x, 300.0), "player")
    net = LocalNet(u)
    sessions = {ship: session_of(ship) for ship in (A, B, FAR)}
    for s in sessions.values():
        net.fanout.join(s)
    stopping = asyncio.Event()
    task = asyncio.create_task(net.run(stopping))
    scene = Scene(u, net.bus, net.fanout, sessions)
    for _ in range(5):  # the sessions' views are asked for before the first tick
        await scene.turns()
    await scene.tick(2)
    try:
        yield scene
    finally:
        stopping.set()
        await task


async def test_clients_see_only_what_is_near_them(scene: Scene) -> None:
    first = frames(scene.sessions[A])[0]  # the view was asked for as the session joined
    assert first.me.view is not None  # announced with its cells in full
    assert {A, B, 1, 2} <= seen_ids(first)
    assert FAR not in seen_ids(first)
    assert seen_ids(frames(scene.sessions[FAR])[0]) == {FAR}


async def test_cells_nobody_watches_are_not_encoded(scene: Scene) -> None:
    published: list[str] = []
    publish = scene.bus.publish_now

    def counted(subject: str, data: bytes) -> bool:
        published.append(subject)
        return publish(subject, data)

    scene.bus.publish_now = counted  # type: ignore[method-assign]
    for ship in (A, B, FAR):
        scene.submit(c.Undock(ship=ship), scene.sessions[ship])
        scene.submit(c.Thrust(ship=ship, throttle=1.0), scene.sessions[ship])
    await scene.tick(3)
    cells = {s for s in published if ".cell." in s}
    assert cells and all(scene.bus.listened(s) for s in cells)
    for session in list(scene.sessions.values()):
        scene.fanout.leave(session)
    await scene.tick(50)  # the watched cells idle out (2 s), then the zone's close
    published.clear()
    await scene.tick(3)
    assert published == []  # nobody watches the zone: nothing of it is made


async def test_neighbours_share_the_same_encoded_cells(scene: Scene) -> None:
    sessions = scene.sessions
    frames(sessions[A]), frames(sessions[B])
    scene.submit(c.Thrust(ship=B, throttle=1.0), sessions[B])
    scene.submit(c.Stop(ship=A, seq=7), sessions[A])  # A's `me` acks 7, B's 0: they differ
    await scene.tick()
    a, b = outbox(sessions[A])[0], outbox(sessions[B])[0]
    me_a, me_b = wire.encode(frames(sessions[A])[0].me), wire.encode(frames(sessions[B])[0].me)
    assert me_a != me_b and a.endswith(me_a) and b.endswith(me_b)  # each its own `me`
    assert a[: -len(me_a)] == b[: -len(me_b)]  # everything but `me` is shared bytes


async def test_deltas_carry_moves_and_crossings(scene: Scene) -> None:
    u, sessions = scene.universe, scene.sessions
    frames(sessions[A])
    scene.submit(c.Thrust(ship=A, throttle=1.0), sessions[A])
    await scene.tick(10)
    moved = [f for f in frames(sessions[A]) if any(cell.moves for cell in f.cells)]
    assert moved
    frames(sessions[B]), frames(sessions[FAR])
    zone = u.zones[1]
    zone.bodies.pos[zone.bodies.row_of[B]] = (39_900.0, 300.0)  # B teleports next to FAR
    await scene.tick()
    far = frames(sessions[FAR])[0]
    assert B in seen_ids(far)
    left = {i for cell in frames(sessions[A])[0].cells for i in cell.left}
    assert B in left


async def test_rejections_go_to_the_session_that_sent_the_command(scene: Scene) -> None:
    sessions = scene.sessions
    scene.submit(c.Dock(ship=A, station=999, seq=4), sessions[A])
    await scene.tick()
    errors = [m for m in messages(sessions[A]) if isinstance(m, wire.ErrorMessage)]
    assert [(e.reason, e.seq) for e in errors] == [(Reason.UNKNOWN_ENTITY, 4)]
    assert not [m for m in messages(sessions[B]) if not isinstance(m, wire.Frame)]


async def test_a_bridge_crew_sees_the_ship_and_each_is_acked_and_refused_alone(
    scene: Scene,
) -> None:
    """Two sessions on one ship (a flagship's bridge): the same `me`, each its own ack,
    and a refusal only to the one that sent the command."""
    sessions, fanout = scene.sessions, scene.fanout
    fanout.seat(B, A, "helm", None)  # B's player takes A's helm
    await scene.tick(3)
    messages(sessions[A]), messages(sessions[B])
    scene.submit(c.Stop(ship=A, seq=11), sessions[A])
    scene.submit(c.Dock(ship=A, station=999, seq=3), sessions[B])
    await scene.tick()
    [at_a], seen_b = frames(sessions[A]), messages(sessions[B])
    at_b = [m for m in seen_b if isinstance(m, wire.Frame)]
    assert at_a.me.ack == 11 and at_b[-1].me.ack == 3
    assert msgspec.structs.replace(at_b[-1].me, ack=0) == msgspec.structs.replace(at_a.me, ack=0)
    errors = [m for m in seen_b if isinstance(m, wire.ErrorMessage)]
    assert [(e.reason, e.seq) for e in errors] == [(Reason.UNKNOWN_ENTITY, 3)]
    fanout.seat(B, None, "", None)  # back aboard its own ship
    await scene.tick(3)
    back = messages(sessions[B])
    assert back[0] == wire.Seat(ship=B, post="", commands=None)
    assert isinstance(back[-1], wire.Frame) and back[-1].me.ack == 3  # a client's never go back


async def test_a_slow_client_is_resynced_instead_of_buffering_forever(scene: Scene) -> None:
    await scene.tick(60)
    queued = frames(scene.sessions[A])
    assert len(queued) < 40
    assert queued[0].me.view is not None  # restarts with a full view


def test_session_writer_sends_in_order() -> None:
    sent: list[bytes] = []

    async def send(data: bytes) -> None:
        sent.append(data)

    async def main() -> None:
        link = QueuedLink(send, _no_close)
        s = Session(1, "n", A, link)
        task = asyncio.create_task(link.write())
        for i in range(5):
            s.push(bytes([i]))
        await asyncio.sleep(0.01)
        link.stop()
        await task

    asyncio.run(main())
    assert sent == [bytes([i]) for i in range(5)]


async def test_a_notice_is_told_only_to_the_ship_it_is_for(scene: Scene) -> None:
    fanout, sessions = scene.fanout, scene.sessions
    for session in sessions.values():
        messages(session)
    fanout.tell(A, Notice(kind=NoticeKind.LOOTED, text="looted 40 cr", credits=1040, amount=40))
    fanout.tell(B, Rejection(Reason.NO_CREDITS, "the wallet is empty", seq=3))
    [notice] = messages(sessions[A])
    assert notice == wire.NoticeMessage(
        kind=NoticeKind.LOOTED, text="looted 40 cr", credits=1040, amount=40
    )
    [error] = messages(sessions[B])
    assert error == wire.ErrorMessage(reason=Reason.NO_CREDITS, detail="the wallet is empty", seq=3)
    assert not messages(sessions[FAR])


async def test_a_siphon_is_in_me_until_an_event_says_it_broke(scene: Scene) -> None:
    sessions = scene.sessions
    for command in (c.Undock(ship=A), c.Undock(ship=B), c.Siphon(ship=A, target=B)):
        scene.submit(command, sessions[command.ship])
    await scene.tick()
    assert frames(sessions[A])[-1].me.siphon == B
    frames(sessions[B])
    scene.submit(c.Siphon(ship=A, target=None), sessions[A])
    await scene.tick()
    [frame] = frames(sessions[A])
    broken = wire.SiphonBrokenEvent(A, B, "stopped")
    assert frame.me.siphon == -1
    assert broken in [e for cell in frame.cells for e in cell.events]
    assert broken in [e for f in frames(sessions[B]) for cell in f.cells for e in cell.events]


async def test_markers_reach_only_their_audience_and_are_cleared_once(scene: Scene) -> None:
    fanout, sessions = scene.fanout, scene.sessions
    for session in sessions.values():
        messages(session)
    marker = Marker(share=1, ship=FAR, name="Corsair", system=1, system_name="Sol", x=1.0, y=2.0)
    fanout.show_markers([Sighting(1, frozenset({A, B}), (marker,))])
    assert outbox(sessions[A])[-1] is outbox(sessions[B])[-1]  # encoded once, shared
    shown = {ship: messages(s) for ship, s in sessions.items()}
    assert shown[A] == shown[B] == [wire.Markers(markers=[wire.MarkerRecord(1, FAR, "Corsair", 1, "Sol", 1.0, 2.0)])]  # fmt: skip
    assert shown[FAR] == []
    fanout.show_markers([])  # the share ended: its audience is told once, then nothing
    assert [messages(s) for s in sessions.values()] == [[wire.Markers(markers=[])]] * 2 + [[]]
    fanout.show_markers([])
    assert [messages(s) for s in sessions.values()] == [[], [], []]
    fanout.show_markers([Sighting(2, None, (marker,))])  # everyone
    assert [len(messages(s)) for s in sessions.values()] == [1, 1, 1]
