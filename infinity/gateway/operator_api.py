"""The operators' REST API: a thin adapter over `infinity.operators.service.Operators`.

Every route authenticates (401), validates its body like any other (422, docs/security.md),
then asks the service, which checks the permission table (403) and audits the act. Each
answer, done or refused, carries the audit entry the act wrote (`seq`, `hash`, ...).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.accounts.sanctions import Kind
from infinity.audit.log import Entry
from infinity.commands.types import Coordinate
from infinity.gateway.rest import ApiError, Endpoint, Param, authenticated, json_answer, read_body
from infinity.gateway.rest import routes as rest_routes
from infinity.gateway.state import game_of
from infinity.operators.errors import Code, Refused
from infinity.operators.killswitch import Done as KillDone
from infinity.operators.killswitch import Inventory, KillSwitch, State
from infinity.operators.service import Done, InspectKind, Operators

Id = Annotated[int, msgspec.Meta(ge=0, lt=2**53)]
SystemId = Annotated[int, msgspec.Meta(ge=0, lt=2**31)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Seconds = Annotated[float, msgspec.Meta(gt=0.0, le=10 * 365 * 24 * 3600.0)]
Credits = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]

_STATUS: dict[Code, int] = {
    "forbidden": 403,
    "invalid": 422,
    "no_credits": 409,
    "not_online": 409,
    "not_present": 409,
    "no_crew": 503,
    "sealed": 403,
}


# -- bodies and answers -----------------------------------------------------------------


class _Body(msgspec.Struct, forbid_unknown_fields=True):
    pass


class DropIn(_Body):
    system: SystemId
    x: Coordinate = 0.0
    y: Coordinate = 0.0
    hidden: bool = True


class Leave(_Body):
    pass


class Warp(_Body):
    ship: Id
    system: SystemId
    x: Coordinate
    y: Coordinate


class ShipAct(_Body):
    ship: Id
    reason: Reason


class Kick(_Body):
    account: Id
    reason: Reason


class Sanction(_Body):
    account: Id
    seconds: Seconds
    reason: Reason


class Unban(_Body):
    account: Id
    reason: Reason
    kind: Literal["ban", "mute"] = "ban"


class CreditsMove(_Body):
    account: Id
    amount: Credits
    reason: Reason
    direction: Literal["grant", "take"]


class Arm(_Body):
    reason: Reason


class KillView(msgspec.Struct):
    """The kill switch, and what confirming it would erase and leave (the dry run)."""

    state: State
    inventory: Inventory


class ActView(msgspec.Struct):
    """A done act: its audit entry and what it did."""

    entry: Entry
    record: dict[str, Any]


class RefusalView(msgspec.Struct):
    """A refused act: the typed reason, and the audit entry of the refusal."""

    error: str
    detail: str
    entry: Entry


class AuditView(msgspec.Struct):
    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class Choice(Param):
    """A string query parameter that must be one of `choices`."""

    choices: tuple[str, ...] = ()

    def pick(self, request: Request) -> str:
        raw = request.query_params.get(self.name)
        if raw not in self.choices:
            raise ApiError(422, "invalid", f"{self.name}: one of {', '.join(self.choices)}")
        return str(raw)

    def schema(self) -> dict[str, Any]:
        bounds = {"type": "string", "enum": list(self.choices)}
        return {"name": self.name, "in": self.where, "required": True, "schema": bounds}


KIND = Choice("kind", required=True, choices=get_args(InspectKind))
TARGET = Param("id", maximum=2**53 - 1, required=True)
AFTER = Param("after")
LIMIT = Param("limit", minimum=1, maximum=200)


# -- handlers ---------------------------------------------------------------------------

Act = Callable[[Operators, Account], Awaitable[Done]]


async def _acting(request: Request, account: Account, act: Act) -> Response:
    """Let the service act; refusals answer with their audit entry."""
    operators = game_of(request).operators
    try:
        done = await act(operators, account)
    except Refused as refused:
        return _refusal(refused)
    return json_answer(ActView(done.entry, dict(done.record)))


def _refusal(refused: Refused) -> Response:
    status = _STATUS.get(refused.code, 404 if refused.code.startswith("unknown") else 409)
    return json_answer(RefusalView(refused.code, refused.detail, refused.entry), status)


async def _checked(request: Request, kind: type[msgspec.Struct]) -> tuple[Account, Any]:
    """The caller and the body (401 comes before 422)."""
    account = await authenticated(request)
    body = await read_body(request, kind)
    reason = getattr(body, "reason", None)
    if isinstance(reason, str) and (not reason.strip() or not reason.isprintable()):
        raise ApiError(422, "invalid", "reason: printable, not blank")
    return account, body


async def drop_in(request: Request) -> Response:
    """POST /api/operator/drop-in: your avatar at (x, y) of a system, hidden or visible."""
    who, b = await _checked(request, DropIn)
    return await _acting(request, who, lambda o, a: o.drop_in(a, b.system, b.x, b.y, b.hidden))


async def leave(request: Request) -> Response:
    who, _ = await _checked(request, Leave)
    return await _acting(request, who, lambda o, a: o.leave(a))


async def warp(request: Request) -> Response:
    who, b = await _checked(request, Warp)
    return await _acting(request, who, lambda o, a: o.warp(a, b.ship, b.system, b.x, b.y))


async def destroy(request: Request) -> Response:
    who, b = await _checked(request, ShipAct)
    return await _acting(request, who, lambda o, a: o.destroy(a, b.ship, b.reason))


async def repair(request: Request) -> Response:
    who, b = await _checked(request, ShipAct)
    return await _acting(request, who, lambda o, a: o.repair(a, b.ship, b.reason))


async def kick(request: Request) -> Response:
    who, b = await _checked(request, Kick)
    return await _acting(request, who, lambda o, a: o.kick(a, b.account, b.reason))


async def mute(request: Request) -> Response:
    who, b = await _checked(request, Sanction)
    return await _acting(request, who, lambda o, a: o.mute(a, b.account, b.seconds, b.reason))


async def ban(request: Request) -> Response:
    who, b = await _checked(request, Sanction)
    return await _acting(request, who, lambda o, a: o.ban(a, b.account, b.seconds, b.reason))


async def unban(request: Request) -> Response:
    who, b = await _checked(request, Unban)
    return await _acting(request, who, lambda o, a: o.unban(a, b.account, Kind(b.kind), b.reason))


async def credits(request: Request) -> Response:
    who, b = await _checked(request, CreditsMove)
    if b.direction == "grant":
        return await _acting(request, who, lambda o, a: o.grant(a, b.account, b.amount, b.reason))
    return await _acting(request, who, lambda o, a: o.take(a, b.account, b.amount, b.reason))


async def inspect(request: Request) -> Response:
    """GET /api/operator/inspect?kind=&id=: a plain record of anything."""
    who = await authenticated(request)
    kind: Any = KIND.pick(request)
    target = TARGET.need(request)
    return await _acting(request, who, lambda o, a: o.inspect(a, kind, target))


async def audit(request: Request) -> Response:
    """GET /api/operator/audit?after=&limit=: audit entries after `after`, oldest first."""
    account = await authenticated(request)
    after, limit = AFTER.read(request) or 0, LIMIT.read(request) or 50
    game = game_of(request)
    try:
        entries = await game.operators.audit_tail(account, after, limit)
    except Refused as refused:
        return _refusal(refused)
    if not allowed(account.role, Verb.INSPECT):  # a builder: only worlds it may see
        seen = {w.id for w in game.worlds.visible_to(account)}
        entries = [e for e in entries if e.world in seen]
    return json_answer(AuditView(entries))


async def killswitch(request: Request) -> Response:
    """GET /api/operator/killswitch: the switch's state and what a kill would erase."""
    account = await authenticated(request)
    try:
        state, found = await game_of(request).killswitch.look(account)
    except Refused as refused:
        return _refusal(refused)
    return json_answer(KillView(state, found))


async def _killing(
    request: Request, account: Account, act: Callable[[KillSwitch], Awaitable[KillDone]]
) -> Response:
    try:
        done = await act(game_of(request).killswitch)
    except Refused as refused:
        return _refusal(refused)
    return json_answer(ActView(done.entry, dict(done.record)))


async def kill_arm(request: Request) -> Response:
    who, b = await _checked(request, Arm)
    return await _killing(request, who, lambda k: k.arm(who, b.reason))


async def kill_confirm(request: Request) -> Response:
    who, _ = await _checked(request, Leave)
    return await _killing(request, who, lambda k: k.confirm(who))


async def kill_disarm(request: Request) -> Response:
    who, _ = await _checked(request, Leave)
    return await _killing(request, who, lambda k: k.disarm(who))


def _post(path: str, handler: Any, summary: str, body: type) -> Endpoint:
    return Endpoint(f"/api/operator/{path}", "POST", handler, summary, body, ActView, auth=True)


ENDPOINTS = (
    _post("drop-in", drop_in, "Operators: drop your avatar into a system, hidden or not", DropIn),
    _post("leave", leave, "Operators: take your avatar out of the world", Leave),
    _post("warp", warp, "Operators: move a ship within or between systems", Warp),
    _post("kick", kick, "Operators: close an account's game session", Kick),
    _post("mute", mute, "Operators: refuse an account's chat until expiry", Sanction),
    _post("ban", ban, "Operators: refuse an account's login and game until expiry", Sanction),
    _post("unban", unban, "Operators: lift a ban (or a mute)", Unban),
    _post("credits", credits, "Operators: grant or take credits, through the ledger", CreditsMove),
    _post("destroy", destroy, "Operators: destroy a ship", ShipAct),
    _post("repair", repair, "Operators: repair a ship", ShipAct),
    Endpoint("/api/operator/inspect", "GET", inspect, "Operators: inspect anything (?kind=&id=)", answer=ActView, auth=True, params=(KIND, TARGET)),
    Endpoint("/api/operator/audit", "GET", audit, "The audit log (?after=&limit=)", answer=AuditView, auth=True, params=(AFTER, LIMIT)),
    Endpoint("/api/operator/killswitch", "GET", killswitch, "Kill switch: its state and what it would erase", answer=KillView, auth=True),
    _post("killswitch/arm", kill_arm, "Kill switch: arm it (a second operator must confirm)", Arm),
    _post("killswitch/confirm", kill_confirm, "Kill switch: confirm: erase the universe", Leave),
    _post("killswitch/disarm", kill_disarm, "Kill switch: disarm it", Leave),
)  # fmt: skip


def routes() -> list[Route]:
    return rest_routes(ENDPOINTS)
