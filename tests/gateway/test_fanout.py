"""Interest management: what each client is sent, checked through the Fanout boundary."""

from __future__ import annotations

import asyncio

from infinity.commands import types as c
from infinity.commands.errors import Reason, Rejection
from infinity.commands.notices import Notice, NoticeKind
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.gateway import wire
from infinity.gateway.fanout import Fanout
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


def setup() -> tuple[Universe, Fanout, dict[int, Session]]:
    u = universe()
    for ship, x in ((A, 300.0), (B, 400.0), (FAR, 40_000.0)):
        u.place(1, ShipState(ship, f"s{ship}", ship, 2, 1, x, 300.0), "player")
    fanout = Fanout(u)
    sessions = {ship: session_of(ship) for ship in (A, B, FAR)}
    for s in sessions.values():
        fanout.join(s)
    return u, fanout, sessions


def test_clients_see_only_what_is_near_them() -> None:
    u, _, sessions = setup()
    u.tick(1)
    first = frames(sessions[A])[0]
    assert {A, B, 1, 2} <= seen_ids(first)
    assert FAR not in seen_ids(first)
    assert seen_ids(frames(sessions[FAR])[0]) == {FAR}
    assert first.me.view is not None  # the view is announced with the snapshot


def test_neighbours_share_the_same_encoded_cells() -> None:
    u, _, sessions = setup()
    u.tick(1)
    frames(sessions[A]), frames(sessions[B])
    u.submit(c.Thrust(ship=B, throttle=1.0))
    sessions[A].submitted = 7  # A's `me` acks 7, B's 0: the two must differ
    u.tick(1)
    a, b = outbox(sessions[A])[0], outbox(sessions[B])[0]
    me_a, me_b = wire.encode(frames(sessions[A])[0].me), wire.encode(frames(sessions[B])[0].me)
    assert me_a != me_b and a.endswith(me_a) and b.endswith(me_b)  # each its own `me`
    assert a[: -len(me_a)] == b[: -len(me_b)]  # everything but `me` is shared bytes


def test_deltas_carry_moves_and_crossings() -> None:
    u, _, sessions = setup()
    u.tick(1)
    frames(sessions[A])
    u.submit(c.Thrust(ship=A, throttle=1.0))
    for _ in range(10):
        u.tick(1)
    moved = [f for f in frames(sessions[A]) if any(cell.moves for cell in f.cells)]
    assert moved
    frames(sessions[B]), frames(sessions[FAR])
    zone = u.zones[1]
    zone.bodies.pos[zone.bodies.row_of[B]] = (39_900.0, 300.0)  # B teleports next to FAR
    u.tick(1)
    far = frames(sessions[FAR])[0]
    assert B in seen_ids(far)
    left = {i for cell in frames(sessions[A])[0].cells for i in cell.left}
    assert B in left


def test_rejections_go_to_the_session_that_sent_the_command() -> None:
    u, _, sessions = setup()
    u.submit(c.Dock(ship=A, station=999, seq=4), origin=sessions[A])
    u.tick(1)
    errors = [m for m in messages(sessions[A]) if isinstance(m, wire.ErrorMessage)]
    assert [(e.reason, e.seq) for e in errors] == [(Reason.UNKNOWN_ENTITY, 4)]
    assert not [m for m in messages(sessions[B]) if not isinstance(m, wire.Frame)]


def test_a_slow_client_is_resynced_instead_of_buffering_forever() -> None:
    u, _, sessions = setup()
    for _ in range(60):
        u.tick(1)
    queued = frames(sessions[A])
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


def test_a_notice_is_told_only_to_the_ship_it_is_for() -> None:
    _, fanout, sessions = setup()
    fanout.tell(A, Notice(kind=NoticeKind.LOOTED, text="looted 40 cr", credits=1040, amount=40))
    fanout.tell(B, Rejection(Reason.NO_CREDITS, "the wallet is empty", seq=3))
    [notice] = messages(sessions[A])
    assert notice == wire.NoticeMessage(
        kind=NoticeKind.LOOTED, text="looted 40 cr", credits=1040, amount=40
    )
    [error] = messages(sessions[B])
    assert error == wire.ErrorMessage(reason=Reason.NO_CREDITS, detail="the wallet is empty", seq=3)
    assert not messages(sessions[FAR])


def test_a_siphon_is_in_me_until_an_event_says_it_broke() -> None:
    u, _, sessions = setup()
    for command in (c.Undock(ship=A), c.Undock(ship=B), c.Siphon(ship=A, target=B)):
        u.submit(command)
    u.tick(1)
    assert frames(sessions[A])[-1].me.siphon == B
    u.submit(c.Siphon(ship=A, target=None))
    u.tick(1)
    [frame] = frames(sessions[A])
    broken = wire.SiphonBrokenEvent(A, B, "stopped")
    assert frame.me.siphon == -1
    assert broken in [e for cell in frame.cells for e in cell.events]
    assert broken in [e for f in frames(sessions[B]) for cell in f.cells for e in cell.events]


def test_markers_reach_only_their_audience_and_are_cleared_once() -> None:
    _, fanout, sessions = setup()
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
