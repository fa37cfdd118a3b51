"""Immersive mode (WebXR) in headless Chromium: no headset, an emulated one.

Plain headless Chromium has no WebXR runtime, so the "ENTER VR" control must
stay hidden. With `?xr-emulate=1` the page installs the vendored Immersive
Web Emulation Runtime (iwer) as `navigator.xr`; the test enters an immersive
session on the emulated Quest 3, flies with the right thumbstick, fires with
the trigger, reads the in-world HUD panel, and leaves again. Rays: pointing
at a ship and pulling the trigger locks it on the server; the galaxy map
console names and plots a course to the system pointed at. Comfort: snap turn
and the recentre button move the view by exactly their stated angles, the
vignette shows while the ship turns and never when it is turned off. The
budget test draws 200 ships with all of that on screen.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.browser.test_client import (
    ARTIFACTS,
    WAIT_MS,
    PageWatch,
    hook,
    register_through_form,
    wait_hook,
)
from tests.conftest import Server


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


# Aim a controller straight up from the seat (no ship up there).
AIM_UP = """(hand) => {
  const own = window.infinity.entities.get(window.infinity.shipId);
  window.infinityXR.aim(hand, [own.x, 100000, -own.y]);
}"""


def enter_vr(page: Page, server: Server) -> None:
    """A new pilot on the bridge with the emulated headset, seated in VR."""
    register_through_form(page, server)
    page.goto(server.url + "/?xr-emulate=1")
    wait_hook(page, "I.state === 'bridge' && I.connected && I.me !== null && I.vr !== null")
    wait_hook(page, "I.vr.supported")
    page.locator("#vr-button").click()
    wait_hook(page, "I.vr.presenting && I.vr.frames > 10")


def pull(page: Page, hand: str, button: str, done: str) -> None:
    """Press a controller button until `done` holds, then let go."""
    page.evaluate(f"() => window.infinityXR.controllers.{hand}.updateButtonValue('{button}', 1)")
    wait_hook(page, done)
    page.evaluate(f"() => window.infinityXR.controllers.{hand}.updateButtonValue('{button}', 0)")
    page.wait_for_timeout(100)  # a frame or two: the release is seen


def undock(page: Page) -> None:
    if hook(page, "I.me.docked_at >= 0"):
        pull(page, "right", "b-button", "I.vr.commands.includes('dock')")
        wait_hook(page, "I.me.docked_at < 0")


def selections(page: Page) -> int:
    return int(hook(page, "I.vr.selected ? I.vr.selected.n : 0"))


def press_console(page: Page, name: str) -> None:
    """Point the right ray at a comfort console button and pull the trigger."""
    at = hook(page, f"I.vr.comfortConsole.buttons.find((b) => b.name === '{name}').at")
    page.evaluate("(at) => window.infinityXR.aim('right', at)", at)
    wait_hook(page, f"I.vr.comfortConsole.pointed === '{name}'")
    before = selections(page)
    pull(page, "right", "trigger", f"I.vr.selected && I.vr.selected.n > {before}")
    assert hook(page, "I.vr.selected.button") == name


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
    # The trigger selects what its ray points at: aim it at the sky, at nothing.
    page.evaluate(AIM_UP, "right")
    wait_hook(page, "I.vr.pointing.right === null")
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


# Re-aims the right ray at the nearest ship in flight each poll; pulls the
# trigger once the ray reports that ship (ships move: aim and pull together).
AIM_AT_SHIP = """() => {
  const I = window.infinity;
  const own = I.entities.get(I.shipId);
  const ships = [...I.entities.values()]
    .filter((e) => e.kind === 1 && e.id !== I.shipId && !(e.extra.docked_at >= 0) && I.view.models.get(e.id))
    .sort((a, b) => Math.hypot(a.x - own.x, a.y - own.y) - Math.hypot(b.x - own.x, b.y - own.y));
  if (!ships.length) return false;
  const p = I.view.models.get(ships[0].id).root.position;
  window.infinityXR.aim('right', [p.x, p.y, p.z]);
  if (I.vr.pointing.right !== ships[0].id) return false;
  window.infinityXR.controllers.right.updateButtonValue('trigger', 1);
  return true;
}"""


def test_ray_targets_a_ship_and_the_map_console_plots_a_course(
    server: Server, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch = PageWatch(page)
    enter_vr(page, server)
    ARTIFACTS.mkdir(exist_ok=True)

    # The galaxy map console: the flat map's systems, from its one fetch.
    wait_hook(page, "I.vr.map.systems.length > 1")
    assert hook(page, "I.vr.map.systems.length") == hook(page, "I.galaxy.galaxy.systems.length")
    here = hook(page, "I.system.name").upper()
    assert here in hook(page, "I.vr.map.labels"), "the current system is named"
    # Point at another system: the console lights, the dot is named.
    there = hook(page, "I.vr.map.systems.find((s) => s.id !== I.system.id)")
    page.evaluate("(at) => window.infinityXR.aim('right', at)", there["at"])
    wait_hook(page, f"I.vr.pointing.right === 'vr-map' && I.vr.map.pointed === {there['id']}")
    name = there["name"].upper()
    wait_hook(page, f"I.vr.map.labels.includes({name!r})")
    # The trigger selects it: its name, and the course the flat map's click plots.
    before = selections(page)
    pull(page, "right", "trigger", f"I.vr.selected && I.vr.selected.n > {before}")
    assert hook(page, "I.vr.selected.system") == there["id"]
    assert hook(page, "I.galaxy.destination") == there["id"]
    wait_hook(page, f"I.vr.map.caption[0].includes({name!r})")
    wait_hook(page, "I.vr.map.caption[1].startsWith('COURSE')")
    assert name in page.inner_text("#hud-route")
    assert "fire" not in hook(page, "I.vr.commands"), "a pull on a console fires nothing"
    page.evaluate("(at) => window.infinityXR.look(at)", there["at"])  # turn the head to it
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "vr_map_console.png"))
    page.evaluate("() => window.infinityXR.quaternion.set(0, 0, 0, 1)")

    # Point at a ship in flight and pull: the server locks it (`me.target`).
    assert hook(page, "I.me.target") == -1
    page.wait_for_function(AIM_AT_SHIP, polling=50, timeout=WAIT_MS)
    wait_hook(page, "I.vr.selected && I.vr.selected.entity !== undefined")
    page.evaluate("() => window.infinityXR.controllers.right.updateButtonValue('trigger', 0)")
    locked = hook(page, "I.vr.selected.entity")
    wait_hook(page, f"I.me.target === {locked}")
    assert hook(page, "I.entities.get(I.me.target).kind") == 1
    wait_hook(page, "I.vr.panels.target.length > 1 && I.vr.panels.target[0] !== 'NO TARGET'")
    page.screenshot(path=str(ARTIFACTS / "vr_pointing.png"))
    assert "fire" not in hook(page, "I.vr.commands"), "the pull locked, it did not fire"

    # Every display's smallest text is at least the stated 1.5 degrees.
    assert hook(page, "I.vr.textDeg") >= 1.5
    page.locator("#vr-button").dispatch_event("click")
    wait_hook(page, "!I.vr.presenting")
    assert watch.errors == [], watch.errors
    page.close()


def test_comfort_snap_turn_recentre_and_vignette(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch = PageWatch(page)
    enter_vr(page, server)
    assert hook(page, "I.vr.comfort") == {"vignette": True, "snapTurn": True}

    def turned(a: float, b: float) -> float:
        return (b - a + 180) % 360 - 180

    # Snap turn (docked: the ship holds still): one flick, one 30° step.
    facing = hook(page, "I.vr.facing")
    page.evaluate("() => window.infinityXR.controllers.left.updateAxes('thumbstick', 1, 0)")
    wait_hook(page, "I.vr.yaw !== 0")
    page.evaluate("() => window.infinityXR.controllers.left.updateAxes('thumbstick', 0, 0)")
    page.wait_for_timeout(200)
    assert round(hook(page, "I.vr.yaw"), 6) == -30  # held or not, a flick is one step
    assert abs(turned(facing, hook(page, "I.vr.facing")) + 30) < 0.5
    # The recentre button on the comfort console faces the bow again.
    press_console(page, "recentre")
    assert round(hook(page, "I.vr.yaw"), 6) == 0
    assert abs(turned(facing, hook(page, "I.vr.facing"))) < 0.5
    # Snap turn off: a flick does nothing.
    press_console(page, "snapTurn")
    assert hook(page, "I.vr.comfort.snapTurn") is False
    labels = [b["label"] for b in hook(page, "I.vr.comfortConsole.buttons")]
    assert "SNAP TURN 30°: OFF" in labels
    page.evaluate(
        "(b) => window.infinityXR.look(b.at)", hook(page, "I.vr.comfortConsole.buttons[1]")
    )
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "vr_comfort_console.png"))
    page.evaluate("() => window.infinityXR.quaternion.set(0, 0, 0, 1)")
    page.wait_for_timeout(200)
    page.evaluate("() => window.infinityXR.controllers.left.updateAxes('thumbstick', 1, 0)")
    page.wait_for_timeout(300)
    page.evaluate("() => window.infinityXR.controllers.left.updateAxes('thumbstick', 0, 0)")
    assert round(hook(page, "I.vr.yaw"), 6) == 0
    assert abs(turned(facing, hook(page, "I.vr.facing"))) < 0.5

    # The vignette: dark ring while the ship turns, gone when it stops.
    undock(page)
    assert hook(page, "I.vr.vignette") == 0
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 1, 0)")
    wait_hook(page, "I.vr.vignette > 0.9")
    page.screenshot(path=str(ARTIFACTS / "vr_vignette.png"))
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 0, 0)")
    wait_hook(page, "I.vr.vignette === 0")
    # Turned off on the console: turning again shows none.
    press_console(page, "vignette")
    assert hook(page, "I.vr.comfort.vignette") is False
    page.evaluate(
        """() => {
          window.__vignette = 0;
          const watch = () => {
            window.__vignette = Math.max(window.__vignette, window.infinity.vr.vignette);
            requestAnimationFrame(watch);
          };
          watch();
        }"""
    )
    heading = hook(page, "I.entities.get(I.shipId).h")
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 1, 0)")
    wait_hook(
        page,
        f"Math.abs(Math.sin((I.entities.get(I.shipId).h - {heading}) / 2)) > 0.25",
    )
    page.screenshot(path=str(ARTIFACTS / "vr_no_vignette.png"))
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 0, 0)")
    assert page.evaluate("() => window.__vignette") == 0
    # The settings are kept in this browser.
    assert page.evaluate("() => JSON.parse(localStorage.getItem('infinity.vr.comfort'))") == {
        "vignette": False,
        "snapTurn": False,
    }
    page.locator("#vr-button").dispatch_event("click")
    wait_hook(page, "!I.vr.presenting")
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
    # Everything the bridge can show at once: both rays (the left one on a
    # ship, with its marker), the map console, and the vignette of a turn.
    wait_hook(page, "I.vr.map.systems.length > 0")
    undock(page)
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 1, 0)")
    wait_hook(page, "I.vr.vignette > 0.9")
    # Aim at one probe after another until the ray finds one (not behind a display).
    page.wait_for_function(
        """() => {
          const I = window.infinity;
          if (I.vr.pointing.left >= 900000) return true;
          window.__probe = ((window.__probe ?? -1) + 7) % 200;
          const model = I.view.models.get(900000 + window.__probe);
          if (model) window.infinityXR.aim('left', model.root.position.toArray());
          return false;
        }""",
        polling=300,
        timeout=WAIT_MS * 2,
    )
    assert hook(page, "I.vr.vignette") > 0.9
    frame = hook(page, "I.render.frame")
    wait_hook(page, f"I.render.frame > {frame + 3}")
    info = hook(page, "I.render")
    print(f"VR, 200 ships, stereo: {info}")
    assert info["calls"] <= VR_DRAW_CALL_BUDGET, info
    assert info["triangles"] <= VR_TRIANGLE_BUDGET, info
    page.screenshot(path=str(ARTIFACTS / "vr_200_ships.png"))
    page.evaluate("() => window.infinityXR.controllers.right.updateAxes('thumbstick', 0, 0)")
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
