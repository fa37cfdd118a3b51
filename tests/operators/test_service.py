"""The operator verbs over a small universe, a real SQLite store and a real ledger: each act
checks the permission table, goes through the normal paths, and writes one audit entry."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infinity.accounts.errors import Sanctioned, Unauthorized
from infinity.accounts.records import Account
from infinity.accounts.sanctions import Kind
from infinity.accounts.service import Accounts
from infinity.audit.log import AuditLog
from infinity.commands import types as c
from infinity.company.sensors import Sensors
from infinity.economy.service import Economy
from infinity.galaxy.generate import generate
from infinity.gateway import wire
from infinity.ledger import Ledger
from infinity.operators.errors import Refused
from infinity.operators.service import GRANTS, SEIZED, Hooks, Operators
from infinity.sim import events as ev
from infinity.sim.zone import ShipState
from infinity.store.store import Store, sqlite_url
from infinity.universe.universe import Universe

PASSWORD = "stardust-42"


@dataclass
class World:
    operators: Operators
    accounts: Accounts
    ledger: Ledger
    audit: AuditLog
    operator: Account
    player: Account
    online: set[int] = field(default_factory=set)
    kicked: list[tuple[int, str]] = field(default_factory=list)
    refreshed: list[int] = field(default_factory=list)

    @property
    def universe(self) -> Universe:
        return self.operators.universe

    def ship(self, account: Account) -> int:
        return self.universe.ship_of_account[account.id]

    def tick(self, ticks: int = 1) -> list[ev.Event]:
        events: list[ev.Event] = []
        for _ in range(ticks):
            for system in sorted(self.universe.zones):
                events.extend(self.universe.tick(system).events)
        return events


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    url = sqlite_url(tmp_path)
    store = await Store.open(url)
    ledger = await Ledger.open(url)
    universe = Universe(generate(5))
    economy = Economy(universe, ledger, store.engine, tell=lambda s, m: None, crews={})
    await economy.start()
    accounts = Accounts(store)
    operator = (await accounts.register("Overseer", PASSWORD, "operator")).account
    player = (await accounts.register("Vega", PASSWORD)).account
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    for ship, account in ((1_048_576, operator), (1_048_577, player)):
        state = ShipState(ship, account.name, account.id, station.id, home.id, station.x, station.y)
        universe.place(home.id, state, "player")
        await economy.open_wallet(ship, account.id)
    audit = AuditLog(store.engine, tmp_path / "audit.anchor")
    made = World(None, accounts, ledger, audit, operator, player)  # type: ignore[arg-type]

    async def disconnect(account: int, why: str) -> bool:
        made.kicked.append((account, why))
        return account in made.online

    async def ensure_ship(account: Account) -> int:
        return universe.ship_of_account[account.id]

    hooks = Hooks(disconnect, made.refreshed.append, ensure_ship)
    made.operators = Operators(
        universe, economy.wallets, accounts.registry, accounts.sanctions, audit, None, hooks
    )
    await made.operators.start()
    try:
        yield made
    finally:
        with contextlib.suppress(Exception):
            await ledger.close()
        await store.close()


async def test_operator_ships_start_hidden(world: World) -> None:
    assert world.universe.hidden == {world.ship(world.operator)}


async def test_a_player_is_refused_every_verb_and_each_refusal_is_audited(world: World) -> None:
    ops, player, target = world.operators, world.player, world.ship(world.player)
    attempts = [
        ops.inspect(player, "ship", target),
        ops.warp(player, target, 1, 0.0, 0.0),
        ops.destroy(player, target, "x"),
        ops.repair(player, target, "x"),
        ops.drop_in(player, 1, 0.0, 0.0, True),
        ops.leave(player),
        ops.grant(player, player.id, 10, "x"),
        ops.take(player, player.id, 10, "x"),
        ops.mute(player, player.id, 60.0, "x"),
        ops.ban(player, player.id, 60.0, "x"),
        ops.unban(player, player.id, Kind.BAN, "x"),
        ops.kick(player, player.id, "x"),
        ops.audit_tail(player, 0, 10),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as refused:
            await attempt
        assert refused.value.code == "forbidden"
        assert refused.value.entry.result == "refused"
        assert refused.value.entry.reason.startswith("a player may not")
    entries = await world.audit.tail(100)
    assert len(entries) == len(attempts)
    assert all(e.actor == player.id and e.role == "player" for e in entries)
    assert (await world.audit.verify()).ok


async def test_inspect_gives_plain_records(world: World) -> None:
    ops, op = world.operators, world.operator
    ship = (await ops.inspect(op, "ship", world.ship(world.player))).record
    assert ship["name"] == "Vega" and ship["hidden"] is False and ship["credits"] > 0
    zone = (await ops.inspect(op, "zone", world.universe.galaxy.systems[0].id)).record
    assert zone["hidden"] == [world.ship(world.operator)]
    account = (await ops.inspect(op, "account", world.player.id)).record
    assert account["name"] == "Vega" and account["muted"] is None
    wallet = await ops.inspect(op, "wallet", world.player.id)
    assert wallet.record["starter"] > 0 and wallet.entry.verb == "inspect"
    with pytest.raises(Refused) as refused:
        await ops.inspect(op, "agent", 1)
    assert refused.value.code == "no_crew"
    with pytest.raises(Refused) as refused:
        await ops.inspect(op, "ship", 999)
    assert refused.value.code == "unknown_ship" and refused.value.entry.result == "refused"


async def test_warp_within_and_between_systems(world: World) -> None:
    ops, ship = world.operators, world.ship(world.player)
    here, there = (s.id for s in world.universe.galaxy.systems[:2])
    done = await ops.warp(world.operator, ship, here, 1234.0, -567.0)
    assert done.entry.zone == here and done.entry.verb == "warp"
    world.tick()
    zone = world.universe.zones[here]
    assert zone.ship_state(ship).x == 1234.0 and zone.ship_state(ship).y == -567.0
    await ops.warp(world.operator, ship, there, 10.0, 20.0)
    world.tick(2)
    assert world.universe.where[ship] == there
    state = world.universe.zones[there].ship_state(ship)
    assert (state.x, state.y) == (10.0, 20.0)
    with pytest.raises(Refused) as refused:
        await ops.warp(world.operator, ship, 10_000, 0.0, 0.0)
    assert refused.value.code == "unknown_system"


async def test_destroy_then_repair(world: World) -> None:
    ops, ship = world.operators, world.ship(world.player)
    await ops.destroy(world.operator, ship, "griefing")
    events = world.tick()
    assert any(isinstance(e, ev.Destroyed) and e.ship == ship for e in events)
    zone = world.universe.zone_of(ship)
    assert zone is not None
    zone.bodies.hull[zone.bodies.row_of[ship]] = 5.0
    await ops.repair(world.operator, ship, "sorry")
    world.tick()
    assert zone.ship_state(ship).hull == 100.0


async def test_grant_and_take_cross_reference_the_ledger(world: World) -> None:
    ops, op, player = world.operators, world.operator, world.player
    wallet = f"wallet:player:{player.id}"
    granted = await ops.grant(op, player.id, 500, "compensation")
    taken = await ops.take(op, player.id, 200, "exploit")
    assert await world.ledger.balance(wallet) == 300
    assert await world.ledger.balance(SEIZED) == 200
    history, _ = await world.ledger.history(wallet, None, 10)
    for done in (granted, taken):
        receipt = next(r for r in history if r.key == done.entry.ledger_key)
        assert f"audit {done.entry.seq}:" in receipt.memo
        assert done.record["transfer"] == receipt.transfer_id
    assert granted.record["from"] == GRANTS and taken.record["to"] == SEIZED
    report = await world.ledger.audit()
    assert not report.problems
    assert (await world.audit.verify()).ok


async def test_taking_more_than_earned_is_refused_and_moves_nothing(world: World) -> None:
    with pytest.raises(Refused) as refused:
        await world.operators.take(world.operator, world.player.id, 10, "nothing earned")
    assert refused.value.code == "no_credits"
    assert refused.value.entry.ledger_key is None and refused.value.entry.result == "refused"
    with pytest.raises(Refused) as refused:
        await world.operators.grant(world.operator, 9999, 10, "nobody")
    assert refused.value.code == "unknown_account"


async def test_mute_ban_unban(world: World) -> None:
    ops, op, player = world.operators, world.operator, world.player
    await ops.mute(op, player.id, 600.0, "spam")
    assert world.accounts.sanctions.active(player.id, Kind.MUTE) is not None
    world.online.add(player.id)
    before = await world.accounts.login("Vega", PASSWORD)
    banned = await ops.ban(op, player.id, 3600.0, "cheating")
    assert banned.record["disconnected"] is True
    with pytest.raises(Unauthorized):  # every token of a banned account stops working
        await world.accounts.authenticate(before.token)
    assert world.kicked == [(player.id, "banned: cheating")]
    with pytest.raises(Sanctioned) as sanctioned:
        await world.accounts.login("Vega", PASSWORD)
    assert sanctioned.value.reason == "cheating"
    await world.accounts.sanctions.load()  # the table holds what the cache holds
    assert world.accounts.sanctions.active(player.id, Kind.BAN) is not None
    lifted = await ops.unban(op, player.id, Kind.BAN, "appeal")
    assert lifted.record["lifted"] is True and lifted.entry.verb == "unban"
    await world.accounts.login("Vega", PASSWORD)


async def test_kick(world: World) -> None:
    with pytest.raises(Refused) as refused:
        await world.operators.kick(world.operator, world.player.id, "afk")
    assert refused.value.code == "not_online"
    world.online.add(world.player.id)
    done = await world.operators.kick(world.operator, world.player.id, "afk")
    assert done.entry.result == "done" and done.entry.target == f"account:{world.player.id}"


async def test_hidden_drop_in_is_in_no_frame_but_is_inspected_and_audited(world: World) -> None:
    ops, op = world.operators, world.operator
    avatar = world.ship(op)
    system = world.universe.galaxy.systems[0].id
    player_ship = world.ship(world.player)
    player_at = world.universe.zones[system].ship_state(player_ship)
    done = await ops.drop_in(op, system, player_at.x + 50.0, player_at.y, hidden=True)
    assert done.entry.verb == "drop_in" and '"hidden":true' in done.entry.args
    world.universe.submit(c.Say(ship=avatar, text="boo"))
    said = []
    for _ in range(3):
        zone = world.universe.zones[system]
        report = world.universe.tick(system)
        said += [e for e in report.events if isinstance(e, ev.Chat) and e.ship == avatar]
        assert wire.chat_lines(report, world.universe.hidden) == []
        changes = wire.changes_of(zone, report, world.universe.hidden)
        cells = wire.rows_in_cells(zone.bodies, set(zone.bodies.cell[: zone.bodies.n].tolist()),
                                   world.universe.hidden)  # fmt: skip
        seen = {int(zone.bodies.id[r]) for rows in cells.values() for r in rows.tolist()}
        assert avatar not in seen and player_ship in seen
        assert all(avatar not in ids for ids in changes.entered.values())
    assert said, "the avatar spoke; only its frames left it out"
    zone = world.universe.zones[system]
    assert Sensors(zone).contact(avatar) is not None
    assert Sensors(zone, world.universe.hidden).contact(avatar) is None  # no crew senses it
    zone_record = (await ops.inspect(op, "zone", system)).record
    assert avatar in zone_record["hidden"]
    assert system in world.refreshed
    await ops.leave(op)
    with pytest.raises(Refused) as refused:
        await ops.leave(op)
    assert refused.value.code == "not_present"


async def test_visible_drop_in_shows_the_avatar(world: World) -> None:
    system = world.universe.galaxy.systems[1].id
    await world.operators.drop_in(world.operator, system, 0.0, 0.0, hidden=False)
    assert world.ship(world.operator) not in world.universe.hidden
    world.tick(2)
    assert world.universe.where[world.ship(world.operator)] == system
