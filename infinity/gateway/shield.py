"""The first thing every HTTP request meets: body cap, credential throttle, security headers.

Pure ASGI, so it acts before any route reads anything. The body is counted
as its `http.request` messages arrive and refused with 413 the moment it
passes the cap (at once when Content-Length already says so), so no
request body larger than the cap is ever held; one that does not arrive
within the idle timeout is answered 408. The routes then get the body
whole. Register and log in are limited per client address (429 with
Retry-After), because each costs an argon2 hash.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Collection, Mapping
from pathlib import Path

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infinity.gateway.limits import AddressBuckets, Limits

_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


class TooLarge(Exception):
    """The body passed the cap."""


class Gone(Exception):
    """The client left before its body was complete."""


class Shield:
    """Wraps the app: every HTTP request is checked here, every answer gets the headers."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits,
        throttled: Collection[tuple[str, str]],
        csp: str,
        roomy: Mapping[tuple[str, str], int] | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.throttled = frozenset(throttled)  # (method, path) of the credential routes
        self.roomy = dict(roomy or {})  # (method, path) -> its larger body cap (mind documents)
        self.addresses = AddressBuckets(limits.login_rate, limits.login_burst)
        self.headers = security_headers(csp)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(send)
        wait = self._throttle(scope)
        if wait:
            await answer(send, 429, "rate_limited", f"too many attempts; retry in {wait} s", wait)
            return
        cap = self.roomy.get((scope["method"], scope["path"]), self.limits.max_body)
        if _declared_length(scope) > cap:
            await self._too_large(send, cap)
            return
        try:
            async with asyncio.timeout(self.limits.idle_timeout):
                body = await read_capped(receive, cap)
        except TooLarge:
            await self._too_large(send, cap)
            return
        except TimeoutError:
            await answer(send, 408, "timeout", "the body did not arrive in time", close=True)
            return
        except Gone:
            return
        await self.app(scope, replay(body, receive), send)

    def _throttle(self, scope: Scope) -> int:
        if (scope["method"], scope["path"]) not in self.throttled:
            return 0
        client = scope.get("client")
        return self.addresses.check(client[0] if client else "")

    async def _too_large(self, send: Send, cap: int) -> None:
        detail = f"bodies are limited to {cap} bytes"
        await answer(send, 413, "too_large", detail, close=True)

    def _with_headers(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.headers]
            await send(message)

        return sending


async def read_capped(receive: Receive, cap: int) -> bytes:
    """The whole request body, raising `TooLarge` as soon as it passes `cap` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Gone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body read already, then the client's next message."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receiving() -> Message:
        return pending.pop() if pending else await receive()

    return receiving


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) <= 18 else 2**63
    return 0


async def answer(
    send: Send, status: int, error: str, detail: str, retry_after: int = 0, close: bool = False
) -> None:
    """A typed JSON error, as the REST API answers (`{"error", "detail"}`)."""
    body = msgspec.json.encode({"error": error, "detail": detail})
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if retry_after:
        headers.append((b"retry-after", b"%d" % retry_after))
    if close:  # the rest of an unread body must not be taken for the next request
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def security_headers(csp: str) -> list[tuple[bytes, bytes]]:
    """Headers on every answer: no framing, no sniffing, no referrer, only our own scripts."""
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]


def content_security_policy(index: Path) -> str:
    """The web client's policy: its own files only, plus the inline import map by its hash."""
    html = index.read_text(encoding="utf-8") if index.exists() else ""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
