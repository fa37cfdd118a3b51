"""The game WebSocket: hello, then commands in and frames out (docs/protocol.md).

What a connection does is said once here, whatever carries it: `admit` reads
the hello, `board` joins the player to the fan-out, `Reader.take` handles each
frame after that. Two carriers use them: `game_socket`, the Starlette
endpoint any ASGI server (and the test client) runs, with a reader loop and a
writer task under one TaskGroup; and the game lane (`lane.py`), which serves
`/ws` under `infinity serve` with compiled framing and no task per frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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
from infinity.gateway.session import Link, QueuedLink, Session
from infinity.gateway.state import Game

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
    ERASED = 4010  # the kill switch erased the universe (docs/operators.md)
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


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a connection is closed before (or instead of) joining the game."""

    code: int  # a `Close` code
    reason: str


@dataclass(frozen=True, slots=True)
class Admitted:
    """The account a hello's token names, let in to join the game."""

    account: int
    name: str
    role: str


async def admit(data: bytes | None, accounts: Accounts) -> Admitted | Refused:
    """Check a hello frame (`None`: a text frame): the account it admits, or why not."""
    if data is not None and len(data) > MAX_FRAME:
        return Refused(Close.TOO_BIG, f"frames are limited to {MAX_FRAME} bytes")
    try:
        hello = _hello.decode(data if data is not None else b"")
    except (*UNDECODABLE, msgspec.ValidationError):
        return Refused(Close.BAD_HELLO, "send a hello first")
    if hello.t != "hello":
        return Refused(Close.BAD_HELLO, "send a hello first")
    if hello.v != wire.PROTOCOL_VERSION:
        return Refused(Close.BAD_VERSION, f"this server speaks v{wire.PROTOCOL_VERSION}")
    try:
        account = await accounts.authenticate(hello.token)
    except Unauthorized:
        return Refused(Close.UNAUTHORIZED, "unknown or expired token")
    ban = accounts.sanctions.active(account.id, Kind.BAN)
    if ban is not None:
        return Refused(Close.BANNED, close_reason(f"banned until {ban.until:.0f}: {ban.reason}"))
    return Admitted(account.id, account.name, account.role)


async def hello_account(ws: WebSocket, accounts: Accounts) -> Admitted | None:
    """Wait for the hello on a Starlette socket; the account, or None once it is closed."""
    try:
        message = await asyncio.wait_for(ws.receive(), HELLO_TIMEOUT)
    except TimeoutError:
        await ws.close(Close.BAD_HELLO, "send a hello first")
        return None
    if message["type"] == "websocket.disconnect":  # e.g. uvicorn closed it (1009: over 64 KiB)
        return None
    admitted = await admit(message.get("bytes"), accounts)
    if isinstance(admitted, Refused):
        await ws.close(admitted.code, admitted.reason)
        return None
    return admitted


async def board(game: Game, who: Admitted, link: Link) -> Session | Refused:
    """Join the admitted player's ship to the fan-out, welcome first; replaces (and closes)
    an older connection of the same account."""
    if game.killswitch.confirmed:  # the loops have stopped; the server is ending
        return Refused(Close.ERASED, "the universe was erased")
    universe = game.universe
    ship = universe.ship_of_account.get(who.account)
    if ship is None:
        return Refused(Close.UNAUTHORIZED, "this account has no ship")
    zone = universe.zones[universe.where[ship]]
    chat = [wire.chat_line(line) for line in await game.recent_chat(zone.system_id)]
    who_info = wire.AccountInfo(who.account, who.name, who.role)
    system = wire.SystemInfo(zone.system_id, zone.name)
    welcome = wire.welcome(who_info, ship, system, zone.clock.tick, chat)
    # No await between joining and queueing the welcome: it must precede every frame.
    session = Session(who.account, who.name, ship, link)
    replaced = game.fanout.join(session)
    session.push(welcome)
    seated = game.worlds.post_of(who.account)  # a bridge post held: back at it
    if seated is not None:
        game.fanout.seat(who.account, *seated)
    if replaced is not None:
        await replaced.kick(Close.REPLACED, "replaced by a newer connection")
    return session


Submit = Callable[[Command, object], bool]
"""Where a checked command goes, with the session it came from (its origin): a relay to
its ship's zone over the bus (`Fanout.submit`, `ClusterGateway.submit`); False when no
zone has the ship."""


class Reader:
    """One joined connection's incoming frames: rate-limited, decoded, checked, submitted."""

    def __init__(
        self,
        session: Session,
        submit: Submit,
        sanctions: Sanctions,
        bucket: TokenBucket | None = None,  # the connection's, when it counted frames before
    ) -> None:
        self.session = session
        self.submit = submit
        self.sanctions = sanctions
        self.bucket = bucket if bucket is not None else TokenBucket()

    def take(self, data: bytes | None) -> int | None:
        """Handle one frame (`None`: a text frame); a close code when the client must go."""
        session = self.session
        if not self.bucket.allow():  # every frame counts, text or binary, well-formed or not
            if self.bucket.flooding:
                return Close.FLOOD
            session.push(wire.error(Reason.RATE_LIMITED, "slow down"))
            return None
        if data is None:
            session.push(wire.error(Reason.BAD_FRAME, "frames must be binary MessagePack"))
            return None
        parsed = parse_command(data, session.ship)
        if isinstance(parsed, bytes):
            session.push(parsed)
            return None
        if session.commands is not None and parsed.__struct_config__.tag not in session.commands:
            detail = f"the {session.post} post does not give that order"
            session.push(wire.error(Reason.NOT_YOUR_POST, detail, parsed.seq))
            return None
        if isinstance(parsed, Say) and (muted := _muted(self.sanctions, session.account, parsed)):
            session.push(muted)
            return None
        if not self.submit(parsed, session):
            session.push(wire.error(Reason.DESTROYED, "your ship is between systems", parsed.seq))
        return None


Board = Callable[[Admitted, Link], Awaitable[Session | Refused]]
"""Join an admitted player to whatever feeds it frames (the welcome first)."""


@dataclass(frozen=True, slots=True)
class Front:
    """What a game connection asks of whatever universe is behind the gateway: the
    accounts, joining (the welcome, then frames), leaving, and where commands go. The
    embedded server's is `front_of(game)`; a cluster gateway makes its own."""

    accounts: Accounts
    join: Board
    leave: Callable[[Session], None]
    submit: Submit


def front_of(game: Game) -> Front:
    """The embedded server's front: its fan-out and its universe."""
    return Front(
        game.accounts, functools.partial(board, game), game.fanout.leave, game.fanout.submit
    )


async def game_socket(ws: WebSocket) -> None:
    """The game socket on any ASGI server: a reader loop and a writer task."""
    await play(ws, ws.app.state.front)


async def play(ws: WebSocket, front: Front) -> None:
    """One game connection on a Starlette socket, whatever universe is behind it: hello,
    `join`, then frames read and submitted while a writer task sends, and `leave`."""
    await ws.accept()
    who = await hello_account(ws, front.accounts)
    if who is None:
        return
    link = QueuedLink(ws.send_bytes, ws.close)
    session = await front.join(who, link)
    if isinstance(session, Refused):
        await ws.close(session.code, session.reason)
        return
    code = Close.NORMAL
    try:
        async with asyncio.TaskGroup() as tasks:
            writer = tasks.create_task(link.write())
            sanctions = front.accounts.sanctions
            code = await read_frames(ws, Reader(session, front.submit, sanctions))
            writer.cancel()
    except* WebSocketDisconnect:
        code = Close.GOING_AWAY
    except* Exception:
        log.exception("game socket failed")
        code = Close.GOING_AWAY
    finally:
        link.stop()
        front.leave(session)
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


async def read_frames(ws: WebSocket, reader: Reader) -> int:
    """Read frames until the client leaves or must be cut off; returns the close code."""
    while not reader.session.closed:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return Close.NORMAL
        code = reader.take(message.get("bytes"))
        if code is not None:
            return code
    return Close.NORMAL
