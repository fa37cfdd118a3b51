"""Commands over the bus: from a gateway to the host of the ship's zone
(docs/cluster.md "Commands over the bus").

A relayed command is the protocol's own frame (docs/protocol.md), the msgpack map of the
`Command` union tagged by `t`, behind the id of the connection that sent it: `[sender,
command]`, so a zone decodes it once, straight into the typed command, exactly as the
gateway decodes a client's frame, and knows whom to ack and whom to tell of a refusal
(several connections may command one ship: a flagship's bridge crew). `CommandRelay`
publishes each command to `zone.<zone>.commands` of the zone its ship is in; `ZoneInbox`
subscribes to that subject for each zone it is given (one process: every zone) and hands
every command to the universe with its `Origin`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Annotated, NamedTuple

import msgspec

from infinity.commands.types import Command
from infinity.gateway.bus import Bus, Message, Subscription, taken
from infinity.gateway.subjects import ALL_COMMANDS, zone_commands

log = logging.getLogger(__name__)

QUIET_SECONDS = 60.0
"""At most one log line a zone per this long about bad frames: a flood is counted, not
written out line by line."""

SENDERS_PER_SHIP = 8
"""Connections whose acks a zone keeps per ship (a bridge crew; the oldest goes first)."""

NO_SENDER = 0
"""The sender of commands no connection sent (a crew worker's minds)."""


class Relayed(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """A command on the bus, behind the connection that sent it."""

    sender: Annotated[int, msgspec.Meta(ge=0)]
    command: Command


class Origin(NamedTuple):
    """Where a relayed command came from, as a zone hands it back with a refusal."""

    ship: int
    sender: int


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Relayed).decode
# What a malformed frame can raise while decoding (as the gateway's socket.UNDECODABLE):
# RecursionError is msgspec's depth limit, reached by deeply nested arrays.
_UNDECODABLE = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)

EVERY_ZONE = -1
"""`ZoneInbox.open(EVERY_ZONE)`: one subscription for every zone's commands (one process
runs them all, and the worlds add zones as they run)."""


def encode_command(command: Command, sender: int = NO_SENDER) -> bytes:
    """A command as it travels the bus: the bytes a client sent, behind its sender."""
    return _encode(Relayed(sender, command))


class CommandRelay:
    """The way to a zone this process does not run (a gateway's, a crew worker's): each
        command goes to the zone its ship is in now, by `where` (ship -> zone), which its owner
        keeps current; `submit` sends at once, `send` queues for `run`, in order. `sender` is
    the sending connection's id (`Session.sender`), `NO_SENDER` for none."""

    def __init__(self, bus: Bus, where: Mapping[int, int]) -> None:
        self._bus = bus
        self._where = where
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()  # subject, frame

    async def submit(self, command: Command, sender: int = NO_SENDER) -> bool:
        """Send the command to its ship's zone; False when no zone has the ship."""
        zone = self._where.get(command.ship)
        if zone is None:
            return False
        await self._bus.publish(zone_commands(zone), encode_command(command, sender))
        return True

    def send(self, command: Command, sender: int = NO_SENDER) -> bool:
        """Send the command from synchronous code (a socket's read callback, a mind's
        decision): at once where the bus can (`Bus.publish_now`), else queued for `run`, in
        order; False, nothing sent, when no zone has the ship."""
        zone = self._where.get(command.ship)
        if zone is None:
            return False
        subject, frame = zone_commands(zone), encode_command(command, sender)
        if not self._bus.publish_now(subject, frame):
            self._queue.put_nowait((subject, frame))
        return True

    async def run(self) -> None:
        """Relay what `send` queued, in order, until cancelled. At most once: a command
        that fails is logged and dropped (its sender steers or decides again)."""
        while True:
            subject, frame = await self._queue.get()
            try:
                await self._bus.publish(subject, frame)
            except Exception:
                log.exception("relaying a command on %s failed", subject)


Submit = Callable[[Command, Origin], bool]
"""Hand a command to its zone (in production `Universe.submit`); False when not taken."""


class ZoneInbox:
    """A zone's commands from the bus: one subscription per zone it is given (or one for
    every zone: `EVERY_ZONE`), each handing its commands to `submit`, in order, with their
    `Origin`, as they arrive (`Bus.subscribe_now`: in one process inside the sender's
    call, as `Universe.submit` was called before the bus). `acks` is, per ship and sender,
    the highest seq handed on: what the zone's frames ack. A frame that is no command is
    counted in `bad` and dropped. `run` closes the subscriptions of shut zones."""

    def __init__(self, bus: Bus, submit: Submit) -> None:
        self.bad = 0
        self.delivered = 0
        self.acks: dict[int, dict[int, int]] = {}  # ship -> sender -> highest seq taken
        self._bus = bus
        self._submit = submit
        self._open: dict[int, Subscription] = {}
        self._shut: asyncio.Queue[Subscription] = asyncio.Queue()  # to close, in `run`
        self._logged: dict[int, float] = {}

    @property
    def zones(self) -> frozenset[int]:
        """The zones whose commands come in now."""
        return frozenset(self._open)

    async def run(self, stopping: asyncio.Event) -> None:
        """Close shut zones' subscriptions until `stopping` is set, then shut and close
        every one."""
        try:
            async for subscription in taken(self._shut, stopping):
                await _quietly_close(subscription)
        finally:
            for zone in list(self._open):
                self.shut(zone)
            while not self._shut.empty():
                await _quietly_close(self._shut.get_nowait())

    async def open(self, zone: int) -> None:
        """Take `zone`'s commands (`EVERY_ZONE`: every zone's) from now on. At most once:
        on NATS a command published in the instant the subscription is new may be missed,
        as one sent while no host owned the zone is; senders resend."""
        if zone in self._open:
            return
        subject = ALL_COMMANDS if zone == EVERY_ZONE else zone_commands(zone)
        subscription: Subscription | None = None

        def take(message: Message) -> None:
            if self._open.get(zone) is subscription:  # not a zone shut since
                self._take(zone, message.data)

        subscription = await self._bus.subscribe_now(subject, take)
        if zone in self._open:  # opened meanwhile by another caller
            self._shut.put_nowait(subscription)
            return
        self._open[zone] = subscription

    def shut(self, zone: int) -> None:
        """Stop taking `zone`'s commands at once: none is handed on after this returns
        (those still on their way are dropped: the zone is no longer ours)."""
        subscription = self._open.pop(zone, None)
        if subscription is not None:
            self._shut.put_nowait(subscription)

    def _take(self, zone: int, data: bytes) -> None:
        """Decode one frame and hand the command on; nothing here raises into the bus."""
        try:
            relayed: Relayed = _decode(data)
        except _UNDECODABLE as error:
            self.bad += 1
            self._note_bad(zone, error)
            return
        command, sender = relayed.command, relayed.sender
        try:
            taken = self._submit(command, Origin(command.ship, sender))
        except Exception:
            log.exception("zone %s: submitting %s failed", zone, type(command).__name__)
            return
        self.delivered += 1
        if taken:
            self._ack(command.ship, sender, command.seq)

    def _ack(self, ship: int, sender: int, seq: int) -> None:
        acks = self.acks.setdefault(ship, {})
        if sender not in acks and len(acks) >= SENDERS_PER_SHIP:
            del acks[next(iter(acks))]  # the oldest connection: long gone by now
        acks[sender] = max(acks.get(sender, 0), seq)

    def _note_bad(self, zone: int, error: Exception) -> None:
        now = time.monotonic()
        if now - self._logged.get(zone, -QUIET_SECONDS) >= QUIET_SECONDS:
            self._logged[zone] = now
            log.warning("zone %s: dropped a frame that is no command (%d so far): %s",
                        zone, self.bad, error)  # fmt: skip


async def _quietly_close(subscription: Subscription) -> None:
    try:
        await subscription.close()
    except Exception:  # the bus is away: the subscription went with it
        log.exception("closing a zone's commands failed")
