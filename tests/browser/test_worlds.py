"""Worlds in the web client: make a private instance, invite a friend, travel, come home.

Player A drives the worlds panel (O) in headless Chromium against a real
server: creates a `space-fleet` instance, invites player B (registered over
REST, who then sees the world in GET /api/worlds), travels there and finds
the bridge in the template's look (its HUD labels, background and retro
font, its galaxy on the map), then goes home and gets the default look back.
"""

from __future__ import annotations

import secrets

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_client import ARTIFACTS, PageWatch, hook, register_through_form, wait_hook
from tests.conftest import Server

pytestmark = pytest.mark.browser

SPACE_FLEET_BG = "rgb(18, 10, 31)"  # #120a1f, the template's palette.background
DEFAULT_BG = "rgb(2, 7, 11)"  # style.css --bg
CLEAR_COLOUR = "I.view.renderer.getClearColor(I.view.scene.fog.color.clone()).getHexString()"


def styles(page: Page) -> dict[str, str]:
    """What the pilot sees of the look: labels, colours, font."""
    result: dict[str, str] = page.evaluate(
        """() => {
            const label = (name) => document.querySelector(`#ship-panel [data-label="${name}"]`);
            const body = getComputedStyle(document.body);
            return {
                shield: label("shield").textContent,
                hull: label("hull").textContent,
                energy: label("energy").textContent,
                cargo: label("cargo").textContent,
                background: body.backgroundColor,
                font: getComputedStyle(label("shield")).fontFamily,
                panel: getComputedStyle(document.getElementById("ship-panel")).backgroundColor,
                world: document.getElementById("hud-world").textContent,
            };
        }"""
    )
    return result


def test_instance_travel_shows_its_theme(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    watch = PageWatch(page)
    owner = register_through_form(page, server)
    guest = "guest_" + secrets.token_hex(4)
    guest_token = server.register(guest)["token"]
    home_system = hook(page, "I.system.name")

    before = styles(page)
    assert before["shield"] == "SHIELDS" and before["background"] == DEFAULT_BG
    assert before["world"] == "MAIN"
    assert "Courier New" not in before["font"].split(",")[0]

    # The worlds panel (O) lists the main world, and the templates to make one from.
    page.keyboard.press("o")
    wait_hook(page, "I.panels.worlds && I.worlds !== null && I.here === 1")
    page.locator("#world-template option[value='space-fleet']").wait_for(state="attached")
    page.select_option("#world-template", "space-fleet")
    page.fill("#world-name", "Five Year Patrol")
    page.click("#world-create-button")
    wait_hook(page, "I.worlds.worlds.some((w) => w.name === 'Five Year Patrol')")
    world = next(w for w in hook(page, "I.worlds.worlds") if w["name"] == "Five Year Patrol")
    assert world["owner"] == owner and world["template"] == "space-fleet"
    row = page.locator(f"#worlds-list li.world[data-world='{world['id']}']")

    # A refusal shows the server's own words.
    row.locator("input[name='invitee']").fill("nobody_" + secrets.token_hex(3))
    row.locator("button", has_text="INVITE").click()
    page.wait_for_function(
        "() => document.getElementById('worlds-status').textContent.includes('no account named')"
    )

    # Invite B from the panel; B sees the world over REST.
    row.locator("input[name='invitee']").fill(guest)
    row.locator("button", has_text="INVITE").click()
    wait_hook(
        page,
        f"I.worlds.worlds.some((w) => w.id === {world['id']} && w.members.includes('{guest}'))",
    )
    assert row.locator(".member", has_text=guest.upper()).is_visible()
    seen = httpx.get(
        f"{server.url}/api/worlds", headers={"Authorization": f"Bearer {guest_token}"}
    ).json()
    assert any(w["id"] == world["id"] and guest in w["members"] for w in seen["worlds"])

    # Travel: the ship arrives docked at the instance's first station, in its look.
    row.locator("button[data-act='travel']").click()
    wait_hook(
        page,
        f"I.here === {world['id']} && I.theme !== null && I.connected"
        " && I.system && I.system.name === 'Starbase Ares' && I.entities.has(I.shipId)",
    )
    there = styles(page)
    assert there["shield"] == "DEFLECTORS"
    assert there["hull"] == "HULL INTEGRITY"
    assert there["energy"] == "PHASER POWER"
    assert there["cargo"] == "STORES"
    assert there["background"] == SPACE_FLEET_BG
    assert "Courier New" in there["font"]
    assert there["world"] == "FIVE YEAR PATROL"
    assert there["panel"].startswith("rgba(18, 10, 31")
    assert hook(page, "I.theme.ship_style") == "saucer"
    assert page.locator("#worlds-list li.world.here .badge").inner_text() == "YOU ARE HERE"
    # The galaxy map is the instance's: its four systems, ours marked.
    wait_hook(page, f"I.galaxy.world === {world['id']} && I.galaxy.galaxy !== null")
    names = hook(page, "I.galaxy.galaxy.systems.map((s) => s.name)")
    assert sorted(names) == ["Kronos Drift", "Rigel Reach", "Starbase Ares", "Vulcanis"]
    # The tactical view is cleared to the theme's background.
    assert hook(page, CLEAR_COLOUR) == "120a1f"
    wait_hook(page, "I.render && I.render.frame > 2")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "worlds_space_fleet.png"))

    # The captain takes the chair on the flagship's bridge: the client now flies the flagship.
    own_ship = hook(page, "I.shipId")
    chair = page.locator("#worlds-list li.world.here button", has_text="TAKE THE CHAIR")
    chair.wait_for(state="visible")
    chair.click()
    wait_hook(page, f"I.shipId !== {own_ship} && I.entities.has(I.shipId)")
    flagship = next(w for w in hook(page, "I.worlds.worlds") if w["id"] == world["id"])["flagship"]
    assert hook(page, "I.shipId") == flagship
    leave = page.locator("#worlds-list li.world.here button", has_text="LEAVE")
    leave.wait_for(state="visible")
    leave.click()
    wait_hook(page, f"I.shipId === {own_ship}")
    page.keyboard.press("Escape")

    # A reload finds the ship still in the instance and shows its look again.
    page.reload()
    wait_hook(
        page, f"I.state === 'bridge' && I.connected && I.here === {world['id']} && I.theme !== null"
    )
    assert styles(page)["shield"] == "DEFLECTORS"

    # Go home: the default look, and the main galaxy, come back.
    page.keyboard.press("o")
    page.locator("#worlds-home").wait_for(state="visible")
    page.click("#worlds-home")
    wait_hook(
        page, f"I.here === 1 && I.theme === null && I.system && I.system.name === {home_system!r}"
    )
    home = styles(page)
    assert home["shield"] == "SHIELDS" and home["hull"] == "HULL"
    assert home["energy"] == "ENERGY" and home["cargo"] == "CARGO"
    assert home["background"] == DEFAULT_BG
    assert home["world"] == "MAIN"
    assert "Courier New" not in home["font"].split(",")[0]
    wait_hook(page, "I.galaxy.world === 1 && I.galaxy.galaxy !== null")
    assert "Starbase Ares" not in hook(page, "I.galaxy.galaxy.systems.map((s) => s.name)")
    page.screenshot(path=str(ARTIFACTS / "worlds_home.png"))

    errors = [e for e in watch.errors if "Failed to load resource" not in e]
    assert errors == [], errors
    assert watch.outside == [], watch.outside
    page.close()
