"""Gateways over a real nats-server and a real PostgreSQL (docs/cluster.md "The gateway"):
players connected through two gateway processes see and fight each other's ships in a
zone simulated by a zone host process; a gateway killed with SIGKILL loses no ship, and
its players reconnect through the other with their tokens and fly on.

Everything runs as the cluster runs it: zone hosts (`python -m infinity.cluster.zonehost`)
and gateways (`infinity serve --role gateway`, and `python -m infinity.cluster.gateway`)
as processes; the players are WebSocket clients speaking the browser's protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx
import msgspec
import pytest
import websockets

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.nats_bus import NatsBus
from infinity.cluster.nats_server import start_nats
from tests.cluster.processes import (
    TTL,
    GatewayProcess,
    HostProcess,
    Player,
    Start,
    StartGateway,
    all_held,
    assert_books_balance,
    census,
    counted,
    owners,
    ships_in,
    sign_up,
    systems_in,
    until,
)
from tests.conftest import free_port
from tests.nats import TestNats

pytestmark = pytest.mark.slow

_decode = msgspec.msgpack.Decoder().decode
_encode = msgspec.msgpack.Encoder().encode


async def neighbours(a: GatewayProcess, b: GatewayProcess) -> tuple[Player, Player]:
    """Two players who start in one system, one signed up through each gateway (homes go
    round the starter systems by account, so among four two share one)."""
    made = [await sign_up((a, b)[i % 2].url, f"pilot{i}") for i in range(4)]
    for i in range(4):
        for j in range(i + 1, 4):
            if made[i][2] == made[j][2] and i % 2 != j % 2:
                first, second = made[i], made[j]
                return Player("first", first[0], first[1]), Player("second", second[0], second[1])
    raise AssertionError(f"no two players through different gateways share a system: {made}")


async def test_players_through_two_gateways_see_and_fight_each_other_in_a_hosted_zone(
    seeded: str,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
) -> None:
    zone_leases, _roll = leases
    host: HostProcess = start_host("host-a", seeded)
    gw_a = start_gateway("gw-a", seeded, via_serve=True)
    gw_b = start_gateway("gw-b", seeded)
    await gw_a.ready()
    await gw_b.ready()
    alice, bob = await neighbours(gw_a, gw_b)
    zone = (await alice.connect(gw_a.url))["system"]["id"]
    await bob.connect(gw_b.url)
    assert alice.system == bob.system == zone

    async def held() -> str | None:
        return (await owners(zone_leases)).get(zone)

    assert await until(held, 15, "the zone held") == "host-a"  # simulated by neither gateway

    async def see_each_other() -> bool:
        return bob.ship in alice.seen and alice.ship in bob.seen

    await until(see_each_other, 20, f"each sees the other\n{host.tail()}\n{gw_a.tail()}")
    assert alice.frames > 0 and bob.frames > 0

    # Alice undocks, locks Bob and fires her beam until his hull drops, as both see it.
    seq = await alice.send("undock")
    await bob.send("undock")
    await until(lambda: _acked(alice, seq), 10, "alice's undock applied (acked)")
    await alice.send("target", target=bob.ship)

    async def hit() -> bool:
        await alice.send("fire")
        return bob.hull.get(bob.ship, 100) < 100 and alice.hull.get(bob.ship, 100) < 100

    await until(hit, 20, f"bob's hull hit\n{alice.errors[-3:]}")

    # A sale in flight is refused in the player's own frame, typed, by the zone's host.
    sold = await bob.send("sell", quantity=1.0)
    await until(lambda: _refused(bob, sold), 10, "a typed refusal of the sale")
    assert next(e for e in bob.errors if e.get("seq") == sold)["reason"] == "not_docked"
    # Bad input through a gateway gets the embedded server's typed answers and changes
    # nothing: another's ship, a frame that is no command.
    assert bob._ws is not None
    await bob._ws.send(_encode({"t": "fire", "seq": 900, "ship": alice.ship}))
    await bob._ws.send(b"\xc1 not msgpack")
    await until(lambda: _reasons(bob, {"not_your_ship", "bad_frame"}), 10, "typed refusals")
    async with httpx.AsyncClient(timeout=5.0) as client:
        alices = {"authorization": f"Bearer {alice.token}"}
        crews = await client.get(f"{gw_a.url}/api/agents", headers=alices)
        worlds = await client.get(f"{gw_a.url}/api/worlds", headers=alices)
        anonymous = await client.get(f"{gw_a.url}/api/wallet")
        wallet = await client.get(
            f"{gw_a.url}/api/wallet", headers={"authorization": f"Bearer {alice.token}"}
        )
        metrics = (await client.get(f"{gw_a.url}/metrics")).text
    # The crews answer from a crew worker, and this cluster runs none; the worlds' REST is
    # the gateway's own (tests/cluster/test_worlds.py).
    assert crews.status_code == 503 and crews.json()["error"] == "no_crew", crews.text
    assert worlds.status_code == 200 and worlds.json()["here"] == 1, worlds.text
    assert anonymous.status_code == 401
    assert wallet.status_code == 200 and wallet.json()["balance"] == alice.credits > 0
    assert "infinity_sessions 1.0" in metrics  # alice, through this gateway
    sent = [line for line in metrics.splitlines() if line.startswith("infinity_frames_sent_total")]
    assert sent and float(sent[0].split()[-1]) > 0
    assert alice.closed is None and bob.closed is None
    await alice.close()
    await bob.close()


async def _reasons(player: Player, reasons: set[str]) -> bool:
    return reasons <= {e.get("reason") for e in player.errors}


async def _acked(player: Player, seq: int) -> bool:
    return player.ack >= seq


async def _refused(player: Player, seq: int) -> bool:
    return any(e.get("seq") == seq for e in player.errors)


async def test_a_gateway_killed_loses_nothing_and_its_players_fly_on_through_another(
    seeded: str,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
) -> None:
    start_host("host-a", seeded)
    gw_a, gw_b = start_gateway("gw-a", seeded), start_gateway("gw-b", seeded)
    await gw_a.ready()
    await gw_b.ready()
    alice, _bob = await neighbours(gw_a, gw_b)
    await alice.connect(gw_a.url)
    await until(lambda: _framed(alice, 5), 20, "alice's frames")
    seq = await alice.send("undock")
    await until(lambda: _acked(alice, seq), 10, "alice undocked")

    gw_a.process.send_signal(signal.SIGKILL)
    await until(lambda: _gone(alice), 5, "alice's socket dropped with her gateway")
    frames = alice.frames

    # She reconnects through B with the same token: welcomed where her ship is, fed, and
    # her commands reach her ship (the ack moves on).
    await alice.connect(gw_b.url)
    await until(lambda: _framed(alice, frames + 5), 10, "frames through gateway B")
    seq = await alice.send("thrust", throttle=1.0, turn=0.0)
    await until(lambda: _acked(alice, seq), 10, "a command through B applied")
    assert alice.errors == []
    await alice.close()


async def _framed(player: Player, count: int) -> bool:
    return player.frames >= count


async def _gone(player: Player) -> bool:
    return player.closed is not None


async def steer(players: list[Player], stop: asyncio.Event) -> None:
    """Every player steers every 100 ms, as people do, until `stop`."""
    rng = random.Random(7)
    while not stop.is_set():
        for player in players:
            if player.closed is None:
                with contextlib.suppress(websockets.ConnectionClosed):
                    throttle, turn = rng.uniform(0.2, 1.0), rng.uniform(-0.5, 0.5)
                    await player.send("thrust", throttle=throttle, turn=turn)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.1)


async def test_a_zone_host_killed_under_load_is_taken_over_and_its_players_stay(
    seeded: str,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
    nats_server: TestNats,
) -> None:
    zone_leases, _roll = leases
    hosts = [start_host("host-a", seeded), start_host("host-b", seeded)]
    gateway = start_gateway("gw-a", seeded)
    zones = await systems_in(seeded)

    await until(all_held(zone_leases, zones, 2), 20, "every zone held, by both hosts")
    await gateway.ready()
    players = []
    for i in range(6):
        token, ship, _system = await sign_up(gateway.url, f"crowd{i}")
        players.append(Player(f"crowd{i}", token, ship))
    for player in players:
        await player.connect(gateway.url)
    await until(lambda: _all(players, lambda p: p.frames >= 10), 20, "every player framed")
    every = set(await ships_in(seeded))

    stop = asyncio.Event()
    steering = asyncio.create_task(steer(players, stop))
    try:
        await asyncio.sleep(1.5)  # under load: a snapshot or so of steering
        held = await owners(zone_leases)
        zone = players[0].system
        victim = next(h for h in hosts if h.name == held[zone])
        survivor = next(h for h in hosts if h is not victim)
        there = [p for p in players if p.system == zone]
        victim.signal(signal.SIGKILL)
        killed = time.monotonic()
        frames = {p.name: p.frames for p in there}

        async def taken_over() -> bool:
            return (await owners(zone_leases)).get(zone) == survivor.name

        await until(taken_over, TTL + 8, "the zone taken over")

        async def fed_again() -> bool:
            return all(p.frames >= frames[p.name] + 20 for p in there)

        await until(fed_again, TTL + 10, f"frames again\n{survivor.tail()}")
        resumed = time.monotonic() - killed
        # The bound: the lease's TTL, then the zone's load from its last snapshot.
        assert resumed <= TTL + 5, f"frames resumed {resumed:.1f} s after the kill"
    finally:
        stop.set()
        await steering
    seqs = {p.name: await p.send("stop") for p in there}
    await until(lambda: _all(there, lambda p: p.ack >= seqs[p.name]), 10, "commands applied")
    assert all(p.closed is None for p in players), "a player's socket dropped"

    # No ship lost or doubled: the surviving host has every ship, each exactly once.
    async with contextlib.AsyncExitStack() as stack:
        bus = await NatsBus.connect(nats_server.url, name="test-census", timeout=2)
        stack.push_async_callback(bus.close)
        found = await until(lambda: census(bus, [survivor]), 10, "the survivor answers")
        count = counted(found)
        assert set(count) == every, f"lost: {every - set(count)}"
        assert max(count.values()) == 1
    assert_books_balance(seeded)
    for player in players:
        await player.close()


async def _all(players: list[Player], check: Callable[[Player], bool]) -> bool:
    return all(check(p) for p in players)


async def test_the_cluster_rides_out_a_nats_restart(seeded: str, tmp_path: Path) -> None:
    """NATS itself killed (SIGKILL) and started again on its port and data: the zone host
    takes its zones back, the gateway's players never lose their sockets, and frames and
    commands flow again."""
    folder, port = tmp_path / "nats", free_port()
    server = start_nats(folder, port)
    host = HostProcess("host-a", seeded, server.url, tmp_path / "host-a.log")
    gateway = GatewayProcess("gw-a", seeded, server.url, tmp_path / "gw-a.log", via_serve=False)
    try:
        await gateway.ready()
        token, ship, _system = await sign_up(gateway.url, "steady")
        player = Player("steady", token, ship)
        await player.connect(gateway.url)
        await until(lambda: _framed(player, 20), 20, f"frames\n{host.tail()}")

        server.process.kill()  # NATS gone: no renewals, no frames, no commands
        server.process.wait(5)
        await asyncio.sleep(TTL + 1)  # past the leases' TTL: the host stopped ticking
        stalled = player.frames
        server = start_nats(folder, port)  # back, with its JetStream state

        await until(lambda: _framed(player, stalled + 40), 30, f"frames again\n{host.tail()}")
        seq = await player.send("undock")
        await until(lambda: _acked(player, seq), 10, "a command applied after the restart")
        assert player.closed is None
        await player.close()
    finally:
        gateway.end()
        host.end()
        server.stop()
