"""The bus zones, gateways and crew workers talk over: one interface, two carriers.

`Bus` is what the universe uses; `LocalBus` carries messages inside one process (the
embedded scale), `NatsBus` (nats_bus.py) over NATS (the cluster scale), so both scales
run the same code. Subjects follow NATS: tokens separated by '.', '*' matches one token,
'>' (last only) one or more. Payloads are bytes, passed through unchanged. A request is
answered by publishing to its message's `reply` subject.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, NamedTuple, Protocol, TypeVar

log = logging.getLogger(__name__)
_T = TypeVar("_T")

PENDING_LIMIT = 65536
"""Messages a subscription may hold unread before new ones are dropped (and counted),
as NATS drops for a slow consumer rather than let one reader grow without bound."""


class Message(NamedTuple):
    """One message as a subscriber receives it (a tuple: made for every delivery, so
    cheap to make)."""

    subject: str
    data: bytes
    reply: str = ""  # where to answer a request; "" when no answer is awaited


Handler = Callable[[Message], Awaitable[None]]
Callback = Callable[[Message], None]


class NoResponders(LookupError):
    """A request went to a subject nobody subscribes to."""


class Subscription(Protocol):
    """A live subscription; closing it stops delivery."""

    async def close(self) -> None: ...


class Bus(Protocol):
    """What the universe asks of a message bus, whichever carries it."""

    async def publish(self, subject: str, data: bytes) -> None:
        """Send `data` to every subscription whose pattern matches `subject`."""
        ...

    async def subscribe(self, pattern: str, handler: Handler) -> Subscription:
        """Call `handler` with each matching message, one at a time, in order.
        Every publish after this returns is delivered."""
        ...

    async def subscribe_now(self, pattern: str, callback: Callback) -> Subscription:
        """Call `callback` with each matching message as it arrives, in order: on the
        local bus inside the publisher's call (no queue, no task), on NATS in the
        subscription's reader. It must be quick; what it raises is logged."""
        ...

    async def feed(self, pattern: str) -> Feed:
        """The matching messages as an async iterator, in order, until closed."""
        ...

    async def request(self, subject: str, data: bytes, timeout: float) -> bytes:
        """Send `data` and wait for one answer: `TimeoutError` after `timeout` seconds,
        `NoResponders` at once when nobody listens."""
        ...

    def listened(self, subject: str) -> bool:
        """False only when surely nobody would receive a message on `subject`, so its
        publisher need not make it (NATS does not say: always True)."""
        ...

    def publish_now(self, subject: str, data: bytes) -> bool:
        """Publish from synchronous code if the carrier can without waiting (the
        `LocalBus`: a queue put for each reader): True, sent. False, nothing done: the
        caller queues it for `publish` (NATS). A carrier answers the same every time, so
        a caller's messages keep their order."""
        ...

    async def close(self) -> None:
        """Stop every subscription and let go of the carrier."""
        ...


def check_subject(subject: str) -> str:
    """A subject one may publish to: non-empty tokens, no wildcard, no whitespace."""
    tokens = _tokens(subject)
    if "*" in tokens or ">" in tokens:
        raise ValueError(f"cannot publish to a wildcard subject: {subject!r}")
    return subject


def check_pattern(pattern: str) -> str:
    """A subject one may subscribe to: '*' as a whole token, '>' as the last one."""
    tokens = _tokens(pattern)
    if ">" in tokens[:-1]:
        raise ValueError(f"'>' may only end a pattern: {pattern!r}")
    return pattern


def _tokens(subject: str) -> list[str]:
    tokens = subject.split(".")
    for token in tokens:
        if not token or any(c.isspace() for c in token):
            raise ValueError(f"bad subject {subject!r}: empty token or whitespace")
        if token not in ("*", ">") and ("*" in token or ">" in token):
            raise ValueError(f"bad subject {subject!r}: a wildcard must be a whole token")
    return tokens


def is_wildcard(pattern: str) -> bool:
    return any(token in ("*", ">") for token in pattern.split("."))


def matches(pattern: str, subject: str) -> bool:
    """Whether a subscription to `pattern` receives a message on `subject`."""
    wanted, given = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(given) > index
        if index >= len(given) or (token != "*" and token != given[index]):
            return False
    return len(wanted) == len(given)


def as_bytes(data: bytes) -> bytes:
    """The payload as immutable bytes, so no publisher can change it under a reader."""
    return data if type(data) is bytes else bytes(data)


class Feed:
    """One subscription's messages, in order, as an async iterator that ends when closed.

    Delivery never waits on the reader: past `limit` unread messages new ones are
    dropped and counted in `dropped`.
    """

    def __init__(self, pattern: str, detach: Callable[[Feed], Awaitable[None]], limit: int) -> None:
        self.pattern = pattern
        self.dropped = 0
        self.closed = False
        self._detach = detach
        self._limit = limit
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue()

    def offer(self, message: Message) -> None:
        """Take a message if open and not full."""
        if self.closed:
            return
        if self._queue.qsize() >= self._limit:
            self.dropped += 1
            return
        self._queue.put_nowait(message)

    async def close(self) -> None:
        """Stop delivery; an iteration in progress ends. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        self._queue.put_nowait(None)  # wakes a reader waiting for the next message
        await self._detach(self)

    def __aiter__(self) -> Feed:
        return self

    async def __anext__(self) -> Message:
        message = None if self.closed else await self._queue.get()
        if message is None or self.closed:
            raise StopAsyncIteration
        return message


async def serve(feed: Feed, handler: Handler) -> None:
    """Hand each message of `feed` to `handler`; a handler that raises is logged and the
    next message still comes."""
    async for message in feed:
        try:
            await handler(message)
        except Exception:
            log.exception("bus handler for %s failed on %s", feed.pattern, message.subject)


CHECKED_SUBJECTS = 65536
"""Subjects the local bus remembers as well-formed (a zone's cells repeat every tick)."""


class _Served:
    """One handler's subscriptions on the local bus: every pattern it is subscribed to
    feeds one queue, served by one task, in publish order (a gateway's handler of one
    zone's cells wakes once per batch of records, not once per cell)."""

    def __init__(self, bus: LocalBus, handler: Handler, feed: Feed) -> None:
        self.feed = feed
        self.routes = 0
        self._task = asyncio.create_task(serve(feed, handler), name=f"bus:{feed.pattern}")


class _Now:
    """A callback subscription on the local bus: called as each message is delivered."""

    __slots__ = ("_callback", "_detach", "closed", "pattern")

    def __init__(
        self, pattern: str, callback: Callback, detach: Callable[[_Now], Awaitable[None]]
    ) -> None:
        self.pattern = pattern
        self._callback = callback
        self._detach = detach
        self.closed = False

    def offer(self, message: Message) -> None:
        if self.closed:
            return
        try:
            self._callback(message)
        except Exception:
            log.exception("bus callback for %s failed on %s", self.pattern, message.subject)

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self._detach(self)


_Reader = Feed | _Now


class ClosedOnce:
    """A subscription whose `close` runs `closing` once (closing again does nothing)."""

    def __init__(self, closing: Callable[[], Awaitable[None]]) -> None:
        self._closing = closing
        self._closed = False

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._closing()


class WildcardReaders(Generic[_T]):
    """Readers of wildcard patterns, and each subject's matching readers, remembered until
    the readers change (a zone's subjects repeat every tick; at most `CHECKED_SUBJECTS`)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, _T]] = []
        self._of: dict[str, tuple[_T, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self._routes)

    def add(self, pattern: str, reader: _T) -> None:
        self._routes.append((pattern, reader))
        self._of.clear()

    def discard(self, pattern: str, reader: _T) -> None:
        if (pattern, reader) in self._routes:
            self._routes.remove((pattern, reader))
            self._of.clear()

    def of(self, subject: str) -> tuple[_T, ...]:
        """The readers whose pattern `subject` matches."""
        found = self._of.get(subject)
        if found is None:
            found = tuple(reader for pattern, reader in self._routes if matches(pattern, subject))
            if len(self._of) >= CHECKED_SUBJECTS:
                self._of.clear()
            self._of[subject] = found
        return found


class LocalBus:
    """The in-process bus of the embedded scale: delivery is a queue put, no copy."""

    def __init__(self, pending_limit: int = PENDING_LIMIT) -> None:
        self._pending_limit = pending_limit
        # Readers are kept in tuples, remade on each change: delivery reads a snapshot no
        # callback can change under it, and no list per subject lingers for the collector.
        self._exact: dict[str, tuple[_Reader, ...]] = {}
        self._wild: WildcardReaders[_Reader] = WildcardReaders()
        self._checked: set[str] = set()
        self._served: dict[Handler, _Served] = {}
        self._patterns: dict[_Reader, tuple[str, ...]] = {}  # what each reader reads

    async def publish(self, subject: str, data: bytes) -> None:
        self.publish_now(subject, data)

    def publish_now(self, subject: str, data: bytes) -> bool:
        if subject not in self._checked:
            check_subject(subject)
            if len(self._checked) < CHECKED_SUBJECTS:
                self._checked.add(subject)
        self._deliver(Message(subject, as_bytes(data)))
        return True

    async def subscribe(self, pattern: str, handler: Handler) -> Subscription:
        check_pattern(pattern)
        served = self._served.get(handler)
        if served is None:
            feed = Feed(pattern, self._detach, self._pending_limit)
            served = self._served[handler] = _Served(self, handler, feed)
        self._attach(pattern, served.feed)
        served.routes += 1
        return ClosedOnce(functools.partial(self._unroute, pattern, handler))  # this pattern only

    async def subscribe_now(self, pattern: str, callback: Callback) -> Subscription:
        now = _Now(check_pattern(pattern), callback, self._detach)
        self._attach(pattern, now)
        return now

    async def feed(self, pattern: str) -> Feed:
        feed = Feed(check_pattern(pattern), self._detach, self._pending_limit)
        self._attach(pattern, feed)
        return feed

    def _attach(self, pattern: str, feed: _Reader) -> None:
        self._patterns[feed] = (*self._patterns.get(feed, ()), pattern)
        if is_wildcard(pattern):
            self._wild.add(pattern, feed)
        else:
            self._exact[pattern] = (*self._exact.get(pattern, ()), feed)

    async def _unroute(self, pattern: str, handler: Handler) -> None:
        """One pattern of a served handler closed; the last one ends its task."""
        served = self._served.get(handler)
        if served is None:
            return
        self._drop(pattern, served.feed)
        served.routes -= 1
        if served.routes <= 0:
            del self._served[handler]
            await served.feed.close()

    async def request(self, subject: str, data: bytes, timeout: float) -> bytes:
        check_subject(subject)
        if not self._readers(subject):
            raise NoResponders(subject)
        inbox = await self.feed(f"_INBOX.{secrets.token_hex(8)}")
        try:
            self._deliver(Message(subject, as_bytes(data), reply=inbox.pattern))
            async with asyncio.timeout(timeout):
                return (await anext(inbox)).data
        finally:
            await inbox.close()

    def listened(self, subject: str) -> bool:
        return subject in self._exact or bool(self._wild.of(subject))

    async def close(self) -> None:
        for feed in list(self._patterns):
            await feed.close()
        self._served.clear()

    def _deliver(self, message: Message) -> None:
        for reader in self._readers(message.subject):
            reader.offer(message)

    def _readers(self, subject: str) -> tuple[_Reader, ...]:
        exact = self._exact.get(subject, ())
        wild = self._wild.of(subject) if self._wild else ()
        return exact + wild if wild else exact

    def _drop(self, pattern: str, feed: _Reader) -> None:
        """`feed` no longer reads `pattern`."""
        patterns = _without(self._patterns.get(feed, ()), pattern)
        if patterns:
            self._patterns[feed] = patterns
        else:
            self._patterns.pop(feed, None)
        if is_wildcard(pattern):
            self._wild.discard(pattern, feed)
            return
        feeds = _without(self._exact.get(pattern, ()), feed)
        if feeds:
            self._exact[pattern] = feeds
        else:
            self._exact.pop(pattern, None)

    async def _detach(self, feed: _Reader) -> None:
        """A feed closed: it reads nothing any more."""
        for pattern in list(self._patterns.get(feed, ())):
            self._drop(pattern, feed)


def _without(items: tuple[_T, ...], item: _T) -> tuple[_T, ...]:
    """`items` less the first `item` (all of them, if it is not there)."""
    if item not in items:
        return items
    at = items.index(item)
    return items[:at] + items[at + 1 :]


async def taken(queue: asyncio.Queue[_T], stopping: asyncio.Event) -> AsyncIterator[_T]:
    """Each item put in `queue`, as it comes, until `stopping` is set."""
    while not stopping.is_set():
        getting = asyncio.ensure_future(queue.get())
        stop = asyncio.ensure_future(stopping.wait())
        await asyncio.wait((getting, stop), return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not getting.done():
            getting.cancel()
            return
        yield getting.result()


class Outbox:
    """Messages made by synchronous code (a tick observer), published in the order they were
    put: at once where the bus can (`Bus.publish_now`), else by one task (`run`), so what a
    tick makes goes out before the next tick's."""

    def __init__(self, bus: Bus) -> None:
        self.published = 0
        self._bus = bus
        self._queue: deque[tuple[str, bytes]] = deque()
        self._ready = asyncio.Event()

    @property
    def pending(self) -> int:
        """Messages put and not yet published."""
        return len(self._queue)

    def put(self, subject: str, data: bytes) -> None:
        if self._bus.publish_now(subject, data):  # in one process: delivered already
            self.published += 1
            return
        self._queue.append((subject, data))
        self._ready.set()

    async def run(self, stopping: asyncio.Event) -> None:
        """Publish what is put until `stopping` is set, then what is left."""
        while not stopping.is_set():
            waiting = asyncio.ensure_future(self._ready.wait())
            stop = asyncio.ensure_future(stopping.wait())
            await asyncio.wait((waiting, stop), return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            stop.cancel()
            self._ready.clear()
            await self._publish()
        await self._publish()

    async def _publish(self) -> None:
        while self._queue:
            subject, data = self._queue.popleft()
            try:
                await self._bus.publish(subject, data)
            except Exception:  # lost: frames are repaired by the gateways' asks, a census
                log.exception("outbox: publishing on %s failed", subject)  # by the next one
            self.published += 1
