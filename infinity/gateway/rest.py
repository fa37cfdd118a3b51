"""The REST API (JSON): accounts and the galaxy, plus its OpenAPI document.

Request and response bodies are msgspec structs; the OpenAPI document is
generated from the same structs, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from infinity import __version__
from infinity.accounts.errors import BadCredentials, InvalidInput, Unauthorized
from infinity.embedded import World
from infinity.store.errors import NameTaken
from infinity.store.records import Account

MAX_BODY = 4096
T = TypeVar("T")


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


class SystemView(msgspec.Struct):
    id: int
    name: str
    x: float
    y: float
    stations: list[Body]
    gates: list[GateView]


class GalaxyView(msgspec.Struct):
    seed: int
    systems: list[SystemView]
    lanes: list[tuple[int, int]]


class ErrorView(msgspec.Struct):
    error: str
    detail: str


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


def _json(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status, media_type="application/json")


def error_response(error: ApiError) -> Response:
    return _json(ErrorView(error.error, error.detail), error.status)


async def _body(request: Request, kind: type[T]) -> T:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "too_large", f"bodies are limited to {MAX_BODY} bytes")
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as invalid:
        raise ApiError(422, "invalid", str(invalid)) from None
    except msgspec.DecodeError:
        raise ApiError(400, "invalid", "the body is not JSON") from None


def _world(request: Request) -> World:
    world: World = request.app.state.world
    return world


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token>")
    return token.strip()


async def _authenticated(request: Request) -> Account:
    try:
        return await _world(request).accounts.authenticate(_token(request))
    except Unauthorized:
        raise ApiError(401, "unauthorized", "unknown or expired token") from None


def _account_view(account: Account) -> AccountView:
    return AccountView(account.id, account.name, account.role)


async def register(request: Request) -> Response:
    creds = await _body(request, Credentials)
    world = _world(request)
    try:
        account, token, expires = await world.accounts.register(creds.name, creds.password)
    except InvalidInput as bad:
        raise ApiError(422, "invalid", f"{bad.field}: {bad.detail}") from None
    except NameTaken:
        raise ApiError(409, "name_taken", f"the name {creds.name!r} is taken") from None
    ship = await world.ensure_ship(account)
    return _json(SessionView(token, expires, _account_view(account), ship), 201)


async def login(request: Request) -> Response:
    creds = await _body(request, Credentials)
    world = _world(request)
    try:
        account, token, expires = await world.accounts.login(creds.name, creds.password)
    except (BadCredentials, InvalidInput):
        raise ApiError(401, "unauthorized", "wrong name or password") from None
    ship = await world.ensure_ship(account)
    return _json(SessionView(token, expires, _account_view(account), ship))


async def logout(request: Request) -> Response:
    await _authenticated(request)
    await _world(request).accounts.logout(_token(request))
    return Response(status_code=204)


async def me(request: Request) -> Response:
    account = await _authenticated(request)
    universe = _world(request).universe
    ship_id = universe.ship_of_account.get(account.id)
    zone = None if ship_id is None else universe.zone_of(ship_id)
    ship = None
    if ship_id is not None and zone is not None and ship_id in zone.bodies.row_of:
        state = zone.ship_state(ship_id)
        ship = ShipView(ship_id, state.name, zone.system_id, zone.name, state.docked_at)
    return _json(MeView(_account_view(account), ship))


async def galaxy(request: Request) -> Response:
    g = _world(request).galaxy
    systems = [
        SystemView(
            s.id,
            s.name,
            s.x,
            s.y,
            [Body(b.id, b.name, b.x, b.y) for b in s.stations()],
            [GateView(b.id, b.name, b.x, b.y, b.leads_to) for b in s.gates()],
        )
        for s in g.systems
    ]
    return _json(GalaxyView(g.seed, systems, g.lanes()))


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


ENDPOINTS = (
    Endpoint("/api/register", "POST", register, "Create an account and its ship", Credentials, SessionView, 201),
    Endpoint("/api/login", "POST", login, "Log in and get a session token", Credentials, SessionView),
    Endpoint("/api/logout", "POST", logout, "End this session", status=204, auth=True),
    Endpoint("/api/me", "GET", me, "Your account and ship", answer=MeView, auth=True),
    Endpoint("/api/galaxy", "GET", galaxy, "Star systems and jump lanes", answer=GalaxyView),
)  # fmt: skip


def guarded(handler: Handler) -> Handler:
    """Turn ApiErrors into typed JSON error answers."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(error)

    return run


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of `ENDPOINTS`, schemas generated from the structs."""
    kinds = {t for e in ENDPOINTS for t in (e.body, e.answer) if t is not None} | {ErrorView}
    (schemas, components) = msgspec.json.schema_components(
        sorted(kinds, key=lambda t: t.__name__), ref_template="#/components/schemas/{name}"
    )
    del schemas
    paths: dict[str, Any] = {}
    for e in ENDPOINTS:
        op: dict[str, Any] = {"summary": e.summary, "responses": {}}
        if e.body is not None:
            op["requestBody"] = {"required": True, "content": _content(e.body)}
        ok: dict[str, Any] = {"description": "OK"}
        if e.answer is not None:
            ok["content"] = _content(e.answer)
        op["responses"][str(e.status)] = ok
        for status in ("400", "401", "409", "422") if e.body or e.auth else ():
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


def _content(kind: type) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{kind.__name__}"}}}


async def openapi_document(request: Request) -> Response:
    return JSONResponse(openapi())
