"""The transfer protocol's REST adapter (docs/mind.md, "Transfer"), both sides.

Source: `POST /api/operator/minds/{id}/transfer` (operators) moves a mind to another
server, whose operator's token the request carries (used for that server only, kept in
memory, never stored). Before it runs it is announced for what it is, a transfer, in the
audit log (which the Heart shows), and to the mind (memory, and local chat if its ship is
in a zone); the answer says what happened: moved (200), still in transit (202: recovery
finishes it) or aborted and why (409: it lives here still, never a copy).

Destination: `POST /api/minds/admit` (operators) admits a mind in transit under its key,
in one transaction, at most once; `POST /api/minds/transfers/status` and
`POST /api/minds/transfers/cancel` answer to whoever holds the key (32 random hex digits:
the key is the capability), so a source that restarted without its token can finish.
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
from infinity.crew.consent import Consent
from infinity.gateway.audited import act, refused
from infinity.gateway.rest import ApiError, Endpoint, Param, authenticated, json_answer, read_body
from infinity.gateway.rest import routes as rest_routes
from infinity.gateway.state import game_of
from infinity.minds.document import AlreadyAlive, Invalid, Refused, Tampered
from infinity.minds.transfer import Outcome, Transfers, cancel_here, status_here

AGENT_ID = Param("id", "path", maximum=2**53 - 1)
Key = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{32}$")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
Peer = Annotated[str, msgspec.Meta(min_length=8, max_length=200, pattern=r"^https?://[^/?#\s]+$")]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=256, pattern=r"^[\x21-\x7e]+$")]
DOCUMENT_BODY = 32 * 2**20  # an admit's body: a mind document of some 20,000 memories
_STATUS = {"forbidden": 403, "unknown_agent": 404, "invalid": 422}
_RESULT = {"retired": "moved", "returned": "aborted", "leaving": "in_transit"}
_CODE = {"retired": 200, "returned": 409, "leaving": 202}
TWO_LIVE = f"{AlreadyAlive.__name__.lower()}:"  # the destination's code: the mind lives there


class TransferRequest(msgspec.Struct, forbid_unknown_fields=True):
    to: Peer  # the destination server, http(s)://host[:port]
    token: Token  # a session token of an operator there (used there only, never stored)
    reason: Text
    key: Key | None = None  # retrying a transfer: its key (the same transfer, never a second)


class TransferRecord(msgspec.Struct):
    operation: str  # always "transfer": what was asked, whatever happened
    result: str  # moved | aborted | in_transit
    key: str
    agent: int
    name: str
    to: str
    arrived_as: int | None  # the mind's agent id at the destination, once it arrived
    detail: str
    consent: Consent | None
    # "copy" when it was refused because the mind already lived at the destination: done,
    # it would have left two live minds, so it was a copy offered as a transfer
    would_have_been: str | None = None


class TransferAnswer(msgspec.Struct):
    entry: Entry  # the audit entry of the outcome
    announced: Entry | None  # the entry that said what was about to happen, before it ran
    record: TransferRecord


class AdmitRequest(msgspec.Struct, forbid_unknown_fields=True):
    key: Key
    document: msgspec.Raw  # the mind document in transit, as the source sealed it


class Admitted(msgspec.Struct):
    key: str
    agent: int
    name: str
    fresh: bool  # False: this key had arrived before; nothing was admitted now
    entry: Entry


class KeyRequest(msgspec.Struct, forbid_unknown_fields=True):
    key: Key


class KeyState(msgspec.Struct):
    key: str
    state: str  # unknown | leaving | retired | returned | arrived | cancelled
    agent: int | None


def _transfers(request: Request) -> Transfers:
    transfers = game_of(request).transfers
    if transfers is None:
        raise ApiError(409, "no_transfers", "this server does not move minds")
    return transfers


async def transfer(request: Request) -> Response:
    """POST /api/operator/minds/{id}/transfer: (operators) move a mind to another server."""
    account = await authenticated(request)
    agent = AGENT_ID.need(request)
    body = await read_body(request, TransferRequest)
    target = f"agent:{agent}"
    args: dict[str, Any] = {"to": body.to, "reason": body.reason, "operation": "transfer"}
    if body.key is not None:
        args["key"] = body.key
    if not allowed(account.role, Verb.GROW_AGENT):
        detail = "only operators may move minds"
        return await refused(
            request, account, "transfer_mind", target, args, "forbidden", detail, 403
        )
    transfers = _transfers(request)
    announced = await act(request, account, "announce_transfer", target, args)
    try:
        outcome = await transfers.send(
            agent, body.to, body.token, by=account.name, why=body.reason, key=body.key
        )
    except MindRefused as no:
        status = _STATUS.get(no.code, 409)
        return await refused(
            request, account, "transfer_mind", target, args, no.code, no.detail, status
        )
    return await _answer(request, account, target, args, outcome, announced)


async def _answer(
    request: Request,
    account: Account,
    target: str,
    args: dict[str, Any],
    outcome: Outcome,
    announced: Entry | None,
) -> Response:
    result = _RESULT[outcome.state]
    copy = outcome.state == "returned" and TWO_LIVE in outcome.detail
    done = args | {"key": outcome.key, "result": result, "arrived_as": outcome.peer_agent}
    reason = "" if outcome.state != "returned" else f"aborted: {outcome.detail}"
    if copy:
        done["would_have_been"] = "copy"
        reason += " (it would have left two live minds: a copy, not a transfer)"
    entry = await act(request, account, "transfer_mind", target, done, reason=reason)
    record = TransferRecord(
        "transfer", result, outcome.key, outcome.agent, outcome.name, outcome.peer,
        outcome.peer_agent, outcome.detail, outcome.consent, "copy" if copy else None,
    )  # fmt: skip
    return json_answer(TransferAnswer(entry, announced, record), _CODE[outcome.state])


async def admit(request: Request) -> Response:
    """POST /api/minds/admit: (operators) admit a mind in transit, at most once per key."""
    account = await authenticated(request)
    body = await read_body(request, AdmitRequest)
    target, args = f"transfer:{body.key}", {"key": body.key, "operation": "transfer"}
    if not allowed(account.role, Verb.GROW_AGENT):
        detail = "only operators may admit minds"
        return await refused(request, account, "admit_mind", target, args, "forbidden", detail, 403)
    transfers = _transfers(request)
    try:
        arrival = await transfers.receive(body.key, bytes(body.document), by=account.name)
    except Refused as no:
        code = type(no).__name__.lower()
        status = 422 if isinstance(no, Invalid | Tampered) else 409
        return await refused(request, account, "admit_mind", target, args, code, str(no), status)
    done = args | {"agent": arrival.agent, "name": arrival.name, "fresh": arrival.fresh}
    entry = await act(request, account, "admit_mind", target, done)
    answer = Admitted(arrival.key, arrival.agent, arrival.name, arrival.fresh, entry)
    return json_answer(answer, 201 if arrival.fresh else 200)


async def status(request: Request) -> Response:
    """POST /api/minds/transfers/status: what this server knows of a transfer key."""
    body = await read_body(request, KeyRequest)
    state, agent = await status_here(_transfers(request).engine, body.key)
    return json_answer(KeyState(body.key, state, agent))


async def cancel(request: Request) -> Response:
    """POST /api/minds/transfers/cancel: the destination gives up a key (never admitted
    after this), or answers `arrived` with the agent when the mind came first."""
    body = await read_body(request, KeyRequest)
    try:
        state, agent = await cancel_here(_transfers(request).engine, body.key)
    except Refused as no:
        raise ApiError(409, "key_used", str(no)) from None
    return json_answer(KeyState(body.key, state, agent))


ENDPOINTS = (
    Endpoint("/api/operator/minds/{id}/transfer", "POST", transfer, "Operators: move a mind to another server (with its consent; never a copy)", TransferRequest, TransferAnswer, 200, auth=True, params=(AGENT_ID,)),
    Endpoint("/api/minds/admit", "POST", admit, "Operators: admit a mind in transit, at most once per key", AdmitRequest, Admitted, 201, auth=True, max_body=DOCUMENT_BODY),
    Endpoint("/api/minds/transfers/status", "POST", status, "A transfer key's state here (the key is the capability)", KeyRequest, KeyState),
    Endpoint("/api/minds/transfers/cancel", "POST", cancel, "Give up a transfer key here, unless the mind already arrived", KeyRequest, KeyState),
)  # fmt: skip


def routes() -> list[Route]:
    return rest_routes(ENDPOINTS)
