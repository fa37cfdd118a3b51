"""Hunting's REST API (operators): share a subject's live location with an audience, list the
live shares, revoke one.

Every call checks `Verb.SHARE_LOCATION` in the one permission table. Sharing and
revoking are operator acts: each writes one audit entry, done or refused, and
the answer carries it as `entry` (a refusal's error body too, as in
`operator_api.py`), so the console can show what it wrote. Listing is reading, not an act, and writes nothing.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infinity.accounts.permissions import Verb, allowed
from infinity.audit.log import Entry
from infinity.gateway.audited import Attempt
from infinity.gateway.rest import ApiError, Endpoint, Param, authenticated, json_answer, read_body
from infinity.gateway.rest import routes as rest_routes
from infinity.gateway.state import game_of
from infinity.operators.hunting import (
    Audience,
    AudienceRule,
    HuntRefused,
    Share,
    Subject,
    SubjectKind,
)

SHARE_ID = Param("id", "path", maximum=2**53 - 1)
MAX_MINUTES = 7 * 24 * 60  # a share lasts at most a week; make a new one to go on
MAX_LISTED = 1000
_STATUS = {"forbidden": 403, "unknown_subject": 404, "unknown_share": 404, "invalid": 422}


class ShareRequest(msgspec.Struct, forbid_unknown_fields=True):
    subject_kind: Literal["ship", "agent", "player", "crew"]
    subject_id: Annotated[int, msgspec.Meta(ge=0, lt=2**53)]
    audience: Literal["victims", "bounty-hunters", "accounts", "everyone"]
    minutes: Annotated[float, msgspec.Meta(gt=0, le=MAX_MINUTES)]
    accounts: (
        Annotated[list[Annotated[int, msgspec.Meta(ge=0, lt=2**53)]], msgspec.Meta(max_length=MAX_LISTED)]
        | None
    ) = None  # fmt: skip


class ShareView(msgspec.Struct):
    id: int
    subject_kind: str
    subject_id: int
    name: str
    audience: str
    members: int | None  # accounts in the audience as last resolved; None: everyone
    by: str
    started_at: float
    expires_at: float | None  # wall clock, seconds since the epoch
    bounty: int | None
    ended: str | None


class ShareAnswer(msgspec.Struct):
    """A done act: the share, and the audit entry the act wrote."""

    entry: Entry
    share: ShareView


class SharesView(msgspec.Struct):
    shares: list[ShareView]


# -- handlers ---------------------------------------------------------------------


async def share(request: Request) -> Response:
    """POST /api/operator/share: share a subject's location until `minutes` from now."""
    account = await authenticated(request)
    body = await read_body(request, ShareRequest)
    target = f"{body.subject_kind}:{body.subject_id}"
    attempt = Attempt(request, account, "share_location", target, msgspec.structs.asdict(body))
    if not allowed(account.role, Verb.SHARE_LOCATION):
        return await _refused(attempt, "forbidden")
    rule = AudienceRule(body.audience)
    if (rule is AudienceRule.ACCOUNTS) != (body.accounts is not None):
        detail = "accounts: given exactly when the audience is 'accounts'"
        return await _refused(attempt, "invalid", detail)
    audience = Audience(rule, frozenset(body.accounts or ()))
    subject = Subject(SubjectKind(body.subject_kind), body.subject_id)
    expires_at = time.time() + body.minutes * 60
    hunts = game_of(request).hunts
    try:
        made = await hunts.share_location(subject, audience, expires_at, account.name)
    except HuntRefused as refusal:
        return await _refused(attempt, refusal.reason, refusal.detail)
    entry = await attempt.done(share=made.id)
    return json_answer(ShareAnswer(entry, share_view(made)), 201)


async def revoke(request: Request) -> Response:
    """DELETE /api/operator/share/{id}: end a live share now."""
    account = await authenticated(request)
    share_id = SHARE_ID.need(request)
    attempt = Attempt(request, account, "revoke_share", f"share:{share_id}", {"share": share_id})
    if not allowed(account.role, Verb.SHARE_LOCATION):
        return await _refused(attempt, "forbidden")
    try:
        ended = game_of(request).hunts.revoke(share_id)
    except HuntRefused as refusal:
        return await _refused(attempt, refusal.reason, refusal.detail)
    entry = await attempt.done()
    return json_answer(ShareAnswer(entry, share_view(ended)))


async def shares(request: Request) -> Response:
    """GET /api/operator/shares: every live share (reading is not an act)."""
    account = await authenticated(request)
    if not allowed(account.role, Verb.SHARE_LOCATION):
        raise ApiError(403, "forbidden", "only operators may see location shares")
    return json_answer(SharesView([share_view(s) for s in game_of(request).hunts.shares()]))


ENDPOINTS = (
    Endpoint("/api/operator/share", "POST", share, "Operators: share a subject's live location with an audience", ShareRequest, ShareAnswer, 201, auth=True),
    Endpoint("/api/operator/share/{id}", "DELETE", revoke, "Operators: revoke a location share", answer=ShareAnswer, auth=True, params=(SHARE_ID,)),
    Endpoint("/api/operator/shares", "GET", shares, "Operators: the live location shares", answer=SharesView, auth=True),
)  # fmt: skip


def routes() -> list[Route]:
    """Hunting's routes, errors turned into JSON answers."""
    return rest_routes(ENDPOINTS)


# -- views and the audit -------------------------------------------------------------


def share_view(s: Share) -> ShareView:
    members = None if s.members is None else len(s.members)
    return ShareView(
        s.id, s.subject.kind.value, s.subject.id, s.name, s.audience.rule.value, members, s.by,
        s.started_at, s.expires_at, s.bounty, s.ended,
    )  # fmt: skip


async def _refused(attempt: Attempt, error: str, detail: str = "") -> Response:
    detail = detail or f"a {attempt.account.role} may not share locations"
    return await attempt.refused(error, detail, _STATUS[error])
