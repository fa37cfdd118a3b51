"""The minds' REST adapter: copying a mind (operators), always as what it is.

Before a copy runs, it is announced for what it is in the audit log (which the
Heart shows), in the mind's memory and, if it is in a zone, in local chat; the
answer says what actually happened (a copy, with the new mind's id and name, or
a refusal with the mind's own reason). Both acts are audited.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infinity.accounts.permissions import Verb, allowed
from infinity.audit.log import Entry
from infinity.company.consenting import MindRefused
from infinity.company.copying import copy_mind
from infinity.crew.consent import Consent
from infinity.crew.lineage import Lineage
from infinity.gateway.audited import act, refused
from infinity.gateway.enclave_api import MoveAnswer, moved_answer
from infinity.gateway.rest import ApiError, Endpoint, Param, authenticated, json_answer, read_body
from infinity.gateway.rest import routes as rest_routes
from infinity.gateway.state import game_of

AGENT_ID = Param("id", "path", maximum=2**53 - 1)
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
_STATUS = {"forbidden": 403, "unknown_agent": 404, "unknown_world": 404, "dead": 409}


class CopyRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Text  # why: recorded in the copy's lineage and the audit log
    name: (
        Annotated[str, msgspec.Meta(min_length=3, max_length=40, pattern=r"^[A-Za-z][A-Za-z' -]*$")]
        | None
    ) = None


class CopyRecord(msgspec.Struct):
    operation: str  # always "copy": what was done
    original: int
    original_name: str
    copy: int
    copy_name: str
    lineage: Lineage
    consent: Consent


class CopyAnswer(msgspec.Struct):
    entry: Entry  # the audit entry of the copy
    announced: Entry  # the audit entry that said what was about to happen, before it ran
    record: CopyRecord


async def copy(request: Request) -> Response:
    """POST /api/operator/minds/{id}/copy: (operators) a copy of a mind, if it consents."""
    account = await authenticated(request)
    original = AGENT_ID.need(request)
    body = await read_body(request, CopyRequest)
    target, args = f"agent:{original}", msgspec.to_builtins(body)
    company = game_of(request).company
    if not allowed(account.role, Verb.GROW_AGENT):
        detail = "only operators may copy minds"
        return await refused(request, account, "copy_mind", target, args, "forbidden", detail, 403)
    if company is None:
        raise ApiError(409, "no_crews", "this server runs without crews")
    announced = await act(request, account, "announce_copy", target, args | {"operation": "copy"})
    try:
        made = await copy_mind(company, original, name=body.name, by=account.name, why=body.reason)
    except MindRefused as no:
        status = _STATUS.get(no.code, 409)
        return await refused(
            request, account, "copy_mind", target, args, no.code, no.detail, status
        )
    done = args | {"copy": made.copy.id, "copy_name": made.copy.name}
    entry = await act(request, account, "copy_mind", target, done)
    record = CopyRecord(
        "copy", made.original.id, made.original.name, made.copy.id, made.copy.name,
        made.copy.lineage, made.consent,
    )  # fmt: skip
    return json_answer(CopyAnswer(entry, announced, record), 201)


class WorldMoveRequest(msgspec.Struct, forbid_unknown_fields=True):
    world: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]  # where to (1: the main world)
    reason: Text  # why: in the audit log and the mind's memory


async def move(request: Request) -> Response:
    """POST /api/minds/{id}/move: move a mind to another world of this server, if it
    consents (operators: any mind; captains: their crew's, into a world they may enter)."""
    account = await authenticated(request)
    agent_id = AGENT_ID.need(request)
    body = await read_body(request, WorldMoveRequest)
    game = game_of(request)
    if game.moves is None:
        raise ApiError(409, "no_crews", "this server runs without crews")
    target = f"agent:{agent_id}"
    args = msgspec.to_builtins(body) | {"operation": "transfer"}
    announced = await act(request, account, "announce_transfer", target, args)
    try:
        moved = await game.moves.move(account, agent_id, body.world, body.reason)
    except MindRefused as no:
        status = _STATUS.get(no.code, 409)
        return await refused(
            request, account, "move_mind", target, args, no.code, no.detail, status
        )
    return await moved_answer(request, account, game, (target, args, announced), moved, "move_mind")


ENDPOINTS = (
    Endpoint("/api/minds/{id}/move", "POST", move, "Move a mind to another world of this server (a transfer, with its consent)", WorldMoveRequest, MoveAnswer, auth=True, params=(AGENT_ID,)),
    Endpoint("/api/operator/minds/{id}/copy", "POST", copy, "Operators: copy a mind (a new person, with its consent)", CopyRequest, CopyAnswer, 201, auth=True, params=(AGENT_ID,)),
)  # fmt: skip


def routes() -> list[Route]:
    return rest_routes(ENDPOINTS)
