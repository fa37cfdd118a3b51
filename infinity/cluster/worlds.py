"""The worlds' acts on a cluster gateway (docs/cluster.md "Worlds on the cluster").

What the worlds' service does in one process, done over what a cluster shares: the store
(a world made, members, rules, a world closed: each one transaction of the `Atlas`, read
by the zone hosts, whose claim rounds pick a new world's zones up and give a closed one's
back) and the zone hosts (a ship travels by request to the host of its zone,
`voyages.py`). Any gateway may act: nothing here is held between requests. The rules of
each act (who may see, enter, change a world) are the worlds' service's own functions.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from infinity.accounts.records import Account
from infinity.cluster import handover
from infinity.cluster.voyages import (
    TRAVEL_SECONDS,
    Berthing,
    TravelOrder,
    decode_answer,
    encode,
    homeward,
    zone_travel,
)
from infinity.galaxy.model import Galaxy
from infinity.gateway import worlds_api as api
from infinity.gateway.bus import Bus
from infinity.gateway.rest import Handler, json_answer, read_body
from infinity.universe.hangar import Hangar
from infinity.universe.records import FLAGSHIP_ROLE, SavedShip
from infinity.universe.universe import MAIN_WORLD
from infinity.worlds.atlas import Atlas
from infinity.worlds.records import World, holder
from infinity.worlds.service import (
    Arrival,
    WorldLimits,
    WorldRefused,
    add_member,
    arrival_berth,
    check_entry,
    check_relief,
    check_seating,
    make_instance,
    owned_by,
    post_commands,
    seated,
    seen_by,
    with_member,
)
from infinity.worlds.template import Template

_NONE: Final = Galaxy(0)  # no main world stored: refused, no station to arrive at
FindAccount = Callable[[str], Awaitable[Account | None]]
SEATS: Final = "world.seats"  # every gateway hears who sits where; the one holding the socket acts
Post = tuple[int, str, frozenset[str] | None]  # (flagship, post, its commands; None: all)


class SeatNotice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Put the account's session on `ship`'s bridge at `post` (`commands`: what the post
    gives; None, every one), or back aboard its own ship (`ship` None)."""

    account: int
    ship: int | None = None
    post: str = ""
    commands: list[str] | None = None

    def seat(self) -> tuple[int, int | None, str, frozenset[str] | None]:
        commands = None if self.commands is None else frozenset(self.commands)
        return self.account, self.ship, self.post, commands


_seat_notice = msgspec.json.Decoder(SeatNotice)


def decode_seat(data: bytes) -> SeatNotice:
    """`ValueError` for anything but a well-formed notice."""
    try:
        return _seat_notice.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ValueError(f"not a seat notice: {error}") from error


@dataclass(eq=False, repr=False)
class ClusterWorlds:
    """The worlds' acts over the store and the zone hosts (module docs)."""

    atlas: Atlas
    hangar: Hangar
    bus: Bus
    templates: Mapping[str, Template]
    find_account: FindAccount
    limits: WorldLimits = field(default_factory=WorldLimits)

    # -- reading --------------------------------------------------------------------

    async def visible_to(self, account: Account) -> list[World]:
        """The worlds the account may see (operators: all)."""
        found = []
        for world in await self.atlas.load():
            try:
                found.append(seen_by(account, world.id, world))
            except WorldRefused:
                continue
        return found

    async def get(self, account: Account, world_id: int) -> World:
        return seen_by(account, world_id, await self.atlas.world(world_id))

    async def post_of(self, account: int) -> Post | None:
        """The bridge post the account holds in the world its ship is in now (None: none)."""
        saved = await self.hangar.ship_of_account(account)
        here = None if saved is None else await self.atlas.world_of_system(saved.system_id)
        world = None if here in (None, MAIN_WORLD) else await self.atlas.world(here)
        post = None if world is None else holder(world, account)
        if world is None or world.flagship is None or post is None:
            return None
        return world.flagship, post, post_commands(self.templates, world, post)

    async def world_of_account(self, account: Account) -> int:
        found = await self._world_of(account.id)
        return MAIN_WORLD if found is None else found

    async def _world_of(self, account: int) -> int | None:
        saved = await self.hangar.ship_of_account(account)
        return None if saved is None else await self.atlas.world_of_system(saved.system_id)

    # -- making and closing ---------------------------------------------------------------

    async def create(self, owner: Account, template: str, name: str, seed: int | None) -> World:
        """A new invite-only instance owned by `owner`, stored with its flagship in one
        transaction; the zone hosts take its zones at their next claim round."""

        async def launch(ship: str, connection: AsyncConnection, placed: Galaxy) -> int:
            at = arrival_berth(placed)
            return await self.hangar.create_ship(
                name=ship, account_id=None, role=FLAGSHIP_ROLE,
                system_id=at.system, home_station=at.home_station, home_system=at.system,
                docked_at=at.docked_at, x=at.x, y=at.y, within=connection,
            )  # fmt: skip

        world, _, _ = await make_instance(
            self.atlas, self.templates, owner, template, name, seed, self.limits, launch
        )
        return world

    async def close(self, actor: Account, world_id: int) -> World:
        """Close an instance: every ship in it is sent home first, then it is closed (its
        flagship goes with it); its zones' hosts give them back."""
        world = owned_by(actor, await self.get(actor, world_id), operators=True)
        for ship in await self.atlas.ships_in(world_id):
            if ship != world.flagship:
                await self._send_home(ship, f"close-{world_id}-{secrets.token_hex(4)}")
        if [s for s in await self.atlas.ships_in(world_id) if s != world.flagship]:
            raise WorldRefused("in_transit", "ships are still leaving; close it again")
        await self.atlas.close(world_id, world.flagship)
        return world

    # -- members ----------------------------------------------------------------------

    async def invite(self, actor: Account, world_id: int, name: str) -> World:
        world = owned_by(actor, await self.get(actor, world_id))
        guest = await self._account(name)
        after = with_member(world, guest, self.limits)
        if after is not world:
            await add_member(self.atlas, world_id, guest.id, self.limits)
        return after

    async def uninvite(self, actor: Account, world_id: int, name: str) -> World:
        """Take an account off the list; its ship, if inside, is sent home first."""
        world = owned_by(actor, await self.get(actor, world_id), operators=True)
        guest = await self._account(name)
        if guest.id == world.owner:
            return world
        await self._leave_bridge(guest.id, world_id)
        saved = await self.hangar.ship_of_account(guest.id)
        if saved is not None and await self.atlas.world_of_system(saved.system_id) == world_id:
            await self._send_home(saved.state.id, f"out-{world_id}-{secrets.token_hex(4)}")
        await self.atlas.remove_member(world_id, guest.id)
        members = tuple(m for m in world.members if m[0] != guest.id)
        posts = tuple(p for p in world.posts if p[1] != guest.id)
        return replace(world, members=members, posts=posts)

    # -- the flagship's bridge ------------------------------------------------------------

    async def take_post(self, actor: Account, world_id: int, post: str, name: str = "") -> World:
        """Put `name` (the actor if empty) at `post`, as the captain may (`check_seating`);
        the gateway holding each seated or relieved account's socket seats it."""
        world = await self.get(actor, world_id)
        target = actor if not name else await self._account(name)
        inside = await self._world_of(target.id) == world_id
        held = check_seating(self.templates, world, actor, target, post, inside)
        await self.atlas.seat(world_id, post, target.id)
        world = seated(world, post, target)
        if held is not None:
            await self._seat(SeatNotice(held))
        commands = post_commands(self.templates, world, post)
        listed = None if commands is None else sorted(commands)
        await self._seat(SeatNotice(target.id, world.flagship, post, listed))
        return world

    async def leave_post(self, actor: Account, world_id: int, name: str = "") -> World:
        """Leave the bridge for the own ship (the captain may relieve anyone by name)."""
        world = await self.get(actor, world_id)
        target = actor if not name else await self._account(name)
        check_relief(world, actor, target)
        if holder(world, target.id) is None:
            return world
        await self.atlas.unseat(world_id, target.id)
        await self._seat(SeatNotice(target.id))
        return replace(world, posts=tuple(p for p in world.posts if p[1] != target.id))

    async def _seat(self, notice: SeatNotice) -> None:
        """Tell every gateway; the one with the account's socket seats it (a lost notice:
        the seat is taken again at the player's next connection, from the store)."""
        with contextlib.suppress(Exception):
            await self.bus.publish(SEATS, msgspec.json.encode(notice))

    # -- travel -----------------------------------------------------------------------

    async def travel(self, account: Account, world_id: int, key: str | None = None) -> Arrival:
        """Take the account's ship to a world it may enter (the main world: home). A ship
        already there (a retried request) is not moved again."""
        world = await self.get(account, world_id)
        check_entry(world, account)
        saved = await self._ship_of(account)
        here = await self.atlas.world_of_system(saved.system_id)
        if here == world_id:
            return Arrival(world_id, saved.system_id, saved.state.docked_at)
        key = key or secrets.token_hex(8)
        if world_id == MAIN_WORLD:
            return await self._return(saved, key)
        await self._leave_bridge(account.id, here)
        to = Berthing.of(arrival_berth(await self.atlas.galaxy_of(world)))
        return await self._send(saved, TravelOrder(key, saved.state.id, world_id, to, True))

    async def _unused(self, order: TravelOrder) -> None:
        """Refused when the order's key moved this ship before (to where it no longer is):
        a key names one travel, and that one is done."""
        if await handover.committed(self.atlas.engine, order.handover_key()):
            raise WorldRefused("key_used", "that travel key was used before; use a new one")

    async def go_home(self, account: Account) -> Arrival:
        """Bring the account's ship back where it set out from (nothing if it is home)."""
        saved = await self._ship_of(account)
        return await self._return(saved, secrets.token_hex(8))

    async def _send_home(self, ship: int, key: str) -> None:
        saved = await self.hangar.ship(ship)
        if saved is not None:
            await self._return(saved, key)

    async def _return(self, saved: SavedShip, key: str) -> Arrival:
        """Send a ship back to the berth its voyage set out from (its origin closed since:
        the main world's first station); a ship with no voyage is home already."""
        ship = saved.state.id
        voyage = await self.atlas.voyage(ship)
        here = await self.atlas.world_of_system(saved.system_id)
        if voyage is None and here in (MAIN_WORLD, None):
            return Arrival(MAIN_WORLD, saved.system_id, saved.state.docked_at)
        origin = voyage.origin if voyage is not None else None
        home = None if origin is None else await self.atlas.world_of_system(origin.system)
        main = await self.atlas.charts.load_galaxy() or _NONE
        if saved.state.account is not None:
            await self._leave_bridge(saved.state.account, here)
        return await self._send(saved, homeward(ship, key, origin, home, main))

    async def _send(self, saved: SavedShip, order: TravelOrder) -> Arrival:
        """Ask the host of the ship's zone to send it; refused `in_transit` when no host
        answers in time (the ship is where its row says: try again)."""
        await self._unused(order)
        subject, silent = zone_travel(saved.system_id), "your ship's zone did not answer"
        try:
            data = await self.bus.request(subject, encode(order), timeout=TRAVEL_SECONDS + 2.0)
            answer = decode_answer(data)
        except Exception as error:  # no host holds the zone now, or none answered in time
            raise WorldRefused("in_transit", f"{silent}; try again") from error
        if not answer.arrived:
            raise WorldRefused(answer.code, answer.detail)
        return Arrival(answer.world, answer.system, answer.station)

    async def _leave_bridge(self, account: int, world: int | None) -> None:
        """Off the bridge of the flagship in the world the ship leaves."""
        if world is None or world == MAIN_WORLD:
            return
        found = await self.atlas.world(world)
        if found is not None and holder(found, account) is not None:
            await self.atlas.unseat(world, account)
            await self._seat(SeatNotice(account))

    # -- small parts ----------------------------------------------------------------------

    async def _account(self, name: str) -> Account:
        found = await self.find_account(name)
        if found is None:
            raise WorldRefused("unknown_account", f"no account named {name!r}")
        return found

    async def _ship_of(self, account: Account) -> SavedShip:
        saved = await self.hangar.ship_of_account(account.id)
        if saved is None:
            raise WorldRefused("no_ship", "you have no ship yet")
        return saved


# -- the REST (the embedded server's endpoints and answers: gateway/worlds_api.py) ---------

Authenticate = Callable[[Request], Awaitable[Account]]


def handlers(worlds: ClusterWorlds, account_of: Authenticate) -> dict[tuple[str, str], Handler]:
    """The worlds' REST a cluster gateway serves, by (method, path); building and the
    builder's plans are not among them (the gateway answers those 501)."""

    async def view(account: Account, world: World) -> api.WorldView:
        systems, ships = (await worlds.atlas.census()).get(world.id, (0, 0))
        here = await worlds.world_of_account(account)
        return api.world_view(world, worlds.templates.get(world.template), systems, ships, here)

    async def templates(request: Request) -> Response:
        return json_answer(api.templates_view(worlds.templates.values()))

    async def listed(request: Request) -> Response:
        account = await account_of(request)
        census = await worlds.atlas.census()
        here = await worlds.world_of_account(account)
        views = [
            api.world_view(w, worlds.templates.get(w.template), *census.get(w.id, (0, 0)), here)
            for w in await api.acting(worlds.visible_to(account))
        ]
        return json_answer(api.WorldsView(views, here))

    async def one(request: Request) -> Response:
        account = await account_of(request)
        world = await api.acting(worlds.get(account, api.WORLD_ID.need(request)))
        return json_answer(await view(account, world))

    async def create(request: Request) -> Response:
        account = await account_of(request)
        body = await read_body(request, api.CreateRequest)
        made = await api.acting(worlds.create(account, body.template, body.name, body.seed))
        return json_answer(await view(account, made), 201)

    async def close(request: Request) -> Response:
        account = await account_of(request)
        closed = await api.acting(worlds.close(account, api.WORLD_ID.need(request)))
        return json_answer(await view(account, closed))

    def member(act: Callable[[Account, int, str], Awaitable[World]]) -> Handler:
        async def handle(request: Request) -> Response:
            account = await account_of(request)
            body = await read_body(request, api.MemberRequest)
            done = await api.acting(act(account, api.WORLD_ID.need(request), body.account))
            return json_answer(await view(account, done))

        return handle

    async def travel(request: Request) -> Response:
        account = await account_of(request)
        body = await read_body(request, api.TravelRequest)
        arrived = await api.acting(worlds.travel(account, api.WORLD_ID.need(request), body.key))
        return json_answer(api.arrival_view(arrived))

    async def take_post(request: Request) -> Response:
        account = await account_of(request)
        body = await read_body(request, api.PostRequest)
        act = worlds.take_post(account, api.WORLD_ID.need(request), body.post, body.account or "")
        return json_answer(await view(account, await api.acting(act)))

    async def leave_post(request: Request) -> Response:
        account = await account_of(request)
        body = await read_body(request, api.LeavePostRequest)
        act = worlds.leave_post(account, api.WORLD_ID.need(request), body.account or "")
        return json_answer(await view(account, await api.acting(act)))

    async def home(request: Request) -> Response:
        account = await account_of(request)
        return json_answer(api.arrival_view(await api.acting(worlds.go_home(account))))

    return {
        ("GET", "/api/templates"): templates, ("GET", "/api/worlds"): listed,
        ("POST", "/api/worlds"): create, ("POST", "/api/worlds/home"): home,
        ("GET", "/api/worlds/{id}"): one, ("DELETE", "/api/worlds/{id}"): close,
        ("POST", "/api/worlds/{id}/invite"): member(worlds.invite),
        ("POST", "/api/worlds/{id}/uninvite"): member(worlds.uninvite),
        ("POST", "/api/worlds/{id}/travel"): travel,
        ("POST", "/api/worlds/{id}/bridge"): take_post,
        ("POST", "/api/worlds/{id}/bridge/leave"): leave_post,
    }  # fmt: skip
