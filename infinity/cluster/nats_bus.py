"""`NatsBus`: the `Bus` of the cluster scale, over a NATS connection (nats-py).

Same subjects, same checks, same `Feed` as `LocalBus`, so a test suite written once
runs against both (tests/cluster/test_bus.py). Each subscribe waits for the server to
have it (a flush), so every publish after it returns is delivered, as on the local bus.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription

from infinity.gateway.bus import (
    PENDING_LIMIT,
    Callback,
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


class _Subscribed:
    """A handler subscription over NATS."""

    def __init__(self, subscription: NatsSubscription) -> None:
        self._subscription = subscription
        self._closed = False

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._subscription.unsubscribe()


class NatsBus:
    """The bus over one NATS connection."""

    def __init__(self, client: Client, pending_limit: int = PENDING_LIMIT) -> None:
        self.client = client
        self._pending_limit = pending_limit
        self._feeds: dict[Feed, NatsSubscription] = {}

    @classmethod
    async def connect(cls, url: str, name: str = "infinity", timeout: int = 5) -> NatsBus:
        """Connect to the NATS server at `url`; reconnects on its own if it drops."""
        client = await nats.connect(url, name=name, connect_timeout=timeout)
        return cls(client)

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
        await self.client.flush()
        return _Subscribed(subscription)

    async def feed(self, pattern: str) -> Feed:
        feed = Feed(check_pattern(pattern), self._detach, self._pending_limit)

        async def receive(msg: Msg) -> None:
            feed.offer(_message(msg))

        self._feeds[feed] = await self.client.subscribe(pattern, cb=receive)
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
        return True  # interest lives in the NATS server: publish, it drops what none reads

    def publish_now(self, subject: str, data: bytes) -> bool:
        return False  # nats-py publishes by a coroutine: the caller queues it

    async def close(self) -> None:
        """Unsubscribe everything, send what is buffered, and close the connection."""
        for feed in list(self._feeds):
            await feed.close()
        if not self.client.is_closed:
            await self.client.flush()
            await self.client.close()

    async def _detach(self, feed: Feed) -> None:
        subscription = self._feeds.pop(feed, None)
        if subscription is not None and not self.client.is_closed:
            await subscription.unsubscribe()
