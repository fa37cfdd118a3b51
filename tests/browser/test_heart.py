"""The Heart's console in Chromium: an operator sees the charts move and searches the minds;
a player is refused."""

from __future__ import annotations

import secrets
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page

from infinity.galaxy.heart import HEART_SYSTEM
from tests.browser.test_client import ARTIFACTS, WAIT_MS, PageWatch, hook, wait_hook
from tests.conftest import PASSWORD, Server
from tests.gateway.test_heart_api import operator

pytestmark = pytest.mark.browser


def heart(page: Page, expression: str) -> Any:
    return page.evaluate(f"() => {{ const H = window.heart; return ({expression}); }}")


def wait_heart(page: Page, condition: str, timeout: int = WAIT_MS) -> None:
    page.wait_for_function(
        f"() => {{ const H = window.heart; return Boolean(H && ({condition})); }}",
        timeout=timeout,
    )


def log_in(page: Page, server: Server, name: str) -> None:
    page.goto(server.url + "/heart")
    page.wait_for_selector("#heart-login", state="visible")
    page.fill("#heart-name", name)
    page.fill("#heart-password", PASSWORD)
    page.click("#heart-login button")


def test_an_operator_watches_the_charts_move_and_finds_a_mind(
    server: Server, browser: Browser
) -> None:
    name = "warden_" + secrets.token_hex(3)
    operator(server, name)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    watch = PageWatch(page)
    log_in(page, server, name)
    wait_heart(page, "H.charts().length === 5 && H.last().minds.length > 0")
    assert page.locator(".uplot").count() == 5
    assert page.locator("#zones tr").count() == len(heart(page, "H.last().zones"))
    worlds = len(heart(page, "H.last().worlds"))
    assert page.locator("#worlds li").count() == worlds >= 1
    assert page.inner_text("#worlds-count") == str(worlds)
    assert page.inner_text("#heart-status") == "LIVE"

    # The charts move: their newest point is later, and they hold more points, a moment on.
    before = heart(page, "H.charts()[0]")
    wait_heart(page, f"H.charts()[0][0] > {before[0]} && H.charts()[0][1] > {before[1]}")
    assert heart(page, "H.charts().every(([, n]) => n === H.points())")

    # Every mind is listed; searching by a name narrows the list to it.
    minds = heart(page, "H.last().minds.map((m) => m.name)")
    assert sorted(heart(page, "H.shownMinds()")) == sorted(minds)
    wanted = minds[-1]
    page.fill("#minds-search", wanted.lower())
    shown = heart(page, "H.shownMinds()")
    assert wanted in shown and all(wanted.lower() in m.lower() for m in shown)
    assert len(shown) < len(minds)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "heart.png"))
    assert watch.errors == [] and watch.outside == []
    page.close()


def test_a_player_is_refused_the_console(server: Server, browser: Browser) -> None:
    name = "pilot_" + secrets.token_hex(3)
    server.register(name)
    page = browser.new_page()
    watch = PageWatch(page)
    log_in(page, server, name)
    page.wait_for_function("() => document.body.dataset.state === 'refused'", timeout=WAIT_MS)
    assert "operators only" in page.inner_text("#heart-gate-why")
    assert heart(page, "H.frames()") == 0
    assert watch.outside == []
    page.close()


def test_an_operator_in_the_heart_sees_the_room_and_its_live_displays(
    server: Server, browser: Browser
) -> None:
    name = "abbot_" + secrets.token_hex(3)
    token = operator(server, name)
    auth = {"Authorization": f"Bearer {token}"}
    dropped = httpx.post(
        f"{server.url}/api/operator/drop-in", headers=auth, json={"system": HEART_SYSTEM}
    )
    assert dropped.status_code == 200, dropped.text
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    watch = PageWatch(page)
    page.goto(server.url + "/")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-button")
    wait_hook(page, f"I.state === 'bridge' && I.system && I.system.id === {HEART_SYSTEM}")
    wait_hook(page, "I.heartRoom && I.heartRoom.present && I.heartRoom.frames >= 2")
    readings = dict(hook(page, "I.heartRoom.readings"))
    assert readings["SESSIONS"].isdigit() and "alive" in readings["MINDS"]
    assert hook(page, "I.galaxy.galaxy.heart") == HEART_SYSTEM  # on the operator's map
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "heart-room.png"))
    assert watch.errors == [] and watch.outside == []
    page.close()


def test_an_operator_drops_in_hidden_from_the_acts_panel_and_sees_the_audit_entry(
    server: Server, browser: Browser
) -> None:
    name = "keeper_" + secrets.token_hex(3)
    operator(server, name)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    watch = PageWatch(page)
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    log_in(page, server, name)
    wait_heart(page, "H.frames() > 0 && document.querySelectorAll('#act-system option').length")
    system = heart(page, "H.last().zones[0]")
    page.select_option("#act-system", str(system["id"]))
    page.click("button[data-act='drop-hidden']")
    wait_heart(page, "H.acts().length > 0")

    assert len(asked) == 1 and system["name"] in asked[0] and "HIDDEN" in asked[0]
    entry = heart(page, "H.acts()[0]")
    assert (entry["verb"], entry["result"]) == ("drop_in", "done")
    assert entry["target"] == f"system:{system['id']}"
    first = page.locator("#act-entries tr").first.inner_text()
    assert "drop_in" in first and "done" in first and entry["hash"][:12] in first
    assert str(entry["seq"]) in first
    assert entry["hash"][:12] in page.inner_text("#act-result")

    # The avatar is hidden from players, and listed as such in the Heart.
    ship = heart(page, "H.answer().record.ship")
    wait_heart(page, f"H.shownHidden().some(([id]) => id === '{ship}')")
    assert any(h["ship"] == ship for h in heart(page, "H.last().hidden"))

    # Refused acts are shown with their audit entry too: leaving twice.
    page.click("button[data-act='leave']")
    wait_heart(page, "H.acts().length === 2")
    page.click("button[data-act='leave']")
    wait_heart(page, "H.acts().length === 3")
    refused = heart(page, "H.acts()[0]")
    assert (refused["verb"], refused["result"]) == ("leave", "refused")
    assert "not_present" in page.inner_text("#act-result")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "heart-acts.png"), full_page=True)
    expected = "the server responded with a status of 409"  # Chromium's note of the refusal
    assert [e for e in watch.errors if expected not in e] == [] and watch.outside == []
    page.close()
