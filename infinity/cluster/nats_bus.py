"""`NatsBus`: the `Bus` of the cluster scale, over a NATS connection (nats-py).

Same subjects, same checks, same `Feed` as `LocalBus`, so a test suite written once
runs against both (tests/cluster/test_bus.py). Each subscribe waits for the server to
have it (a flush), so every publish after it returns is delivered, as on the local bus.
Every bus announces what it reads (interest.py); one opened with `hear=True` (a zone
host's) hears the others', so `listened` can say no.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription

from infinity.cluster.interest import (
    ANNOUNCE_SECONDS,
    INTEREST,
    Interest,
    announcement,
    whole_announcement,
)
from infinity.gateway.bus import (
    PENDING_LIMIT,
    Callback,
    ClosedOnce,
    Feed,
    Handler,
    Message,
    NoResponders,
    Subscription,
    as_bytes,
    check_pattern,
    check_subject,
    log,
)


def _message(msg: Msg) -> Message:
    return Message(msg.subject, msg.data, msg.reply)


class NatsBus:
    """The bus over one NATS connection. It announces what it reads every
    `announce_seconds` (and as that changes); with `hear`, it hears the other buses'
    announcements and answers `listened` from them. Built inside a running event loop."""

    def __init__(
        self,
        client: Client,
        pending_limit: int = PENDING_LIMIT,
        hear: bool = False,
        announce_seconds: float = ANNOUNCE_SECONDS,
    ) -> None:
        self.client = client
        self.interest = Interest(time.monotonic(), announce_seconds) if hear else None
        self._pending_limit = pending_limit
        self._feeds: dict[Feed, NatsSubscription] = {}
        self.id = secrets.token_hex(8)  # who announces, in `INTEREST`
        self._reads: Counter[str] = Counter()  # pattern -> open subscriptions to it
        self._announcing = asyncio.get_running_loop().create_task(
            self._announce_every(announce_seconds), name="bus:interest"
        )

    @classmethod
    async def connect(
        cls,
        url: str,
        name: str = "infinity",
        timeout: int = 5,
        hear: bool = False,
        announce_seconds: float = ANNOUNCE_SECONDS,
    ) -> NatsBus:
        """Connect to the NATS server at `url`; reconnects on its own if it drops."""
        client = await nats.connect(url, name=name, connect_timeout=timeout)
        return cls(client, hear=hear, announce_seconds=announce_seconds)

    async def publish(self, subject: str, data: bytes) -> None:
        await self.client.publish(check_subject(subject), as_bytes(data))

    async def subscribe(self, pattern: str, handler: Handler) -> Subscription:
        async def receive(msg: Msg) -> None:
            try:
                await handler(_message(msg))
            except Exception:
                log.exception("bus handler for %s failed on %s", pattern, msg.subject)

        return await self._subscribe(pattern, receive)

    async def subscribe_now(self, pattern: str, callback: Callback) -> Subscription:
        async def receive(msg: Msg) -> None:
            try:
                callback(_message(msg))
            except Exception:
                log.exception("bus callback for %s failed on %s", pattern, msg.subject)

        return await self._subscribe(pattern, receive)

    async def _subscribe(
        self, pattern: str, receive: Callable[[Msg], Awaitable[None]]
    ) -> Subscription:
        subscription = await self.client.subscribe(
            check_pattern(pattern), cb=receive, pending_msgs_limit=self._pending_limit
        )
        await self._began(pattern)
        await self.client.flush()
        return ClosedOnce(functools.partial(self._unsubscribe, subscription, pattern))

    async def feed(self, pattern: str) -> Feed:
        feed = Feed(check_pattern(pattern), self._detach, self._pending_limit)

        async def receive(msg: Msg) -> None:
            feed.offer(_message(msg))

        self._feeds[feed] = await self.client.subscribe(pattern, cb=receive)
        await self._began(pattern)
        await self.client.flush()
        return feed

    async def request(self, subject: str, data: bytes, timeout: float) -> bytes:
        try:
            answer = await self.client.request(check_subject(subject), as_bytes(data), timeout)
        except nats.errors.NoRespondersError as error:
            raise NoResponders(subject) from error
        except nats.errors.TimeoutError as error:
            raise TimeoutError(f"no answer on {subject} within {timeout} s") from error
        return answer.data

    def listened(self, subject: str) -> bool:
        # Without `hear`, NATS does not say: publish, and the server drops what none reads.
        return self.interest is None or self.interest.read(subject, time.monotonic())

    def publish_now(self, subject: str, data: bytes) -> bool:
        return False  # nats-py publishes by a coroutine: the caller queues it

    async def close(self) -> None:
        """Unsubscribe everything, say so, send what is buffered, and close the connection."""
        self._announcing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._announcing
        for feed in list(self._feeds):
            await feed.close()
        if not self.client.is_closed:
            await self._say(whole_announcement(self.id, []))
            await self.client.flush()
            await self.client.close()

    async def _detach(self, feed: Feed) -> None:
        subscription = self._feeds.pop(feed, None)
        if subscription is not None and not self.client.is_closed:
            await self._unsubscribe(subscription, feed.pattern)

    async def _unsubscribe(self, subscription: NatsSubscription, pattern: str) -> None:
        await subscription.unsubscribe()
        await self._stopped(pattern)

    async def _began(self, pattern: str) -> None:
        """One more subscription to `pattern`: the first is announced at once."""
        self._reads[pattern] += 1
        if self._reads[pattern] == 1:
            await self._say(announcement(self.id, [pattern]))

    async def _stopped(self, pattern: str) -> None:
        """One subscription to `pattern` fewer: the last is announced at once."""
        self._reads[pattern] -= 1
        if self._reads[pattern] <= 0:
            del self._reads[pattern]
            await self._say(announcement(self.id, [], left=[pattern]))

    async def _say(self, data: bytes) -> None:
        if self.client.is_closed:
            return
        try:
            await self.client.publish(INTEREST, data)
        except nats.errors.Error:  # reconnecting: the next whole announcement mends it
            log.debug("bus: an interest announcement was not sent")

    async def _announce_every(self, seconds: float) -> None:
        """Hear the others' announcements (with `hear`); say all this bus reads every
        `seconds`, and forget the buses gone silent."""
        if self.interest is not None:
            interest = self.interest

            async def hear(msg: Msg) -> None:
                interest.hear(msg.data, time.monotonic())

            try:  # on the client itself: what a bus reads to hear is no interest to announce
                await self.client.subscribe(INTEREST, cb=hear)
            except Exception:  # deaf: `listened` says yes to everything, as without `hear`
                log.exception("bus: cannot hear who reads what")
                self.interest = None
        while True:
            await self._say(whole_announcement(self.id, sorted(self._reads)))
            if self.interest is not None:
                self.interest.forget_silent(time.monotonic())
            await asyncio.sleep(seconds)
