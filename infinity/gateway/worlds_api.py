"""The worlds' REST adapter: templates, private instances, members and travel.

A private instance is visible only to its owner, its members and operators:
to anyone else it does not exist (404, as for a world that never was).
Errors are `{"error", "detail"}` JSON, as everywhere in the REST API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infinity.accounts.records import Account
from infinity.commands.build import MAX_PLAN, BuildCommand, Name
from infinity.gateway.rest import ApiError, Endpoint, Param, authenticated, json_answer, read_body
from infinity.gateway.rest import routes as rest_routes
from infinity.gateway.state import game_of
from infinity.worlds.builder import MAX_BRIEF, Refusal
from infinity.worlds.commissions import Commission
from infinity.worlds.records import World
from infinity.worlds.service import Arrival, WorldRefused, Worlds
from infinity.worlds.template import CAPTAIN, Rules, Slug, Template, Theme

WORLD_ID = Param("id", "path", minimum=1, maximum=2**31 - 1)
PLAN_ID = Param("id", "path", minimum=1, maximum=2**31 - 1)
AccountName = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
T = TypeVar("T")
B = TypeVar("B")
_STATUS = {
    "unknown_world": 404,
    "unknown_template": 404,
    "unknown_account": 404,
    "not_owner": 403,
    "not_invited": 403,
    "sealed": 403,
    "main_world": 409,
    "in_transit": 409,
    "no_ship": 409,
    "no_station": 422,
    "too_large": 422,
    "limit": 429,
    "server_full": 503,
    "not_builder": 403,
    "unknown_plan": 404,
    "unknown_system": 404,
    "unknown_body": 404,
    "not_proposed": 409,
    "no_flagship": 409,
    "unknown_post": 404,
    "captains_chair": 403,
    "captains_orders": 403,
    "not_aboard": 409,
    "post_taken": 409,
    "name_taken": 409,
    "last_system": 409,
    "invalid": 422,
    "too_many": 422,
    "stopping": 503,
    "template_forbids": 403,
}


class TemplateView(msgspec.Struct):
    name: str
    title: str
    description: str
    systems: int
    rules: Rules
    theme: Theme


class TemplatesView(msgspec.Struct):
    templates: list[TemplateView]


class PostView(msgspec.Struct):
    """A bridge post of the flagship, and who holds it ("" when free)."""

    post: str
    title: str
    holder: str
    commands: list[str] | None  # None: every command (the captain)


class WorldView(msgspec.Struct):
    """A world as its visitors see it: who owns it, who may enter, its rules and look, and
    what is in it now."""

    id: int
    name: str
    template: str
    kind: str
    visibility: str
    owner: str | None
    members: list[str]
    systems: int
    rules: Rules
    theme: Theme
    ships: int  # in it now
    here: bool  # the caller's ship is in it
    flagship: int | None = None
    posts: list[PostView] = []


class WorldsView(msgspec.Struct):
    worlds: list[WorldView]
    here: int  # the world the caller's ship is in


class CreateRequest(msgspec.Struct, forbid_unknown_fields=True):
    template: Slug
    name: Name
    seed: Annotated[int, msgspec.Meta(ge=0, lt=2**31)] | None = None


class MemberRequest(msgspec.Struct, forbid_unknown_fields=True):
    account: AccountName


class PostRequest(msgspec.Struct, forbid_unknown_fields=True):
    post: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z-]{1,19}$")]
    account: AccountName | None = None  # the captain assigns someone else; None: yourself


class LeavePostRequest(msgspec.Struct, forbid_unknown_fields=True):
    account: AccountName | None = None  # the captain relieves someone; None: yourself


class TravelRequest(msgspec.Struct, forbid_unknown_fields=True):
    key: Key | None = None  # a retry with the same key never moves the ship twice


class BuildRequest(msgspec.Struct, forbid_unknown_fields=True):
    commands: Annotated[list[BuildCommand], msgspec.Meta(min_length=1, max_length=MAX_PLAN)]


class BuiltView(msgspec.Struct):
    op: str
    system: int
    bodies: list[int]
    entry: int  # its audit entry


class BuildAnswer(msgspec.Struct):
    built: list[BuiltView]


class BriefRequest(msgspec.Struct, forbid_unknown_fields=True):
    brief: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BRIEF)]


class StepView(msgspec.Struct):
    command: BuildCommand
    narration: str


class PlanView(msgspec.Struct):
    """A plan of the builder in the Heart: shown before it runs, then its progress."""

    id: int
    world: int
    builder: str
    status: str  # proposed | running | done | cancelled | failed
    summary: str
    steps: list[StepView]
    done: int
    log: list[str]
    error: str
    source: str  # rules | llm
    note: str


class ArrivalView(msgspec.Struct):
    world: int
    system: int
    station: int


# -- handlers ---------------------------------------------------------------------


async def templates(request: Request) -> Response:
    """GET /api/templates: what a world can be made from."""
    return json_answer(templates_view(game_of(request).worlds.templates.values()))


def templates_view(found: Iterable[Template]) -> TemplatesView:
    return TemplatesView(
        [
            TemplateView(
                t.name, t.title, t.description, len(t.galaxy_for(0).systems), t.rules, t.theme
            )
            for t in found
        ]
    )


async def worlds(request: Request) -> Response:
    """GET /api/worlds: the worlds you may enter (operators: all)."""
    account = await authenticated(request)
    service = game_of(request).worlds
    here = service.world_of_account(account)
    views = [_view(service, w, here) for w in service.visible_to(account)]
    return json_answer(WorldsView(views, here))


async def world(request: Request) -> Response:
    account = await authenticated(request)
    service = game_of(request).worlds
    found = _refusing(lambda: service.get(account, WORLD_ID.need(request)))
    return json_answer(_view(service, found, service.world_of_account(account)))


async def create(request: Request) -> Response:
    """POST /api/worlds: a private instance of a template, owned by you."""
    account = await authenticated(request)
    body = await read_body(request, CreateRequest)
    service = game_of(request).worlds
    made = await acting(service.create(account, body.template, body.name, body.seed))
    return json_answer(_view(service, made, service.world_of_account(account)), 201)


async def close(request: Request) -> Response:
    """DELETE /api/worlds/{id}: close your instance; everyone in it is sent home first."""
    account = await authenticated(request)
    service = game_of(request).worlds
    closed = await acting(service.close(account, WORLD_ID.need(request)))
    return json_answer(_view(service, closed, service.world_of_account(account)))


async def invite(request: Request) -> Response:
    return await _world_act(request, MemberRequest, lambda s, a, w, b: s.invite(a, w, b.account))


async def uninvite(request: Request) -> Response:
    return await _world_act(request, MemberRequest, lambda s, a, w, b: s.uninvite(a, w, b.account))


async def take_post(request: Request) -> Response:
    """POST /api/worlds/{id}/bridge: take (or, as captain, assign) a flagship bridge post."""
    return await _world_act(
        request, PostRequest, lambda s, a, w, b: s.take_post(a, w, b.post, b.account or "")
    )


async def leave_post(request: Request) -> Response:
    """POST /api/worlds/{id}/bridge/leave: back to your own ship (the captain: relieve)."""
    return await _world_act(
        request, LeavePostRequest, lambda s, a, w, b: s.leave_post(a, w, b.account or "")
    )


async def travel(request: Request) -> Response:
    """POST /api/worlds/{id}/travel: take your ship there (world 1: back home)."""
    account = await authenticated(request)
    body = await read_body(request, TravelRequest)
    service = game_of(request).worlds
    arrived = await acting(service.travel(account, WORLD_ID.need(request), body.key))
    return json_answer(arrival_view(arrived))


async def home(request: Request) -> Response:
    """POST /api/worlds/home: back where your ship set out from."""
    account = await authenticated(request)
    return json_answer(arrival_view(await acting(game_of(request).worlds.go_home(account))))


async def build(request: Request) -> Response:
    """POST /api/worlds/{id}/build: build commands, in order; the first refusal stops them."""
    account = await authenticated(request)
    body = await read_body(request, BuildRequest)
    works = game_of(request).works
    built = await acting(works.build(account, WORLD_ID.need(request), body.commands))
    views = [BuiltView(b.op, b.system, list(b.bodies), b.entry) for b in built]
    return json_answer(BuildAnswer(views))


async def propose(request: Request) -> Response:
    """POST /api/worlds/{id}/plans: the builder in the Heart plans a brief (not run yet)."""
    account = await authenticated(request)
    body = await read_body(request, BriefRequest)
    commissions = game_of(request).commissions
    planned = await acting(commissions.propose(account, WORLD_ID.need(request), body.brief))
    if isinstance(planned, Refusal):
        raise ApiError(422, planned.code, planned.line)
    return json_answer(_plan_view(planned), 201)


async def plan(request: Request) -> Response:
    account = await authenticated(request)
    commissions = game_of(request).commissions
    return json_answer(
        _plan_view(_refusing(lambda: commissions.get(account, PLAN_ID.need(request))))
    )


async def run_plan(request: Request) -> Response:
    """POST /api/plans/{id}/run: carry the plan out (GET it to follow its progress)."""
    account = await authenticated(request)
    commissions = game_of(request).commissions
    started = _refusing(lambda: commissions.start(account, PLAN_ID.need(request)))
    return json_answer(_plan_view(started))


async def cancel_plan(request: Request) -> Response:
    account = await authenticated(request)
    commissions = game_of(request).commissions
    return json_answer(
        _plan_view(_refusing(lambda: commissions.cancel(account, PLAN_ID.need(request))))
    )


def _plan_view(c: Commission) -> PlanView:
    steps = [StepView(step.command, step.narration) for step in c.plan.steps]
    return PlanView(
        c.id, c.world, c.plan.builder, c.status, c.plan.summary, steps, c.done, list(c.log),
        c.error, c.plan.source, c.plan.note,
    )  # fmt: skip


# -- small parts ----------------------------------------------------------------------


async def _world_act(
    request: Request, kind: type[B], act: Callable[[Worlds, Account, int, B], Awaitable[World]]
) -> Response:
    """One act on the world in the path with a body of `kind`: the world as it is after."""
    account = await authenticated(request)
    body = await read_body(request, kind)
    service = game_of(request).worlds
    done = await acting(act(service, account, WORLD_ID.need(request), body))
    return json_answer(_view(service, done, service.world_of_account(account)))


async def acting(work: Awaitable[T]) -> T:
    try:
        return await work
    except WorldRefused as refused:
        raise ApiError(_STATUS.get(refused.code, 409), refused.code, refused.detail) from None


def _refusing(work: Callable[[], T]) -> T:
    try:
        return work()
    except WorldRefused as refused:
        raise ApiError(_STATUS.get(refused.code, 409), refused.code, refused.detail) from None


def _view(service: Worlds, world: World, here: int) -> WorldView:
    systems = len(service.universe.systems_of(world.id))
    ships = len(service.ships_in(world.id)) if systems else 0
    return world_view(world, service.templates.get(world.template), systems, ships, here)


def world_view(
    world: World, template: Template | None, systems: int, ships: int, here: int
) -> WorldView:
    """A world as its visitors see it (`here`: the world the caller's ship is in)."""
    theme = template.theme if template is not None else Theme()
    return WorldView(
        world.id, world.name, world.template, world.kind, world.visibility,
        world.owner_name or None, [name for _, name in world.members], systems, world.rules,
        theme, ships, world.id == here, world.flagship, _posts(template, world),
    )  # fmt: skip


def _posts(template: Template | None, world: World) -> list[PostView]:
    if template is None or template.flagship is None:
        return []
    held = {post: name for post, _, name in world.posts}
    captain = PostView(CAPTAIN, "Captain", held.get(CAPTAIN, ""), None)
    return [captain] + [
        PostView(p.name, p.title, held.get(p.name, ""), list(p.commands))
        for p in template.flagship.posts
    ]


def arrival_view(arrived: Arrival) -> ArrivalView:
    return ArrivalView(arrived.world, arrived.system, arrived.station)


ENDPOINTS = (
    Endpoint("/api/templates", "GET", templates, "World templates this server offers", answer=TemplatesView),
    Endpoint("/api/worlds", "GET", worlds, "The worlds you may enter (operators: all)", answer=WorldsView, auth=True),
    Endpoint("/api/worlds", "POST", create, "Make a private instance of a template", CreateRequest, WorldView, 201, auth=True),
    Endpoint("/api/worlds/home", "POST", home, "Take your ship back where it set out from", answer=ArrivalView, auth=True),
    Endpoint("/api/worlds/{id}", "GET", world, "One world you may see", answer=WorldView, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}", "DELETE", close, "Close your instance (members are sent home first)", answer=WorldView, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}/invite", "POST", invite, "Invite an account to your instance", MemberRequest, WorldView, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}/uninvite", "POST", uninvite, "Take an account off your instance's list", MemberRequest, WorldView, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}/travel", "POST", travel, "Take your ship to a world you may enter", TravelRequest, ArrivalView, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}/bridge", "POST", take_post, "Take a flagship bridge post (the captain: assign one)", PostRequest, WorldView, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}/bridge/leave", "POST", leave_post, "Leave the bridge for your own ship (the captain: relieve)", LeavePostRequest, WorldView, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}/build", "POST", build, "Build: systems, stations, gates, belts, rules (audited)", BuildRequest, BuildAnswer, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/worlds/{id}/plans", "POST", propose, "Brief the builder in the Heart; its plan is shown, not run", BriefRequest, PlanView, 201, auth=True, params=(WORLD_ID,)),
    Endpoint("/api/plans/{id}", "GET", plan, "A plan of the builder and its progress", answer=PlanView, auth=True, params=(PLAN_ID,)),
    Endpoint("/api/plans/{id}", "DELETE", cancel_plan, "Cancel a plan (a running one stops before its next step)", answer=PlanView, auth=True, params=(PLAN_ID,)),
    Endpoint("/api/plans/{id}/run", "POST", run_plan, "Carry out a proposed plan", answer=PlanView, auth=True, params=(PLAN_ID,)),
)  # fmt: skip


def routes() -> list[Route]:
    return rest_routes(ENDPOINTS)
