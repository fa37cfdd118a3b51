"""One behavioural suite for every bus: `LocalBus` and `NatsBus` must be
indistinguishable to the universe (the `bus` fixture runs each test on both)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from infinity.gateway.bus import Bus, Feed, Message, NoResponders

WAIT = 2.0  # seconds: the longest any delivery may take on loopback


async def next_message(feed: Feed) -> Message:
    async with asyncio.timeout(WAIT):
        return await anext(feed)


async def drain(feed: Feed, count: int) -> list[Message]:
    return [await next_message(feed) for _ in range(count)]


async def settled(bus: Bus, feed: Feed) -> None:
    """Publish a marker after everything else and wait for it: by then every earlier
    message has been delivered wherever it was going."""
    await bus.publish("test.marker", b"")
    assert (await next_message(feed)).subject == "test.marker"


async def test_bytes_pass_through_unchanged(bus: Bus) -> None:
    feed = await bus.feed("zone.1.cell.4")
    payloads = [b"", bytes(range(256)) * 4, b"\r\nPUB x 1\r\n\x00", b"\xff" * 300_000]
    for payload in payloads:
        await bus.publish("zone.1.cell.4", payload)
    got = await drain(feed, len(payloads))
    assert [message.data for message in got] == payloads
    assert all(type(message.data) is bytes for message in got)
    assert {message.subject for message in got} == {"zone.1.cell.4"}


async def test_a_bytearray_is_sent_as_it_was_at_publish(bus: Bus) -> None:
    feed = await bus.feed("zone.1.commands")
    payload = bytearray(b"thrust")
    await bus.publish("zone.1.commands", payload)  # type: ignore[arg-type]
    payload[:] = b"XXXXXX"
    assert (await next_message(feed)).data == b"thrust"


async def test_order_is_kept_per_subscription(bus: Bus) -> None:
    feed = await bus.feed("zone.2.commands")
    for number in range(200):
        await bus.publish("zone.2.commands", number.to_bytes(2, "big"))
    got = await drain(feed, 200)
    assert [int.from_bytes(message.data, "big") for message in got] == list(range(200))


async def test_star_matches_exactly_one_token(bus: Bus) -> None:
    cells = await bus.feed("zone.7.cell.*")
    marker = await bus.feed("test.marker")
    for subject in ("zone.7.cell.1", "zone.7.cell", "zone.7.cell.1.x", "zone.8.cell.1"):
        await bus.publish(subject, subject.encode())
    await bus.publish("zone.7.cell.22", b"last")
    await settled(bus, marker)
    got = await drain(cells, 2)
    assert [message.subject for message in got] == ["zone.7.cell.1", "zone.7.cell.22"]


async def test_greater_than_matches_one_token_or_more(bus: Bus) -> None:
    zone = await bus.feed("zone.3.>")
    marker = await bus.feed("test.marker")
    for subject in ("zone.3", "zone.3.commands", "zone.3.cell.9", "zone.33.commands"):
        await bus.publish(subject, b"")
    await settled(bus, marker)
    got = await drain(zone, 2)
    assert [message.subject for message in got] == ["zone.3.commands", "zone.3.cell.9"]


async def test_star_in_the_middle(bus: Bus) -> None:
    commands = await bus.feed("zone.*.commands")
    await bus.publish("zone.5.cell.1", b"")
    await bus.publish("zone.5.commands", b"five")
    await bus.publish("zone.6.commands", b"six")
    got = await drain(commands, 2)
    assert [message.data for message in got] == [b"five", b"six"]


async def test_every_matching_subscription_gets_its_copy(bus: Bus) -> None:
    exact, star, rest = (
        await bus.feed("zone.1.cell.2"),
        await bus.feed("zone.1.cell.*"),
        await bus.feed("zone.>"),
    )
    await bus.publish("zone.1.cell.2", b"frame")
    for feed in (exact, star, rest):
        assert (await next_message(feed)).data == b"frame"


async def test_a_handler_gets_messages_in_order(bus: Bus) -> None:
    got: list[bytes] = []
    done = asyncio.Event()

    async def handle(message: Message) -> None:
        got.append(message.data)
        if len(got) == 3:
            done.set()

    await bus.subscribe("zone.4.commands", handle)
    for data in (b"a", b"b", b"c"):
        await bus.publish("zone.4.commands", data)
    async with asyncio.timeout(WAIT):
        await done.wait()
    assert got == [b"a", b"b", b"c"]


async def test_a_failing_handler_keeps_its_subscription(
    bus: Bus, caplog: pytest.LogCaptureFixture
) -> None:
    got: list[bytes] = []
    done = asyncio.Event()

    async def handle(message: Message) -> None:
        if message.data == b"bad":
            raise RuntimeError("boom")
        got.append(message.data)
        done.set()

    await bus.subscribe("zone.4.commands", handle)
    with caplog.at_level(logging.ERROR, logger="infinity.gateway.bus"):
        await bus.publish("zone.4.commands", b"bad")
        await bus.publish("zone.4.commands", b"good")
        async with asyncio.timeout(WAIT):
            await done.wait()
    assert got == [b"good"]
    assert "boom" in caplog.text


async def test_a_closed_subscription_gets_nothing_more(bus: Bus) -> None:
    got: list[bytes] = []
    heard = asyncio.Event()

    async def handle(message: Message) -> None:
        got.append(message.data)
        heard.set()

    subscription = await bus.subscribe("zone.9.commands", handle)
    feed = await bus.feed("zone.9.commands")
    marker = await bus.feed("test.marker")
    await bus.publish("zone.9.commands", b"before")
    assert (await next_message(feed)).data == b"before"
    async with asyncio.timeout(WAIT):
        await heard.wait()
    await subscription.close()
    await feed.close()
    await bus.publish("zone.9.commands", b"after")
    await settled(bus, marker)
    assert got == [b"before"]
    assert [message async for message in feed] == []
    await subscription.close()  # twice is harmless


async def test_a_callback_gets_messages_in_order_and_survives_its_errors(
    bus: Bus, caplog: pytest.LogCaptureFixture
) -> None:
    got: list[bytes] = []

    def keep(message: Message) -> None:
        if message.data == b"bad":
            raise RuntimeError("boom")
        got.append(message.data)

    subscription = await bus.subscribe_now("zone.5.cell.*", keep)
    marker = await bus.feed("test.marker")
    with caplog.at_level(logging.ERROR, logger="infinity.gateway.bus"):
        for data in (b"a", b"bad", b"b", b"c"):
            await bus.publish("zone.5.cell.7", data)
        await settled(bus, marker)
    assert got == [b"a", b"b", b"c"]
    assert "boom" in caplog.text
    await subscription.close()
    await bus.publish("zone.5.cell.7", b"after")
    await settled(bus, marker)
    assert got == [b"a", b"b", b"c"]


async def test_one_handler_on_many_subjects_keeps_publish_order(bus: Bus) -> None:
    got: list[str] = []
    done = asyncio.Event()

    async def handle(message: Message) -> None:
        got.append(message.subject)
        if len(got) == 4:
            done.set()

    first = await bus.subscribe("zone.6.cell.1", handle)
    await bus.subscribe("zone.6.cell.2", handle)
    for subject in ("zone.6.cell.1", "zone.6.cell.2", "zone.6.cell.1", "zone.6.cell.2"):
        await bus.publish(subject, b"")
    async with asyncio.timeout(WAIT):
        await done.wait()
    assert sorted(got) == ["zone.6.cell.1"] * 2 + ["zone.6.cell.2"] * 2
    await first.close()  # the other subject still comes
    await bus.publish("zone.6.cell.2", b"")
    async with asyncio.timeout(WAIT):
        while len(got) < 5:
            await asyncio.sleep(0.005)
    assert got[-1] == "zone.6.cell.2"


async def test_closing_a_feed_ends_a_waiting_reader(bus: Bus) -> None:
    feed = await bus.feed("zone.10.commands")
    reader = asyncio.create_task(anext(feed, None))
    await asyncio.sleep(0.05)
    await feed.close()
    async with asyncio.timeout(WAIT):
        assert await reader is None


async def test_request_gets_the_answer(bus: Bus) -> None:
    async def answer(message: Message) -> None:
        await bus.publish(message.reply, message.data[::-1])

    await bus.subscribe("zone.1.inspect", answer)
    assert await bus.request("zone.1.inspect", b"\x00abc", timeout=WAIT) == b"cba\x00"


async def test_request_times_out_when_nobody_answers(bus: Bus) -> None:
    async def ignore(message: Message) -> None:
        assert message.reply  # a request always says where to answer

    await bus.subscribe("zone.1.inspect", ignore)
    started = asyncio.get_running_loop().time()
    with pytest.raises(TimeoutError):
        await bus.request("zone.1.inspect", b"", timeout=0.2)
    assert 0.15 <= asyncio.get_running_loop().time() - started < 1.5


async def test_request_with_nobody_listening_fails_at_once(bus: Bus) -> None:
    async with asyncio.timeout(1.0):
        with pytest.raises(NoResponders):
            await bus.request("zone.404.inspect", b"", timeout=5.0)


@pytest.mark.parametrize("subject", ["zone.*.commands", "zone.>", "", "zone..1", "zone 1", "a*"])
async def test_bad_publish_subjects_are_refused(bus: Bus, subject: str) -> None:
    with pytest.raises(ValueError):
        await bus.publish(subject, b"")


@pytest.mark.parametrize("pattern", ["zone.>.commands", "", "zone.", "zone.a>", "zone\t1"])
async def test_bad_patterns_are_refused(bus: Bus, pattern: str) -> None:
    with pytest.raises(ValueError):
        await bus.feed(pattern)
