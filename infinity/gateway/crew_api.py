"""The crew's REST API: rosters of the agents you can see, orders to your crew, recruiting,
and (operators) enlisting an agent from DNA.

Each route makes a `CrewCall` (who asks, what, its body) and `carry_out` answers it
with the running `Company`: here `game_of(request).company`; on a cluster gateway the
call travels over the bus to the crew worker that holds the crews and is answered there
(`cluster/crewworker.py`), so both scales answer alike. Errors are `{"error", "detail"}`
JSON, as everywhere in the REST API (`infinity.gateway.rest`). An agent is visible to a
player when its ship is in the player's star system, or when it serves in the player's
crew; operators see every agent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.company.company import Company
from infinity.company.muster import (
    Answer,
    Refusal,
    captained_by,
    docked_at,
    enlist,
    give_order,
    recruit,
)
from infinity.crew.agent import Agent
from infinity.crew.crew import Crew
from infinity.crew.genome import InvalidGenome, Persona
from infinity.crew.lineage import describe, kin_of, siblings
from infinity.crew.memory import Memory, MemoryKind
from infinity.crew.planner import ACTIONS
from infinity.gateway.rest import ApiError, Endpoint, Param, authenticated, decode_body, json_answer
from infinity.gateway.rest import routes as rest_routes
from infinity.gateway.state import game_of
from infinity.sim.bodies import NO_ENTITY

AGENT_ID = Param("id", "path", maximum=2**53 - 1)
Act = Literal["agents", "agent", "orders", "recruit", "enlist"]
RECENT_MEMORIES = 5
DETAIL_MEMORIES = 20
_STATUS = {
    "not_captain": 403,
    "unknown_agent": 404,
    "no_ship": 409,
    "not_docked": 409,
    "not_here": 409,
    "aboard": 409,
    "captain": 409,
    "dead": 409,
    "crew_away": 409,
    "not_an_order": 422,
}


# -- bodies and answers -----------------------------------------------------------


class OrderRequest(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=280)]


class RecruitRequest(msgspec.Struct, forbid_unknown_fields=True):
    agent: Annotated[int, msgspec.Meta(ge=0, lt=2**53)]


class EnlistRequest(msgspec.Struct, forbid_unknown_fields=True):
    dna: Annotated[str, msgspec.Meta(min_length=1)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class MemoryView(msgspec.Struct):
    id: int
    at: float
    kind: str
    importance: int
    text: str


class DeathView(msgspec.Struct):
    cause: str
    at: float


class AgentView(msgspec.Struct):
    id: int
    name: str
    alive: bool
    death: DeathView | None
    ship: int | None
    ship_name: str
    system: int | None
    docked_at: int | None  # the station its ship is docked at: recruit it there
    crew: int | None
    crew_name: str
    station: str | None
    captain: bool
    persona: Persona
    needs: dict[str, float]
    credits: float
    goal: str
    plan: list[str]
    step: str
    order: str | None
    memories: list[MemoryView]
    lineage: LineageView
    in_transit: bool  # leaving for another server: alive, but neither seeing nor acting here


class LineageView(msgspec.Struct):
    """Where the mind comes from: its genome, whose copy it is, who shares its genome."""

    genome: str
    kind: str  # grown | copy
    derived_from: int | None
    derived_from_name: str
    by: str
    why: str
    siblings: list[str]  # others grown from the same genome, "Name (#id)"
    line: str  # the whole of it in one line, for a roster


class RosterView(msgspec.Struct):
    agents: list[AgentView]


class AnswerView(msgspec.Struct):
    agent: int
    name: str
    obeys: bool
    reason: str


class OrderView(msgspec.Struct):
    crew: int
    order: str
    target: int
    target_name: str
    answers: list[AnswerView]


class MemberView(msgspec.Struct):
    agent: int
    name: str
    station: str
    alive: bool


class CrewView(msgspec.Struct):
    id: int
    name: str
    ship: int
    captain: str
    members: list[MemberView]


class CrewCall(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One call of this API, as a cluster gateway forwards it over the bus to the crew
    worker that holds the crews (`carry_out` answers it there as here). `agent`: whose
    detail; `body`: the request's JSON body, checked where it is carried out."""

    act: Act
    account: Account
    agent: Annotated[int, msgspec.Meta(ge=0, lt=2**53)] = 0
    body: bytes = b""


class CrewAnswer(msgspec.Struct, array_like=True, frozen=True):
    """What the crew worker answers a `CrewCall`: the status and JSON the API sends."""

    status: int
    body: bytes


async def call_of(request: Request, act: Act, account: Account) -> CrewCall:
    """The call `request` makes as `account`."""
    agent = AGENT_ID.need(request) if act == "agent" else 0
    body = await request.body() if request.method == "POST" else b""
    return CrewCall(act, account, agent, body)


async def carry_out(company: Company, call: CrewCall) -> Response:
    """Answer `call` with the crews of `company` (an `ApiError` for a refusal)."""
    return await _ACTS[call.act](company, call.account, call)


@dataclass(frozen=True, slots=True)
class Served:
    """The handler of one act, in the process that runs the crews."""

    act: Act

    async def __call__(self, request: Request) -> Response:
        account = await authenticated(request)
        return await carry_out(company_of(request), await call_of(request, self.act, account))


# -- the acts ---------------------------------------------------------------------


async def _agents(company: Company, account: Account, call: CrewCall) -> Response:
    """Every agent you can see, with persona, needs, goal, plan and memories."""
    seen = visible(company, account)
    kin = kin_of(company.minds.agents.values())
    return json_answer(RosterView([agent_view(company, a, RECENT_MEMORIES, kin) for a in seen]))


async def _agent(company: Company, account: Account, call: CrewCall) -> Response:
    """One agent you can see, with more of its memories."""
    found = company.minds.agents.get(call.agent)
    if found is None or found not in visible(company, account):
        raise ApiError(404, "unknown_agent", f"no agent {call.agent} in sight")
    return json_answer(agent_view(company, found, DETAIL_MEMORIES))


async def _orders(company: Company, account: Account, call: CrewCall) -> Response:
    """Your crew carries the order out, or refuses it."""
    body = decode_body(call.body, OrderRequest)
    try:
        order, answers = give_order(company, account, body.text)
    except Refusal as refusal:
        raise _api_error(refusal) from None
    crew = captained_by(company, account.id)
    assert crew is not None  # give_order found it
    views = [_answer_view(a) for a in answers]
    return json_answer(OrderView(crew.id, order.kind.value, order.target, order.target_name, views))


async def _recruit(company: Company, account: Account, call: CrewCall) -> Response:
    """Sign on an agent docked at your station."""
    body = decode_body(call.body, RecruitRequest)
    try:
        crew = recruit(company, account, body.agent)
    except Refusal as refusal:
        raise _api_error(refusal) from None
    return json_answer(crew_view(company, crew))


async def _enlist(company: Company, account: Account, call: CrewCall) -> Response:
    """(Operators) grow an agent from DNA and give it a ship."""
    if not allowed(account.role, Verb.GROW_AGENT):
        raise ApiError(403, "forbidden", "only operators may enlist agents")
    body = decode_body(call.body, EnlistRequest)
    near = company.universe.ship_of_account.get(account.id)
    name = body.name.strip() if body.name is not None else None
    if name == "" or (name is not None and not name.isprintable()):
        raise ApiError(422, "invalid", "name: printable, not blank")
    try:
        grown = await enlist(company, body.dna, name, near)
    except InvalidGenome as bad:
        raise ApiError(422, "invalid_dna", str(bad)) from None
    return json_answer(agent_view(company, grown, RECENT_MEMORIES), 201)


_ACTS: dict[Act, Callable[[Company, Account, CrewCall], Awaitable[Response]]] = {
    "agents": _agents, "agent": _agent, "orders": _orders, "recruit": _recruit,
    "enlist": _enlist,
}  # fmt: skip

ENDPOINTS = (
    Endpoint("/api/agents", "GET", Served("agents"), "Agents you can see: persona, needs, goal, memories", answer=RosterView, auth=True),
    Endpoint("/api/agents/{id}", "GET", Served("agent"), "One agent in detail", answer=AgentView, auth=True, params=(AGENT_ID,)),
    Endpoint("/api/crew/orders", "POST", Served("orders"), "Order your crew; each member obeys or refuses", OrderRequest, OrderView, auth=True),
    Endpoint("/api/crew/recruit", "POST", Served("recruit"), "Recruit an agent docked where you are", RecruitRequest, CrewView, auth=True),
    Endpoint("/api/operator/crew", "POST", Served("enlist"), "Operators: grow an agent from DNA", EnlistRequest, AgentView, 201, auth=True),
)  # fmt: skip


def routes() -> list[Route]:
    """The crew's routes, errors turned into JSON answers."""
    return rest_routes(ENDPOINTS)


# -- helpers ----------------------------------------------------------------------


def company_of(request: Request) -> Company:
    company = game_of(request).company
    if not isinstance(company, Company):
        raise ApiError(503, "no_crew", "the crew is not running on this server")
    return company


def visible(company: Company, account: Account) -> list[Agent]:
    """Agents aboard ships in the player's system, and the player's own crew; operators: all."""
    everyone = company.minds.agents.values()
    if allowed(account.role, Verb.SEE_ALL_AGENTS):
        return list(everyone)
    universe = company.universe
    flagship = universe.ship_of_account.get(account.id)
    system = universe.where.get(flagship) if flagship is not None else None
    own = captained_by(company, account.id)
    mine = set(own.members) if own is not None else set()
    return [
        a
        for a in everyone
        if a.id in mine
        or (system is not None and a.ship is not None and universe.where.get(a.ship) == system)
    ]


def agent_view(
    company: Company, a: Agent, memories: int, kin: Mapping[str, list[Agent]] | None = None
) -> AgentView:
    """`kin`: agents by genome (`kin_of`), when many views are made at once."""
    crew = company.minds.crews.get(a.crew) if a.crew is not None else None
    intent = a.intent
    plan = [ACTIONS[i].name for i in intent.plan] if intent.plan else []
    order = intent.order
    return AgentView(
        id=a.id,
        name=a.name,
        alive=a.alive,
        death=None if a.death is None else DeathView(a.death.cause, a.death.at),
        ship=a.ship,
        ship_name=_ship_name(company, a.ship),
        system=company.universe.where.get(a.ship) if a.ship is not None else None,
        docked_at=_docked(company, a.ship),
        crew=a.crew,
        crew_name=crew.name if crew is not None else "",
        station=_station(crew, a),
        captain=crew is not None and crew.captain.agent == a.id,
        persona=a.persona,
        needs=company.minds.needs_of(a.id),
        credits=round(a.purse.balance, 2),
        goal=intent.goal.name.lower(),
        plan=plan,
        step=plan[intent.step] if intent.step < len(plan) else "",
        order=None if order is None else f"{order.kind.value} {order.target_name}".strip(),
        memories=[_memory_view(m) for m in a.memory.recent(memories)],
        lineage=lineage_view(a, kin_of(company.minds.agents.values()) if kin is None else kin),
        in_transit=a.id in company.away,
    )


def lineage_view(a: Agent, kin: Mapping[str, list[Agent]]) -> LineageView:
    named = [f"{other.name} (#{other.id})" for other in siblings(a, kin)]
    line = a.lineage
    return LineageView(
        line.genome, line.kind, line.derived_from, line.derived_from_name, line.by, line.why,
        named, describe(line, named),
    )  # fmt: skip


def crew_view(company: Company, crew: Crew) -> CrewView:
    agents = company.minds.agents
    members = [
        MemberView(a, agents[a].name, station.value, agents[a].alive)
        for a, station in crew.members.items()
        if a in agents
    ]
    return CrewView(crew.id, crew.name, crew.ship, crew.captain.name, members)


def _memory_view(m: Memory) -> MemoryView:
    return MemoryView(m.id, m.at, MemoryKind(m.kind).name.lower(), m.importance, m.text)


def _ship_name(company: Company, ship: int | None) -> str:
    zone = company.universe.zone_of(ship) if ship is not None else None
    info = zone.info.get(ship) if zone is not None and ship is not None else None
    return info.name if info is not None else ""


def _docked(company: Company, ship: int | None) -> int | None:
    station = docked_at(company, ship) if ship is not None else NO_ENTITY
    return None if station == NO_ENTITY else station


def _station(crew: Crew | None, a: Agent) -> str | None:
    station = crew.members.get(a.id) if crew is not None else None
    return station.value if station is not None else None


def _answer_view(answer: Answer) -> AnswerView:
    v = answer.verdict
    return AnswerView(answer.agent.id, answer.agent.name, not v.refuse, v.reason)


def _api_error(refusal: Refusal) -> ApiError:
    return ApiError(_STATUS.get(refusal.reason, 409), refusal.reason, refusal.detail)
