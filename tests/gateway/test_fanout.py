"""Interest management: what each client is sent, checked through the Fanout boundary."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from infinity.commands import types as c
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.gateway.fanout import Fanout
from infinity.gateway.session import Session
from infinity.sim.kinds import Kind
from infinity.sim.zone import ShipState, StaticBody
from infinity.universe.universe import Universe

A, B, FAR = 1_048_576, 1_048_577, 1_048_578


async def _never(_: bytes) -> None:
    raise AssertionError("the test drains queues itself")


def universe() -> Universe:
    bodies = (
        StaticBody(1, Kind.STAR, "Sol", 0.0, 0.0),
        StaticBody(2, Kind.STATION, "Sol Station", 100.0, 100.0),
    )
    return Universe(Galaxy(1, (StarSystem(1, "Sol", 0.0, 0.0, bodies),)))


def frames(session: Session) -> list[Any]:
    out = [msgspec.msgpack.decode(f) for f in session._queue]
    session._queue.clear()
    return out


def seen_ids(frame: list[Any]) -> set[int]:
    return {record[0] for cell in frame[3] for record in cell[4]}


def setup() -> tuple[Universe, Fanout, dict[int, Session]]:
    u = universe()
    for ship, x in ((A, 300.0), (B, 400.0), (FAR, 40_000.0)):
        u.place(1, ShipState(ship, f"s{ship}", ship, 2, 1, x, 300.0), "player")
    fanout = Fanout(u)
    sessions = {ship: Session(ship, f"s{ship}", ship, _never) for ship in (A, B, FAR)}
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
    assert first[5][9] is not None  # the view is announced with the snapshot


def test_neighbours_share_the_same_encoded_cells() -> None:
    u, _, sessions = setup()
    u.tick(1)
    frames(sessions[A]), frames(sessions[B])
    u.submit(c.Thrust(ship=B, throttle=1.0))
    u.tick(1)
    a, b = frames(sessions[A])[0], frames(sessions[B])[0]
    assert a[:5] == b[:5]  # everything but `me` is the same bytes
    assert a[5] != b[5] or a[5][0] == b[5][0]


def test_deltas_carry_moves_and_crossings() -> None:
    u, _, sessions = setup()
    u.tick(1)
    frames(sessions[A])
    u.submit(c.Thrust(ship=A, throttle=1.0))
    for _ in range(10):
        u.tick(1)
    moved = [f for f in frames(sessions[A]) if any(cell[6] for cell in f[3])]
    assert moved
    frames(sessions[B]), frames(sessions[FAR])
    zone = u.zones[1]
    zone.bodies.pos[zone.bodies.row_of[B]] = (39_900.0, 300.0)  # B teleports next to FAR
    u.tick(1)
    far = frames(sessions[FAR])[0]
    assert B in seen_ids(far)
    left = {i for cell in frames(sessions[A])[0][3] for i in cell[5]}
    assert B in left


def test_rejections_go_to_the_session_that_sent_the_command() -> None:
    u, _, sessions = setup()
    u.submit(c.Dock(ship=A, station=999, seq=4), origin=sessions[A])
    u.tick(1)
    errors = [m for m in frames(sessions[A]) if isinstance(m, dict)]
    assert errors == [
        {"t": "error", "reason": "unknown_entity", "detail": errors[0]["detail"], "seq": 4}
    ]
    assert not [m for m in frames(sessions[B]) if isinstance(m, dict)]


def test_a_slow_client_is_resynced_instead_of_buffering_forever() -> None:
    u, _, sessions = setup()
    for _ in range(60):
        u.tick(1)
    queued = frames(sessions[A])
    assert len(queued) < 40
    assert queued[0][5][9] is not None  # restarts with a full view


def test_session_writer_sends_in_order() -> None:
    sent: list[bytes] = []

    async def send(data: bytes) -> None:
        sent.append(data)

    async def main() -> None:
        s = Session(1, "n", A, send)
        task = asyncio.create_task(s.write())
        for i in range(5):
            s.push(bytes([i]))
        await asyncio.sleep(0.01)
        s.close()
        await task

    asyncio.run(main())
    assert sent == [bytes([i]) for i in range(5)]
