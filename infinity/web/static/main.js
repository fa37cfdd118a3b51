// Entry point: screens (log-in, bridge), wiring between the connection,
// the world model, the tactical view and the panels, and the pilot's
// intents (what "dock" or "jump" means with what is on screen).

import * as api from "./api.js";
import { Chat } from "./chat.js";
import { Controls } from "./controls.js";
import { RosterPanel } from "./crew.js";
import { $ } from "./dom.js";
import { BountyPanel, MarketPanel, WalletPanel } from "./economy.js";
import { GalaxyMap } from "./galaxy.js";
import { HeartRoom } from "./heartroom.js";
import { fmtCredits, fmtDistance, Hud } from "./hud.js";
import { Connection } from "./net.js";
import { TacticalView } from "./scene.js";
import { applyTheme, currentTheme } from "./theme.js";
import { PadHelm } from "./vr/input.js";
import { maybeEmulate, VrMode } from "./vr/xr.js";
import { CHAT_FIELDS, MARKER_FIELDS, named } from "./wire.js";
import { Kind, World } from "./world.js";
import { MAIN_WORLD, WorldsPanel } from "./worlds.js";
import { EnclavePanel } from "./enclave.js";

const NAME_RE = /^[A-Za-z0-9_-]{3,24}$/;
const HOOK_EVENTS = 200;
const SIPHON_RANGE = 800; // m, for the pilot to read (infinity/sim/rules.py)
const LOOT_RANGE = 300;
// What the pilot is told when the server breaks our siphon (`siphon_broken`
// events); "stopped" is our own doing (V again, or docking) and says nothing.
const SIPHON_BROKEN = new Map([
  ["range", `SIPHON BROKEN · OUT OF RANGE (${SIPHON_RANGE} m)`],
  ["docked", "SIPHON BROKEN · TARGET DOCKED"],
  ["gone", "SIPHON LOST · TARGET OFF SENSORS"],
  ["shot", "SIPHON BROKEN · THE TARGET FIRED BACK"],
]);

const world = new World();
const hud = new Hud();
// This page's own state; the world model and each panel keep theirs.
const state = {
  screen: "login",
  undocking: -Infinity, // when W last asked to undock (once; again only if still docked later)
  token: null,
  account: null,
  system: null, // {id, name}
  conn: null,
  view: null, // created on first entry to the bridge (needs a sized canvas)
  controls: null, // created with the view
  rafId: null,
  hoverId: null,
  // Commands shown as done until the server acks them (or refuses: an error).
  pendingTarget: null, // {id, seq}: a lock
  pendingSiphon: null, // {victim, seq}: a siphon started, or stopped (victim -1)
  markers: [], // subjects shared with us, as the last `markers` message said
  here: MAIN_WORLD, // the world our ship is in (1: the main world; else an instance)
  themeKey: "null", // the theme shown now, as JSON (to apply a change only once)
};
const hookEvents = [];
const hookErrors = [];
const hookNotices = []; // the server's `notice` messages, as received
const HUNT_NOTICES = new Set(["hunt", "hunted", "hunt_ended"]);
// Ships agents were seen aboard this session (ship id -> "Name, Name · crew"),
// so their lines stay marked after they leave the roster (another system).
const agentShips = new Map();

// ------------------------------------------------------------- screens --

function showScreen(name) {
  state.screen = name;
  $("login").classList.toggle("hidden", name !== "login");
  $("bridge").classList.toggle("hidden", name !== "bridge");
  document.body.dataset.screen = name;
}

function showLogin(message = "", kind = "error") {
  state.vr?.exit(); // a headset session ends with the bridge
  state.conn?.stop();
  state.conn = null;
  state.token = null;
  state.heartRoom?.setPresent(false);
  cancelAnimationFrame(state.rafId);
  state.rafId = null;
  hideModal();
  closeEconomy();
  roster.reset();
  worlds.reset();
  enclave.reset();
  showWorld(null); // the default look on the log-in screen
  agentShips.clear();
  showScreen("login");
  setLoginMessage(message, kind);
  $("login-name").focus();
}

function setLoginMessage(text, kind = "error") {
  const el = $("login-error");
  el.textContent = text;
  el.className = `login-message ${kind}`;
}

function showModal(text, buttonText, onClick) {
  $("modal-text").textContent = text;
  const button = $("modal-button");
  button.textContent = buttonText;
  button.onclick = () => {
    hideModal();
    onClick();
  };
  $("modal").classList.remove("hidden");
}

function hideModal() {
  $("modal").classList.add("hidden");
}

// --------------------------------------------------------------- login --

const UNDOCK_RETRY_MS = 2000; // W while docked asks again only if the first undock went nowhere

// A login the server answered "wrong name or password": pressing Enter again with the same
// callsign and code registers it (the server never says whether a name exists).
let registerOffer = null;

async function submitLogin(action) {
  const name = $("login-name").value.trim();
  const password = $("login-password").value;
  const offered = registerOffer;
  registerOffer = null;
  $("register-button").classList.remove("offered");
  if (action === "login" && offered && offered.name === name && offered.password === password) {
    action = "register";
  }
  if (!NAME_RE.test(name)) {
    setLoginMessage("CALLSIGN: 3–24 characters of A–Z a–z 0–9 _ -");
    return;
  }
  if (password.length < 8 || password.length > 128) {
    setLoginMessage("ACCESS CODE: 8–128 characters");
    return;
  }
  setBusy(true);
  setLoginMessage(action === "register" ? "REGISTERING…" : "AUTHENTICATING…", "info");
  try {
    const answer =
      action === "register" ? await api.register(name, password) : await api.login(name, password);
    api.saveToken(answer.token);
    $("login-password").value = "";
    setLoginMessage("");
    enterBridge(answer.token);
  } catch (err) {
    if (action === "login" && err.status === 401) {
      registerOffer = { name, password };
      $("register-button").classList.add("offered");
      setLoginMessage(
        `NO PILOT ${name.toUpperCase()} WITH THAT CODE. NEW HERE? PRESS ENTER AGAIN (OR REGISTER) ` +
          `TO REGISTER ${name.toUpperCase()}.`,
        "info",
      );
      return;
    }
    if (action === "register" && err.code === "name_taken" && offered) {
      setLoginMessage(`${name.toUpperCase()} IS TAKEN: WRONG ACCESS CODE FOR THAT CALLSIGN`);
      return;
    }
    const code = err.code ? `${String(err.code).toUpperCase()}: ` : "";
    setLoginMessage(`${code}${err.detail || err.message}`);
  } finally {
    setBusy(false);
  }
}

function setBusy(busy) {
  for (const b of document.querySelectorAll("#login-form button")) b.disabled = busy;
}

// -------------------------------------------------------------- bridge --

function ensureView() {
  if (state.view) return;
  state.view = new TacticalView($("viewport"), $("labels"), world);
  state.heartRoom = new HeartRoom(state.view.scene);
  state.controls = new Controls($("viewport"), intents);
  state.pads = new PadHelm(intents); // gamepad fallback in the flat view
  state.vr = new VrMode({
    view: state.view,
    actions: intents,
    draw,
    read: () => ({
      world,
      targetId: currentTargetId(),
      credits: hud.credits(world),
      notices: hud.notices,
      chat: chat.lines,
    }),
    button: $("vr-button"),
    lock: (id) => setTarget(id), // a ray's trigger pull, like a click
    galaxy: galaxyMap, // the map console draws the flat map's galaxy and route
  });
  xrReady.then(() => state.vr.probe());
}

// The Heart of Infinity's room is drawn while our ship is in its system. Only
// operators can be there, and only their galaxy names it (`galaxy.heart`).
function placeHeart(systemId) {
  galaxyMap.load().then(() => {
    const here = galaxyMap.galaxy?.heart === systemId && state.system?.id === systemId;
    state.heartRoom?.setPresent(Boolean(here), state.token);
  });
}

function enterBridge(sessionToken) {
  state.token = sessionToken;
  showScreen("bridge");
  ensureView();
  state.view.resize();
  hud.setLink("connecting");
  state.conn?.stop();
  state.conn = new Connection(state.token, {
    onWelcome,
    onFrame,
    onSystem,
    onSeat,
    onServerError,
    onNotice,
    onMarkers,
    onStatus: (status) => hud.setLink(status),
    onUnauthorized: () => {
      api.saveToken(null);
      showLogin("SESSION EXPIRED OR REVOKED — PLEASE LOG IN AGAIN");
    },
    onReplaced: () =>
      showModal(
        "THIS SESSION WAS TAKEN OVER BY ANOTHER CONNECTION (ANOTHER TAB OR DEVICE).",
        "RESUME COMMAND HERE",
        () => enterBridge(state.token),
      ),
    onFatal: (text) => showModal(text.toUpperCase(), "RELOAD", () => location.reload()),
  });
  state.conn.start();
  if (state.rafId === null) state.rafId = requestAnimationFrame(loop);
}

function resetWorld() {
  world.clear();
  state.view?.reset();
  state.pendingTarget = null;
  state.pendingSiphon = null;
}

function onWelcome(msg) {
  resetWorld();
  state.account = msg.account;
  state.system = msg.system;
  world.shipId = msg.ship;
  world.system = msg.system;
  state.view.shipId = msg.ship;
  hud.setSystem(msg.system.name);
  hud.setPilot(msg.account?.name);
  chat.ownShip = msg.ship;
  chat.reset((msg.chat || []).map((line) => named(line, CHAT_FIELDS)));
  roster.refresh(); // who is who in the recent chat, and the roster if open
  galaxyMap.setCurrent(msg.system.id);
  placeHeart(msg.system.id);
  checkWorld(); // a reload or reconnect may find the ship in an instance
  // After a drop the server may still hold engine levels the pilot has
  // since let go of (or vice versa): restate the helm if it was in use.
  state.controls?.resyncHelm();
  firstFlight();
}

/** Once per browser: what to do first, and where the nearest belt is. */
function firstFlight() {
  if (localStorage.getItem("infinity.firstFlight")) return;
  localStorage.setItem("infinity.firstFlight", "1");
  const here = galaxyMap.system(state.system?.id);
  const belt = here?.belts?.[0];
  const where = belt ? `${belt.name.toUpperCase()} IS ON SENSORS` : "FIND A BELT ON SENSORS";
  hud.notice(
    `FIRST FLIGHT: W UNDOCKS · ${where} · M MINES IN RANGE · F DOCKS · U SELLS ORE · H HELP`,
    "info",
  );
}

function onFrame(frame) {
  const now = performance.now();
  const { events, chat: lines } = world.applyFrame(frame, now);
  if (events.length) {
    state.view.addEvents(events, now);
    for (const ev of events) {
      hookEvents.push({ tick: world.tick, ...ev });
      describeEvent(ev);
    }
    if (hookEvents.length > HOOK_EVENTS) hookEvents.splice(0, hookEvents.length - HOOK_EVENTS);
  }
  if (lines.length) {
    chat.add(lines);
    // A ship we cannot place spoke (a crew we have not listed yet?): ask.
    if (lines.some(({ ship }) => chat.kindOf(ship) === "" || chat.kindOf(ship) === "npc"))
      roster.refreshQuietly();
  }
  const ack = world.me ? world.me.ack : -1;
  if (state.pendingTarget && ack >= state.pendingTarget.seq) state.pendingTarget = null;
  if (state.pendingSiphon && ack >= state.pendingSiphon.seq) state.pendingSiphon = null;
}

// Only events about us become notices; everything else is shown in 3D.
function describeEvent(ev) {
  const me = world.shipId;
  const name = (id) => world.entities.get(id)?.name ?? `#${id}`;
  if (ev.t === "dock" && ev.ship === me) hud.notice(`DOCKED AT ${name(ev.station).toUpperCase()}`);
  else if (ev.t === "undock" && ev.ship === me) hud.notice("UNDOCKED · HELM IS YOURS");
  else if (ev.t === "boom" && ev.ship === me)
    hud.notice("SHIP DESTROYED · RESPAWNING AT HOME", "error");
  else if (ev.t === "boom" && ev.ship === currentTargetId())
    hud.notice(`${name(ev.ship).toUpperCase()} DESTROYED`);
  else if (ev.t === "torpedo_hit" && ev.target === me) hud.notice("TORPEDO IMPACT", "error");
  else if (ev.t === "siphon_broken" && ev.thief === me && SIPHON_BROKEN.has(ev.why))
    hud.notice(SIPHON_BROKEN.get(ev.why), "error");
}

// ------------------------------------------------------------- economy --

/** The ship we siphon, or -1: the server's word (`me.siphon`) unless we just asked. */
function currentSiphonId() {
  if (state.pendingSiphon) return state.pendingSiphon.victim;
  return world.me?.siphon ?? -1;
}

function onNotice(msg) {
  const text = String(msg.text ?? "");
  hookNotices.push(msg);
  if (hookNotices.length > 50) hookNotices.shift();
  hud.setNoticeCredits(msg.credits);
  const balance = typeof msg.credits === "number" ? ` · BALANCE ${fmtCredits(msg.credits)}` : "";
  hud.notice(`${text.toUpperCase()}${balance}`, HUNT_NOTICES.has(msg.kind) ? "hunt" : "credit");
  market.onNotice();
  wallet.onNotice();
  bounties.onNotice(msg.kind);
}

/** Where the subjects shared with us are (once a second): the map, the HUD, the labels. */
function onMarkers(msg) {
  state.markers = (msg.markers || []).map((record) => named(record, MARKER_FIELDS));
  showMarkers();
}

function showMarkers() {
  const here = state.system?.id ?? null;
  const own = world.entities.get(world.shipId) ?? null;
  galaxyMap.setMarkers(state.markers);
  hud.setHunted(state.markers, here, own);
  if (state.view)
    state.view.huntedShips = new Set(state.markers.filter((m) => m.system === here).map((m) => m.ship));
}

function closeEconomy() {
  market.reset();
  wallet.reset();
  bounties.reset();
}

/** A bridge post on a flagship (its frames and the post's orders), or back to our own ship. */
function onSeat(msg) {
  world.shipId = msg.ship;
  state.view.shipId = msg.ship;
  state.post = msg.post;
  hud.notice(
    msg.post
      ? `ON THE BRIDGE · ${msg.post.toUpperCase()} · ${(msg.commands ?? ["every order"]).join(" ").toUpperCase()}`
      : "BACK ABOARD YOUR OWN SHIP",
    "info",
  );
}

function onSystem(msg) {
  resetWorld();
  const system = msg.system;
  state.system = system;
  world.system = system;
  hud.setSystem(system.name);
  galaxyMap.setCurrent(system.id);
  placeHeart(system.id);
  // Keep the conversation so far; mark where the local channel changed.
  chat.system(`— NOW ON ${system.name.toUpperCase()} LOCAL CHANNEL —`);
  hud.notice(`ARRIVED IN ${system.name.toUpperCase()}`);
  roster.refresh(); // a new system, other crews
  checkWorld(); // travel (or a closed instance sending us home) arrives as a new system
}

// ------------------------------------------------------------- worlds --

/** Ask the server which world our ship is in; showWorld follows its answer. */
function checkWorld() {
  return worlds.refresh();
}

/**
 * The world our ship is in, from an /api/worlds answer (null: logged out):
 * an instance shows its template's theme and galaxy, the main world our own.
 */
function showWorld(data) {
  const here = data?.here ?? MAIN_WORLD;
  const entry = data?.worlds.find((w) => w.id === here) ?? null;
  const theme = here !== MAIN_WORLD ? (entry?.theme ?? null) : null;
  const key = JSON.stringify(theme);
  if (key !== state.themeKey) {
    state.themeKey = key;
    applyTheme(theme, state.view);
  }
  state.here = here;
  $("hud-world").textContent =
    here === MAIN_WORLD ? "MAIN" : (entry?.name ?? `WORLD ${here}`).toUpperCase();
  document.body.dataset.world = here === MAIN_WORLD ? "main" : "instance";
  if (data) {
    galaxyMap.setWorld(here).then(() => {
      if (state.system) placeHeart(state.system.id);
    });
  }
}

function onServerError(msg) {
  hookErrors.push(msg);
  if (hookErrors.length > 50) hookErrors.shift();
  const reason = String(msg.reason ?? "error").toUpperCase();
  hud.notice(`${reason}${msg.detail ? `: ${msg.detail}` : ""}`, "error");
  if (state.pendingTarget && msg.seq === state.pendingTarget.seq) state.pendingTarget = null;
  if (state.pendingSiphon && msg.seq === state.pendingSiphon.seq) state.pendingSiphon = null;
}

function loop(now) {
  state.rafId = requestAnimationFrame(loop);
  // In a headset the XR session paces the frames (vr/xr.js calls draw).
  if (state.vr?.presenting) return;
  if (state.screen === "bridge" && navigator.getGamepads) state.pads?.pollPads(navigator.getGamepads());
  draw(now);
}

/** One display frame of the bridge: the view, the HUD and the panels. */
function draw(now) {
  const view = state.view;
  if (state.screen !== "bridge" || !view) return;
  view.targetId = currentTargetId();
  view.hoverId = state.hoverId;
  const siphonId = currentSiphonId();
  view.siphonId = siphonId >= 0 ? siphonId : null;
  view.render(now);
  hud.update(world, view.targetId, ownSpeed(), siphonId);
  market.sync(world);
  wallet.sync();
  bounties.sync();
  roster.syncActions();
  updateBracket();
}

// The lock bracket is DOM (crisp at any zoom) following the target's pose.
function updateBracket() {
  const view = state.view;
  const el = $("target-bracket");
  const p = view.poses.get(view.targetId);
  const s = p && view.project(p.x, p.y);
  if (!s) {
    el.classList.add("hidden");
    return;
  }
  el.classList.remove("hidden");
  // Off screen, the bracket waits at the edge and points the way.
  const margin = 34;
  const x = Math.min(Math.max(s.x, margin), view.width - margin);
  const y = Math.min(Math.max(s.y, margin), view.height - margin);
  const off = x !== s.x || y !== s.y;
  el.classList.toggle("offscreen", off);
  const turn = off ? Math.atan2(s.y - y, s.x - x) : 0;
  el.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px) rotate(${turn}rad)`;
}

function currentTargetId() {
  if (state.pendingTarget) return state.pendingTarget.id;
  return world.me ? world.me.target : -1;
}

function ownSpeed() {
  const ship = world.ship;
  if (!ship || ship.extra.docked_at >= 0) return ship ? 0 : null;
  const s = ship.samples;
  if (s.length < 2) return 0;
  const a = s[s.length - 2];
  const b = s[s.length - 1];
  if (world.tick - b.t > 1) return 0; // no move since: standing still
  // One tick is 1/20 s of simulated time; speeds are in simulated m/s.
  const seconds = (b.t - a.t) / 20;
  return seconds > 0 ? Math.hypot(b.x - a.x, b.y - a.y) / seconds : 0;
}

// ------------------------------------------------------------- intents --

function send(type, fields) {
  const seq = state.conn?.send(type, fields) ?? null;
  if (seq === null) hud.notice("NO LINK TO SERVER", "error");
  return seq;
}

function ownPos() {
  const ship = world.ship;
  return ship ? { x: ship.x, y: ship.y } : null;
}

/** The entity of `kind` the pilot most likely means: locked, hovered, else nearest. */
function intended(kind) {
  for (const id of [currentTargetId(), state.hoverId]) {
    const e = id === null ? null : world.entities.get(id);
    if (e && e.kind === kind) return e;
  }
  const here = ownPos();
  if (!here) return null;
  return world.nearest(here.x, here.y, kind)[0]?.entity ?? null;
}

function setTarget(id) {
  const seq = send("target", { target: id });
  if (seq !== null) state.pendingTarget = { id: id ?? -1, seq };
}

const intents = {
  enabled: () => state.screen === "bridge" && $("modal").classList.contains("hidden"),
  helm(throttle, turn) {
    state.view.moveTarget = null; // thrust cancels move-to on the server too
    if (world.me && world.me.docked_at >= 0) {
      // Docked: ahead means "take me out", once; nothing else can thrust at a berth.
      const now = performance.now();
      if (throttle > 0 && now - state.undocking > UNDOCK_RETRY_MS) {
        state.undocking = now;
        send("undock");
        hud.notice("UNDOCKING (W OR F) · PRESS W AGAIN TO FLY", "info");
      }
      return;
    }
    state.undocking = -Infinity;
    send("thrust", { throttle, turn });
  },
  stop() {
    state.view.moveTarget = null;
    send("stop");
  },
  fire: () => send("fire"),
  torpedo: () => send("torpedo"),
  dock() {
    if (world.me && world.me.docked_at >= 0) {
      send("undock");
      return;
    }
    const station = intended(Kind.STATION);
    if (!station) hud.notice("NO STATION ON SENSORS", "error");
    else send("dock", { station: station.id });
  },
  mine() {
    // Nil lets the server pick the nearest asteroid in range, which is
    // exactly "mine nearest"; an explicit lock or hover wins over that.
    const locked = [currentTargetId(), state.hoverId]
      .map((id) => world.entities.get(id))
      .find((e) => e && e.kind === Kind.ASTEROID);
    send("mine", { asteroid: locked ? locked.id : null });
  },
  unload: () => send("unload"),
  jump() {
    const gate = intended(Kind.GATE);
    if (!gate) hud.notice("NO GATE ON SENSORS", "error");
    else send("jump", { gate: gate.id });
  },
  galaxy: () => galaxyMap.toggle(),
  chat: () => chat.focus(),
  help: () => $("help-panel").classList.toggle("collapsed"),
  cycleTarget() {
    const here = ownPos();
    if (!here) return;
    // Ships in flight first (docked ones cannot be attacked, but can be
    // inspected or have a bounty put on them), else anything.
    const flying = (e) => e.id !== world.shipId && !(e.extra.docked_at >= 0);
    const docked = (e) => e.id !== world.shipId && e.extra.docked_at >= 0;
    const other = (e) => e.id !== world.shipId && e.kind !== Kind.STAR;
    let list = [
      ...world.nearest(here.x, here.y, Kind.SHIP, flying),
      ...world.nearest(here.x, here.y, Kind.SHIP, docked),
    ];
    if (!list.length) list = world.nearest(here.x, here.y, null, other);
    if (!list.length) return;
    const ids = list.map((x) => x.entity.id);
    const next = ids[(ids.indexOf(currentTargetId()) + 1) % ids.length];
    setTarget(next);
  },
  escape() {
    if (galaxyMap.open) galaxyMap.hide();
    else if (wallet.open) wallet.show(false);
    else if (bounties.open) bounties.show(false);
    else if (roster.open) roster.show(false);
    else if (worlds.open) worlds.show(false);
    else if (enclave.open) enclave.show(false);
    else if (currentTargetId() >= 0) setTarget(null);
  },
  siphon() {
    if (currentSiphonId() >= 0) {
      // Pressing again stops it; the server forgets it as soon as it reads this.
      const seq = send("siphon", { target: null });
      if (seq !== null) state.pendingSiphon = { victim: -1, seq };
      hud.notice("SIPHON DISENGAGED", "error");
      return;
    }
    const t = world.entities.get(currentTargetId());
    if (!t || t.kind !== Kind.SHIP || t.id === world.shipId) {
      hud.notice("SIPHON: LOCK A SHIP FIRST (CLICK OR TAB)", "error");
      return;
    }
    const seq = send("siphon", { target: t.id });
    if (seq === null) return;
    state.pendingSiphon = { victim: t.id, seq };
    const d = ownPos() ? Math.hypot(t.x - world.ship.x, t.y - world.ship.y) : 0;
    const who = (t.name || `#${t.id}`).toUpperCase();
    hud.notice(`SIPHON ON ${who} · ${fmtDistance(d)} · HOLD WITHIN ${SIPHON_RANGE} m`);
  },
  loot() {
    const here = ownPos();
    if (!here) return;
    const chosen = [currentTargetId(), state.hoverId]
      .map((id) => world.entities.get(id))
      .find((e) => e && e.kind === Kind.WRECK);
    const wreck = chosen ?? world.nearest(here.x, here.y, Kind.WRECK)[0]?.entity;
    if (!wreck) {
      hud.notice("NO WRECK ON SENSORS", "error");
      return;
    }
    const d = Math.hypot(wreck.x - here.x, wreck.y - here.y);
    // The nearest wreck far away: say so rather than ask the server in vain.
    if (!chosen && d > LOOT_RANGE * 1.05) {
      hud.notice(`NEAREST WRECK ${fmtDistance(d)} AWAY · LOOT WITHIN ${LOOT_RANGE} m`, "error");
      return;
    }
    send("loot", { wreck: wreck.id });
  },
  market: () => market.toggle(),
  // Wallet, bounty board, roster and worlds share the right-hand drawer.
  wallet() {
    bounties.show(false);
    roster.show(false);
    worlds.show(false);
    enclave.show(false);
    wallet.toggle();
  },
  bounties() {
    wallet.show(false);
    roster.show(false);
    worlds.show(false);
    enclave.show(false);
    bounties.toggle();
  },
  roster() {
    wallet.show(false);
    bounties.show(false);
    worlds.show(false);
    enclave.show(false);
    roster.toggle();
  },
  worlds() {
    wallet.show(false);
    bounties.show(false);
    roster.show(false);
    enclave.show(false);
    worlds.toggle();
  },
  enclave() {
    wallet.show(false);
    bounties.show(false);
    roster.show(false);
    worlds.show(false);
    enclave.toggle();
  },
  zoomIn: () => state.view.zoomBy(-2),
  zoomOut: () => state.view.zoomBy(2),
  zoom: (steps) => state.view.zoomBy(steps),
  hover(x, y) {
    const e = x === null ? null : state.view.pick(x, y);
    state.hoverId = e ? e.id : null;
    $("viewport").classList.toggle("over-entity", Boolean(e));
  },
  click(x, y) {
    const e = state.view.pick(x, y);
    if (e) setTarget(e.id);
  },
  rightClick(x, y) {
    const e = state.view.pick(x, y);
    // Right-click on a station, gate or rock: fly to it (then F, J or M).
    const p =
      e && e.kind !== Kind.SHIP && e.kind !== Kind.TORPEDO
        ? { x: e.x, y: e.y }
        : state.view.groundPoint(x, y);
    if (!p) return;
    const clamp = (v) => Math.max(-1e6, Math.min(1e6, v));
    const target = { x: clamp(Math.round(p.x)), y: clamp(Math.round(p.y)) };
    if (send("move_to", target) !== null) state.view.moveTarget = target;
  },
};

// --------------------------------------------------------------- setup --

const chat = new Chat(
  $("chat-log"),
  $("chat-form"),
  $("chat-input"),
  (text) => {
    const seq = send("say", { text });
    return seq !== null;
  },
  speaker,
);

/** Who speaks from a ship: a crew agent, an NPC ship, a player, or unknown. */
function speaker(ship, text, sentHere) {
  if (ship === world.shipId) {
    // Our recruits speak through our ship: a line we did not send, or signed "Name: ".
    const crew = roster.aboard(ship);
    const signed = crew.find((a) => text.startsWith(`${a.persona?.given_name}:`));
    const who = signed ?? (!sentHere && crew.length ? crew[0] : null);
    if (!who) return { kind: "own" };
    const by = who.persona?.given_name ?? who.name;
    return { kind: "agent", title: `your crew · ${who.name}`, by };
  }
  if (agentShips.has(ship)) return { kind: "agent", title: agentShips.get(ship) };
  const e = world.entities.get(ship);
  if (e && e.kind === Kind.SHIP) {
    const owned = e.extra.owner != null;
    return owned ? { kind: "player", title: "pilot" } : { kind: "npc", title: "npc" };
  }
  return { kind: "" };
}

// A click on an agent's name in chat opens its file in the roster.
$("chat-log").addEventListener("click", (event) => {
  const row = event.target.closest(".line.agent");
  if (!row || !event.target.closest(".who, .text")) return;
  const ship = Number(row.dataset.ship);
  const aboard = roster.aboard(ship);
  if (!aboard.length) return;
  // "Dihas: ..." on a crowded ship names the speaker; else its captain, else the first.
  const text = row.querySelector(".text")?.textContent ?? "";
  const who =
    aboard.find((a) => text.startsWith(`${a.persona?.given_name}:`)) ??
    aboard.find((a) => a.captain) ??
    aboard[0];
  wallet.show(false);
  bounties.show(false);
  worlds.show(false);
  roster.select(who.id);
});

const galaxyMap = new GalaxyMap(
  $("galaxy-panel"),
  $("galaxy-canvas"),
  $("galaxy-info"),
  (route) => {
    markRouteGate(route);
    updateRouteHud(route);
  },
);

// Point out the gate to take in this system, if it is on sensors.
function markRouteGate(route) {
  if (!state.view) return;
  let gateId = null;
  for (const e of world.entities.values()) {
    if (route.length > 1 && e.kind === Kind.GATE && e.extra.leads_to === route[1]) gateId = e.id;
  }
  state.view.routeGateId = gateId;
}

const market = new MarketPanel({
  send,
  world,
  notice: (text, kind) => hud.notice(text, kind),
  credits: () => hud.credits(world),
});
const wallet = new WalletPanel({
  token: () => state.token,
  notice: (text, kind) => hud.notice(text, kind),
  credits: () => hud.credits(world),
});
const bounties = new BountyPanel({
  token: () => state.token,
  account: () => state.account,
  world,
  targetId: () => currentTargetId(),
  lock: (id) => setTarget(id),
  notice: (text, kind) => hud.notice(text, kind),
});

const roster = new RosterPanel({
  token: () => state.token,
  world,
  notice: (text, kind) => hud.notice(text, kind),
  lock: (id) => setTarget(id),
  hail: (text) => chat.prefill(text),
  onRoster(agents) {
    const ships = new Map();
    for (const a of agents) {
      if (a.ship === null || a.ship === undefined || !a.alive) continue;
      ships.set(a.ship, [...(ships.get(a.ship) ?? []), a]);
    }
    for (const [ship, aboard] of ships) {
      const names = aboard.map((a) => a.name).join(", ");
      const crew = aboard[0].crew_name ? ` · ${aboard[0].crew_name}` : "";
      agentShips.set(ship, `crew · ${names}${crew}`);
    }
    agentShips.delete(world.shipId); // our own recruits speak through their own lines
    const crewed = new Set(agentShips.keys());
    if (state.view) state.view.agentShips = crewed;
    hud.agentShips = crewed;
    chat.restyle();
  },
});

const worlds = new WorldsPanel({
  token: () => state.token,
  account: () => state.account?.name ?? null,
  notice: (text, kind) => hud.notice(text, kind),
  onWorlds: showWorld,
});

const enclave = new EnclavePanel({
  token: () => state.token,
  notice: (text, kind) => hud.notice(text, kind),
});

function updateRouteHud(route) {
  const el = $("hud-route");
  if (route.length < 2) {
    el.textContent = "";
    el.classList.add("hidden");
    return;
  }
  const next = galaxyMap.system(route[1]);
  const dest = galaxyMap.system(route[route.length - 1]);
  el.textContent = `COURSE ▸ ${dest?.name.toUpperCase()} · ${route.length - 1} JUMP${
    route.length === 2 ? "" : "S"
  } · NEXT: GATE TO ${next?.name.toUpperCase()}`;
  el.classList.remove("hidden");
}

// Gates come into sensor range after the route was plotted: re-resolve.
setInterval(() => {
  if (galaxyMap.route.length > 1) markRouteGate(galaxyMap.route);
}, 500);

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  submitLogin(event.submitter?.value === "register" ? "register" : "login");
});
$("galaxy-close").addEventListener("click", () => galaxyMap.hide());
$("worlds-button").addEventListener("click", () => intents.worlds());
$("enclave-button").addEventListener("click", () => intents.enclave());
$("logout").addEventListener("click", async (event) => {
  event.currentTarget.blur();
  const old = state.token;
  api.saveToken(null);
  showLogin("LOGGED OUT", "info");
  if (old) api.logout(old).catch(() => {});
});
// Buttons keep focus after a click, and Space would then press them again
// (delegated: the economy panels add buttons as they go).
$("bridge").addEventListener("mouseup", (event) => {
  const b = event.target.closest?.("button");
  if (b) b.blur();
});

// The test hook: read-only views of what the client holds and draws, each read afresh.
const views = {
  state: () => state.screen,
  connected: () => Boolean(state.conn && state.conn.connected),
  shipId: () => world.shipId,
  entities: () => world.entities,
  lastFrameTick: () => world.tick,
  me: () => world.me,
  system: () => state.system,
  heartRoom: () =>
    state.heartRoom
      ? { present: state.heartRoom.present, frames: state.heartRoom.frames, readings: state.heartRoom.readings() }
      : null,
  account: () => state.account,
  targetId: () => currentTargetId(),
  render: () => {
    const info = state.view?.info;
    return info
      ? { calls: info.render.calls, triangles: info.render.triangles, frame: info.render.frame }
      : null;
  },
  canvas: () => state.view?.renderer.domElement ?? null,
  notices: () => hud.notices,
  /** The wallet balance the HUD shows (frame, else last notice), or null. */
  credits: () => hud.credits(world),
  fuel: () => world.me?.fuel ?? null,
  /** The ship we are siphoning (drawn as a pulsing line), or null. */
  siphon: () => {
    const id = currentSiphonId();
    return id >= 0 ? id : null;
  },
  panels: () => ({
    market: market.open,
    wallet: wallet.open,
    bounties: bounties.open,
    roster: roster.open,
    worlds: worlds.open,
    enclave: enclave.open,
  }),
  /** The last /api/agents list (agents in this system and your crew), or null. */
  roster: () => roster.agents,
  /** The agent file open in the roster (/api/agents/{id}), or null. */
  rosterDetail: () => (roster.selected === null ? null : roster.detail),
  /** The last crew order's answer {order, answers: [{agent, name, obeys, reason}]} or {error}. */
  crewOrders: () => roster.lastOrder,
  market: () => market.data,
  wallet: () => wallet.data,
  bounties: () => (bounties.loaded ? bounties.open_ : null),
  galaxy: () => galaxyMap,
  chat: () => chat.lines,
  view: () => state.view,
  /** Immersive mode: {supported, presenting, sessions, frames, panels, commands}, or null. */
  vr: () => state.vr?.hook() ?? null,
  /** What the flat view's gamepad asked for (intent names, newest last), or null. */
  pads: () => (state.pads ? [...state.pads.commands] : null),
  /** The subjects shared with us: [{share, ship, name, system, system_name, x, y}]. */
  markers: () => state.markers,
  /** The last /api/worlds answer {worlds, here} (the worlds panel's), or null. */
  worlds: () => worlds.data,
  /** The world our ship is in (1: the main world). */
  here: () => state.here,
  /** The world theme shown now ({palette, font, hud_labels, ship_style}), or null. */
  theme: () => currentTheme(),
  /** The hunted band's lines, as shown. */
  hunted: () => [...$("hunted").children].map((line) => line.textContent),
};
window.infinity = {
  serverNotices: hookNotices,
  /** Where an entity is drawn, in CSS px of the page, or null. */
  screenOf(id) {
    const view = state.view;
    const p = view?.poses.get(id);
    const s = p && view.project(p.x, p.y);
    if (!s) return null;
    const rect = $("viewport").getBoundingClientRect();
    return { x: rect.left + s.x, y: rect.top + s.y };
  },
  events: hookEvents,
  errors: hookErrors,
  world,
};
for (const [name, get] of Object.entries(views)) {
  Object.defineProperty(window.infinity, name, { get, enumerable: true, configurable: true });
}

// `?xr-emulate=1` (tests): an emulated headset before anyone asks navigator.xr.
const xrReady = maybeEmulate().catch((err) => console.warn("xr emulation failed", err));

const saved = api.savedToken();
if (saved) enterBridge(saved);
else showLogin("");
