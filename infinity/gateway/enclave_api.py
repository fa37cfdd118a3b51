"""Host enclaves' REST adapter (docs/worlds.md "Enclaves").

`POST /api/enclave` makes (or finds) your enclave; `GET /api/enclave` looks in on it: the
minds living there with their latest memories, what they said of what they watch through
your eyes, and the enclave's local chat. `POST /api/enclave/minds` moves a mind in: one in
your crew (operators: anyone's, into a named host's enclave), with its consent. The move
is announced for what it is (a transfer) in the audit log before it runs, and the answer
and a second entry say what actually happened.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.audit.log import Entry
from infinity.company.consenting import MindRefused
from infinity.crew.agent import Agent
from infinity.crew.consent import Consent
from infinity.crew.memory import MemoryKind
from infinity.gateway.audited import act, refused
from infinity.gateway.rest import ApiError, Endpoint, authenticated, json_answer, read_body
from infinity.gateway.rest import routes as rest_routes
from infinity.gateway.state import Game, game_of
from infinity.minds.enclave import Enclaves
from infinity.minds.moving import Moved
from infinity.worlds.records import World

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
HostName = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
MEMORIES = 5  # latest memories shown per mind
_STATUS = {
    "forbidden": 403,
    "unknown_agent": 404,
    "unknown_account": 404,
    "dead": 409,
    "refused": 409,
    "sealed": 409,
    "in_transit": 409,
    "aborted": 409,
    "not_welcomed": 403,
}


class MoveRequest(msgspec.Struct, forbid_unknown_fields=True):
    agent: Annotated[int, msgspec.Meta(ge=0, le=2**53 - 1)]
    reason: Text  # why: in the audit log
    host: HostName | None = None  # operators: whose enclave (default: their own)


class WelcomeRequest(msgspec.Struct, forbid_unknown_fields=True):
    agent: Annotated[int, msgspec.Meta(ge=0, le=2**53 - 1)]


class Welcomed(msgspec.Struct):
    agent: int
    host: str


class MemoryLine(msgspec.Struct):
    at: float
    kind: str
    text: str


class ResidentView(msgspec.Struct):
    id: int
    name: str
    alive: bool
    ship: int | None
    memories: list[MemoryLine]  # newest first


class ChatView(msgspec.Struct):
    name: str
    text: str
    at: float


class EnclaveView(msgspec.Struct):
    world: int
    name: str
    host: str
    system: int
    station: int
    minds: list[ResidentView]
    comments: list[str]  # what they said of what they watched, oldest first
    chat: list[ChatView]  # the enclave's local chat, oldest first


class MoveRecord(msgspec.Struct):
    operation: str  # always "transfer": what was done (never a copy)
    agent: int
    agent_name: str
    host: str
    world: int
    old_ship: int | None
    ship: int
    system: int
    consent: Consent
    live_minds: int  # minds with this identity after the move: exactly 1


class MoveAnswer(msgspec.Struct):
    entry: Entry  # the audit entry of the move
    announced: Entry  # the audit entry that said what was about to happen, before it ran
    record: MoveRecord


def _enclaves(game: Game) -> Enclaves:
    if game.enclaves is None:
        raise ApiError(409, "no_crews", "this server runs without crews: no minds to host")
    return game.enclaves


async def _view(game: Game, enclaves: Enclaves, world: World) -> EnclaveView:
    galaxy = game.worlds.galaxy_of(world.id)
    system = galaxy.systems[0]
    station = system.stations()[0]
    minds = [
        ResidentView(a.id, a.name, a.alive, a.ship, _memories(a))
        for a in enclaves.residents(world.id)
    ]
    chat = [ChatView(c.name, c.text, c.at) for c in await game.recent_chat(system.id)]
    # after a restart, what they said is still in the enclave's stored chat
    names = {m.name for m in minds}
    said = enclaves.comments(world.id) or [f"{c.name}: {c.text}" for c in chat if c.name in names]
    return EnclaveView(
        world.id, world.name, world.owner_name, system.id, station.id, minds, said[-10:],
        chat[-20:],
    )  # fmt: skip


def _memories(agent: Agent) -> list[MemoryLine]:
    return [
        MemoryLine(m.at, MemoryKind(m.kind).name.lower(), m.text)
        for m in agent.memory.recent(MEMORIES)
    ]


async def make(request: Request) -> Response:
    """POST /api/enclave: your enclave, made the first time."""
    account = await authenticated(request)
    game = game_of(request)
    enclaves = _enclaves(game)
    world = await game.worlds.make_enclave(account)
    return json_answer(await _view(game, enclaves, world))


async def look(request: Request) -> Response:
    """GET /api/enclave: look in on your enclave (the host alone)."""
    account = await authenticated(request)
    game = game_of(request)
    enclaves = _enclaves(game)
    world = game.worlds.enclave_of(account.id)
    if world is None:
        raise ApiError(404, "no_enclave", "you have no enclave: POST /api/enclave makes one")
    return json_answer(await _view(game, enclaves, world))


async def welcome(request: Request) -> Response:
    """POST /api/enclave/welcome: you will take this mind into your enclave (an operator
    may then move it in; you may always move your own crew's)."""
    account = await authenticated(request)
    body = await read_body(request, WelcomeRequest)
    enclaves = _enclaves(game_of(request))
    target, args = f"agent:{body.agent}", msgspec.to_builtins(body)
    enclaves.welcome(account, body.agent)
    await act(request, account, "enclave_welcome", target, args)
    return json_answer(Welcomed(body.agent, account.name))


async def move_in(request: Request) -> Response:
    """POST /api/enclave/minds: move a mind into an enclave, if it consents."""
    account = await authenticated(request)
    body = await read_body(request, MoveRequest)
    game = game_of(request)
    enclaves = _enclaves(game)
    target, args = f"agent:{body.agent}", msgspec.to_builtins(body)
    host = account
    if body.host is not None and body.host.lower() != account.name.lower():
        if not allowed(account.role, Verb.GROW_AGENT):
            detail = "only operators move minds into another's enclave"
            return await refused(
                request, account, "enclave_move", target, args, "forbidden", detail, 403
            )
        found = await game.accounts.registry.account_by_name(body.host)
        if found is None:
            detail = f"no account named {body.host!r}"
            return await refused(
                request, account, "enclave_move", target, args, "unknown_account", detail, 404
            )
        host = found
    args |= {"operation": "transfer", "host": host.name}
    announced = await act(request, account, "announce_transfer", target, args)
    try:
        moved = await enclaves.move_in(account, host, body.agent, body.reason)
    except MindRefused as no:
        status = _STATUS.get(no.code, 409)
        return await refused(
            request, account, "enclave_move", target, args, no.code, no.detail, status
        )
    return await moved_answer(
        request, account, game, (target, args, announced), moved, "enclave_move"
    )


async def moved_answer(
    request: Request,
    account: Account,
    game: Game,
    asked: tuple[str, dict[str, Any], Entry],
    moved: Moved,
    verb: str,
) -> Response:
    """Audit a move that happened and say what it was: a transfer, one live mind after.
    `asked`: the audit target, the request's arguments and the entry that announced it."""
    target, args, announced = asked
    agent = moved.agent
    live = sum(a is agent for a in game.company.minds.agents.values()) if game.company else 0
    done = args | {"world": moved.world.id, "ship": moved.ship, "old_ship": moved.old_ship}
    entry = await act(request, account, verb, target, done)
    record = MoveRecord(
        "transfer", agent.id, agent.name, moved.world.owner_name, moved.world.id,
        moved.old_ship, moved.ship, moved.system, moved.consent, live,
    )  # fmt: skip
    return json_answer(MoveAnswer(entry, announced, record))


ENDPOINTS = (
    Endpoint("/api/enclave", "GET", look, "Look in on your enclave: the minds living there", answer=EnclaveView, auth=True),
    Endpoint("/api/enclave", "POST", make, "Your enclave, made the first time (sealed: you alone enter)", answer=EnclaveView, auth=True),
    Endpoint("/api/enclave/welcome", "POST", welcome, "Welcome a mind into your enclave: your consent to host it", WelcomeRequest, Welcomed, auth=True),
    Endpoint("/api/enclave/minds", "POST", move_in, "Move a mind of your crew into your enclave (a transfer, with its consent)", MoveRequest, MoveAnswer, auth=True),
)  # fmt: skip


def routes() -> list[Route]:
    return rest_routes(ENDPOINTS)
