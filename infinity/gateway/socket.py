"""The game WebSocket: hello, then commands in and frames out (docs/protocol.md).

Each connection runs two tasks under one TaskGroup: the reader (this
coroutine's loop) and the session's writer. Whichever ends first ends both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect

from infinity.accounts.errors import Unauthorized
from infinity.accounts.sanctions import Kind, Sanctions
from infinity.accounts.service import Accounts
from infinity.commands.errors import Reason
from infinity.commands.types import COMMAND_TYPES, Command, Say
from infinity.gateway import wire
from infinity.gateway.limits import TokenBucket
from infinity.gateway.session import Session
from infinity.gateway.state import game_of
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

MAX_FRAME: Final = 4096
HELLO_TIMEOUT: Final = 5.0
KNOWN_TAGS: Final = frozenset(t.__struct_config__.tag for t in COMMAND_TYPES)


class Close:
    NORMAL = 1000
    GOING_AWAY = 1001
    TOO_BIG = 1009
    BAD_HELLO = 4000
    UNAUTHORIZED = 4001
    BAD_VERSION = 4002
    REPLACED = 4003
    BANNED = 4004  # banned or kicked by an operator; the reason says why
    FLOOD = 4008
    FORBIDDEN = 4403  # the account's role may not open this socket (/heart/live)


class Hello(msgspec.Struct, forbid_unknown_fields=True):
    t: str
    v: int
    token: str


_loose = msgspec.msgpack.Decoder()
_typed = msgspec.msgpack.Decoder(Command)  # the hot path: straight into the command union
_hello = msgspec.msgpack.Decoder(Hello)


# What a malformed frame can raise while decoding: RecursionError is msgspec's depth limit
# (Python's recursion limit), reached by a few thousand nested arrays in a 4 KiB frame.
UNDECODABLE: Final = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)


def parse_command(data: bytes, ship: int) -> Command | bytes:
    """Decode and check one client frame: a command, or the encoded error to send back."""
    if len(data) > MAX_FRAME:
        return wire.error(Reason.TOO_LARGE, f"frames are limited to {MAX_FRAME} bytes")
    try:
        command: Command = _typed.decode(data)  # a valid frame is decoded once
    except (*UNDECODABLE, msgspec.ValidationError):
        return _refusal(data)
    if command.ship != ship:
        return wire.error(Reason.NOT_YOUR_SHIP, "you command only your own ship", command.seq)
    return command


def _refusal(data: bytes) -> bytes:
    """Why a frame is not a valid command, said as precisely as a second, loose decode can."""
    try:
        raw = _loose.decode(data)
    except UNDECODABLE:
        return wire.error(Reason.BAD_FRAME, "not a MessagePack value")
    if not isinstance(raw, dict):
        return wire.error(Reason.BAD_FRAME, "a command is a map with a 't' field")
    seq = raw.get("seq", 0)
    seq = seq if isinstance(seq, int) and 0 <= seq < 2**31 else 0
    tag = raw.get("t")
    if not isinstance(tag, str) or tag not in KNOWN_TAGS:
        return wire.error(Reason.UNKNOWN_TYPE, f"unknown command type {tag!r}", seq)
    try:
        msgspec.convert(raw, Command)
    except msgspec.ValidationError as invalid:
        return wire.error(Reason.INVALID, str(invalid), seq)
    return wire.error(
        Reason.INVALID, "not a valid command", seq
    )  # convert accepted what decode did not


async def hello_account(ws: WebSocket, accounts: Accounts) -> tuple[int, str, str] | None:
    """Wait for the hello; returns (account id, name, role), or None once the socket is closed."""
    try:
        message = await asyncio.wait_for(ws.receive(), HELLO_TIMEOUT)
    except TimeoutError:
        await ws.close(Close.BAD_HELLO, "send a hello first")
        return None
    if message["type"] == "websocket.disconnect":  # e.g. uvicorn closed it (1009: over 64 KiB)
        return None
    data = message.get("bytes")
    if data is not None and len(data) > MAX_FRAME:
        await ws.close(Close.TOO_BIG, f"frames are limited to {MAX_FRAME} bytes")
        return None
    try:
        hello = _hello.decode(data if data is not None else b"")
    except (*UNDECODABLE, msgspec.ValidationError):
        await ws.close(Close.BAD_HELLO, "send a hello first")
        return None
    if hello.t != "hello":
        await ws.close(Close.BAD_HELLO, "send a hello first")
        return None
    if hello.v != wire.PROTOCOL_VERSION:
        await ws.close(Close.BAD_VERSION, f"this server speaks v{wire.PROTOCOL_VERSION}")
        return None
    try:
        account = await accounts.authenticate(hello.token)
    except Unauthorized:
        await ws.close(Close.UNAUTHORIZED, "unknown or expired token")
        return None
    ban = accounts.sanctions.active(account.id, Kind.BAN)
    if ban is not None:
        await ws.close(Close.BANNED, close_reason(f"banned until {ban.until:.0f}: {ban.reason}"))
        return None
    return account.id, account.name, account.role


async def game_socket(ws: WebSocket) -> None:
    game = game_of(ws)
    universe, fanout = game.universe, game.fanout
    await ws.accept()
    who = await hello_account(ws, game.accounts)
    if who is None:
        return
    account, name, role = who
    ship = universe.ship_of_account.get(account)
    if ship is None:
        await ws.close(Close.UNAUTHORIZED, "this account has no ship")
        return
    zone = universe.zones[universe.where[ship]]
    chat = [wire.chat_line(line) for line in await game.recent_chat(zone.system_id)]
    welcome = wire.welcome(wire.AccountInfo(account, name, role), ship, zone, chat)
    # No await between joining and queueing the welcome: it must precede every frame.
    session = Session(account, name, ship, ws.send_bytes, ws.close)
    replaced = fanout.join(session)
    session.push(welcome)
    if replaced is not None:
        await replaced.kick(Close.REPLACED, "replaced by a newer connection")
    code = Close.NORMAL
    try:
        async with asyncio.TaskGroup() as tasks:
            writer = tasks.create_task(session.write())
            code = await _read(ws, session, universe, game.accounts.sanctions)
            writer.cancel()
    except* WebSocketDisconnect:
        code = Close.GOING_AWAY
    except* Exception:
        log.exception("game socket failed")
        code = Close.GOING_AWAY
    finally:
        fanout.leave(session)
    if session.kicked:
        return
    with contextlib.suppress(Exception):
        await ws.close(code)


def close_reason(text: str) -> str:
    """`text` cut to the 123 bytes a close frame's reason may hold."""
    return text.encode()[:120].decode(errors="ignore")


def _muted(sanctions: Sanctions, account: int, say: Say) -> bytes | None:
    """The typed refusal of a muted account's chat, or None when it may speak."""
    mute = sanctions.active(account, Kind.MUTE)
    if mute is None:
        return None
    return wire.error(Reason.MUTED, f"muted until {mute.until:.0f}: {mute.reason}", say.seq)


async def _read(ws: WebSocket, session: Session, universe: Universe, sanctions: Sanctions) -> int:
    """Read frames until the client leaves or must be cut off; returns the close code."""
    bucket = TokenBucket()
    while not session.closed:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return Close.NORMAL
        if not bucket.allow():  # every frame counts, text or binary, well-formed or not
            if bucket.flooding:
                return Close.FLOOD
            session.push(wire.error(Reason.RATE_LIMITED, "slow down"))
            continue
        data = message.get("bytes")
        if data is None:
            session.push(wire.error(Reason.BAD_FRAME, "frames must be binary MessagePack"))
            continue
        parsed = parse_command(data, session.ship)
        if isinstance(parsed, bytes):
            session.push(parsed)
            continue
        if isinstance(parsed, Say) and (muted := _muted(sanctions, session.account, parsed)):
            session.push(muted)
            continue
        if not universe.submit(parsed, origin=session):
            session.push(wire.error(Reason.DESTROYED, "your ship is between systems", parsed.seq))
            continue
        session.submitted = max(session.submitted, parsed.seq)
    return Close.NORMAL
