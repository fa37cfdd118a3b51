"""Worlds at run time: private instances made from templates, who may enter, and travel.

`Worlds` keeps every open world (the main world is 1), makes instances
(`create`), lets owners invite and uninvite, moves a member's ship there and
back (`travel`, `go_home`) and closes instances (members are sent home first).
Travel is written before it happens: the voyage and the ship's new place in one
transaction (`Atlas.depart`), then the `Voyage` command moves the ship at the
zone's next tick. Killed at any point, the process restarts with the ship in
exactly one world, the one its stored row names.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import InitVar, dataclass, field, replace
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.commands import internal as ci
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim import events as ev
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.zone import StaticBody, TickReport, Zone
from infinity.universe.loop import ZoneLoops
from infinity.universe.universe import MAIN_WORLD, Universe
from infinity.worlds.atlas import Atlas, Berth, Launch, Voyage
from infinity.worlds.records import World, holder, zone_rules
from infinity.worlds.template import CAPTAIN, Fixed, Post, Rules, Station, System, Template

log = logging.getLogger(__name__)

ARRIVAL_SECONDS: Final = 5.0  # how long a travel waits for its ship to arrive
KEYS_KEPT: Final = 10_000  # answered travel keys remembered (oldest forgotten first)
FALLEN_TRIES: Final = 50  # a lost ship between systems is tried again, 0.1 s apart
OpenMarkets = Callable[[Galaxy], None]  # the economy opens markets at a new world's stations
FindAccount = Callable[[str], Awaitable[Account | None]]
# The shipyard builds a flagship (name, system, station) docked there, and returns its id.
Commission = Callable[[str, StarSystem, StaticBody], Awaitable[int]]
# The gateway puts an account's session on a ship's bridge (ship, post, its commands; None:
# all), or back aboard its own ship (ship None).
Seat = Callable[[int, int | None, str, frozenset[str] | None], None]

# A host's enclave: one system, one station, no gate, nothing to fight or trade over.
ENCLAVE: Final = Template(
    name="enclave", title="Enclave",
    galaxy=Fixed(systems=[System(name="Enclave", x=0.0, y=0.0, star="Inner Light",
                                 stations=[Station(name="Haven", x=600.0, y=0.0)])]),
    rules=Rules(damage=0.0, economy=False, builders="owner"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class WorldLimits:
    """What one account may cost the server (docs/worlds.md)."""

    owned: int = 3  # open instances per account
    systems: int = 16  # star systems per instance (templates and building)
    members: int = 50  # invited accounts per instance
    instances: int = 500  # open instances on the server


class WorldRefused(Exception):
    """A world act refused: a typed code and a sentence for the player."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Arrival:
    """Where a travelling ship now is."""

    world: int
    system: int
    station: int  # where it is docked; NO_ENTITY when in flight


@dataclass(frozen=True, slots=True)
class Opened:
    """The stored worlds, opened as zones before any ship is placed (`open_worlds`)."""

    worlds: dict[int, World]
    voyages: dict[int, Voyage]


async def open_worlds(atlas: Atlas, universe: Universe) -> Opened:
    """Add every stored instance's zones to the universe and read the voyages."""
    worlds: dict[int, World] = {}
    for world in await atlas.load():
        worlds[world.id] = world
        if world.id != MAIN_WORLD:
            galaxy = await atlas.galaxy_of(world)
            universe.add_world(world.id, galaxy, zone_rules(world.rules))
    return Opened(worlds, await atlas.voyages())


def place_of(
    universe: Universe, ship: int, system_id: int, home_system: int, opened: Opened
) -> int:
    """Where a stored ship is loaded: its system; when that is gone (a closed world, a removed
    system), where its voyage set out from, or its home; else the main world's first system."""
    voyage = opened.voyages.get(ship)
    origin = voyage.origin.system if voyage is not None else system_id
    for system in (system_id, origin, home_system):
        if system in universe.zones:
            return system
    return universe.galaxy.systems[0].id


@dataclass(eq=False, repr=False)
class Worlds:
    """Every open world, and the acts on them: create, invite, travel, close (module docs).

    `opened`: the worlds `open_worlds` added to `universe`; their loops start here.
    """

    universe: Universe
    atlas: Atlas
    opened: InitVar[Opened]
    templates: Mapping[str, Template]
    loops: ZoneLoops
    find_account: FindAccount
    open_markets: OpenMarkets
    commission: Commission
    seat: Seat
    limits: WorldLimits = WorldLimits()
    _worlds: dict[int, World] = field(init=False)
    _voyages: dict[int, Voyage] = field(init=False)
    # (ship, key) -> its answer
    _travelled: dict[tuple[int, str], Arrival] = field(init=False, default_factory=dict)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    # players' ships lost in a world without respawn, and how often each was tried
    _fallen: asyncio.Queue[tuple[int, int]] = field(init=False, default_factory=asyncio.Queue)

    def __post_init__(self, opened: Opened) -> None:
        self._worlds = dict(opened.worlds)
        self._voyages = dict(opened.voyages)
        for world in self._worlds:
            if world != MAIN_WORLD:
                self.loops.start_world(world)
        self.universe.observe(self._on_tick)

    async def run(self, stopping: asyncio.Event) -> None:
        """Carry out the rules on lost ships until `stopping` is set. A player whose ship is
        destroyed in a world without `respawn` is sent home (the ship respawned in the world:
        a zone never deletes a ship); with `permadeath` the account is also taken off the
        members, gone from that world for good."""
        while not stopping.is_set():
            try:
                ship, tries = await asyncio.wait_for(self._fallen.get(), 0.5)
            except TimeoutError:
                continue
            try:
                await self._perish(ship)
            except WorldRefused:  # between systems (respawning elsewhere): again shortly
                if tries < FALLEN_TRIES:
                    await asyncio.sleep(0.1)
                    self._fallen.put_nowait((ship, tries + 1))

    def _on_tick(self, zone: Zone, report: TickReport) -> None:
        """Note players' ships destroyed in a world without respawn, or with permadeath
        (O(events), not per ship)."""
        if not report.events:
            return
        world = self._worlds.get(self.universe.world_of.get(zone.system_id, MAIN_WORLD))
        if world is None or (world.rules.respawn and not world.rules.permadeath):
            return
        for event in report.events:
            if isinstance(event, ev.Wrecked) and self.universe.roles.get(event.ship) == "player":
                self._fallen.put_nowait((event.ship, 0))

    async def _perish(self, ship: int) -> None:
        async with self._lock:
            voyage = self._voyages.get(ship)
            account = self.universe.owners.get(ship)
            if voyage is None or account is None:
                return
            world = self._worlds.get(voyage.world)
            await self._return(ship)
            if world is None or not world.rules.permadeath:
                return
            if any(m == account for m, _ in world.members):
                await self.atlas.remove_member(world.id, account)
                members = tuple(m for m in world.members if m[0] != account)
                self.keep(replace(world, members=members))

    async def settle(self) -> None:
        """After ships are placed, finish what a killed process left half done: a voyage
        whose ship is not in its world never happened (killed between a snapshot and the
        voyage's write), and a world whose flagship was never built gets it now."""
        for ship, voyage in list(self._voyages.items()):
            if self.universe.world_of_ship(ship) != voyage.world:
                await self.atlas.forget_voyage(ship)
                del self._voyages[ship]
        for world in list(self._worlds.values()):
            template = self.templates.get(world.template)
            flagship = None if template is None else template.flagship
            if flagship is not None and world.kind != "main" and world.flagship is None:
                await self._launch(world, flagship.name)

    # -- reading --------------------------------------------------------------

    def all(self) -> list[World]:
        return list(self._worlds.values())

    def visible_to(self, account: Account) -> list[World]:
        """The public worlds and those the account owns or was invited to; operators: all."""
        if allowed(account.role, Verb.INSPECT):
            return self.all()
        return [w for w in self._worlds.values() if w.admits(account.id)]

    def get(self, account: Account, world_id: int) -> World:
        """A world the account may see; one it may not is as unknown as one that is not."""
        return seen_by(account, world_id, self._worlds.get(world_id))

    def world_of_account(self, account: Account) -> int:
        ship = self.universe.ship_of_account.get(account.id)
        found = None if ship is None else self.universe.world_of_ship(ship)
        return MAIN_WORLD if found is None else found

    def world_of_station(self, station: int) -> int | None:
        """The world a station is in (None: no world has it)."""
        for world, galaxy in self.universe.galaxies.items():
            if any(b.id == station for s in galaxy.systems for b in s.stations()):
                return world
        return None

    def galaxy_of(self, world: int) -> Galaxy:
        return self.universe.galaxies[world]

    def ships_in(self, world: int) -> list[int]:
        systems = set(self.universe.systems_of(world))
        return [ship for ship, system in self.universe.where.items() if system in systems]

    # -- making and closing -----------------------------------------------------

    async def create(self, owner: Account, template: str, name: str, seed: int | None) -> World:
        """A new invite-only instance owned by `owner`, made from a template."""
        async with self._lock:
            world, placed, found = await make_instance(
                self.atlas, self.templates, owner, template, name, seed, self.limits
            )
            self.universe.add_world(world.id, placed, zone_rules(world.rules))
            if world.rules.economy:
                self.open_markets(placed)
            self.loops.start_world(world.id)
            self._worlds[world.id] = world
            if found.flagship is not None:
                world = await self._launch(world, found.flagship.name)
            log.info("world %d %r made by %s from %s", world.id, name, owner.name, template)
            return world

    async def make_enclave(self, host: Account) -> World:
        """The host's enclave (docs/worlds.md "Enclaves"), made the first time: a sealed world
        of one system with one station and no gate, which only its host may enter."""
        async with self._lock:
            found = self.enclave_of(host.id)
            if found is not None:
                return found
            world, placed = await self.atlas.found(
                name=f"{host.name}'s enclave"[:40], template=ENCLAVE.name, kind="enclave",
                visibility="sealed", owner=host.id, owner_name=host.name, seed=0,
                rules=ENCLAVE.rules, galaxy=ENCLAVE.galaxy_for(0),
            )  # fmt: skip
            self.universe.add_world(world.id, placed, zone_rules(world.rules))
            self.loops.start_world(world.id)
            log.info("enclave %d made for %s", world.id, host.name)
            return self.keep(world)

    def enclave_of(self, host: int) -> World | None:
        """The account's enclave, if it has one."""
        return next(
            (w for w in self._worlds.values() if w.kind == "enclave" and w.owner == host), None
        )

    def enclave_host(self, world_id: int) -> str | None:
        """The host's name when `world_id` is an enclave."""
        world = self._worlds.get(world_id)
        return world.owner_name if world is not None and world.kind == "enclave" else None

    def sealed(self, system: int) -> bool:
        """Whether a star system is inside an enclave (no operator reaches into it)."""
        world = self._worlds.get(self.universe.world_of.get(system, MAIN_WORLD))
        return world is not None and world.kind == "enclave"

    async def close(self, actor: Account, world_id: int) -> World:
        """Close an instance: every ship in it is sent home first, then its zones stop."""
        async with self._lock:
            world = self._own(actor, world_id, operators=True)
            for ship in self.ships_in(world_id):
                if ship != world.flagship:
                    await self._return(ship)
            if world.flagship is not None:
                self.universe.retire(world.flagship)
            flagship = world.flagship
            await until(
                lambda: (
                    not self.ships_in(world_id)
                    and (flagship is None or not self._anywhere(flagship))
                )
            )
            if self.ships_in(world_id):
                raise WorldRefused("in_transit", "ships are still leaving; close it again")
            self.loops.stop_world(world_id)
            self.universe.remove_world(world_id)
            await self.atlas.close(world_id, world.flagship)
            del self._worlds[world_id]
            return world

    async def _launch(self, world: World, name: str) -> World:
        """Build the world's flagship at its first station and record it."""
        system, station = _arrival_station(self.universe.galaxies[world.id])
        ship = await self.commission(name, system, station)
        await self.atlas.set_flagship(world.id, ship)
        return self.keep(replace(world, flagship=ship))

    # -- the flagship's bridge ------------------------------------------------------

    def post_of(self, account: int) -> tuple[int, str, frozenset[str] | None] | None:
        """(flagship, post, its commands) for an account on a bridge in the world its ship is
        in now; None when it holds no post there."""
        ship = self.universe.ship_of_account.get(account)
        world = self._worlds.get(self.world_of_ship(ship)) if ship is not None else None
        if world is None or world.flagship is None:
            return None
        post = holder(world, account)
        return (
            None
            if post is None
            else (world.flagship, post, post_commands(self.templates, world, post))
        )

    async def take_post(self, actor: Account, world_id: int, post: str, name: str = "") -> World:
        """Put `name` (the actor if empty) at `post` on the flagship's bridge, as the
        captain may (`check_seating`)."""
        async with self._lock:
            world = self.get(actor, world_id)
            target = actor if not name else await self._account(name)
            inside = self.world_of_account(target) == world_id
            held = check_seating(self.templates, world, actor, target, post, inside)
            await self.atlas.seat(world_id, post, target.id)
            world = self.keep(seated(world, post, target))
            if held is not None:
                self.seat(held, None, "", None)
            assert world.flagship is not None
            self.seat(target.id, world.flagship, post, post_commands(self.templates, world, post))
            return world

    async def leave_post(self, actor: Account, world_id: int, name: str = "") -> World:
        """Leave the bridge for the own ship (the captain may relieve anyone by name)."""
        async with self._lock:
            world = self.get(actor, world_id)
            target = actor if not name else await self._account(name)
            check_relief(world, actor, target)
            return await self._unseat(world, target.id)

    async def _unseat(self, world: World, account: int) -> World:
        if holder(world, account) is None:
            return world
        await self.atlas.unseat(world.id, account)
        self.seat(account, None, "", None)
        return self.keep(replace(world, posts=tuple(p for p in world.posts if p[1] != account)))

    # -- members ----------------------------------------------------------------

    async def invite(self, actor: Account, world_id: int, name: str) -> World:
        async with self._lock:
            world = self._own(actor, world_id)
            guest = await self._account(name)
            after = with_member(world, guest, self.limits)
            if after is world:
                return world
            await add_member(self.atlas, world_id, guest.id, self.limits)
            return self.keep(after)

    async def uninvite(self, actor: Account, world_id: int, name: str) -> World:
        """Take an account off the list; its ship, if inside, is sent home first."""
        async with self._lock:
            world = self._own(actor, world_id, operators=True)
            guest = await self._account(name)
            if guest.id == world.owner:  # never a member: the owner's world stays theirs
                return world
            world = await self._unseat(world, guest.id)
            ship = self.universe.ship_of_account.get(guest.id)
            if ship is not None and self.universe.world_of_ship(ship) == world_id:
                await self._return(ship)
            await self.atlas.remove_member(world_id, guest.id)
            members = tuple(m for m in world.members if m[0] != guest.id)
            return self.keep(replace(world, members=members))

    # -- travel -------------------------------------------------------------------

    async def travel(self, account: Account, world_id: int, key: str | None = None) -> Arrival:
        """Take the account's ship to a world it may enter (the main world: home).

        Idempotent: a ship already there (a retried request) is not moved again.
        """
        async with self._lock:
            world = self.get(account, world_id)
            check_entry(world, account)
            ship = self._ship_of(account)
            done = self._travelled.get((ship, key)) if key else None
            if done is not None:  # a retry of a travel already made: never moved twice
                return done
            if self.universe.world_of_ship(ship) == world_id:
                arrived = self._arrival(ship)
            elif world_id == MAIN_WORLD:
                arrived = await self._return(ship)
            else:
                arrived = await self._depart(ship, world, key or secrets.token_hex(8))
            if key:
                self._remember_key(ship, key, arrived)
            return arrived

    def _remember_key(self, ship: int, key: str, arrived: Arrival) -> None:
        """Keep the answer to a keyed travel, so its retry gets it again (the last
        `KEYS_KEPT`, in this process: a restart forgets them)."""
        self._travelled[ship, key] = arrived
        while len(self._travelled) > KEYS_KEPT:
            del self._travelled[next(iter(self._travelled))]

    async def go_home(self, account: Account) -> Arrival:
        """Bring the account's ship back where it set out from (nothing if it is home)."""
        async with self._lock:
            ship = self._ship_of(account)
            if ship not in self._voyages:
                return self._arrival(ship)
            return await self._return(ship)

    async def _depart(self, ship: int, world: World, key: str) -> Arrival:
        zone = self._zone_holding(ship)
        await self._leave_bridges(ship)
        state = zone.ship_state(ship)
        voyage = self._voyages.get(ship)
        origin = voyage.origin if voyage is not None else Berth(
            zone.system_id, state.x, state.y, state.docked_at, state.home_station,
            state.home_system,
        )  # fmt: skip
        arrival = arrival_berth(self.universe.galaxies[world.id])
        voyage = Voyage(ship, world.id, key, origin)
        await self.atlas.depart(voyage, arrival)
        self._voyages[ship] = voyage
        self._move(ship, arrival)
        await until(lambda: self._arrived(ship, arrival.system))
        return Arrival(world.id, arrival.system, arrival.docked_at)

    async def _return(self, ship: int) -> Arrival:
        """Send a ship back to the berth its voyage started from (off any bridge first)."""
        voyage = self._voyages.get(ship)
        if voyage is None:
            return self._arrival(ship)
        await self._leave_bridges(ship)
        self._zone_holding(ship)
        origin = voyage.origin
        if origin.system not in self.universe.zones:  # its origin was closed meanwhile
            origin = arrival_berth(self.universe.galaxy)  # a station of the main world
        await self.atlas.come_back(ship, origin)
        del self._voyages[ship]
        self._move(ship, origin)
        await until(lambda: self._arrived(ship, origin.system))
        return Arrival(self.universe.world_of[origin.system], origin.system, origin.docked_at)

    def _anywhere(self, ship: int) -> bool:
        return any(ship in zone.bodies.row_of for zone in self.universe.zones.values())

    async def _leave_bridges(self, ship: int) -> None:
        account = self.universe.owners.get(ship)
        here = self._worlds.get(self.world_of_ship(ship))
        if account is not None and here is not None:
            await self._unseat(here, account)

    def world_of_ship(self, ship: int) -> int:
        found = self.universe.world_of_ship(ship)
        return MAIN_WORLD if found is None else found

    def _move(self, ship: int, to: Berth) -> None:
        self.universe.submit(
            ci.Voyage(
                ship=ship, system=to.system, station=to.docked_at, x=to.x, y=to.y,
                home_station=to.home_station, home_system=to.home_system,
            )
        )  # fmt: skip

    # -- small parts ----------------------------------------------------------------

    def _own(self, actor: Account, world_id: int, operators: bool = False) -> World:
        return owned_by(actor, self.get(actor, world_id), operators)

    def keep(self, world: World) -> World:
        """Hold `world` as the current record of its id (members or rules changed)."""
        self._worlds[world.id] = world
        return world

    async def _account(self, name: str) -> Account:
        found = await self.find_account(name)
        if found is None:
            raise WorldRefused("unknown_account", f"no account named {name!r}")
        return found

    def _ship_of(self, account: Account) -> int:
        ship = self.universe.ship_of_account.get(account.id)
        if ship is None:
            raise WorldRefused("no_ship", "you have no ship yet")
        return ship

    def _zone_holding(self, ship: int) -> Zone:
        zone = self.universe.zone_of(ship)
        if zone is None or ship not in zone.bodies.row_of:
            raise WorldRefused("in_transit", "your ship is between systems; try again")
        return zone

    def _arrival(self, ship: int) -> Arrival:
        system = self.universe.where[ship]
        zone = self.universe.zones[system]
        docked = zone.ship_state(ship).docked_at if ship in zone.bodies.row_of else NO_ENTITY
        return Arrival(self.universe.world_of[system], system, docked)

    def _arrived(self, ship: int, system: int) -> bool:
        """The ship is in `system`'s zone, ticked in (not only on its way)."""
        zone = self.universe.zones.get(system)
        return (
            zone is not None
            and self.universe.where.get(ship) == system
            and (ship in zone.bodies.row_of)
        )


async def until(done: Callable[[], bool], seconds: float = ARRIVAL_SECONDS) -> None:
    """Until the zones have moved the ships (a few ticks), at most `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not done() and loop.time() < deadline:
        await asyncio.sleep(0.02)


def _arrival_station(galaxy: Galaxy) -> tuple[StarSystem, StaticBody]:
    """A world's first station: where everyone arrives."""
    for system in galaxy.systems:
        stations = system.stations()
        if stations:
            return system, stations[0]
    raise WorldRefused("no_station", "this world has no station to arrive at")


def arrival_berth(galaxy: Galaxy) -> Berth:
    """Docked at a world's first station, which is home while there."""
    system, station = _arrival_station(galaxy)
    return Berth(system.id, station.x, station.y, station.id, station.id, system.id)


# -- the rules of world acts, shared by the worlds' service and a cluster's -------------


def seen_by(account: Account, world_id: int, world: World | None) -> World:
    """`world` if the account may see it; one it may not is as unknown as one that is not."""
    if world is None or not (world.admits(account.id) or allowed(account.role, Verb.INSPECT)):
        raise WorldRefused("unknown_world", f"no world {world_id} that you may see")
    return world


def owned_by(actor: Account, world: World, operators: bool = False) -> World:
    """`world` if `actor` may change it: its owner (or, with `operators`, an operator)."""
    if world.kind == "main":
        raise WorldRefused("main_world", "the main world cannot be changed this way")
    if world.kind == "enclave":  # no members, never closed: its minds live there
        raise WorldRefused("sealed", f"{world.name} is sealed: no one joins it, none close it")
    if world.owner != actor.id and not (operators and allowed(actor.role, Verb.INSPECT)):
        raise WorldRefused("not_owner", f"only {world.owner_name} may do that")
    return world


def check_entry(world: World, account: Account) -> None:
    """Refused unless the account may take its ship into `world`."""
    if world.kind == "enclave" and not world.admits(account.id):
        raise WorldRefused("sealed", f"{world.name} is sealed: only its host enters")
    if not world.admits(account.id):
        raise WorldRefused("not_invited", f"you are not invited to {world.name}")


def bridge_post(templates: Mapping[str, Template], world: World, name: str) -> Post | None:
    """The post of that name on the world's flagship bridge (None: no such post)."""
    template = templates.get(world.template)
    if template is None or template.flagship is None:
        return None
    return next((p for p in template.flagship.posts if p.name == name), None)


def post_commands(
    templates: Mapping[str, Template], world: World, post: str
) -> frozenset[str] | None:
    """The commands a post gives (None: every one, the captain's)."""
    found = bridge_post(templates, world, post)
    return None if found is None else frozenset(found.commands)


def check_seating(
    templates: Mapping[str, Template],
    world: World,
    actor: Account,
    target: Account,
    post: str,
    inside: bool,
) -> int | None:
    """Refused unless `actor` may put `target` (`inside` the world) at `post`: the account
    relieved there, if any.

    The captain (the owner) assigns anyone aboard to any post and relieves its holder; in
    a world whose rules give the captain's orders force (`captain_orders`), no one else
    chooses a post, not even their own. The captain's chair is the owner's.
    """
    if world.flagship is None:
        raise WorldRefused("no_flagship", f"{world.name} has no flagship")
    captain = actor.id == world.owner
    if post != CAPTAIN and bridge_post(templates, world, post) is None:
        raise WorldRefused("unknown_post", f"the bridge has no {post!r} post")
    if (post == CAPTAIN) != (target.id == world.owner):
        raise WorldRefused("captains_chair", "the captain's chair is the owner's alone")
    if not captain and (target.id != actor.id or world.rules.captain_orders):
        raise WorldRefused("captains_orders", "the captain assigns posts on this ship")
    if not world.admits(target.id) or not inside:
        raise WorldRefused("not_aboard", f"{target.name} is not in {world.name}")
    held = next((a for p, a, _ in world.posts if p == post and a != target.id), None)
    if held is not None and not captain:
        raise WorldRefused("post_taken", f"the {post} post is taken")
    return held


def seated(world: World, post: str, target: Account) -> World:
    """`world` with `target` at `post` (and at no other post)."""
    kept = [p for p in world.posts if p[0] != post and p[1] != target.id]
    return replace(world, posts=tuple(sorted((*kept, (post, target.id, target.name)))))


def check_relief(world: World, actor: Account, target: Account) -> None:
    """Refused unless `actor` may take `target` off the bridge: itself, or the captain."""
    if target.id != actor.id and actor.id != world.owner:
        raise WorldRefused("captains_orders", "only the captain relieves others")


def with_member(world: World, guest: Account, limits: WorldLimits) -> World:
    """`world` with `guest` among its members (the same `world` when it is already, or is
    the owner); refused past the members' limit."""
    if guest.id == world.owner or any(m == guest.id for m, _ in world.members):
        return world
    if len(world.members) >= limits.members:
        raise WorldRefused("limit", f"a world may have {limits.members} members")
    members = tuple(sorted((*world.members, (guest.id, guest.name)), key=lambda m: m[1]))
    return replace(world, members=members)


async def add_member(atlas: Atlas, world: int, account: int, limits: WorldLimits) -> None:
    """Store a member, the limit checked again in the write (invitations at once)."""
    if not await atlas.add_member(world, account, limits.members):
        raise WorldRefused("limit", f"a world may have {limits.members} members")


def check_room(owned: int, instances: int, limits: WorldLimits) -> None:
    """Refused when the owner (`owned` open instances), or the server (`instances`), holds
    as many instances as it may."""
    if owned >= limits.owned:
        raise WorldRefused("limit", f"you already own {limits.owned} worlds; close one first")
    if instances >= limits.instances:
        raise WorldRefused("server_full", "this server holds as many worlds as it can")


async def make_instance(
    atlas: Atlas,
    templates: Mapping[str, Template],
    owner: Account,
    template: str,
    name: str,
    seed: int | None,
    limits: WorldLimits,
    launch: Callable[[str, AsyncConnection, Galaxy], Awaitable[int]] | None = None,
) -> tuple[World, Galaxy, Template]:
    """A new invite-only instance of `template` owned by `owner`, stored, its limits
    checked in the same transaction: the world, its galaxy as placed, and its template.
    With `launch`, the template's flagship (named) is built in that transaction too."""
    found, seed, galaxy = galaxy_to_make(templates, template, seed, limits)
    flagship: Launch | None = None
    if launch is not None and found.flagship is not None:
        flagship = functools.partial(launch, found.flagship.name)
    world, placed = await atlas.found(
        name=name, template=template, kind="instance", visibility="invite", owner=owner.id,
        owner_name=owner.name, seed=seed, rules=found.rules, galaxy=galaxy,
        room=lambda owned, instances: check_room(owned, instances, limits), flagship=flagship,
    )  # fmt: skip
    return world, placed, found


def galaxy_to_make(
    templates: Mapping[str, Template], template: str, seed: int | None, limits: WorldLimits
) -> tuple[Template, int, Galaxy]:
    """The template, the seed and the galaxy a new instance of `template` is made from;
    refused for a template unknown, too large, or with no station to arrive at."""
    found = templates.get(template)
    if found is None:
        raise WorldRefused("unknown_template", f"no template named {template!r}")
    seed = secrets.randbelow(2**31) if seed is None else seed
    galaxy = found.galaxy_for(seed)
    if len(galaxy.systems) > limits.systems:
        raise WorldRefused(
            "too_large",
            f"{template!r} makes {len(galaxy.systems)} systems; "
            f"an instance may have {limits.systems}",
        )
    if not any(s.stations() for s in galaxy.systems):
        raise WorldRefused("no_station", f"{template!r} has no station to arrive at")
    return found, seed, galaxy
