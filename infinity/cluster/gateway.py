"""The gateway role: holds players' sockets and nothing else of the universe
(docs/cluster.md "The gateway").

A `ClusterGateway` serves the browser client, accounts (register, log in, `me`, the
galaxy), the economy's REST through the store and the ledger (your wallet, the bounty
board and posting to it, a station's market as last saved) and the game socket over
PostgreSQL and NATS. A command from a socket is checked
as in one process (`socket.Reader`) and relayed to the host of its ship's zone
(`CommandRelay`); frames come back as each zone's per-cell records, assembled per client
by `CellFrames`. The zone a ship is in is its `ships` row: the gateway reads it when a
player joins, and again when the ship is missing from its zone's pilots (it jumped to a
zone of another host, or is not loaded yet). A gateway holds no state a client cannot
get back: a client whose gateway dies logs in to another with the same token and is
welcomed where its ship is.

    python -m infinity.cluster.gateway --db postgresql+asyncpg://... --nats nats://...
        --name NAME [--host 127.0.0.1] [--port 8000]

The crews' REST is carried over the bus to the crew worker that holds the crews
(`crew_api.CrewCall`; 503 `no_crew` while none does). Left out for now: the REST of
worlds and operators (a cluster gateway answers them 501 `not_in_cluster`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
import time
from collections.abc import Sequence

import msgspec
import numpy as np
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from infinity._memory import settle_collector
from infinity.accounts.records import Account
from infinity.accounts.service import Accounts
from infinity.cluster import worlds
from infinity.cluster.handover import Nudge, zone_arrivals
from infinity.cluster.hosts import HostRoll
from infinity.cluster.open_worlds import OpenWorlds
from infinity.cluster.role import Links, arguments, parse_role, role_parser, run_role
from infinity.cluster.subjects import CREW_CALLS, GATEWAYS_BUCKET, WALLETS_CHANGED
from infinity.cluster.targets import stored_target
from infinity.cluster.worlds import ClusterWorlds
from infinity.commands.types import Command
from infinity.economy import markets
from infinity.economy.bounties import Bounty, BountyBoard, post
from infinity.gateway import crew_api, rest, wire, worlds_api
from infinity.gateway.app import DEFAULT_LIMITS, STATIC, metrics, server_config
from infinity.gateway.bus import Message, NoResponders
from infinity.gateway.frames import CellFrames
from infinity.gateway.limits import Limits
from infinity.gateway.relay import NO_SENDER, CommandRelay
from infinity.gateway.rest import ApiError, MeView, ShipView, json_answer
from infinity.gateway.session import SESSIONS, Link, Session
from infinity.gateway.socket import Admitted, Close, Front, Refused, game_socket
from infinity.sim.systems import cell_of
from infinity.universe.charts import Charts
from infinity.universe.chatlog import ChatLog
from infinity.universe.hangar import AlreadyHasShip, Hangar
from infinity.universe.loop import pause
from infinity.universe.records import SavedShip
from infinity.universe.shipyard import berth
from infinity.universe.universe import MAIN_WORLD
from infinity.worlds.atlas import Atlas
from infinity.worlds.template import catalogue

log = logging.getLogger(__name__)
_crew_answer = msgspec.msgpack.Decoder(crew_api.CrewAnswer)


def _cell(saved: SavedShip) -> int:
    """The interest cell a stored ship is in: its view is asked for as it joins."""
    return int(cell_of(np.array([saved.state.x]), np.array([saved.state.y]))[0])


ROLL_TTL = 6
"""Seconds a gateway stays on the roll after its last heartbeat."""

CREW_CALL_SECONDS = 5.0
"""How long a gateway waits for the crews' answer before it says they are away (503)."""

LOOK_AGAIN_SECONDS = 0.25
"""How soon the gateway reads the row of a ship missing from its zone again."""


class ClusterGateway:
    """One gateway process: accounts over the store, sockets, and the bus to the zones.
    Build it with `open`; `app()` is its ASGI application; `run` its background work."""

    def __init__(self, name: str, links: Links, systems: OpenWorlds) -> None:
        """`systems`: every open world's, to name the zone a ship is in."""
        store, bus, galaxy = links.store, links.bus, links.galaxy
        self.name = name
        self.galaxy = galaxy
        self._systems = systems
        self.accounts = Accounts(store)
        self.by_account: dict[int, Session] = {}
        self.where: dict[int, int] = {}  # ship -> zone, as its row said last
        self.frames = CellFrames(bus, self._absent)
        self._links = links
        self._store = store
        self._ledger = links.ledger
        self._board = BountyBoard(store.engine)
        self._stations = {s.id for system in galaxy.systems for s in system.stations()}
        self._bus = bus
        self._relay = CommandRelay(bus, self.where)
        self._hangar = Hangar(store.engine)
        self._worlds = ClusterWorlds(
            Atlas(store.engine, Charts(store.engine)), self._hangar, bus, catalogue(),
            self.accounts.registry.account_by_name,
        )  # fmt: skip
        self._chat = ChatLog(store.engine)
        self._next_look: dict[int, float] = {}  # account -> when its row may be read again
        self._group: asyncio.TaskGroup | None = None
        self._building = asyncio.Lock()

    @classmethod
    async def open(cls, db: str, nats_url: str, name: str) -> ClusterGateway:
        """Open the store (migrated), the ledger and NATS, read the galaxy and the
        sanctions."""
        links = await Links.open(db, nats_url, f"gateway-{name}")
        try:
            gateway = cls(name, links, await OpenWorlds.read_from(links.store.engine))
        except BaseException:
            await links.close()
            raise
        try:
            await gateway.accounts.sanctions.load()
        except BaseException:
            await gateway.close()
            raise
        return gateway

    async def run(self, stopping: asyncio.Event, address: str = "") -> None:
        """Relay commands, locate moved ships and stay on the gateways' roll (as reachable
        at `address`) until `stopping`; then say goodbye and leave the roll."""
        roll = await HostRoll.open(
            self._bus.client.jetstream(timeout=2.0), ROLL_TTL, GATEWAYS_BUCKET
        )
        seats = await self._bus.subscribe(worlds.SEATS, self._on_seat)
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                relaying = group.create_task(self._relay.run())
                group.create_task(self.frames.run(stopping))
                announcing = group.create_task(self._announce(roll, address, stopping))
                await stopping.wait()
                self._group = None
                relaying.cancel()
                await announcing
        finally:
            self._group = None
            await self.farewell()
            with contextlib.suppress(Exception):
                await seats.close()
            with contextlib.suppress(Exception):
                await roll.leave(self.name)

    async def _announce(self, roll: HostRoll, address: str, stopping: asyncio.Event) -> None:
        """On the roll every third of its TTL, with the address and how many play here."""
        while True:
            about = {"url": address, "clients": len(self.by_account)}
            try:
                await roll.announce(self.name, json.dumps(about).encode())
            except Exception as error:  # NATS away: the status misses us for a while
                log.warning("gateway %s: not on the roll: %r", self.name, error)
            if await pause(stopping, ROLL_TTL / 3):
                return

    async def farewell(self) -> None:
        """Every client hears 1001 "going away" (it reconnects, to this or another)."""
        for session in list(self.by_account.values()):
            await session.kick(Close.GOING_AWAY, "gateway shutting down")

    async def close(self) -> None:
        try:
            await self.frames.close()
        finally:
            await self._links.close()

    # -- ships ------------------------------------------------------------------------

    async def ensure_ship(self, account: Account) -> int:
        """The account's ship, built at a starter station if it has none: its row is
        written, and the zone's host is nudged to load it."""
        async with self._building:
            saved = await self._hangar.ship_of_account(account.id)
            if saved is not None:
                return saved.state.id
            home, station = berth(self.galaxy, account.id)
            try:
                ship = await self._hangar.create_ship(
                    name=account.name, account_id=account.id, role="player",
                    system_id=home.id, home_station=station.id, home_system=home.id,
                    docked_at=station.id, x=station.x, y=station.y,
                )  # fmt: skip
            except AlreadyHasShip:  # another gateway built it meanwhile
                found = await self._hangar.ship_of_account(account.id)
                assert found is not None
                return found.state.id
        await self._nudge(ship, home.id)
        return ship

    async def _nudge(self, ship: int, zone: int) -> None:
        with contextlib.suppress(Exception):  # its host's sweep finds it within a second
            nudge = Nudge(f"built-{ship}", ship, zone)
            await self._bus.publish(zone_arrivals(zone), nudge.encode())

    # -- the game socket ---------------------------------------------------------------

    def submit(self, command: Command, origin: object = None) -> bool:
        """A checked command, queued for its zone's host (in order); False when the ship
        is in no zone this gateway knows of."""
        sender = origin.sender if isinstance(origin, Session) else NO_SENDER
        return self._relay.send(command, sender)

    async def join(self, who: Admitted, link: Link) -> Session | Refused:
        """Welcome the player where its ship's row says, then feed it that zone's frames;
        an older connection of the same account is replaced."""
        saved = await self._ship_of(who.account)
        if saved is None:
            return Refused(Close.UNAUTHORIZED, "this account has no ship")
        ship, zone = saved.state.id, saved.system_id
        chat = [wire.chat_line(line) for line in await self._chat.recent(zone)]
        system = wire.SystemInfo(zone, await self._name_of(zone))
        session = Session(who.account, who.name, ship, link)
        replaced = self.by_account.get(who.account)
        self.by_account[who.account] = session
        SESSIONS.set(len(self.by_account))
        self.where[ship] = zone
        info = wire.AccountInfo(who.account, who.name, who.role)
        session.push(wire.welcome(info, ship, system, self.frames.tick_of(zone), chat))
        self.frames.watch(session, zone, _cell(saved))
        try:
            seated = await self._worlds.post_of(who.account)  # a bridge post held: back at it
            if seated is not None:
                await self.seat(who.account, *seated)
        except Exception:  # the store away: aboard its own ship until the next connection
            log.exception("gateway %s: cannot seat account %s", self.name, who.account)
        if replaced is not None:
            self.frames.leave(replaced)
            await replaced.kick(Close.REPLACED, "replaced by a newer connection")
        return session

    def leave(self, session: Session) -> None:
        if self.by_account.get(session.account) is session:
            del self.by_account[session.account]
            self.frames.leave(session)
            self.where.pop(session.own_ship, None)  # read again from its row when it comes back
            self._next_look.pop(session.account, None)
            SESSIONS.set(len(self.by_account))
        session.close()

    async def _post_bounty(self, poster: int, kind: str, target_id: int, amount: int) -> Bounty:
        """Escrowed from the poster's wallet here; the host of the poster's ship is told to
        read that wallet again, and the hosts' sweeps read the board (claims, wanted)."""
        target = await stored_target(self._store.engine, kind, target_id)
        bounty, _ = await post(self._board, self._ledger, poster, kind, target_id, target, amount)
        with contextlib.suppress(Exception):  # its host reads it again when the ship moves
            await self._bus.publish(WALLETS_CHANGED, str(poster).encode())
        return bounty

    async def _ship_of(self, account: int) -> SavedShip | None:
        return await self._hangar.ship_of_account(account)

    async def _name_of(self, zone: int) -> str:
        """The name of a system of any open world; the worlds are read again for one made
        since the last read."""
        name = self._systems.name_of(zone)
        if name is None:
            try:
                await self._systems.read()
            except Exception:  # named by number until the store answers
                log.exception("gateway %s: cannot read the open worlds", self.name)
            name = self._systems.name_of(zone)
        return f"system {zone}" if name is None else name

    def _absent(self, session: Session) -> None:
        """The session's ship was not among its zone's pilots: read its row again soon."""
        now = time.monotonic()
        if self._group is None or now < self._next_look.get(session.account, 0.0):
            return
        self._next_look[session.account] = now + LOOK_AGAIN_SECONDS
        self._group.create_task(self._follow(session))

    async def seat(
        self, account: int, ship: int | None, post: str, commands: frozenset[str] | None
    ) -> None:
        """Put the account's session (if here) on `ship`'s bridge at `post`, giving
        `commands` (None: every one), or (`ship` None) back aboard its own ship: told
        first, then fed the frames of the zone that ship's row names."""
        session = self.by_account.get(account)
        if session is None:
            return
        session.seat(ship, post, commands)
        session.push(wire.seat(session.ship, post if ship is not None else "", commands))
        saved = await self._hangar.ship(session.ship)
        if saved is None or self.by_account.get(account) is not session:
            return
        self.where[session.ship] = saved.system_id
        session.push(wire.system_change(saved.system_id, await self._name_of(saved.system_id)))
        self.frames.watch(session, saved.system_id, _cell(saved))

    async def _on_seat(self, message: Message) -> None:
        """A bridge post taken or left, from any gateway: seat the account if it plays here."""
        try:
            notice = worlds.decode_seat(message.data)
        except ValueError as error:
            log.warning("gateway %s: dropped a bad seat notice: %s", self.name, error)
            return
        await self.seat(*notice.seat())

    async def _follow(self, session: Session) -> None:
        """Move the session to the zone its ship's row names (the ship it watches: its own,
        or the flagship whose bridge it sits on), if that changed."""
        try:
            saved = await self._hangar.ship(session.ship)
        except Exception:
            log.exception("gateway %s: cannot read ship %s", self.name, session.ship)
            return
        if saved is None or self.by_account.get(session.account) is not session:
            return
        zone = saved.system_id
        if zone == session.system:
            return  # not loaded yet, or handing over: the row decides when it moved
        self.where[session.ship] = zone
        session.push(wire.system_change(zone, await self._name_of(zone)))
        self.frames.watch(session, zone, _cell(saved))

    # -- HTTP -------------------------------------------------------------------------

    def app(self) -> Starlette:
        """The gateway's routes: the browser client, accounts, the galaxy, the socket."""

        async def register(request: Request) -> Response:
            return await rest.sign_up(request, self.accounts, self.ensure_ship)

        async def login(request: Request) -> Response:
            return await rest.sign_in(request, self.accounts, self.ensure_ship)

        async def logout(request: Request) -> Response:
            return await rest.sign_out(request, self.accounts)

        async def me(request: Request) -> Response:
            account = await rest.account_of(request, self.accounts)
            saved = await self._ship_of(account.id)
            ship = None
            if saved is not None:
                s, zone = saved.state, saved.system_id
                ship = ShipView(s.id, s.name, zone, await self._name_of(zone), s.docked_at)
            return json_answer(
                MeView(rest.AccountView(account.id, account.name, account.role), ship)
            )

        async def galaxy(request: Request) -> Response:
            """The main world's galaxy, or (`?world=`) an instance's, to those who may see it."""
            world = rest.WORLD.read(request)
            if world is None or world == MAIN_WORLD:
                return json_answer(rest.galaxy_view(self.galaxy, False, lambda system: {}))
            account = await rest.account_of(request, self.accounts)
            seen = await worlds_api.acting(self._worlds.get(account, world))
            shown = await self._worlds.atlas.galaxy_of(seen)
            return json_answer(rest.galaxy_view(shown, False, lambda system: {}))

        async def wallet(request: Request) -> Response:
            account = await rest.account_of(request, self.accounts)
            return await rest.wallet_of(request, account, self._ledger)

        async def market(request: Request) -> Response:
            """As the station's zone host last saved it (every 10 s)."""
            station = rest.STATION.need(request)
            found = None
            if station in self._stations:
                found = (await markets.saved(self._store.engine, [station]))[station]
            return rest.market_of(found)

        async def bounties(request: Request) -> Response:
            return await rest.board_of(self._board)

        async def post_bounty(request: Request) -> Response:
            account = await rest.account_of(request, self.accounts)
            return await rest.bounty_posted(request, account, self._post_bounty)

        async def elsewhere(request: Request) -> Response:
            """The rest of the API, typed: it is the embedded server's, not yet a gateway's."""
            detail = f"{request.method} {request.url.path} is not served by a cluster gateway yet (docs/cluster.md)"
            return rest.error_response(ApiError(501, "not_in_cluster", detail))

        async def healthz(request: Request) -> Response:
            return JSONResponse({"ok": True, "role": "gateway", "name": self.name,
                                 "sessions": len(self.by_account)})  # fmt: skip

        handlers: dict[tuple[str, str], rest.Handler] = {
            ("POST", "/api/register"): register, ("POST", "/api/login"): login,
            ("POST", "/api/logout"): logout, ("GET", "/api/me"): me,
            ("GET", "/api/galaxy"): galaxy, ("GET", "/api/wallet"): wallet,
            ("GET", "/api/market"): market, ("GET", "/api/bounties"): bounties,
            ("POST", "/api/bounties"): post_bounty,
        }  # fmt: skip
        handlers |= worlds.handlers(self._worlds, lambda r: rest.account_of(r, self.accounts))
        for e in crew_api.ENDPOINTS:  # answered by the crew worker holding the crews
            if isinstance(e.handler, crew_api.Served):
                handlers[e.method, e.path] = self._crew_call(e.handler.act)
        endpoints = [
            e
            for e in (*rest.ENDPOINTS, *crew_api.ENDPOINTS, *worlds_api.ENDPOINTS)
            if (e.method, e.path) in handlers
        ]
        routes = [
            Route(e.path, rest.guarded(handlers[e.method, e.path]), methods=[e.method])
            for e in endpoints
        ]
        app = Starlette(
            routes=[
                *routes,
                Route("/healthz", healthz),
                Route("/metrics", metrics),
                Route("/api/{path:path}", elsewhere, methods=["GET", "POST", "PUT", "DELETE"]),
                WebSocketRoute("/ws", game_socket),  # on other ASGI servers; the lane on ours
                Mount("/", StaticFiles(directory=STATIC, html=True, check_dir=False)),
            ]
        )
        app.state.endpoints = tuple(endpoints)
        app.state.front = Front(self.accounts, self.join, self.leave, self.submit)
        return app

    def _crew_call(self, act: crew_api.Act) -> rest.Handler:
        """The handler of one act of the crews' REST: carried over the bus to the crew
        worker that holds the crews, its answer passed on as it is."""

        async def forward(request: Request) -> Response:
            account = await rest.account_of(request, self.accounts)
            call = await crew_api.call_of(request, act, account)
            try:
                data = await self._bus.request(
                    CREW_CALLS, msgspec.msgpack.encode(call), CREW_CALL_SECONDS
                )
                answer = _crew_answer.decode(data)
            except (NoResponders, TimeoutError):
                raise ApiError(503, "no_crew", "no crew worker runs the crews now") from None
            except (msgspec.DecodeError, msgspec.ValidationError):
                raise ApiError(502, "crew_failed", "the crews' answer was not understood") from None
            return Response(answer.body, answer.status, media_type="application/json")

        return forward


class _Server(uvicorn.Server):
    """uvicorn's server, but clients hear 1001 before uvicorn drops their sockets."""

    def __init__(self, config: uvicorn.Config, gateway: ClusterGateway) -> None:
        super().__init__(config)
        self.gateway = gateway

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self.gateway.farewell()
        await super().shutdown(sockets)


async def serve_gateway(
    db: str, nats_url: str, name: str, host: str, port: int, limits: Limits = DEFAULT_LIMITS
) -> None:
    """Run one gateway until SIGTERM or SIGINT: clients told first, then the bus and store
    closed."""
    gateway = await ClusterGateway.open(db, nats_url, name)
    settle_collector()  # open: what it loaded lives for the whole run
    try:
        config = server_config(gateway.app(), host, port, "warning", limits)
        server = _Server(config, gateway)
        stopping = asyncio.Event()
        async with asyncio.TaskGroup() as group:
            background = group.create_task(gateway.run(stopping, f"http://{host}:{port}"))
            await server.serve()  # uvicorn's own signal handling ends it
            stopping.set()
            await background
    finally:
        await gateway.close()
    log.info("gateway %s: stopped", name)


def main(argv: Sequence[str] | None = None) -> int:
    """The gateway's command line; 0 after an orderly stop, 2 when it cannot start."""
    parser = role_parser(
        "python -m infinity.cluster.gateway",
        "A gateway: players' sockets, relayed to the zone hosts over NATS.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="the TCP port (0: any free one)")
    defaults = Limits()
    parser.add_argument(
        "--max-connections",
        type=int,
        default=defaults.max_connections,
        help="open HTTP and WebSocket connections; more are closed",
    )
    parser.add_argument(
        "--login-rate",
        type=float,
        default=defaults.login_rate,
        help="register/log-in attempts per second per address (0: no limit)",
    )
    parser.add_argument("--login-burst", type=int, default=defaults.login_burst,
                        help="register/log-in attempts an address may make at once")  # fmt: skip
    o = parse_role(parser, arguments(argv))
    if not 0 <= o.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if o.max_connections < 1 or o.login_rate < 0 or o.login_burst < 1:
        parser.error("--max-connections and --login-burst are >= 1, --login-rate >= 0")
    limits = Limits(
        max_connections=o.max_connections, login_rate=o.login_rate, login_burst=o.login_burst
    )
    return run_role("gateway", o, serve_gateway(o.db, o.nats, o.name, o.host, o.port, limits))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
