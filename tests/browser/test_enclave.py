"""The enclave view in the web client: a mind moved into the pilot's enclave shows in the
ENCLAVE panel (N) with its memories, refreshed from GET /api/enclave."""

from __future__ import annotations

import secrets
import subprocess
import sys

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.test_client import ARTIFACTS, PageWatch, hook, register_through_form, wait_hook
from tests.conftest import PASSWORD, Server

pytestmark = pytest.mark.browser


def test_the_host_looks_in_on_the_enclave(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    watch = PageWatch(page)
    host = register_through_form(page, server)
    curator = "curator_" + secrets.token_hex(3)
    server.register(curator)
    made = subprocess.run(
        [sys.executable, "-m", "infinity", "role", curator, "operator", "--data", str(server.data)],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0
    login = httpx.post(f"{server.url}/api/login", json={"name": curator, "password": PASSWORD})
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    heart = httpx.get(f"{server.url}/api/heart", headers=headers, timeout=30).json()
    hosting = httpx.post(
        f"{server.url}/api/login", json={"name": host, "password": "a fine password"}
    )
    host_headers = {"authorization": f"Bearer {hosting.json()['token']}"}
    moved = None
    for mind in [m for m in heart["minds"] if m["id"] and m["alive"] and not m["enclave"]]:
        welcome = httpx.post(  # the host's consent to take the mind in
            f"{server.url}/api/enclave/welcome", headers=host_headers, timeout=30,
            json={"agent": mind["id"]},
        )  # fmt: skip
        assert welcome.status_code == 200, welcome.text
        answer = httpx.post(
            f"{server.url}/api/enclave/minds", headers=headers, timeout=30,
            json={"agent": mind["id"], "reason": "a home", "host": host},
        )  # fmt: skip
        if answer.status_code == 200:
            moved = answer.json()["record"]
            break
    assert moved is not None, "no mind consented"

    page.keyboard.press("n")
    wait_hook(page, "I.panels.enclave")
    row = page.locator(f"#enclave-minds li.enclave-mind[data-agent='{moved['agent']}']")
    row.wait_for(state="visible", timeout=10_000)
    assert moved["agent_name"].upper() in row.inner_text()
    assert "ENCLAVE" in row.inner_text().upper()  # it remembers the move
    assert host.upper() in page.locator("#enclave-name").inner_text()
    assert hook(page, "I.panels.worlds") is False
    page.screenshot(path=str(ARTIFACTS / "enclave.png"))
    page.keyboard.press("n")
    wait_hook(page, "!I.panels.enclave")
    errors = [e for e in watch.errors if "Failed to load resource" not in e]
    assert errors == [] and watch.outside == [], (errors, watch.outside)
    page.close()
