"""Hunting by the ledger, with a real thief and real victims: siphons settled by the economy
into a real ledger decide who sees the thief's marker, across systems, until it ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infinity.audit.log import ANCHOR, AuditLog
from infinity.commands import types as c
from infinity.commands.errors import Rejection
from infinity.commands.notices import Notice, NoticeKind
from infinity.crew.agent import Agent
from infinity.economy.bounties import BountyBoard
from infinity.economy.service import Economy
from infinity.galaxy.generate import generate
from infinity.ledger import Ledger
from infinity.operators.hunting import (
    Audience,
    AudienceRule,
    HuntRefused,
    Hunts,
    Sighting,
    Subject,
    SubjectKind,
)
from infinity.sim.zone import ShipState
from infinity.store.store import Store, sqlite_url
from infinity.universe.universe import Universe
from tests.crew.dna import ACGT

THIEF, ROBBED, ALSO_ROBBED, BYSTANDER = 1_048_576, 1_048_577, 1_048_578, 1_048_579
ACCOUNTS = {THIEF: 4, ROBBED: 1, ALSO_ROBBED: 2, BYSTANDER: 3}
START = 1_800_000_000.0


@dataclass
class World:
    economy: Economy
    hunts: Hunts
    online: set[int]
    told: list[tuple[int, Notice | Rejection]] = field(default_factory=list)
    shown: list[Sequence[Sighting]] = field(default_factory=list)
    now: list[float] = field(default_factory=lambda: [START])

    @property
    def universe(self) -> Universe:
        return self.economy.universe

    def notices(self, kind: NoticeKind) -> set[int]:
        """The accounts told a notice of `kind`."""
        owners = self.universe.owners
        return {
            a
            for ship, m in self.told
            if isinstance(m, Notice) and m.kind == kind and (a := owners[ship]) is not None
        }

    async def tick(self, *commands: c.Command, ticks: int = 1) -> None:
        """Run every zone and settle what they reported, in order."""
        for command in commands:
            self.universe.submit(command)
        for _ in range(ticks):
            for system in sorted(self.universe.zones):
                self.universe.tick(system)
            while not self.economy._queue.empty():
                zone, event = self.economy._queue.get_nowait()
                await self.economy.settle(zone, event)

    def move_beside(self, ship: int, other: int) -> None:
        zone = self.universe.zone_of(ship)
        assert zone is not None and zone is self.universe.zone_of(other)
        b = zone.bodies
        b.pos[b.row_of[ship]] = b.pos[b.row_of[other]] + (300.0, 0.0)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    url = sqlite_url(tmp_path)
    store = await Store.open(url)
    ledger = await Ledger.open(url)
    universe = Universe(generate(5))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    for ship, account in ACCOUNTS.items():
        state = ShipState(
            ship, f"pilot {account}", account, station.id, home.id, station.x, station.y,
            docked_at=station.id, cargo=50.0,
        )  # fmt: skip
        universe.place(home.id, state, "player")
    told: list[tuple[int, Notice | Rejection]] = []
    shown: list[Sequence[Sighting]] = []
    now = [START]
    crews: dict[int, tuple[str, int]] = {}
    online = set(ACCOUNTS.values())
    hunts = Hunts(
        universe, ledger, BountyBoard(store.engine), tell=lambda s, m: told.append((s, m)),
        show=shown.append, crews=crews, agents={}, rule_bounty=500, clock=lambda: now[0],
        audit=AuditLog(store.engine, tmp_path / ANCHOR), online=online.__contains__,
    )  # fmt: skip
    economy = Economy(
        universe, ledger, store.engine, tell=lambda s, m: told.append((s, m)), crews=crews,
        bounty_watch=hunts,
    )  # fmt: skip
    await economy.start()
    try:
        yield World(economy, hunts, online, told, shown, now)
    finally:
        with contextlib.suppress(Exception):
            await ledger.close()
        await store.close()


async def rob_two(world: World) -> None:
    """Everyone sells ore (earned credits to steal), then the thief siphons two of them."""
    await world.tick(*(c.Unload(ship=s) for s in ACCOUNTS), ticks=2)
    await world.tick(*(c.Undock(ship=s) for s in ACCOUNTS))
    for victim in (ROBBED, ALSO_ROBBED):
        world.move_beside(THIEF, victim)
        await world.tick(c.Siphon(ship=THIEF, target=victim), ticks=20 * 2 + 1)
        await world.tick(c.Siphon(ship=THIEF, target=None))
    assert await world.economy.ledger.victims("thief", THIEF) == [ROBBED, ALSO_ROBBED]
    world.told.clear()


def seen_by(sightings: Sequence[Sighting], account: int) -> list[tuple[int, int]]:
    """(ship, system) of every marker `account` would see."""
    return [
        (m.ship, m.system)
        for s in sightings
        if s.audience is None or account in s.audience
        for m in s.markers
    ]


async def test_the_thiefs_victims_and_only_they_see_it_wherever_it_goes(world: World) -> None:
    await rob_two(world)
    home = world.universe.galaxy.systems[0]
    share = await world.hunts.share_location(
        Subject(SubjectKind.SHIP, THIEF), Audience(AudienceRule.VICTIMS), START + 600, "op"
    )
    assert share.members == frozenset({1, 2})
    assert world.notices(NoticeKind.HUNT) == {1, 2}
    assert world.notices(NoticeKind.HUNTED) == {4}  # the thief was told it is hunted
    sightings = await world.hunts.sightings()
    for victim in (1, 2):
        assert seen_by(sightings, victim) == [(THIEF, home.id)]
    assert seen_by(sightings, 3) == []  # the bystander was never robbed

    gate = home.gates()[0]
    zone = world.universe.zone_of(THIEF)
    assert zone is not None
    zone.bodies.pos[zone.bodies.row_of[THIEF]] = (gate.x + 100, gate.y)
    await world.tick(c.Jump(ship=THIEF, gate=gate.id), ticks=3)
    assert world.universe.where[THIEF] == gate.leads_to
    sightings = await world.hunts.sightings()
    assert seen_by(sightings, 1) == [(THIEF, gate.leads_to)]
    assert sightings[0].markers[0].system_name == world.universe.zones[gate.leads_to].name

    world.hunts.revoke(share.id)
    assert await world.hunts.sightings() == []
    assert world.notices(NoticeKind.HUNT_ENDED) == {1, 2, 4}
    with pytest.raises(HuntRefused):
        world.hunts.revoke(share.id)


async def test_a_share_ends_at_its_expiry(world: World) -> None:
    await rob_two(world)
    subject = Subject(SubjectKind.PLAYER, ACCOUNTS[THIEF])  # the player: its ship, now
    share = await world.hunts.share_location(
        subject, Audience(AudienceRule.VICTIMS), START + 60, "op"
    )
    assert seen_by(await world.hunts.sightings(), 2) == [(THIEF, world.universe.where[THIEF])]
    world.now[0] = START + 61
    assert await world.hunts.sightings() == []
    assert share.ended == "expired"
    assert world.hunts.shares() == []


async def test_a_new_victim_joins_the_audience_and_is_told(world: World) -> None:
    await world.tick(*(c.Unload(ship=s) for s in ACCOUNTS), ticks=2)
    await world.tick(*(c.Undock(ship=s) for s in ACCOUNTS))
    subject = Subject(SubjectKind.SHIP, THIEF)
    share = await world.hunts.share_location(subject, Audience(AudienceRule.VICTIMS), None, "op")
    assert share.members == frozenset()
    world.move_beside(THIEF, BYSTANDER)
    await world.tick(c.Siphon(ship=THIEF, target=BYSTANDER), ticks=20 + 1)
    world.now[0] += 10  # the audience is read again
    assert seen_by(await world.hunts.sightings(), 3) == [(THIEF, world.universe.where[THIEF])]
    assert world.notices(NoticeKind.HUNT) == {3}


async def test_bounty_hunters_and_explicit_accounts(world: World) -> None:
    await world.tick(*(c.Unload(ship=s) for s in ACCOUNTS), ticks=2)
    await world.economy.post_bounty(1, "ship", THIEF, 100)  # below the rule: no share
    assert world.hunts.shares() == []
    subject = Subject(SubjectKind.SHIP, THIEF)
    hunters = await world.hunts.share_location(
        subject, Audience(AudienceRule.BOUNTY_HUNTERS), None, "op"
    )
    assert hunters.members == frozenset({1})
    listed = await world.hunts.share_location(
        subject, Audience(AudienceRule.ACCOUNTS, frozenset({3})), None, "op"
    )
    assert listed.members == frozenset({3})
    with pytest.raises(HuntRefused) as refused:
        await world.hunts.share_location(
            Subject(SubjectKind.SHIP, 42), Audience(AudienceRule.EVERYONE), None, "op"
        )
    assert refused.value.reason == "unknown_subject"
    world.universe.hidden.add(THIEF)  # an operator's hidden avatar is never shown
    assert all(s.markers == () for s in await world.hunts.sightings())
    with pytest.raises(HuntRefused):
        await world.hunts.share_location(subject, Audience(AudienceRule.EVERYONE), None, "op")


async def test_a_large_bounty_shares_its_target_with_everyone_until_claimed(world: World) -> None:
    await world.tick(*(c.Unload(ship=s) for s in ACCOUNTS), ticks=2)
    await world.economy.post_bounty(1, "player", ACCOUNTS[THIEF], 500)
    (share,) = world.hunts.shares()
    assert share.members is None and share.by.startswith("rule: bounty")
    assert world.notices(NoticeKind.HUNT) == {1, 2, 3}  # everyone but the hunted
    assert world.notices(NoticeKind.HUNTED) == {4}
    assert seen_by(await world.hunts.sightings(), 3) == [(THIEF, world.universe.where[THIEF])]
    zone = world.universe.zone_of(THIEF)
    assert zone is not None
    await world.tick(c.Undock(ship=ROBBED), c.Undock(ship=THIEF))
    world.move_beside(ROBBED, THIEF)
    row = zone.bodies.row_of[THIEF]
    zone.bodies.hull[row], zone.bodies.shield[row] = 1.0, 0.0
    await world.tick(c.Target(ship=ROBBED, target=THIEF), c.Fire(ship=ROBBED))
    assert await world.economy.board.bounties("open") == []
    assert world.hunts.shares() == []
    assert share.ended == "bounty claimed"
    assert world.hunts.audit is not None
    acts = [(e.actor_name, e.verb, e.target) for e in await world.hunts.audit.tail()]
    target = f"player:{ACCOUNTS[THIEF]}"
    assert acts == [("rule", "share_location", target), ("rule", "revoke_share", target)]


async def test_a_victim_offline_at_the_start_is_told_once_it_connects(world: World) -> None:
    await rob_two(world)
    world.online.discard(2)
    subject = Subject(SubjectKind.SHIP, THIEF)
    await world.hunts.share_location(subject, Audience(AudienceRule.VICTIMS), None, "op")
    assert world.notices(NoticeKind.HUNT) == {1}
    world.online.add(2)
    world.now[0] += 10  # the audience is read again
    await world.hunts.sightings()
    assert world.notices(NoticeKind.HUNT) == {1, 2}
    world.now[0] += 10
    await world.hunts.sightings()
    hunt = [m for _, m in world.told if isinstance(m, Notice) and m.kind == NoticeKind.HUNT]
    assert len(hunt) == 2  # each told once


async def test_a_whole_crew_is_followed_to_whatever_ship_it_is_on(world: World) -> None:
    await rob_two(world)
    roster = world.hunts.crews
    assert isinstance(roster, dict)
    roster[7] = ("Reavers", THIEF)  # the company's live roster, as the server keeps it
    share = await world.hunts.share_location(
        Subject(SubjectKind.CREW, 7), Audience(AudienceRule.VICTIMS), None, "op"
    )
    assert (share.name, share.members) == ("Reavers", frozenset({1, 2}))
    (sighting,) = await world.hunts.sightings()
    assert [(m.ship, m.name) for m in sighting.markers] == [(THIEF, "Reavers")]
    roster[7] = ("Reavers", BYSTANDER)  # the crew moved to another ship
    world.now[0] += 10  # the audience is read again: the old ship's victims stay in it
    (sighting,) = await world.hunts.sightings()
    assert [m.ship for m in sighting.markers] == [BYSTANDER]
    assert sighting.audience == frozenset({1, 2})


async def test_agents_aboard_a_hunted_ship_remember_it(world: World) -> None:
    await rob_two(world)
    aboard, ashore = Agent(1, ACGT), Agent(2, ACGT)
    aboard.ship, ashore.ship = THIEF, BYSTANDER
    agents = world.hunts.agents
    assert isinstance(agents, dict)
    agents.update({1: aboard, 2: ashore})
    await world.hunts.share_location(
        Subject(SubjectKind.SHIP, THIEF), Audience(AudienceRule.VICTIMS), None, "op"
    )
    heard = [m.text for m in aboard.memory.recent(len(aboard.memory))]
    assert heard == ["We are hunted: op is showing others where we are."]
    assert not any("hunted" in m.text for m in ashore.memory.recent(len(ashore.memory)))
