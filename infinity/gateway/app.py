"""The ASGI application: routes, and a lifespan that runs the universe it is given.

The composition root (`infinity.embedded.app`) passes `run`, which opens the
universe and yields a `Game`; the gateway knows nothing of how it is built.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from infinity._memory import settle_collector
from infinity.gateway import (
    crew_api,
    enclave_api,
    heart_api,
    hunting_api,
    minds_api,
    operator_api,
    rest,
    transfer_api,
    worlds_api,
)
from infinity.gateway.connections import http_protocol
from infinity.gateway.lane import GameLane
from infinity.gateway.limits import Limits
from infinity.gateway.shield import Shield, content_security_policy
from infinity.gateway.socket import Close, front_of, game_socket
from infinity.gateway.state import Game, game_of

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
DEFAULT_LIMITS = Limits()


async def healthz(request: Request) -> Response:
    return JSONResponse({"ok": True, "zones": len(game_of(request).universe.zones)})


async def metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def server_config(
    app: Starlette,
    host: str,
    port: int,
    log_level: str,  # uvicorn's: "debug", "info", "warning" or "error"
    limits: Limits = DEFAULT_LIMITS,
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> uvicorn.Config:
    """How the gateway runs under uvicorn: uvloop, sans-I/O websockets, no per-message
    compression (a CPU cost on every frame), a 64 KiB frame cap, a bounded graceful stop,
    and `limits` (docs/security.md): the app behind a `Shield`, connections capped and
    timed out by the protocol class, WebSocket pings that drop a silent peer in 40 s.
    `tls_cert` and `tls_key` (PEM files, both or neither) serve HTTPS and WSS through
    uvicorn's own TLS: browsers allow WebXR only in a secure context."""
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("tls_cert and tls_key go together")
    throttled = [(e.method, e.path) for e in app.state.endpoints if e.throttled]
    csp = content_security_policy(STATIC / "index.html")
    roomy = {(e.method, e.path): e.max_body for e in app.state.endpoints if e.max_body}
    app.add_middleware(Shield, limits=limits, throttled=throttled, csp=csp, roomy=roomy)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http=http_protocol(limits, GameLane(app)),
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=64 * 1024,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        timeout_keep_alive=limits.idle_timeout,
        # Tasks, not connections (the protocol caps those): handlers still running for
        # clients that left. One over the connection cap, so a full house is not a 503.
        limit_concurrency=limits.max_connections + 1,
        timeout_graceful_shutdown=5,
        log_level=log_level,
        lifespan="on",
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
    )


def create_app(run: Callable[[], AbstractAsyncContextManager[Game]]) -> Starlette:
    """The gateway over the universe that `run` opens for the app's lifetime."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with run() as game:
            # The loaded universe lives for the whole run: keep it out of the GC's full
            # collections, which otherwise pause every zone for tens of milliseconds.
            settle_collector()
            app.state.game = game
            app.state.front = front_of(game)
            try:
                yield
            finally:
                await farewell(game)  # again, for sessions that joined during the shutdown

    routes = [
        *rest.routes(),
        *crew_api.routes(),
        *operator_api.routes(),
        *hunting_api.routes(),
        *heart_api.routes(),
        *worlds_api.routes(),
        *minds_api.routes(),
        *enclave_api.routes(),
        *transfer_api.routes(),
        Route("/openapi.json", rest.openapi_document),
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        WebSocketRoute("/ws", game_socket),
        Mount("/", StaticFiles(directory=STATIC, html=True, check_dir=False), name="web"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.endpoints = (
        *rest.ENDPOINTS,
        *crew_api.ENDPOINTS,
        *operator_api.ENDPOINTS,
        *hunting_api.ENDPOINTS,
        *heart_api.ENDPOINTS,
        *worlds_api.ENDPOINTS,
        *minds_api.ENDPOINTS,
        *enclave_api.ENDPOINTS,
        *transfer_api.ENDPOINTS,
    )
    return app


async def farewell(game: Game) -> None:
    """Tell every game session we are going (1001, docs/protocol.md)."""
    for session in list(game.fanout.by_account.values()):
        await session.kick(Close.GOING_AWAY, "server shutting down")


class Gateway(uvicorn.Server):
    """uvicorn's server, but players hear 1001 "going away" before uvicorn drops their
    connections (it closes open WebSockets with 1012 before the lifespan ends)."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        game = getattr(getattr(app, "state", None), "game", None)
        if isinstance(game, Game):
            await farewell(game)
        await super().shutdown(sockets)

    async def on_tick(self, counter: int) -> bool:
        """Also stop, as on SIGTERM, once two operators confirmed the kill switch."""
        game = getattr(getattr(self.config.app, "state", None), "game", None)
        if isinstance(game, Game) and game.killswitch.over:
            return True
        return await super().on_tick(counter)
