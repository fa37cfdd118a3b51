"""The REST API (JSON): accounts and the galaxy, plus its OpenAPI document.

Request and response bodies are msgspec structs; the OpenAPI document is
generated from the same structs, so the two cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infinity import __version__
from infinity.accounts.errors import (
    BadCredentials,
    Busy,
    InvalidInput,
    NameTaken,
    Sanctioned,
    Unauthorized,
)
from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.accounts.service import Accounts, Login
from infinity.economy import accounts, wallets
from infinity.economy.bounties import Bounty, BountyBoard, BountyRefused
from infinity.economy.market import Market
from infinity.galaxy.heart import HEART_SYSTEM, is_heart
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.gateway.state import game_of
from infinity.ledger import Ledger, UnknownAccount
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody, Zone
from infinity.universe.universe import MAIN_WORLD
from infinity.worlds.service import WorldRefused

T = TypeVar("T")
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also takes '²' and '٣'


class Credentials(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    password: str


class AccountView(msgspec.Struct):
    id: int
    name: str
    role: str


class SessionView(msgspec.Struct):
    token: str
    expires_at: float
    account: AccountView
    ship: int


class ShipView(msgspec.Struct):
    id: int
    name: str
    system: int
    system_name: str
    docked_at: int


class MeView(msgspec.Struct):
    account: AccountView
    ship: ShipView | None


class Body(msgspec.Struct):
    id: int
    name: str
    x: float
    y: float


class GateView(msgspec.Struct):
    id: int
    name: str
    x: float
    y: float
    leads_to: int


class BeltView(msgspec.Struct):
    """An asteroid belt: its rocks' centre, how far they spread, and the ore they hold now
    (belts regrow slowly: `sim.systems.regrow_ore`)."""

    name: str
    x: float
    y: float
    radius: float
    rocks: int
    ore: int


class SystemView(msgspec.Struct):
    id: int
    name: str
    x: float
    y: float
    stations: list[Body]
    gates: list[GateView]
    belts: list[BeltView] = []


class GalaxyView(msgspec.Struct):
    seed: int
    systems: list[SystemView]
    lanes: list[tuple[int, int]]
    heart: int | None = None  # the Heart of Infinity's system, shown to operators only


class PostingView(msgspec.Struct):
    account: str
    amount: int


class EntryView(msgspec.Struct):
    id: int
    kind: str
    change: int  # what this transfer did to the wallet and its starter credit
    memo: str
    at: float
    postings: list[PostingView]


class WalletView(msgspec.Struct):
    account: str
    balance: int  # everything held: earned credits plus `starter`
    history: list[EntryView]
    next_cursor: int | None
    starter: int = 0  # of `balance`, the starter credit: it pays only for your own needs


class MarketView(msgspec.Struct):
    station: int
    prices: dict[str, int]
    stock: dict[str, int]


class BountyRequest(msgspec.Struct, forbid_unknown_fields=True):
    target_kind: Literal["ship", "player", "crew"]
    target_id: Annotated[int, msgspec.Meta(ge=0, lt=2**32)]
    amount: Annotated[int, msgspec.Meta(ge=1, le=10**12)]


class BountyView(msgspec.Struct):
    id: int
    target_kind: str
    target_id: int
    target_name: str
    amount: int
    status: str
    poster: int
    created_at: float


class BoardView(msgspec.Struct):
    open: list[BountyView]


class ErrorView(msgspec.Struct):
    error: str
    detail: str


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str, retry_after: int = 0) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail
        self.retry_after = retry_after


def json_answer(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status, media_type="application/json")


def error_response(error: ApiError) -> Response:
    answer = json_answer(ErrorView(error.error, error.detail), error.status)
    if error.retry_after:
        answer.headers["retry-after"] = str(error.retry_after)
    return answer


@dataclass(frozen=True, slots=True)
class Param:
    """An integer query or path parameter, declared once: read strictly and documented from here."""

    name: str
    where: Literal["query", "path"] = "query"
    minimum: int = 0
    maximum: int = 2**63 - 1
    required: bool = False

    def read(self, request: Request) -> int | None:
        """The value, None when absent; 422 for anything but ASCII digits within the bounds."""
        source = request.query_params if self.where == "query" else request.path_params
        raw = source.get(self.name)
        if raw is None:
            return None
        if not _DIGITS.fullmatch(str(raw)) or not self.minimum <= int(raw) <= self.maximum:
            detail = f"{self.name}: an integer from {self.minimum} to {self.maximum}"
            raise ApiError(422, "invalid", detail)
        return int(raw)

    def need(self, request: Request) -> int:
        value = self.read(request)
        if value is None:
            raise ApiError(422, "invalid", f"{self.name}: required")
        return value

    def schema(self) -> dict[str, Any]:
        """Its OpenAPI parameter object."""
        bounds = {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        required = self.required or self.where == "path"
        return {"name": self.name, "in": self.where, "required": required, "schema": bounds}


async def read_body(request: Request, kind: type[T]) -> T:
    """The JSON body as `kind`. Its size was capped by `Shield` as it streamed in."""
    return decode_body(await request.body(), kind)


def decode_body(raw: bytes, kind: type[T]) -> T:
    """A JSON body as `kind` (422 when it is not one, 400 when it is no JSON)."""
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as invalid:
        raise ApiError(422, "invalid", str(invalid)) from None
    except (msgspec.DecodeError, RecursionError):  # deep nesting exhausts the decoder's stack
        raise ApiError(400, "invalid", "the body is not JSON") from None


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token>")
    return token.strip()


async def authenticated(request: Request) -> Account:
    return await account_of(request, game_of(request).accounts)


async def account_of(request: Request, accounts: Accounts) -> Account:
    """The account whose bearer token the request carries; 401 when none is valid."""
    try:
        return await accounts.authenticate(_token(request))
    except Unauthorized:
        raise ApiError(401, "unauthorized", "unknown or expired token") from None


EnsureShip = Callable[[Account], Awaitable[int]]
"""The account's ship, built if it has none."""


def _account_view(account: Account) -> AccountView:
    return AccountView(account.id, account.name, account.role)


async def sign_up(request: Request, accounts: Accounts, ensure_ship: EnsureShip) -> Response:
    """A new account, logged in, with its ship: whatever universe runs behind the gateway."""
    creds = await read_body(request, Credentials)
    try:
        signed = await accounts.register(creds.name, creds.password)
    except InvalidInput as bad:
        raise ApiError(422, "invalid", f"{bad.field}: {bad.detail}") from None
    except NameTaken:
        raise ApiError(409, "name_taken", f"the name {creds.name!r} is taken") from None
    except Busy:
        raise _busy() from None
    return await _session(signed, ensure_ship, 201)


async def sign_in(request: Request, accounts: Accounts, ensure_ship: EnsureShip) -> Response:
    """A session for a known account, and its ship (built if it has none)."""
    creds = await read_body(request, Credentials)
    try:
        signed = await accounts.login(creds.name, creds.password)
    except (BadCredentials, InvalidInput):
        raise ApiError(401, "unauthorized", "wrong name or password") from None
    except Sanctioned as ban:
        raise ApiError(403, "banned", f"banned until {ban.until:.0f}: {ban.reason}") from None
    except Busy:
        raise _busy() from None
    return await _session(signed, ensure_ship)


SignAct = Callable[[Request, Accounts, EnsureShip], Awaitable[Response]]


def _on_game(act: SignAct) -> Callable[[Request], Awaitable[Response]]:
    """`act` over the embedded game's accounts and ships (a cluster gateway passes its own)."""

    async def endpoint(request: Request) -> Response:
        game = game_of(request)
        return await act(request, game.accounts, game.ensure_ship)

    return endpoint


register = _on_game(sign_up)
login = _on_game(sign_in)


async def _session(signed: Login, ensure_ship: EnsureShip, status: int = 200) -> Response:
    """A new session's answer, from sign-up and sign-in alike: the token, the account and
    its ship (built if it has none)."""
    ship = await ensure_ship(signed.account)
    return json_answer(
        SessionView(signed.token, signed.expires_at, _account_view(signed.account), ship), status
    )


def _busy() -> ApiError:
    return ApiError(429, "busy", "too many password checks at once; retry shortly", retry_after=1)


async def logout(request: Request) -> Response:
    return await sign_out(request, game_of(request).accounts)


async def sign_out(request: Request, accounts: Accounts) -> Response:
    await account_of(request, accounts)
    await accounts.logout(_token(request))
    return Response(status_code=204)


async def me(request: Request) -> Response:
    account = await authenticated(request)
    universe = game_of(request).universe
    ship_id = universe.ship_of_account.get(account.id)
    zone = None if ship_id is None else universe.zone_of(ship_id)
    ship = None
    if ship_id is not None and zone is not None and ship_id in zone.bodies.row_of:
        state = zone.ship_state(ship_id)
        ship = ShipView(ship_id, state.name, zone.system_id, zone.name, state.docked_at)
    return json_answer(MeView(_account_view(account), ship))


async def galaxy(request: Request) -> Response:
    g = await _galaxy_asked(request)
    shown = g is game_of(request).galaxy and await _sees_the_heart(request)
    zones = game_of(request).universe.zones
    return json_answer(galaxy_view(g, shown, lambda s: ore_of(zones.get(s.id))))


def ore_of(zone: Zone | None) -> Mapping[int, float]:
    """A zone's rocks' ore now; empty where this process runs no such zone (the charts'
    last saved levels stand)."""
    return zone.ore_levels() if zone is not None else {}


def galaxy_view(
    g: Galaxy, shown: bool, ore: Callable[[StarSystem], Mapping[int, float]]
) -> GalaxyView:
    """The galaxy as a client draws it; the Heart's system only if `shown`."""
    systems = [
        SystemView(
            s.id,
            s.name,
            s.x,
            s.y,
            [Body(b.id, b.name, b.x, b.y) for b in s.stations()],
            [GateView(b.id, b.name, b.x, b.y, b.leads_to) for b in s.gates()],
            _belts(s, ore(s)),
        )
        for s in g.systems
        if shown or not is_heart(s.id)
    ]
    return GalaxyView(g.seed, systems, g.lanes(), HEART_SYSTEM if shown else None)


async def _galaxy_asked(request: Request) -> Galaxy:
    """The main world's galaxy, or (`?world=`) an instance's, to those who may see it."""
    game = game_of(request)
    world = WORLD.read(request)
    if world is None or world == MAIN_WORLD:
        return game.galaxy
    account = await authenticated(request)
    try:
        game.worlds.get(account, world)
    except WorldRefused as refused:
        raise ApiError(404, refused.code, refused.detail) from None
    return game.universe.galaxies[world]


def _belts(system: StarSystem, ore: Mapping[int, float]) -> list[BeltView]:
    """The system's asteroid belts, each rock named "<belt> <n>", with today's ore."""
    belts: dict[str, list[StaticBody]] = {}
    for body in system.bodies:
        if body.kind == Kind.ASTEROID:
            belts.setdefault(body.name.rsplit(" ", 1)[0], []).append(body)
    out = []
    for name, rocks in belts.items():
        x = sum(r.x for r in rocks) / len(rocks)
        y = sum(r.y for r in rocks) / len(rocks)
        spread = max(math.hypot(r.x - x, r.y - y) for r in rocks)
        held = sum(ore.get(r.id, r.ore) for r in rocks)
        view = BeltView(name, round(x, 1), round(y, 1), round(spread, 1), len(rocks), round(held))
        out.append(view)
    return out


async def _sees_the_heart(request: Request) -> bool:
    """Whether the caller may see the Heart's system: a valid operator token (an absent or
    bad one is simply the anonymous view: the galaxy is public)."""
    if not request.headers.get("authorization"):
        return False
    try:
        account = await authenticated(request)
    except ApiError:
        return False
    return allowed(account.role, Verb.HEART)


async def wallet(request: Request) -> Response:
    account = await authenticated(request)
    return await wallet_of(request, account, game_of(request).economy.ledger)


async def wallet_of(request: Request, account: Account, ledger: Ledger) -> Response:
    """The account's wallet, paged (?cursor=&limit=), from the ledger itself: whatever
    universe runs behind the gateway."""
    name = accounts.wallet(0, account.id)
    cursor = CURSOR.read(request)
    limit = LIMIT.read(request) or 50
    mine = (name, accounts.starter(name))
    try:
        earned, starter = await wallets.books(ledger, name)
        receipts, after = await wallets.statement(ledger, name, cursor, limit)
    except UnknownAccount:
        raise ApiError(404, "unknown_account", "this account has no wallet yet") from None
    entries = [
        EntryView(
            r.transfer_id,
            str(r.kind),
            sum(p.amount for p in r.postings if p.account in mine),
            r.memo,
            r.at,
            [PostingView(p.account, p.amount) for p in r.postings],
        )
        for r in receipts
    ]
    return json_answer(WalletView(name, earned + starter, entries, after, starter))


CURSOR = Param("cursor")
LIMIT = Param("limit", minimum=1, maximum=200)
STATION = Param("station", maximum=2**32 - 1, required=True)
WORLD = Param("world", minimum=1, maximum=2**31 - 1)


async def market(request: Request) -> Response:
    """A station's market; one in a private instance only to those who may see it (to anyone
    else it is as unknown as a station that never was)."""
    game = game_of(request)
    station = STATION.need(request)
    found = game.economy.markets.get(station)
    world = game.worlds.world_of_station(station)
    if found is not None and world is not None and world != MAIN_WORLD:
        try:
            game.worlds.get(await authenticated(request), world)
        except (ApiError, WorldRefused):
            found = None
    return market_of(found)


def market_of(found: Market | None) -> Response:
    """A market's prices and stock; 404 for a station that has none (or may not be seen)."""
    if found is None:
        raise ApiError(404, "unknown_station", "no market at that station")
    stock = {good: round(amount) for good, amount in found.stock.items()}
    return json_answer(MarketView(found.station, found.prices(), stock))


async def board(request: Request) -> Response:
    return await board_of(game_of(request).economy.board)


async def board_of(board: BountyBoard) -> Response:
    """The open bounties, as the store has them."""
    bounties = await board.bounties("open")
    return json_answer(BoardView([_bounty_view(b) for b in bounties]))


async def post_bounty(request: Request) -> Response:
    account = await authenticated(request)
    economy = game_of(request).economy
    return await bounty_posted(request, account, economy.post_bounty)


PostBounty = Callable[[int, str, int, int], Awaitable[Bounty]]
"""(poster, target kind, target id, amount) -> the bounty, open; `BountyRefused` if not."""


async def bounty_posted(request: Request, account: Account, post: PostBounty) -> Response:
    """A bounty posted by `post` from the request's body: 201, or the refusal, typed
    (404 no such target, 402 not enough earned credits, 422 otherwise)."""
    body = await read_body(request, BountyRequest)
    try:
        bounty = await post(account.id, body.target_kind, body.target_id, body.amount)
    except BountyRefused as refused:
        status = 404 if refused.reason == "unknown_target" else 422
        status = 402 if refused.reason == "no_credits" else status
        raise ApiError(status, refused.reason, refused.detail) from None
    return json_answer(_bounty_view(bounty), 201)


def _bounty_view(b: Bounty) -> BountyView:
    return BountyView(
        b.id, b.target_kind, b.target_id, b.target_name, b.amount, b.status, b.poster, b.created_at
    )


Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    method: str
    handler: Handler
    summary: str
    body: type | None = None
    answer: type | None = None
    status: int = 200
    auth: bool = False
    params: tuple[Param, ...] = ()
    throttled: bool = False  # limited per client address (`Shield`): each call hashes a password
    max_body: int = 0  # bytes of its body, when more than the server's cap (a mind document)


ENDPOINTS = (
    Endpoint("/api/register", "POST", register, "Create an account and its ship", Credentials, SessionView, 201, throttled=True),
    Endpoint("/api/login", "POST", login, "Log in and get a session token", Credentials, SessionView, throttled=True),
    Endpoint("/api/logout", "POST", logout, "End this session", status=204, auth=True),
    Endpoint("/api/me", "GET", me, "Your account and ship", answer=MeView, auth=True),
    Endpoint("/api/galaxy", "GET", galaxy, "Star systems and jump lanes (?world=: an instance you may see)", answer=GalaxyView, params=(WORLD,)),
    Endpoint("/api/wallet", "GET", wallet, "Your balance and history (?cursor=&limit=)", answer=WalletView, auth=True, params=(CURSOR, LIMIT)),
    Endpoint("/api/market", "GET", market, "A station's prices and stock (?station=)", answer=MarketView, params=(STATION,)),
    Endpoint("/api/bounties", "GET", board, "The bounty board", answer=BoardView),
    Endpoint("/api/bounties", "POST", post_bounty, "Post a bounty, escrowed from your wallet", BountyRequest, BountyView, 201, auth=True),
)  # fmt: skip


def guarded(handler: Handler) -> Handler:
    """Turn ApiErrors into typed JSON error answers."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(error)

    return run


def openapi(endpoints: Sequence[Endpoint] = ENDPOINTS) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `endpoints`, schemas generated from the structs."""
    kinds = {t for e in endpoints for t in (e.body, e.answer) if t is not None} | {ErrorView}
    (schemas, components) = msgspec.json.schema_components(
        sorted(kinds, key=lambda t: t.__name__), ref_template="#/components/schemas/{name}"
    )
    del schemas
    paths: dict[str, Any] = {}
    for e in endpoints:
        op: dict[str, Any] = {"summary": e.summary, "responses": {}}
        if e.params:
            op["parameters"] = [p.schema() for p in e.params]
        if e.body is not None:
            op["requestBody"] = {"required": True, "content": _content(e.body)}
        ok: dict[str, Any] = {"description": "OK"}
        if e.answer is not None:
            ok["content"] = _content(e.answer)
        op["responses"][str(e.status)] = ok
        for status in _error_statuses(e):
            op["responses"][status] = {"description": "Error", "content": _content(ErrorView)}
        if e.auth:
            op["security"] = [{"bearer": []}]
        paths.setdefault(e.path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Infinity", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _error_statuses(e: Endpoint) -> list[str]:
    statuses = {"400", "401", "409", "422"} if e.body or e.auth else set()
    statuses |= {"422"} if e.params else set()
    statuses |= {"413"} if e.body else set()
    statuses |= {"429"} if e.throttled else set()
    return sorted(statuses)


def _content(kind: type) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{kind.__name__}"}}}


async def openapi_document(request: Request) -> Response:
    return JSONResponse(openapi(request.app.state.endpoints))


def routes(endpoints: Sequence[Endpoint] = ENDPOINTS) -> list[Route]:
    """One route per path, dispatching on the method (GET and POST may share a path).

    HEAD is answered by the GET handler (uvicorn sends the headers, not the body).
    """
    by_path: dict[str, dict[str, Handler]] = {}
    for e in endpoints:
        handlers = by_path.setdefault(e.path, {})
        handlers[e.method] = guarded(e.handler)
        if e.method == "GET":
            handlers["HEAD"] = handlers["GET"]

    def dispatch(handlers: dict[str, Handler]) -> Handler:
        async def run(request: Request) -> Response:
            return await handlers[request.method](request)

        return run

    return [Route(path, dispatch(h), methods=list(h)) for path, h in by_path.items()]
