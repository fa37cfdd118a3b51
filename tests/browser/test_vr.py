"""Immersive mode (WebXR) in headless Chromium: no headset, an emulated one.

Plain headless Chromium has no WebXR runtime, so the "ENTER VR" control must
stay hidden. With `?xr-emulate=1` the page installs the vendored Immersive
Web Emulation Runtime (iwer) as `navigator.xr`; the test enters an immersive
session on the emulated Quest 3, flies with the right thumbstick, fires with
the trigger, reads the in-world HUD panel, and leaves again.
"""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.test_client import (
    ARTIFACTS,
    WAIT_MS,
    PageWatch,
    browser,
    hook,
    register_through_form,
    wait_hook,
)
from tests.conftest import Server

__all__ = ["browser"]  # the fixture, re-used


def test_enter_vr_absent_without_immersive_vr(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch = PageWatch(page)
    register_through_form(page, server)
    # The probe is asynchronous: wait until it has answered.
    wait_hook(page, "I.vr !== null")
    page.wait_for_timeout(300)
    assert hook(page, "I.vr.supported") is False
    assert not page.locator("#vr-button").is_visible()
    # The emulator is never loaded in normal play.
    assert page.evaluate("() => 'infinityXR' in window") is False
    scripts = page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
    assert not [s for s in scripts if "iwer" in s or "emulate" in s]
    assert watch.errors == [], watch.errors
    page.close()


def test_emulated_headset_flies_and_fires(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch = PageWatch(page)
    register_through_form(page, server)
    # Same session, now with the emulated headset (the token is kept).
    page.goto(server.url + "/?xr-emulate=1")
    wait_hook(page, "I.state === 'bridge' && I.connected && I.me !== null && I.vr !== null")
    wait_hook(page, "I.vr.supported")
    button = page.locator("#vr-button")
    button.wait_for(state="visible", timeout=WAIT_MS)
    assert button.inner_text().strip() == "ENTER VR"

    socket_opens: list[str] = []
    page.on("websocket", lambda ws: socket_opens.append(ws.url))
    button.click()
    wait_hook(page, "I.vr.presenting && I.vr.frames > 10")
    # The XR frames draw the scene and the bridge displays.
    wait_hook(page, "I.vr.panels.ship.some((l) => l.startsWith('ENERGY'))")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "vr_enter.png"))

    # New pilots start docked: B (dock/undock, the F key) undocks.
    if hook(page, "I.me.docked_at >= 0"):
        page.evaluate("() => window.infinityXR.controllers.right.updateButtonValue('b-button', 1)")
        wait_hook(page, "I.vr.commands.includes('dock')")
        page.evaluate("() => window.infinityXR.controllers.right.updateButtonValue('b-button', 0)")
        wait_hook(page, "I.me.docked_at < 0")

    # Right thumbstick forward: a `thrust` ahead, and the ship moves.
    ship = hook(page, "I.shipId")
    start = hook(page, f"(() => {{ const e = I.entities.get({ship}); return [e.x, e.y]; }})()")
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 0, -1)")
    wait_hook(page, "I.vr.commands.includes('helm')")
    wait_hook(
        page,
        f"(() => {{ const e = I.entities.get({ship});"
        f" return Math.hypot(e.x - {start[0]}, e.y - {start[1]}) > 5; }})()",
    )
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 0, 0)")

    # A: cycle targets (nearest ship first), then the trigger fires.
    page.evaluate("() => window.infinityXR.controllers.right.updateButtonValue('a-button', 1)")
    wait_hook(page, "I.vr.commands.includes('cycleTarget')")
    page.evaluate("() => window.infinityXR.controllers.right.updateButtonValue('a-button', 0)")
    errors_before = hook(page, "I.errors.length")
    page.evaluate("() => window.infinityXR.controllers.right.updateButtonValue('trigger', 1)")
    wait_hook(page, "I.vr.commands.includes('fire')")
    # The server got `fire`: a beam from us, or its refusal of that very command.
    wait_hook(
        page,
        f"I.events.some((e) => e.t === 'beam' && e.shooter === I.shipId)"
        f" || I.errors.length > {errors_before}",
    )
    page.evaluate("() => window.infinityXR.controllers.right.updateButtonValue('trigger', 0)")
    fired = hook(page, "I.events.some((e) => e.t === 'beam' && e.shooter === I.shipId)")
    if fired:
        # The beam cost energy: the panel shows less than a full charge.
        wait_hook(
            page, "I.vr.panels.ship.some((l) => /^ENERGY (\\d+)$/.test(l) && +l.slice(7) < 100)"
        )
    # The panel shows what the server's `me` record says, as it changes.
    wait_hook(
        page,
        "I.vr.panels.ship.includes(`ENERGY ${Math.round(I.me.energy)}`)",
    )
    page.screenshot(path=str(ARTIFACTS / "vr_fire.png"))

    # Leave: the flat view resumes on the same connection.
    tick = hook(page, "I.lastFrameTick")
    # The emulator lays its own canvas over the page while presenting (a
    # headset shows the page no more): press the control without the mouse.
    button.dispatch_event("click")
    wait_hook(page, "!I.vr.presenting")
    assert button.inner_text().strip() == "ENTER VR"
    wait_hook(page, f"I.lastFrameTick > {tick} && I.render.frame > 0")
    frame = hook(page, "I.render.frame")
    wait_hook(page, f"I.render.frame > {frame}")
    assert hook(page, "I.connected")
    assert socket_opens == [], f"the game connection was reopened: {socket_opens}"
    page.screenshot(path=str(ARTIFACTS / "vr_exit.png"))
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
    page.close()


# Per display frame with 200 other ships around us, in the emulated headset
# (stereo: both eyes in one frame). Stated in infinity/web/README.md.
VR_DRAW_CALL_BUDGET = 120
VR_TRIANGLE_BUDGET = 20_000

INJECT_SHIPS = """(count) => {
  const I = window.infinity;
  const own = I.entities.get(I.shipId);
  for (let i = 0; i < count; i++) {
    const a = (i / count) * Math.PI * 2;
    const r = 400 + (i % 10) * 120;
    I.world.enter(
      {id: 900000 + i, kind: 1, name: `probe ${i}`, x: own.x + Math.cos(a) * r,
       y: own.y + Math.sin(a) * r, heading: a, hull: 100, shield: 100, extra: {owner: null}},
      own.cell, I.lastFrameTick);
  }
}"""


def test_vr_frame_budget_with_200_ships(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    register_through_form(page, server)
    page.goto(server.url + "/?xr-emulate=1")
    wait_hook(page, "I.state === 'bridge' && I.me !== null && I.vr !== null && I.vr.supported")
    page.evaluate("() => { window.infinityXR.stereoEnabled = true; }")
    page.locator("#vr-button").click()
    wait_hook(page, "I.vr.presenting && I.vr.frames > 5")
    # Ships only the client knows of (placed in our own cell): a crowd to draw.
    page.evaluate(INJECT_SHIPS, 200)
    wait_hook(page, "I.vr.ships >= 200")
    frame = hook(page, "I.render.frame")
    wait_hook(page, f"I.render.frame > {frame + 3}")
    info = hook(page, "I.render")
    print(f"VR, 200 ships, stereo: {info}")
    assert info["calls"] <= VR_DRAW_CALL_BUDGET, info
    assert info["triangles"] <= VR_TRIANGLE_BUDGET, info
    page.screenshot(path=str(ARTIFACTS / "vr_200_ships.png"))
    page.locator("#vr-button").dispatch_event("click")
    wait_hook(page, "!I.vr.presenting")
    page.close()


FAKE_PAD = """
window.__pad = {
  connected: true, mapping: 'standard', index: 0, id: 'test pad',
  axes: [0, 0, 0, 0],
  buttons: Array.from({length: 17}, () => ({pressed: false, touched: false, value: 0})),
};
navigator.getGamepads = () => [window.__pad];
window.__press = (i, on) => { window.__pad.buttons[i] = {pressed: on, touched: on, value: on ? 1 : 0}; };
"""


def test_gamepad_flies_the_flat_view(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(FAKE_PAD)
    watch = PageWatch(page)
    register_through_form(page, server)
    if hook(page, "I.me.docked_at >= 0"):
        page.evaluate("() => window.__press(1, true)")  # B: undock (the F key)
        wait_hook(page, "I.pads.includes('dock')")
        page.evaluate("() => window.__press(1, false)")
        wait_hook(page, "I.me.docked_at < 0")
    ship = hook(page, "I.shipId")
    start = hook(page, f"(() => {{ const e = I.entities.get({ship}); return [e.x, e.y]; }})()")
    page.evaluate("() => { window.__pad.axes[1] = -1; }")  # left stick forward
    wait_hook(page, "I.pads.includes('helm')")
    wait_hook(
        page,
        f"(() => {{ const e = I.entities.get({ship});"
        f" return Math.hypot(e.x - {start[0]}, e.y - {start[1]}) > 5; }})()",
    )
    page.evaluate("() => { window.__pad.axes[1] = 0; }")
    errors_before = hook(page, "I.errors.length")
    page.evaluate("() => window.__press(7, true)")  # RT: fire
    wait_hook(page, "I.pads.includes('fire')")
    wait_hook(
        page,
        f"I.events.some((e) => e.t === 'beam' && e.shooter === I.shipId)"
        f" || I.errors.length > {errors_before}",
    )
    assert watch.errors == [], watch.errors
    page.close()
