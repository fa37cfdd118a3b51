"""The browser client through a cluster gateway: Debian's Chromium registers a new pilot on
a gateway process, flies a ship simulated by a zone host process, and sees it move."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser

from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from tests.browser.conftest import browser
from tests.browser.test_client import PageWatch, hook, register_through_form, wait_hook
from tests.cluster.processes import Start, StartGateway

__all__ = ["browser"]  # the fixture
T = TypeVar("T")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def aside(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on a thread of its own (Playwright's sync API holds this
    thread's event loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def test_a_new_player_flies_through_a_gateway(
    seeded: str,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],  # the buckets go with the test
    browser: Browser,
) -> None:
    start_host("host-a", seeded)
    gateway = start_gateway("gw-a", seeded)
    aside(gateway.ready())

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch = PageWatch(page)
    refused: list[str] = []
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    register_through_form(page, gateway)  # as in one process: the same page, the same hooks
    if hook(page, "I.me.docked_at") >= 0:
        page.keyboard.press("f")
        wait_hook(page, "I.me.docked_at === -1")
    start = hook(page, "(({x, y}) => [x, y])(I.entities.get(I.shipId))")
    page.keyboard.down("w")
    page.wait_for_timeout(1500)
    page.keyboard.up("w")
    end = hook(page, "(({x, y}) => [x, y])(I.entities.get(I.shipId))")
    assert (end[0] - start[0]) ** 2 + (end[1] - start[1]) ** 2 > 25.0, (start, end)
    assert watch.outside == []
    # What the client asked that a gateway does not serve yet (501), or that no crew worker
    # answers in this cluster (the crews, 503), was refused, typed, and
    # the page went on: no script error.
    assert all("/api/" in url for url in refused), refused
    assert [e for e in watch.errors if "Failed to load resource" not in e] == []
