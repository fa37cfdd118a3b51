"""A new player's first minutes in the web client: Enter offers to register an unknown name,
W undocks (once, with no refusals), a first-flight hint, and a crew hails the newcomer."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Browser

from tests.browser.test_client import PageWatch, hook, wait_hook
from tests.conftest import Server

pytestmark = pytest.mark.browser
HAIL_MS = 30_000


def test_a_new_pilots_first_minutes(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    watch = PageWatch(page)
    page.goto(server.url + "/")
    name = "newbie_" + secrets.token_hex(3)

    # A new name and code, then Enter: no account yet, so the client offers to register.
    page.fill("#login-name", name)
    page.fill("#login-password", "a fine password")
    page.press("#login-password", "Enter")
    message = page.locator("#login-error")
    message.filter(has_text="NEW HERE").wait_for(timeout=15_000)
    assert name.upper() in message.inner_text()
    assert "offered" in (page.get_attribute("#register-button", "class") or "")
    assert hook(page, "I.state") != "bridge"

    # Enter again registers, and the pilot is on the bridge, docked.
    page.press("#login-password", "Enter")
    wait_hook(page, "I.state === 'bridge' && I.connected && I.me !== null")
    wait_hook(page, "I.me.docked_at >= 0")
    assert any("FIRST FLIGHT" in n["text"] for n in hook(page, "I.notices"))

    # A crew captain in the system hails the newcomer by name.
    wait_hook(page, f"I.chat.some((l) => l.text.includes('Welcome out here, {name}.'))", HAIL_MS)

    # W while docked undocks, and is not refused at all (not seven times, not once).
    errors = hook(page, "I.errors.length")
    page.keyboard.down("w")
    page.wait_for_timeout(400)
    page.keyboard.up("w")
    wait_hook(page, "I.me.docked_at === -1")
    assert hook(page, "I.errors.length") == errors, hook(page, "I.errors")
    unexpected = [e for e in watch.errors if "401" not in e]  # the log-in that found no one
    assert not unexpected and not watch.outside
