"""The hunted in the web client: an operator shares a thief's location with its victims; the
victim's page shows the notice, the HUD line "HUNTED: NAME IN SYSTEM", the galaxy map's
marker, and drops them when the share is revoked."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.test_client import (
    ARTIFACTS,
    PageWatch,
    hook,
    register_through_form,
    wait_hook,
)
from tests.conftest import Server
from tests.gateway.test_heart_api import operator
from tests.gateway.test_hunting_api import Player, auth, rob

pytestmark = pytest.mark.browser


def test_a_victim_sees_the_thief_on_the_map_and_the_hud(tmp_path: Path, browser: Browser) -> None:
    server = Server(tmp_path / "data")  # with crews: the roster answers, no 503 on the page
    server.start()
    try:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        watch = PageWatch(page)
        register_through_form(page, server)
        token = str(page.evaluate("() => localStorage.getItem('infinity.token')"))
        me = httpx.get(f"{server.url}/api/me", headers=auth(token)).json()
        victim = Player(token, me["account"]["id"], me["ship"]["id"])
        thief = Player.register(server, "Corsair")
        with ThreadPoolExecutor(1) as aside:  # Playwright's loop holds this thread
            aside.submit(asyncio.run, rob(server, thief, victim)).result()
        warden = operator(server, "Warden")

        request = {"subject_kind": "ship", "subject_id": thief.ship, "audience": "victims", "minutes": 5}  # fmt: skip
        made = httpx.post(f"{server.url}/api/operator/share", json=request, headers=auth(warden))
        assert made.status_code == 201, made.text
        wait_hook(page, "I.markers.length === 1 && I.serverNotices.some((n) => n.kind === 'hunt')")
        (line,) = hook(page, "I.hunted")
        assert line.startswith("▶ HUNTED: CORSAIR IN ")
        page.keyboard.press("g")  # the galaxy map, with the marker beside the thief's system
        wait_hook(page, "I.galaxy.open && I.galaxy.galaxy !== null")
        assert hook(page, "I.galaxy.markers.map((m) => m.name)") == ["Corsair"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hunted.png"))

        share = made.json()["share"]["id"]
        httpx.delete(f"{server.url}/api/operator/share/{share}", headers=auth(warden))
        wait_hook(page, "I.markers.length === 0 && I.hunted.length === 0")
        assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
        assert watch.errors == [], f"page errors: {watch.errors}"
        page.close()
    finally:
        server.stop()
