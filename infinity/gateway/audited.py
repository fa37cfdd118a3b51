"""Acts the REST API writes to the audit log before it answers: done, or refused with why.

An adapter calls `act` when the act is done, or answers with `refused`, which writes
the refusal and returns `{"error", "detail", "entry"}`: refusals are audited too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from infinity.accounts.records import Account
from infinity.audit.log import Act, Entry
from infinity.gateway.rest import json_answer
from infinity.gateway.state import game_of


class RefusedView(msgspec.Struct):
    """A refused act: the error, and the audit entry that records the refusal."""

    error: str
    detail: str
    entry: Entry


async def act(
    request: Request,
    account: Account,
    verb: str,
    target: str,
    args: dict[str, Any],
    reason: str = "",
) -> Entry:
    """Write one act (`reason` given: refused) and return its entry."""
    done = Act(
        account.id, account.name, account.role, verb, target, args,
        result="refused" if reason else "done", reason=reason,
    )  # fmt: skip
    return await game_of(request).audit.append(done)


async def refused(
    request: Request,
    account: Account,
    verb: str,
    target: str,
    args: dict[str, Any],
    error: str,
    detail: str,
    status: int,
) -> Response:
    """Write the refusal to the audit log and answer it, with the entry."""
    entry = await act(request, account, verb, target, args, reason=f"{error}: {detail}")
    return json_answer(RefusedView(error, detail, entry), status)


@dataclass(frozen=True, slots=True)
class Attempt:
    """An act a request attempts, written once it is `done` or `refused`: a handler that
    audits several outcomes of one act names it once."""

    request: Request
    account: Account
    verb: str
    target: str
    args: dict[str, Any]

    async def done(self, **more: Any) -> Entry:
        """Write the act, done (its args with `more`), and return its entry."""
        return await act(self.request, self.account, self.verb, self.target, self.args | more)

    async def refused(self, error: str, detail: str, status: int) -> Response:
        """Write the refusal and answer it, with the entry."""
        return await refused(
            self.request, self.account, self.verb, self.target, self.args, error, detail, status
        )
