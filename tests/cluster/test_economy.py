"""The economy on zone hosts (docs/cluster.md "The economy on zone hosts"), over a real
nats-server and a real PostgreSQL, with every role a real process.

Players who signed up through a gateway buy at their stations: the zone host that holds
their system settles each trade in the shared ledger, tells the player (a notice, and the
credits in its `me`), and grants the goods. A zone host SIGKILLed while its players buy
ten times a second loses no credit and duplicates none: for every player, what the
ledger holds is the grant less every delivered trade, and its ship holds exactly the
goods of those trades; `infinity ledger audit` passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import httpx2 as httpx
import pytest

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.economy import accounts
from infinity.economy.wallets import PLAYER_GRANT
from infinity.ledger import Ledger
from tests.cluster.processes import (
    TTL,
    Player,
    Start,
    StartGateway,
    all_held,
    assert_books_balance,
    owners,
    sign_up,
    systems_in,
    until,
)

pytestmark = pytest.mark.slow

Check = Callable[[], Awaitable[bool]]


async def _sql(db: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(db.replace("+asyncpg", ""), timeout=5)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def _held(db: str, account: int) -> int:
    """What the player holds in the ledger: earned credits plus starter credit."""
    ledger = await Ledger.open(db, migrate=False)
    try:
        wallet = accounts.wallet(0, account)
        return sum([await ledger.balance(wallet), await ledger.balance(accounts.starter(wallet))])
    finally:
        await ledger.close()


def _all(players: Sequence[Player], check: Callable[[Player], bool]) -> Check:
    async def every() -> bool:
        return all(check(p) for p in players)

    return every


async def _buy_every_100_ms(players: Sequence[Player], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for player in players:
            with contextlib.suppress(Exception):  # a socket between gateways: try again
                await player.send("buy", good="fuel", quantity=1.0)
        await asyncio.sleep(0.1)


async def test_trades_settle_on_zone_hosts_and_a_host_killed_mid_trade_loses_no_credit(
    seeded: str,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
) -> None:
    zone_leases, _roll = leases
    gateway = start_gateway("gw-a", seeded)
    await gateway.ready()
    made = [await sign_up(gateway.url, f"trader{i}") for i in range(4)]
    players = [Player(f"trader{i}", token, ship) for i, (token, ship, _) in enumerate(made)]
    ships = [p.ship for p in players]
    # Empty tanks and racks before any host loads the ships, so there is room to buy.
    await _sql(seeded, "UPDATE ships SET fuel = 0, torpedoes = 0 WHERE id = ANY($1)", ships)
    account_of = {r["id"]: r["account_id"] for r in await _sql(
        seeded, "SELECT id, account_id FROM ships WHERE id = ANY($1)", ships
    )}  # fmt: skip
    hosts = [start_host("host-a", seeded), start_host("host-b", seeded)]
    zones = await systems_in(seeded)

    await until(all_held(zone_leases, zones, 2), 20, "every zone held, by both hosts")
    for player in players:
        await player.connect(gateway.url)
    granted = _all(players, lambda p: p.credits == PLAYER_GRANT and p.fuel == 0)
    await until(granted, 20, "every player framed, with its opening grant in its `me`")

    # One trade, told: the notice, the credits and the goods in `me`, the ledger.
    first = players[0]
    await first.send("buy", good="torpedo", quantity=1.0)
    bought = _all([first], lambda p: p.torpedoes == 1 and p.credits < PLAYER_GRANT)
    await until(bought, 10, f"the torpedo bought\n{hosts[0].tail()}\n{hosts[1].tail()}")
    await until(_all([first], lambda p: bool(p.notices)), 5, "the notice")
    assert first.notices[0]["kind"] == "bought" and "1 torpedo" in first.notices[0]["text"]
    assert first.notices[0]["credits"] == first.credits
    assert await _held(seeded, account_of[first.ship]) == first.credits
    async with httpx.AsyncClient(timeout=5.0) as client:  # the gateway reads the ledger
        wallet = await client.get(
            f"{gateway.url}/api/wallet", headers={"authorization": f"Bearer {first.token}"}
        )
        board = await client.get(f"{gateway.url}/api/bounties")
        me = await client.get(
            f"{gateway.url}/api/me", headers={"authorization": f"Bearer {first.token}"}
        )
        station = me.json()["ship"]["docked_at"]
        market = await client.get(f"{gateway.url}/api/market", params={"station": station})
        nowhere = await client.get(f"{gateway.url}/api/market", params={"station": 1})
    assert wallet.status_code == 200, wallet.text
    assert wallet.json()["balance"] == first.credits
    assert any("1 torpedo" in entry["memo"] for entry in wallet.json()["history"])
    assert board.status_code == 200 and isinstance(board.json()["open"], list)
    assert market.status_code == 200 and market.json()["station"] == station
    assert set(market.json()["prices"]) >= {"fuel", "torpedo", "ore"}
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "unknown_station"

    # Buying ten times a second, the host of the first player's zone is SIGKILLed.
    stop = asyncio.Event()
    buying = asyncio.create_task(_buy_every_100_ms(players, stop))
    try:
        await asyncio.sleep(1.5)
        zone = first.system
        held = await owners(zone_leases)
        victim = next(h for h in hosts if h.name == held[zone])
        survivor = next(h for h in hosts if h is not victim)
        victim.signal(signal.SIGKILL)

        async def taken_over() -> bool:
            return (await owners(zone_leases)).get(zone) == survivor.name

        await until(taken_over, TTL + 8, "the zone taken over")
        await asyncio.sleep(1.5)  # and trading there again
    finally:
        stop.set()
        await buying

    # Every trade journalled ends settled: delivered, or cancelled with nothing charged.
    async def settled() -> bool:
        rows = await _sql(
            seeded,
            "SELECT count(*) AS n FROM deliveries WHERE status = 'pending' AND ship = ANY($1)",
            ships,
        )
        return rows[0]["n"] == 0

    await until(settled, 15, f"no trade left pending\n{survivor.tail()}")
    delivered = await _sql(
        seeded,
        "SELECT ship, good, quantity, credits FROM deliveries "
        "WHERE status = 'delivered' AND ship = ANY($1)",
        ships,
    )
    assert sum(1 for r in delivered if r["ship"] == first.ship and r["good"] == "fuel") > 0
    for player in players:
        mine = [r for r in delivered if r["ship"] == player.ship]
        spent = sum(r["credits"] for r in mine)
        fuel = sum(r["quantity"] for r in mine if r["good"] == "fuel")
        torpedoes = sum(r["quantity"] for r in mine if r["good"] == "torpedo")
        held_now = await _held(seeded, account_of[player.ship])
        assert held_now == PLAYER_GRANT - spent, f"{player.name}: credits lost or doubled"

        async def shows(p: Player = player, f: float = fuel, c: int = held_now) -> bool:
            return p.fuel == round(f) and p.credits == c

        await until(shows, 10, f"{player.name}'s goods and credits as the ledger says")
        assert player.torpedoes == round(torpedoes)
    assert all(p.closed is None for p in players), "a player's socket dropped"
    assert_books_balance(seeded)
    for player in players:
        await player.close()


async def test_a_bounty_posted_at_a_gateway_is_escrowed_and_the_posters_hud_follows(
    seeded: str,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
) -> None:
    """Only earned credits are posted, wherever: the poster sells ore at its station (the
    zone host pays it), posts a bounty through the gateway, and its `me` shows the escrow
    (the gateway tells the ship's host to read the wallet again)."""
    zone_leases, _roll = leases
    gateway = start_gateway("gw-a", seeded)
    await gateway.ready()
    made = [await sign_up(gateway.url, f"hunter{i}") for i in range(3)]
    poster, prey, pauper = (Player(f"hunter{i}", t, s) for i, (t, s, _) in enumerate(made))
    await _sql(seeded, "UPDATE ships SET cargo = 20 WHERE id = $1", poster.ship)
    account_of = {r["id"]: r["account_id"] for r in await _sql(
        seeded, "SELECT id, account_id FROM ships WHERE id = ANY($1)", [p.ship for p in (poster, prey, pauper)]
    )}  # fmt: skip
    host = start_host("host-a", seeded)
    zones = await systems_in(seeded)

    await until(all_held(zone_leases, zones), 20, "every zone held")
    await poster.connect(gateway.url)
    await until(_all([poster], lambda p: p.credits == PLAYER_GRANT), 20, "the grant")
    await poster.send("sell", quantity=20.0)
    await until(_all([poster], lambda p: p.credits > PLAYER_GRANT), 10, f"sold\n{host.tail()}")
    before = poster.credits

    async def post(who: Player, **body: object) -> httpx.Response:
        async with httpx.AsyncClient(timeout=5.0) as client:
            return await client.post(
                f"{gateway.url}/api/bounties", json=body,
                headers={"authorization": f"Bearer {who.token}"},
            )  # fmt: skip

    posted = await post(poster, target_kind="player", target_id=account_of[prey.ship], amount=100)
    assert posted.status_code == 201, posted.text
    assert posted.json()["status"] == "open" and posted.json()["target_name"] == "hunter1"
    await until(_all([poster], lambda p: p.credits == before - 100), 10, "the HUD follows")
    assert await _held(seeded, account_of[poster.ship]) == before - 100

    (crew,) = await _sql(seeded, "SELECT id, name FROM crews ORDER BY id LIMIT 1")
    on_crew = await post(poster, target_kind="crew", target_id=crew["id"], amount=20)
    assert on_crew.status_code == 201 and on_crew.json()["target_name"] == crew["name"]
    before -= 20

    refusals = [
        (pauper, {"target_kind": "ship", "target_id": prey.ship, "amount": 50}, 402, "no_credits"),
        (poster, {"target_kind": "ship", "target_id": poster.ship, "amount": 50}, 422, "invalid"),
        (poster, {"target_kind": "crew", "target_id": 99_999, "amount": 50}, 404, "unknown_target"),
        (poster, {"target_kind": "ship", "target_id": prey.ship, "amount": 5}, 422, "invalid"),
        (poster, {"target_kind": "moon", "target_id": 1, "amount": 50}, 422, None),
    ]
    for who, body, status, reason in refusals:
        answer = await post(who, **body)
        assert answer.status_code == status, (body, answer.text)
        assert reason is None or answer.json()["error"] == reason, answer.text
    async with httpx.AsyncClient(timeout=5.0) as client:
        board = (await client.get(f"{gateway.url}/api/bounties")).json()["open"]
    assert sorted(b["amount"] for b in board if b["poster"] == account_of[poster.ship]) == [20, 100]
    assert await _held(seeded, account_of[poster.ship]) == before - 100  # nothing else moved
    assert_books_balance(seeded)
    await poster.close()
