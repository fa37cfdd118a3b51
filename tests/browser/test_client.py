"""The web client, end to end: a real server, Debian's Chromium, a new pilot.

Drives the page the way a player does (form, keys, mouse) and asserts on
what the client holds through its `window.infinity` hook rather than on
pixels; a screenshot is kept in tests/browser/artifacts/ for people.
"""

from __future__ import annotations

import base64
import secrets
import struct
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx2 as httpx
import msgspec
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Route,
    WebSocket,
)

from infinity.gateway import wire
from tests.conftest import Server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
STATIC = Path(__file__).resolve().parents[2] / "infinity" / "web" / "static"
LOCAL_HOSTS = {"127.0.0.1"}
WAIT_MS = 15_000


class Served(Protocol):
    """Where the page is served from."""

    @property
    def url(self) -> str: ...


class PageWatch:
    """Collects what a page did that a test must not tolerate."""

    def __init__(self, page: Page) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("websocket", self._websocket)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            return
        if parts.hostname not in LOCAL_HOSTS:
            self.outside.append(url)

    def _request(self, request: Request) -> None:
        self._check(request.url)

    def _websocket(self, socket: WebSocket) -> None:
        self._check(socket.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


def hook(page: Page, expression: str) -> Any:
    """Evaluate a JS expression with `I` bound to `window.infinity`."""
    return page.evaluate(f"() => {{ const I = window.infinity; return ({expression}); }}")


def wait_hook(page: Page, condition: str, timeout: int = WAIT_MS) -> None:
    page.wait_for_function(
        f"() => {{ const I = window.infinity; return Boolean(I && ({condition})); }}",
        timeout=timeout,
    )


def register_through_form(page: Page, server: Served) -> str:
    """Register a new pilot through the log-in form and wait for the bridge (served by a
    `Server`, or a cluster's gateway: anything with a `url`)."""
    page.goto(server.url + "/")
    name = "pilot_" + secrets.token_hex(4)
    page.fill("#login-name", name)
    page.fill("#login-password", "a fine password")
    page.click("#register-button")
    wait_hook(
        page,
        "I.state === 'bridge' && I.connected && I.lastFrameTick !== null"
        " && I.entities.has(I.shipId) && I.me !== null",
    )
    return name


def test_pilot_flies_fights_and_talks(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    watch = PageWatch(page)

    # Register through the form, as a new player would.
    name = register_through_form(page, server)

    # The HUD names the system the server says the ship is in.
    token = page.evaluate("() => localStorage.getItem('infinity.token')")
    assert token, "the session token is kept for reloads"
    me = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    system_name = me["ship"]["system_name"]
    assert page.inner_text("#hud-system").strip() == system_name.upper()
    assert hook(page, "I.system.name") == system_name

    # The WebGL view is drawing.
    wait_hook(page, "I.render && I.render.calls > 0 && I.render.frame > 2")
    assert hook(page, "I.canvas instanceof HTMLCanvasElement && I.canvas.width > 0")
    assert hook(page, "I.entities.get(I.shipId).kind") == 1

    # Undock (F) if the new ship starts docked, then fly ahead for a second.
    if hook(page, "I.me.docked_at") >= 0:
        page.keyboard.press("f")
        wait_hook(page, "I.me.docked_at === -1")
    start = hook(page, "(({x, y}) => [x, y])(I.entities.get(I.shipId))")
    page.keyboard.down("w")
    page.wait_for_timeout(1100)
    page.keyboard.up("w")
    wait_hook(
        page,
        f"Math.hypot(I.entities.get(I.shipId).x - {start[0]},"
        f" I.entities.get(I.shipId).y - {start[1]}) > 20",
    )

    # Lock something else with the mouse: a ship in beam range if there is
    # one, else the nearest contact; it must be drawn on the open tactical
    # view (not under a HUD panel).
    target = page.evaluate(
        """() => {
            const I = window.infinity;
            const own = I.entities.get(I.shipId);
            const range = (e) => Math.hypot(e.x - own.x, e.y - own.y);
            const armed = (e) => e.kind === 1 && !(e.extra.docked_at >= 0) && range(e) < 1300;
            const others = [...I.entities.values()]
                .filter((e) => e.id !== I.shipId && e.kind !== 6)
                .sort((a, b) => (armed(b) - armed(a)) || (range(a) - range(b)));
            for (const e of others) {
                const at = I.screenOf(e.id);
                if (!at) continue;
                const hit = document.elementFromPoint(at.x, at.y);
                if (hit && hit.closest('#viewport')) return {id: e.id, x: at.x, y: at.y};
            }
            return null;
        }"""
    )
    assert target is not None, "some other entity is on screen"
    page.mouse.click(target["x"], target["y"])
    wait_hook(page, "I.me.target !== -1 && I.me.target !== I.shipId")
    locked = hook(page, "I.me.target")

    # Fire: either a beam comes back, or the server's refusal is shown.
    errors_before = hook(page, "I.errors.length")
    page.keyboard.press("Space")
    wait_hook(
        page,
        f"I.events.some((e) => e.t === 'beam' && e.shooter === I.shipId)"
        f" || I.errors.length > {errors_before}",
    )
    if hook(page, f"I.errors.length > {errors_before}"):
        reason = hook(page, "I.errors[I.errors.length - 1].reason")
        assert page.locator("#notices .notice.error").first.is_visible()
        assert reason.upper() in page.inner_text("#notices")
    else:
        assert hook(page, "I.events.find((e) => e.t === 'beam').target") == locked

    # Local chat: Enter focuses the line, Enter sends, the line comes back.
    line = f"hello from {name}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "chat-input"
    page.keyboard.type(line)
    page.keyboard.press("Enter")
    page.locator("#chat-log").get_by_text(line).wait_for(timeout=WAIT_MS)
    assert hook(page, f"I.chat.some((l) => l.text === {line!r})")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bridge.png"))

    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.errors == [], f"page errors: {watch.errors}"
    page.close()


def last_error(page: Page) -> Any:
    return hook(page, "I.errors[I.errors.length - 1]")


def test_pilot_trades_and_reads_the_books(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    watch = PageWatch(page)
    register_through_form(page, server)
    token = page.evaluate("() => localStorage.getItem('infinity.token')")
    auth = {"Authorization": f"Bearer {token}"}

    # A new pilot's opening grant is on the HUD, from the frame's `me`.
    wait_hook(page, "I.credits === 1000 && I.fuel !== null")
    assert hook(page, "I.me.credits") == 1000
    assert page.inner_text("#val-credits").strip() == "1,000 CR"
    assert hook(page, "I.fuel") == 100
    assert page.inner_text("#val-fuel").startswith("100")

    # Docked at the start: the station market opens by itself with the
    # station's prices and stock.
    station = hook(page, "I.me.docked_at")
    assert station >= 0, "a new ship starts docked"
    wait_hook(page, "I.panels.market && I.market !== null")
    market = httpx.get(f"{server.url}/api/market", params={"station": station}).json()
    assert hook(page, "I.market.station") == station
    assert set(hook(page, "Object.keys(I.market.prices)")) == set(market["prices"])
    ore_price = hook(page, "I.market.prices.ore")
    ore_row = "#market-panel tr[data-good='ore']"
    page.wait_for_function(
        f"() => document.querySelector(\"{ore_row} .price\").textContent.startsWith('{ore_price}')"
    )
    assert page.inner_text("#market-balance").strip() == "1,000 CR"

    # Selling ore from an empty hold: the server refuses, the notice says why.
    errors = hook(page, "I.errors.length")
    page.click(f"{ore_row} button")
    wait_hook(page, f"I.errors.length > {errors}")
    assert last_error(page)["reason"] == "not_enough"
    assert "NOT_ENOUGH" in page.inner_text("#notices")
    # A full rack: buying a torpedo is refused too (cargo_full), nothing is charged.
    errors = hook(page, "I.errors.length")
    page.fill("#market-panel tr[data-good='torpedo'] .qty", "1")
    page.click("#market-panel tr[data-good='torpedo'] button")
    wait_hook(page, f"I.errors.length > {errors}")
    assert last_error(page)["reason"] == "cargo_full"
    assert hook(page, "I.credits") == 1000

    # E folds the market and unfolds it.
    page.keyboard.press("e")
    wait_hook(page, "!I.panels.market")
    page.keyboard.press("e")
    wait_hook(page, "I.panels.market")

    # The wallet (B): the balance and the opening grant, as the API has them.
    page.keyboard.press("b")
    wait_hook(page, "I.panels.wallet && I.wallet !== null")
    books = httpx.get(f"{server.url}/api/wallet", headers=auth).json()
    assert hook(page, "I.wallet.balance") == books["balance"] == 1000
    assert page.inner_text("#wallet-balance").strip() == "1,000 CR"
    entry = page.locator("#wallet-history li.entry").last
    text = entry.inner_text()
    assert "GRANT" in text and "+1,000" in text and "OPENING GRANT" in text, text
    assert entry.get_attribute("data-id") == str(books["history"][-1]["id"])

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "economy.png"))

    # Siphoning needs a locked ship; looting needs a wreck on sensors.
    page.keyboard.press("v")
    assert "SIPHON: LOCK A SHIP FIRST" in page.inner_text("#notices")
    assert hook(page, "I.siphon") is None

    # The bounty board (K) takes the wallet's place and lists what the API lists.
    page.keyboard.press("k")
    wait_hook(page, "I.panels.bounties && !I.panels.wallet && I.bounties !== null")
    board = httpx.get(f"{server.url}/api/bounties").json()
    assert len(hook(page, "I.bounties")) == len(board["open"])
    assert page.locator("#bounty-list li").count() == max(1, len(board["open"]))
    assert page.is_disabled("#bounty-post"), "no bounty without a locked ship"

    # Lock a ship with Tab (ships in flight first, then docked ones): a second
    # new pilot docked here (new pilots' homes rotate through a few starter
    # systems) stays put, unlike NPCs that may fly out of sensor range.
    home = httpx.get(f"{server.url}/api/me", headers=auth).json()["ship"]["system"]
    for _ in range(4):
        other = server.register("mark_" + secrets.token_hex(4))
        other_auth = {"Authorization": f"Bearer {other['token']}"}
        if httpx.get(f"{server.url}/api/me", headers=other_auth).json()["ship"]["system"] == home:
            break
    else:
        pytest.fail("no second pilot in this system")
    target = other["ship"]
    wait_hook(page, f"I.entities.has({target})")
    for _ in range(25):
        if hook(page, "I.me.target") == target:
            break
        acked = hook(page, "I.me.ack")
        page.keyboard.press("Tab")
        wait_hook(page, f"I.me.ack > {acked}")
    assert hook(page, "I.me.target") == target, "Tab reached the docked ship"

    # Siphoning from a docked ship is refused by the server; the line goes away.
    errors = hook(page, "I.errors.length")
    page.keyboard.press("v")
    wait_hook(page, "I.notices.some((n) => n.text.startsWith('SIPHON ON'))")
    wait_hook(page, f"I.errors.length > {errors} && I.siphon === null")
    assert last_error(page)["reason"] == "docked"

    # A bounty bigger than the wallet: 402 no_credits, shown on the board.
    page.wait_for_function("() => !document.getElementById('bounty-post').disabled")
    page.fill("#bounty-amount", "5000")
    page.click("#bounty-post")
    page.locator("#bounty-status", has_text="NO_CREDITS").wait_for(timeout=WAIT_MS)
    assert "NO_CREDITS" in page.inner_text("#notices")
    # A small one too: a new pilot's 1,000 cr are starter credit, which pays for
    # their own needs but is never posted (nothing earned yet), so nothing moves.
    before = hook(page, "I.notices.at(-1).at")
    page.fill("#bounty-amount", "25")
    page.click("#bounty-post")
    wait_hook(page, f"I.notices.some((n) => n.at > {before} && n.text.includes('NO_CREDITS'))")
    assert "ONLY EARNED CREDITS" in page.inner_text("#bounty-status").upper()
    posted = [b for b in httpx.get(f"{server.url}/api/bounties").json()["open"]]
    assert not any(b["target_id"] == target for b in posted), posted
    assert hook(page, "I.credits") == 1000

    # Escape closes the drawer; no request left the machine, no script failed
    # (the refused POST's 402 is logged by the browser itself).
    page.keyboard.press("Escape")
    wait_hook(page, "!I.panels.bounties")
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    errors_seen = [e for e in watch.errors if "status of 402" not in e]
    assert errors_seen == [], f"page errors: {errors_seen}"
    page.close()


# -- the world model against hand-made frames ---------------------------------

# Served by Playwright itself (no server): the client's own modules plus a
# page that exposes the World class and the vendored MessagePack decoder.
HARNESS_ORIGIN = "http://127.0.0.1:9"
HARNESS = """<!doctype html><script type="importmap">
{"imports": {"@msgpack/msgpack": "/vendor/msgpack/index.mjs"}}</script>
<script type="module">
import { decode } from "@msgpack/msgpack";
import { World } from "/world.js";
const world = new World();
window.harness = {
  world,
  apply(b64) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return world.applyFrame(decode(bytes), performance.now());
  },
};
</script>"""
CONTENT_TYPES = {".js": "text/javascript", ".mjs": "text/javascript"}

# Cell keys as the server makes them (cx * 2**21 + cy, offset 2**20): above
# 2**32, so they also check that 64-bit integers survive decoding.
CELL_A = (1 << 20) * (1 << 21) + (1 << 20)  # origin (0, 0)
CELL_B = ((1 << 20) + 1) * (1 << 21) + (1 << 20)  # origin (2500, 0)


def _serve_static(route: Route) -> None:
    path = urlsplit(route.request.url).path
    if path == "/harness.html":
        route.fulfill(body=HARNESS, content_type="text/html")
        return
    file = (STATIC / path.lstrip("/")).resolve()
    if STATIC not in file.parents or not file.is_file():
        route.fulfill(status=404)
        return
    route.fulfill(body=file.read_bytes(), content_type=CONTENT_TYPES.get(file.suffix, "text/plain"))


def _moves(*records: tuple[int, float, float, float]) -> bytes:
    """Pack (id, x, y, heading) relative to the cell corner as the protocol says."""
    return b"".join(
        struct.pack("<IHHh", i, round(x * 10), round(y * 10), round(h * 1e4))
        for i, x, y, h in records
    )


def _frame(
    tick: int, cells: list[wire.Cell], view: list[int] | None = None, siphon: int = -1
) -> str:
    """A frame as the server lays it out (infinity/gateway/wire.py)."""
    me = wire.Me(0, 100, 0, 8, -1, -1, 0, 0, -1, view, 1234, 55, siphon)
    return base64.b64encode(msgspec.msgpack.encode(wire.Frame(tick, 1.0, cells, [], me))).decode()


def _cell(
    key: int,
    ox: float,
    full: bool = False,
    entered: list[wire.Entity] | None = None,
    left: list[int] | None = None,
    moves: bytes = b"",
    status: bytes = b"",
    events: list[wire.WireEvent] | None = None,
) -> wire.Cell:
    return wire.Cell(key, ox, 0.0, full, entered or [], left or [], moves, status, events or [])


def test_world_model_follows_protocol_order(browser: Browser) -> None:
    page = browser.new_page()
    page.route(f"{HARNESS_ORIGIN}/**", _serve_static)
    page.goto(f"{HARNESS_ORIGIN}/harness.html")
    page.wait_for_function("() => window.harness !== undefined")

    def apply(frame: str) -> Any:
        return page.evaluate("(b64) => window.harness.apply(b64)", frame)

    def entity(entity_id: int) -> Any:
        return page.evaluate(
            "(id) => { const e = window.harness.world.entities.get(id);"
            " return e ? {x: e.x, y: e.y, h: e.h, hull: e.hull, shield: e.shield,"
            " cell: e.cell, extra: e.extra, samples: e.samples.length} : null; }",
            entity_id,
        )

    def pose_x(entity_id: int, tick: float) -> float:
        x: float = page.evaluate(
            "([id, t]) => { const w = window.harness.world;"
            " return w.pose(w.entities.get(id), t).x; }",
            [entity_id, tick],
        )
        return x

    ship = wire.Entity(7, 1, "Pilot", 100.0, 200.0, 0.0, 100, 100, {"docked_at": -1, "owner": 3})
    station = wire.Entity(9, 4, "Port", 500.0, 500.0, 0.0, 100, 100, {})
    rock = wire.Entity(11, 3, "Rock", 3000.0, 100.0, 0.0, 100, 100, {"ore": 250})
    wreck = wire.Entity(13, 7, "Wreck of Raider", 600.0, 400.0, 0.0, 0, 0, {"ore": 12, "of": 5})
    apply(
        _frame(
            100,
            [
                _cell(CELL_A, 0.0, full=True, entered=[ship, station, wreck]),
                _cell(CELL_B, 2500.0, full=True, entered=[rock]),
            ],
            view=[CELL_A, CELL_B],
        )
    )
    assert entity(7)["cell"] == CELL_A
    assert entity(11)["extra"] == {"ore": 250}
    assert entity(13)["extra"] == {"ore": 12, "of": 5}
    me = page.evaluate("() => window.harness.world.me")
    assert (me["credits"], me["fuel"], me["torpedoes"]) == (1234, 55, 8)

    # Moves are decimetres from the cell corner; status bytes follow.
    out = apply(
        _frame(
            101,
            [
                _cell(
                    CELL_A,
                    0.0,
                    moves=_moves((7, 150.5, 200.0, 0.5)),
                    status=struct.pack("<IBB", 7, 90, 50),
                    events=[wire.BeamEvent(7, 11), wire.SiphonBrokenEvent(7, 13, "range")],
                )
            ],
            siphon=13,
        )
    )
    assert out["events"] == [
        {"t": "beam", "shooter": 7, "target": 11},
        {"t": "siphon_broken", "thief": 7, "victim": 13, "why": "range"},
    ]
    assert page.evaluate("() => window.harness.world.me.siphon") == 13
    moved = entity(7)
    assert (moved["x"], moved["y"], moved["h"], moved["hull"], moved["shield"]) == (
        150.5,
        200.0,
        0.5,
        90,
        50,
    )
    assert pose_x(7, 100.5) == pytest.approx(125.25)

    # Crossing into the next cell: left in one record, entered in the other,
    # and the motion history survives (no snap when drawing).
    crossed = wire.Entity(7, 1, "Pilot", 2500.5, 200.0, 0.5, 90, 50, {"docked_at": -1, "owner": 3})
    apply(
        _frame(
            102,
            [_cell(CELL_A, 0.0, left=[7]), _cell(CELL_B, 2500.0, entered=[crossed])],
        )
    )
    assert entity(7)["cell"] == CELL_B
    assert entity(7)["samples"] == 3

    # Unmoved ticks are holds, not a glide across the gap.
    apply(_frame(110, [_cell(CELL_B, 2500.0, moves=_moves((7, 100.0, 200.0, 0.5)))]))
    assert pose_x(7, 105) == pytest.approx(2500.5)
    assert pose_x(7, 110) == pytest.approx(2600.0)

    # A cell leaving the view takes its entities with it.
    apply(_frame(111, [], view=[CELL_B]))
    assert entity(9) is None
    assert entity(7) is not None

    # A full record replaces whatever was held for that cell.
    apply(_frame(112, [_cell(CELL_B, 2500.0, full=True, entered=[rock])]))
    assert entity(7) is None
    assert entity(11) is not None
    page.close()


# -- the crew roster ----------------------------------------------------------

NEEDS = {"credits", "safety", "company", "purpose"}
HAIL_ANSWER_MS = 20_000


def test_roster_lists_the_crews_and_a_hail_is_answered(server: Server, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    watch = PageWatch(page)
    register_through_form(page, server)
    token = page.evaluate("() => localStorage.getItem('infinity.token')")
    auth = {"Authorization": f"Bearer {token}"}

    # R opens the roster: the agents in our system, as /api/agents has them
    # (new pilots start in a starter system, where the founding crews fly).
    page.keyboard.press("r")
    wait_hook(page, "I.panels.roster && Array.isArray(I.roster) && I.roster.length > 0")
    roster = hook(page, "I.roster")
    listed = httpx.get(f"{server.url}/api/agents", headers=auth).json()["agents"]
    assert {a["id"] for a in roster} & {a["id"] for a in listed}, (roster, listed)
    for a in roster:
        assert a["persona"]["name"] == a["name"] and a["persona"]["traits"], a
        assert set(a["needs"]) == NEEDS and a["goal"], a
    agent = next(a for a in roster if a["alive"] and a["ship"] is not None)

    # The DOM shows each of them: name, persona summary, four need bars, goal.
    cards = page.locator("#roster-list li.agent")
    cards.first.wait_for(timeout=WAIT_MS)
    assert cards.count() == hook(page, "I.roster.length")
    card = page.locator(f"#roster-list li.agent[data-id='{agent['id']}']")
    text = card.inner_text()
    assert agent["name"].upper() in text and agent["ship_name"].upper() in text, text
    assert agent["persona"]["speech"]["style"].upper() in text, text
    assert "GOAL" in text and agent["goal"].upper() in text, text
    assert card.locator(".needs .lvl .bar").count() == len(NEEDS)
    assert page.is_hidden("#crew-orders"), "no orders box without a crew to captain"

    # Its file: persona in full, needs, plan, memories, and the actions.
    card.click()
    wait_hook(page, f"I.rosterDetail && I.rosterDetail.id === {agent['id']}")
    detail = page.locator("#roster-detail")
    detail.locator(".persona-grid").wait_for(timeout=WAIT_MS)
    assert page.is_hidden("#roster-list")
    file = detail.inner_text()
    assert agent["name"].upper() in file and "TRAITS" in file and "SKILLS" in file, file
    assert agent["persona"]["appearance"]["description"] in file, file
    assert "RECENT MEMORIES" in file and "GOAL" in file, file
    assert detail.locator(".persona-grid .lvl").count() == 13  # 5 traits, 5 skills, 3 values
    # RECRUIT is offered only when its ship is docked where we are docked.
    here = hook(page, "I.me.docked_at")
    offered = page.is_visible("#roster-detail button[data-act='recruit']")
    assert offered == (hook(page, "I.rosterDetail.docked_at") == here and here >= 0)

    # TARGET locks its ship when it is on our sensors.
    target = page.locator("#roster-detail button[data-act='target']")
    if target.is_enabled():
        target.click()
        wait_hook(page, f"I.me.target === {agent['ship']}")

    # HAIL starts a chat line with its name; finish it and send it.
    given = agent["persona"]["given_name"]
    page.click("#roster-detail button[data-act='hail']")
    assert page.evaluate("() => document.activeElement.id") == "chat-input"
    assert page.input_value("#chat-input") == f"{given}, "
    page.keyboard.type("who are you?")
    page.keyboard.press("Enter")
    page.locator("#chat-log .line.own", has_text=f"{given}, who are you?").wait_for(timeout=WAIT_MS)

    # The agent answers in character from its ship, marked as crew in the chat.
    ship, full_name = agent["ship"], agent["name"]
    wait_hook(
        page,
        f"I.chat.some((l) => l.ship === {ship} && l.text.includes({full_name!r}))",
        timeout=HAIL_ANSWER_MS,
    )
    answer = page.locator(f"#chat-log .line.agent[data-ship='{ship}']", has_text=full_name)
    answer.first.wait_for(timeout=WAIT_MS)
    assert answer.first.locator(".who").inner_text().endswith(agent["ship_name"])

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "roster_detail.png"))
    # Back to the list for the picture; R closes the roster.
    page.click("#roster-detail button[data-act='back']")
    cards.first.wait_for(timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "roster.png"))
    page.keyboard.press("r")
    wait_hook(page, "!I.panels.roster")

    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.errors == [], f"page errors: {watch.errors}"
    page.close()
