"""The kill switch in the Heart, in Chromium: one operator armed it; a second sees the dry
run and who armed it, confirms with the button, and the server erases the universe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.test_client import WAIT_MS, PageWatch
from tests.browser.test_heart import log_in, wait_heart
from tests.conftest import Server
from tests.gateway.test_heart_api import operator

pytestmark = pytest.mark.browser


def test_a_second_operator_confirms_the_kill_switch_from_the_heart(
    tmp_path: Path, browser: Browser
) -> None:
    server = Server(tmp_path / "data", npcs=False)
    server.start()
    try:
        first = operator(server, "First")
        operator(server, "Second")
        headers = {"authorization": f"Bearer {first}"}
        armed = httpx.post(
            f"{server.url}/api/operator/killswitch/arm", json={"reason": "a clone"}, headers=headers
        )
        assert armed.status_code == 200, armed.text
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        watch = PageWatch(page)
        asked: list[str] = []

        def accept(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        log_in(page, server, "Second")
        wait_heart(page, "H.frames() > 0")
        page.click("button[data-act='kill-look']")
        page.wait_for_function(
            "() => document.getElementById('kill-inventory').textContent.includes('ARMED')",
            timeout=WAIT_MS,
        )
        shown = page.inner_text("#kill-inventory")
        assert "First" in shown and "ERASES" in shown and "SURVIVES" in shown
        page.click("button[data-act='kill-confirm']")
        wait_heart(page, "H.acts().length > 0")
        assert len(asked) == 1 and "ERASE THE UNIVERSE" in asked[0] and "ships" in asked[0]
        assert "DONE" in page.inner_text("#act-result")
        assert page.evaluate("() => window.heart.acts()[0].verb") == "killswitch_confirm"
        assert server.process is not None and server.process.wait(30) == 0
        server.process = None
        assert watch.outside == []
        page.close()
    finally:
        if server.process is not None:
            server.stop()
