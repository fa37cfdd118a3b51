"""The Heart of Infinity for operators: the console page, its live feed, and a REST read.

Who may look: roles with `Verb.HEART` (operators; docs/operators.md). The page
`/heart` is a static shell holding no data, like `/index.html`; every byte of
engine state comes through `/heart/live` (WebSocket: hello with the session
token, then one MessagePack snapshot per sample, at least once a second) or
`GET /api/heart` (JSON), and both refuse any other role: close 4403, or 403.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Final

import msgspec
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from infinity.accounts.permissions import Verb, allowed
from infinity.gateway import rest, wire
from infinity.gateway.rest import ApiError, Endpoint, authenticated
from infinity.gateway.socket import Close, hello_account
from infinity.gateway.state import game_of
from infinity.heart.records import Snapshot

PUSH_SECONDS: Final = 1.25  # a frame follows each sample (1 s); this only if one fails
PAGE: Final = Path(__file__).resolve().parent.parent / "web" / "static" / "heart.html"


async def heart_page(request: Request) -> Response:
    """The console's shell (no data in it: the feed refuses all but operators)."""
    return FileResponse(PAGE, media_type="text/html")


async def heart_now(request: Request) -> Response:
    """The Heart's snapshot with its last 30 minutes of chart points, as JSON."""
    account = await authenticated(request)
    if not allowed(account.role, Verb.HEART):
        raise ApiError(403, "forbidden", "the Heart is open to operators only")
    body = msgspec.json.encode(game_of(request).heart.snapshot())
    return Response(body, media_type="application/json")


async def heart_live(ws: WebSocket) -> None:
    """Hello, then the Heart's frames until the operator leaves: the first carries the
    whole 30 minutes of chart points, each later one only the points after it."""
    game = game_of(ws)
    await ws.accept()
    who = await hello_account(ws, game.accounts)
    if who is None:
        return
    if not allowed(who.role, Verb.HEART):
        await ws.close(Close.FORBIDDEN, "the Heart is open to operators only")
        return
    feeding = asyncio.create_task(_feed(ws))
    try:
        await _until_gone(ws)
    finally:
        feeding.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feeding


async def _feed(ws: WebSocket) -> None:
    heart = game_of(ws).heart
    since = 0.0
    while True:
        snapshot = heart.snapshot(since)
        try:
            await ws.send_bytes(wire.heart(snapshot))
        except Exception:  # the peer is gone; the reader sees the disconnect
            return
        if snapshot.series.t:
            since = snapshot.series.t[-1]
        await heart.next_sample(PUSH_SECONDS)


async def _until_gone(ws: WebSocket) -> None:
    """Read (and ignore) until the console disconnects: it only listens."""
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


ENDPOINTS = (
    Endpoint("/api/heart", "GET", heart_now, "The Heart of Infinity now (operators)", answer=Snapshot, auth=True),
)  # fmt: skip


def routes() -> list[BaseRoute]:
    """The page, the live feed and the REST read (errors as JSON, as in `rest`)."""
    page: list[BaseRoute] = [Route("/heart", heart_page), WebSocketRoute("/heart/live", heart_live)]
    return [*page, *rest.routes(ENDPOINTS)]
