"""Hunting by the ledger: an entity's live location shared with an audience the ledger names.

A share names a subject (a ship, an agent, a player or a whole crew) and an
audience rule: `victims` (every account the subject's ship ever stole from, by
the ledger's THEFT records), `bounty-hunters` (the posters of every open bounty
a kill of the subject's ship would pay: a bounty is its poster's claim on the
target until it is paid), a list of accounts, or `everyone`.

Both sides are resolved again while the share lives, never frozen at its
start: the subject to the ship(s) it is on now, every second, so markers follow
jumps and respawns; the audience every `AUDIENCE_EVERY` seconds, so a new
victim starts seeing the thief too (and is told so). The ledger names the
thief's ship, so a crew's or an agent's victims are those of every ship it has
been on since the share began.

Shares live in this process: a restart ends an operator's shares, and `start`
re-makes the bounty rule's from the open board. Expiry is wall-clock time
(`time.time`, seconds since the epoch). `run` hands the gateway one `Sighting`
per share once a second: markers are bounded there, never sent per tick.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import msgspec

from infinity.audit.log import Act, AuditLog
from infinity.commands.errors import Refusal
from infinity.commands.notices import Notice, NoticeKind, Tell
from infinity.crew.agent import Agent
from infinity.crew.memory import MemoryKind
from infinity.economy.bounties import Bounty, BountyBoard
from infinity.ledger import Ledger
from infinity.universe.loop import pause
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

SIGHTING_EVERY: Final = 1.0  # seconds between markers: a client cannot be flooded with them
HUNTED_IMPORTANCE: Final = 8  # being hunted is hard to forget (1..10)
AUDIENCE_EVERY: Final = 5.0  # seconds between re-reading an audience from the ledger and board
RULE_BOUNTY: Final = 1_000  # a bounty this large shares its target with everyone while open


class SubjectKind(StrEnum):
    SHIP = "ship"
    AGENT = "agent"
    PLAYER = "player"  # an account: the ship it flies now
    CREW = "crew"


class AudienceRule(StrEnum):
    VICTIMS = "victims"
    BOUNTY_HUNTERS = "bounty-hunters"
    ACCOUNTS = "accounts"
    EVERYONE = "everyone"


class HuntRefused(Refusal):
    """A share that cannot be made or revoked; `reason` is a stable code for the API."""


@dataclass(frozen=True, slots=True)
class Subject:
    """What a share shows: a ship, an agent, a player's current ship or a whole crew."""

    kind: SubjectKind
    id: int  # the ship's, agent's, account's or crew's


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may see a share."""

    rule: AudienceRule
    accounts: frozenset[int] = frozenset()  # only for ACCOUNTS


@dataclass(slots=True)
class Share:
    """One live share. `members` is the audience as last resolved (None: everyone)."""

    id: int
    subject: Subject
    name: str
    audience: Audience
    by: str  # who made it: an operator's name, or the rule that did
    started_at: float
    expires_at: float | None  # wall clock; None: until revoked (or its bounty closes)
    bounty: int | None = None
    members: frozenset[int] | None = frozenset()
    resolved_at: float = 0.0
    ended: str | None = None  # why it stopped: revoked, expired, bounty claimed
    ships_seen: set[int] = field(default_factory=set)  # every ship the subject was on


class Marker(msgspec.Struct, frozen=True):
    """Where one ship of a shared subject is now."""

    share: int
    ship: int
    name: str
    system: int
    system_name: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Sighting:
    """A share's markers and who may see them (accounts; None: everyone)."""

    share: int
    audience: frozenset[int] | None
    markers: tuple[Marker, ...]


Show = Callable[[Sequence[Sighting]], None]


class Hunts:
    """Every live share: made by an operator (`share_location`) or by the bounty rule."""

    def __init__(
        self,
        universe: Universe,
        ledger: Ledger,
        board: BountyBoard,
        *,
        tell: Tell,
        show: Show,
        crews: Mapping[int, tuple[str, int]],
        agents: Mapping[int, Agent],
        audit: AuditLog | None = None,
        online: Callable[[int], bool] = lambda account: True,
        rule_bounty: int = RULE_BOUNTY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`tell` reaches the player flying a ship; `show` hands the gateway each second's
        sightings; `crews` is the live (name, ship) of each crew; `agents` every mind;
        `audit` records the bounty rule's acts (the REST adapter records operators');
        `online` says whether an account is connected (one told offline would never know)."""
        self.universe = universe
        self.ledger = ledger
        self.board = board
        self.tell = tell
        self.show = show
        self.crews = crews
        self.agents = agents
        self.audit = audit
        self.online = online
        self.rule_bounty = rule_bounty
        self.clock = clock
        self._shares: dict[int, Share] = {}
        self._told: dict[int, set[int]] = {}  # share id -> accounts told it started
        self._ids = itertools.count(1)

    # -- making and ending shares -------------------------------------------------------

    async def share_location(
        self, subject: Subject, audience: Audience, expires_at: float | None, by: str
    ) -> Share:
        """Share `subject`'s live location with `audience` until `expires_at` (wall clock)."""
        name = self.name_of(subject)
        now = self.clock()
        if expires_at is not None and expires_at <= now:
            raise HuntRefused("invalid", "a share must expire in the future")
        share = Share(next(self._ids), subject, name, audience, by, now, expires_at)
        share.members = await self._members(share)
        share.resolved_at = now
        self._begin(share)
        return share

    def revoke(self, share_id: int) -> Share:
        """End a share now; its subject and audience are told."""
        share = self._shares.get(share_id)
        if share is None:
            raise HuntRefused("unknown_share", f"no live share {share_id}")
        self._end(share, "revoked")
        return share

    def shares(self) -> list[Share]:
        """The live shares, oldest first."""
        self._expire()
        return list(self._shares.values())

    def _begin(self, share: Share) -> None:
        self._shares[share.id] = share
        self._told[share.id] = set()
        text = f"you are hunted: your location is shared with {_audience_text(share.audience)}"
        for ship in self.ships_of(share.subject):
            self.tell(ship, Notice(kind=NoticeKind.HUNTED, text=text, other=share.by))
            self._warn_crew(ship, share)
        self._welcome(share, self._everyone() if share.members is None else share.members)

    def _warn_crew(self, ship: int, share: Share) -> None:
        """Agents aboard a hunted ship are told too: no session listens for them, so it
        becomes a memory they act and talk on (a player is told by the notice)."""
        zone = self.universe.zone_of(ship)
        now = zone.clock.sim_time if zone is not None else 0.0
        text = f"We are hunted: {share.by} is showing others where we are."
        for agent in self.agents.values():
            if agent.ship == ship and agent.alive:
                agent.remember(MemoryKind.OBSERVATION, text, now, HUNTED_IMPORTANCE)

    def _welcome(self, share: Share, accounts: Iterable[int]) -> None:
        """Tell audience members online and not yet told that they now see the subject
        (one offline now is told when the audience is next read after it connects)."""
        told = self._told[share.id]
        own = {self.universe.owners.get(ship) for ship in self.ships_of(share.subject)}
        fresh = {a for a in accounts if a not in told and a not in own and self.online(a)}
        told |= fresh
        text = f"hunt: {share.name}'s location is shared with you"
        self._tell_accounts(fresh, Notice(kind=NoticeKind.HUNT, text=text, other=share.name))

    def _end(self, share: Share, why: str) -> None:
        self._shares.pop(share.id, None)
        share.ended = why
        told = self._told.pop(share.id, set())
        text = f"hunt ended ({why}): {share.name}"
        notice = Notice(kind=NoticeKind.HUNT_ENDED, text=text, other=share.name)
        for ship in self.ships_of(share.subject):
            self.tell(ship, notice)
        self._tell_accounts(told, notice)

    def _expire(self) -> None:
        now = self.clock()
        for share in list(self._shares.values()):
            if share.expires_at is not None and share.expires_at <= now:
                self._end(share, "expired")

    # -- the bounty rule (the economy calls these; it knows nothing of operators) ---------

    async def bounty_opened(self, bounty: Bounty) -> None:
        """A bounty of at least `rule_bounty` shares its target with everyone while open;
        the rule's act is audited like an operator's (actor "rule")."""
        if bounty.amount < self.rule_bounty or self._of_bounty(bounty.id):
            return
        subject = Subject(SubjectKind(bounty.target_kind), bounty.target_id)
        try:
            name = self.name_of(subject)
        except HuntRefused:
            return
        by = f"rule: bounty #{bounty.id} of {bounty.amount} cr"
        now = self.clock()
        share = Share(
            next(self._ids), subject, name, Audience(AudienceRule.EVERYONE), by, now, None,
            bounty=bounty.id, members=None, resolved_at=now,
        )  # fmt: skip
        self._begin(share)
        await self._audit("share_location", share, {"bounty": bounty.id, "amount": bounty.amount})

    async def bounty_closed(self, bounty: Bounty) -> None:
        """The bounty was paid: the shares it made end."""
        for share in self._of_bounty(bounty.id):
            self._end(share, "bounty claimed")
            await self._audit("revoke_share", share, {"bounty": bounty.id})

    async def _audit(self, verb: str, share: Share, args: Mapping[str, Any]) -> None:
        """Record the rule's act; a failure is logged, never handed to the bounty's poster
        or killer (their credits have already moved)."""
        if self.audit is None:
            return
        target = f"{share.subject.kind.value}:{share.subject.id}"
        every = {"share": share.id, "audience": share.audience.rule.value, **args}
        try:
            await self.audit.append(Act(None, "rule", "rule", verb, target, every))
        except Exception:
            log.exception("the audit log refused the bounty rule's %s of share %d", verb, share.id)

    def _of_bounty(self, bounty_id: int) -> list[Share]:
        return [s for s in self._shares.values() if s.bounty == bounty_id]

    async def start(self) -> None:
        """Re-make the rule's shares for bounties still open from an earlier run."""
        for bounty in await self.board.bounties("open"):
            await self.bounty_opened(bounty)

    # -- resolving ------------------------------------------------------------------------

    def ships_of(self, subject: Subject) -> list[int]:
        """The ship(s) the subject is on now (none while it has no ship in the universe, or
        while its ship is a hidden operator avatar: no marker may show one)."""
        ship: int | None
        match subject.kind:
            case SubjectKind.SHIP:
                ship = subject.id
            case SubjectKind.PLAYER:
                ship = self.universe.ship_of_account.get(subject.id)
            case SubjectKind.CREW:
                crew = self.crews.get(subject.id)
                ship = None if crew is None else crew[1]
            case SubjectKind.AGENT:
                agent = self.agents.get(subject.id)
                ship = agent.ship if agent is not None and agent.alive else None
        universe = self.universe
        shown = ship is not None and ship in universe.where and ship not in universe.hidden
        return [ship] if shown and ship is not None else []

    def name_of(self, subject: Subject) -> str:
        """The subject's name; `HuntRefused` when it is nowhere in the universe."""
        ships = self.ships_of(subject)
        if not ships:
            raise HuntRefused(
                "unknown_subject", f"no {subject.kind.value} {subject.id} aboard a ship"
            )
        if subject.kind is SubjectKind.CREW:
            return self.crews[subject.id][0]
        if subject.kind is SubjectKind.AGENT:
            return self.agents[subject.id].name
        zone = self.universe.zone_of(ships[0])
        info = None if zone is None else zone.info.get(ships[0])
        return f"ship {ships[0]}" if info is None else info.name

    async def _members(self, share: Share) -> frozenset[int] | None:
        """The audience's accounts now, by its rule (None: everyone)."""
        rule = share.audience.rule
        if rule is AudienceRule.EVERYONE:
            return None
        if rule is AudienceRule.ACCOUNTS:
            return share.audience.accounts
        ships = self.ships_of(share.subject)
        share.ships_seen.update(ships)
        if rule is AudienceRule.VICTIMS:  # the ledger names the thief's ship: every one it was on
            found = await self.victims(sorted(share.ships_seen))
        else:
            found = await self.hunters(ships)
        own = {self.universe.owners.get(ship) for ship in ships}
        return frozenset(found - own)

    async def victims(self, ships: Iterable[int]) -> set[int]:
        """Every account a THEFT transfer names as victim of one of `ships` (NPCs have none)."""
        owners = self.universe.owners
        found: set[int] = set()
        for ship in ships:
            for victim in await self.ledger.victims("thief", ship):
                account = owners.get(victim)
                if account is not None:
                    found.add(account)
        return found

    async def hunters(self, ships: Iterable[int]) -> set[int]:
        """The posters of every open bounty a kill of one of `ships` would pay: on the
        ship, on its owner, or on a crew aboard it (as `Bounties.claim` pays them)."""
        found: set[int] = set()
        for ship in ships:
            targets = [("ship", ship)]
            owner = self.universe.owners.get(ship)
            if owner is not None:
                targets.append(("player", owner))
            targets += [
                ("crew", crew) for crew, (_, aboard) in self.crews.items() if aboard == ship
            ]
            for kind, target in targets:
                found |= {b.poster for b in await self.board.open_on(kind, target)}
        return found

    # -- sightings --------------------------------------------------------------------------

    async def sightings(self) -> list[Sighting]:
        """Every live share's markers now, with its audience (re-read when due)."""
        self._expire()
        out: list[Sighting] = []
        for share in list(self._shares.values()):
            await self._refresh(share)
            if share.id in self._shares:  # it may have been revoked meanwhile
                out.append(Sighting(share.id, share.members, self.markers(share)))
        return out

    async def _refresh(self, share: Share) -> None:
        now = self.clock()
        if now - share.resolved_at < AUDIENCE_EVERY:
            return
        members = await self._members(share)
        share.members, share.resolved_at = members, now
        if share.id in self._shares:
            self._welcome(share, self._everyone() if members is None else members)

    def markers(self, share: Share) -> tuple[Marker, ...]:
        """Where the subject's ships are now; a ship between zones shows next second."""
        out: list[Marker] = []
        for ship in self.ships_of(share.subject):
            share.ships_seen.add(ship)
            zone = self.universe.zone_of(ship)
            row = None if zone is None else zone.bodies.row_of.get(ship)
            if zone is None or row is None:
                continue
            x, y = (round(float(v), 1) for v in zone.bodies.pos[row])
            out.append(Marker(share.id, ship, share.name, zone.system_id, zone.name, x, y))
        return tuple(out)

    async def run(self, stopping: asyncio.Event) -> None:
        """Once a second until stopped: hand the gateway every share's sightings."""
        while not await pause(stopping, SIGHTING_EVERY):
            try:
                self.show(await self.sightings())
            except Exception:
                log.exception("sharing locations failed; trying again next second")

    # -- telling --------------------------------------------------------------------------

    def _everyone(self) -> list[int]:
        return list(self.universe.ship_of_account)

    def _tell_accounts(self, accounts: Iterable[int], notice: Notice) -> None:
        for account in accounts:
            ship = self.universe.ship_of_account.get(account)
            if ship is not None:
                self.tell(ship, notice)


def _audience_text(audience: Audience) -> str:
    match audience.rule:
        case AudienceRule.VICTIMS:
            return "everyone you stole from"
        case AudienceRule.BOUNTY_HUNTERS:
            return "everyone with a bounty on you"
        case AudienceRule.ACCOUNTS:
            return f"{len(audience.accounts)} player(s)"
        case AudienceRule.EVERYONE:
            return "everyone"
