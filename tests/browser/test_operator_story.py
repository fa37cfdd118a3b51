"""Issue 10's acceptance story, end to end: a real `infinity serve`, Debian's Chromium.

An operator (made with `infinity role`) logs in on the Heart and sees the charts move, drops
in hidden beside a victim, and shares a thief's location with its victims; the victim's page
(the normal web client) shows the marker and the notice but never the hidden avatar; the audit
tail, on the Heart and over REST, shows both acts, and `infinity audit verify` passes.

The theft is written into the server's ledger as tests/gateway/test_hunting_api.py does.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
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
from tests.browser.test_heart import heart, log_in, wait_heart
from tests.conftest import Server
from tests.gateway.test_heart_api import operator
from tests.gateway.test_hunting_api import Player, auth, rob

pytestmark = pytest.mark.browser

PATIENCE_MS = 45_000  # the lead's suite may share the two cores: poll, but patiently
HIDDEN_TICKS = 40  # 2 s of frames at 20 Hz in which the hidden avatar must never show


def test_an_operator_drops_in_hidden_and_shows_a_victim_the_thief(
    tmp_path: Path, browser: Browser
) -> None:
    server = Server(tmp_path / "data")  # with crews: the roster answers, no 503 on the page
    server.start(timeout=90.0)
    try:
        # The victim plays in the normal web client; a thief has siphoned from it.
        victim_page = browser.new_page(viewport={"width": 1440, "height": 900})
        victim_watch = PageWatch(victim_page)
        register_through_form(victim_page, server)
        token = str(victim_page.evaluate("() => localStorage.getItem('infinity.token')"))
        me = httpx.get(f"{server.url}/api/me", headers=auth(token), timeout=10).json()
        victim = Player(token, me["account"]["id"], me["ship"]["id"])
        thief = Player.register(server, "Corsair")
        with ThreadPoolExecutor(1) as aside:  # Playwright's loop holds this thread
            aside.submit(asyncio.run, rob(server, thief, victim)).result()

        # 1. The operator logs in on the Heart and watches the charts move.
        warden = operator(server, "Warden")
        console = browser.new_page(viewport={"width": 1440, "height": 1000})
        console_watch = PageWatch(console)
        log_in(console, server, "Warden")
        wait_heart(console, "H.charts().length === 5 && H.points() > 0", PATIENCE_MS)
        assert console.inner_text("#heart-status") == "LIVE"
        before = heart(console, "H.charts()[0]")
        wait_heart(
            console,
            f"H.charts()[0][0] > {before[0]} && H.charts()[0][1] > {before[1]}",
            PATIENCE_MS,
        )

        # 2. The operator drops in hidden, right beside the victim's ship.
        system, x, y = hook(
            victim_page, "(({x, y}) => [I.system.id, x, y])(I.entities.get(I.shipId))"
        )
        body = {"system": system, "x": x + 30.0, "y": y, "hidden": True}
        dropped = httpx.post(
            f"{server.url}/api/operator/drop-in", json=body, headers=auth(warden), timeout=10
        )
        assert dropped.status_code == 200, dropped.text
        assert dropped.json()["entry"]["verb"] == "drop_in"
        avatar = dropped.json()["record"]["ship"]
        wait_until_in_zone(server, warden, system, avatar)

        # The victim's page never holds the avatar, over 2 s of frames beside it.
        victim_page.evaluate(
            """(id) => {
                window.sawAvatar = false;
                window.avatarWatch = setInterval(() => {
                    if (window.infinity.entities.has(id)) window.sawAvatar = true;
                }, 10);
            }""",
            avatar,
        )
        since = hook(victim_page, "I.lastFrameTick")
        wait_hook(victim_page, f"I.lastFrameTick >= {since + HIDDEN_TICKS}", PATIENCE_MS)
        seen = victim_page.evaluate("() => { clearInterval(window.avatarWatch); return window.sawAvatar; }")  # fmt: skip
        assert seen is False, "the hidden avatar reached the victim's frames"
        assert not hook(victim_page, f"I.entities.has({avatar})")
        assert hook(victim_page, "I.entities.size") > 1  # the victim does see its neighbours

        # 3. The operator shares the thief's location with its victims.
        request = {"subject_kind": "ship", "subject_id": thief.ship, "audience": "victims", "minutes": 5}  # fmt: skip
        made = httpx.post(
            f"{server.url}/api/operator/share", json=request, headers=auth(warden), timeout=10
        )
        assert made.status_code == 201, made.text
        assert made.json()["entry"]["verb"] == "share_location"

        # 4. The victim's page shows the notice, the HUD line and the marker on the map.
        wait_hook(
            victim_page,
            "I.markers.length === 1 && I.serverNotices.some((n) => n.kind === 'hunt')"
            " && I.notices.some((n) => n.kind === 'hunt')",
            PATIENCE_MS,
        )
        assert hook(victim_page, "I.markers[0].ship") == thief.ship
        (line,) = hook(victim_page, "I.hunted")
        assert line.startswith("▶ HUNTED: CORSAIR IN ")
        victim_page.keyboard.press("g")
        wait_hook(victim_page, "I.galaxy.open && I.galaxy.galaxy !== null", PATIENCE_MS)
        assert hook(victim_page, "I.galaxy.markers.map((m) => m.name)") == ["Corsair"]
        assert not hook(victim_page, f"I.entities.has({avatar})")  # still hidden

        # 5. The audit tail shows both acts: on the Heart, and over REST.
        acts = "['drop_in', 'share_location']"
        wait_heart(
            console,
            f"{acts}.every((v) => H.last().audit.tail.some("
            "(e) => e.verb === v && e.actor_name === 'Warden' && e.result === 'done'))",
            PATIENCE_MS,
        )
        shown = console.inner_text("#audit")
        assert "drop_in" in shown and "share_location" in shown
        tail = httpx.get(
            f"{server.url}/api/operator/audit?after=0&limit=200", headers=auth(warden), timeout=10
        )
        assert tail.status_code == 200, tail.text
        done = [(e["verb"], e["actor_name"]) for e in tail.json()["entries"] if e["result"] == "done"]  # fmt: skip
        assert ("drop_in", "Warden") in done and ("share_location", "Warden") in done
        assert dropped.json()["entry"]["seq"] < made.json()["entry"]["seq"]

        ARTIFACTS.mkdir(exist_ok=True)
        victim_page.screenshot(path=str(ARTIFACTS / "operator-story-victim.png"))
        console.screenshot(path=str(ARTIFACTS / "operator-story-heart.png"))
        for watch in (victim_watch, console_watch):
            assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
            assert watch.errors == [], f"page errors: {watch.errors}"
        victim_page.close()
        console.close()
    finally:
        server.stop()
    verify = subprocess.run(
        [sys.executable, "-m", "infinity", "audit", "verify", "--data", str(server.data)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr


def wait_until_in_zone(server: Server, token: str, system: int, avatar: int) -> None:
    """Zone commands apply at the zone's next tick: poll `inspect` until the avatar is there,
    listed as hidden."""
    url = f"{server.url}/api/operator/inspect?kind=zone&id={system}"
    for _ in range(PATIENCE_MS // 250):
        zone = httpx.get(url, headers=auth(token), timeout=10)
        assert zone.status_code == 200, zone.text
        if avatar in zone.json()["record"]["hidden"]:
            return
        time.sleep(0.25)
    raise AssertionError(f"the avatar {avatar} never reached zone {system}")
