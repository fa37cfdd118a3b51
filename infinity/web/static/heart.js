// The Heart of Infinity: the operators' console (docs/protocol.md, "The Heart").
//
// It holds no data of its own: it opens /heart/live with the session token
// (the same one the bridge keeps), and the server refuses anyone but an
// operator (close 4403). Each frame is a MessagePack snapshot; the first brings
// 30 minutes of chart points, later ones only the new points, which are
// appended here and drawn with the vendored uPlot.

import { decode, encode } from "/vendor/msgpack/index.mjs";
import uPlot from "/vendor/uplot/uPlot.esm.js";
import { login, saveToken, savedToken } from "/api.js";

const PROTOCOL_VERSION = 1;
const CLOSE = { UNAUTHORIZED: 4001, FORBIDDEN: 4403 };
const WINDOW_SECONDS = 30 * 60;
const RETRY_MS = 2000;

// One chart per figure: which series of the snapshot it draws, and how.
const CHARTS = [
  { title: "TICK TIME (MS)", series: [["tick_p50_ms", "p50", "#5ee7ff"], ["tick_p99_ms", "p99", "#ffb347"]] },
  { title: "DILATION (SLOWEST ZONE)", series: [["dilation", "dilation", "#8dff9e"]] },
  { title: "SESSIONS", series: [["sessions", "sessions", "#c792ff"]] },
  { title: "THEFTS PER SECOND", series: [["thefts", "thefts", "#ff5a5a"]] },
  { title: "CREDITS HELD", series: [["credits", "credits", "#ffd36b"]] },
];

const $ = (id) => document.getElementById(id);
const state = { ws: null, frames: 0, series: null, charts: [], minds: [], last: null, acts: [], answer: null, zones: "" };

// What the browser test reads (like `window.infinity` on the bridge).
window.heart = {
  frames: () => state.frames,
  points: () => (state.series ? state.series.t.length : 0),
  last: () => state.last,
  shownMinds: () => [...$("minds").rows].map((row) => row.cells[0].textContent),
  // What the charts hold: each uPlot's newest x (time) and its number of points.
  charts: () => state.charts.map(({ plot }) => [plot.data[0].at(-1), plot.data[0].length]),
  // The hidden ships listed (ship id, name), and the audit entries the acts wrote, newest first.
  shownHidden: () => [...$("hidden-ships").rows].map((row) => [row.cells[0].textContent, row.cells[1].textContent]),
  acts: () => state.acts,
  answer: () => state.answer,
};

function setState(name, status) {
  document.body.dataset.state = name;
  $("heart-status").textContent = status;
}

function connect() {
  const token = savedToken();
  if (!token) {
    setState("login", "IDENTIFY");
    return;
  }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/heart/live`);
  ws.binaryType = "arraybuffer";
  state.ws = ws;
  ws.onopen = () => ws.send(encode({ t: "hello", v: PROTOCOL_VERSION, token }));
  ws.onmessage = (event) => show(decode(new Uint8Array(event.data)));
  ws.onclose = (event) => closed(event);
}

function closed(event) {
  state.ws = null;
  if (event.code === CLOSE.FORBIDDEN) {
    setState("refused", "REFUSED");
    $("heart-gate-why").textContent = "Refused: the Heart is open to operators only.";
    return;
  }
  if (event.code === CLOSE.UNAUTHORIZED) {
    saveToken(null);
    setState("login", "IDENTIFY");
    $("heart-gate-why").textContent = "Your session has ended. Identify yourself.";
    return;
  }
  setState("connecting", "RECONNECTING…");
  setTimeout(connect, RETRY_MS);
}

function show(snapshot) {
  state.frames += 1;
  state.last = snapshot;
  setState("live", "LIVE");
  $("heart-clock").textContent = new Date(snapshot.at * 1000).toISOString().slice(11, 19) + " UTC";
  showFigures(snapshot);
  showZones(snapshot.zones);
  showAudit(snapshot.audit.tail);
  showWorlds(snapshot.worlds);
  state.minds = snapshot.minds;
  showMinds();
  showHidden(snapshot.hidden ?? [], snapshot.zones);
  showSystems(snapshot.zones);
  appendSeries(snapshot.series);
  drawCharts();
}

// -- figures and tables -----------------------------------------------------------

function showFigures({ sessions, credits, audit }) {
  $("fig-sessions").textContent = sessions;
  $("fig-minted").textContent = credits.minted.toLocaleString("en");
  $("fig-burnt").textContent = credits.burnt.toLocaleString("en");
  $("fig-held").textContent = credits.held.toLocaleString("en");
  const books = $("fig-books");
  books.textContent = credits.books_ok === null ? "NOT YET AUDITED" : credits.books_ok ? "BALANCED" : "PROBLEMS";
  books.className = credits.books_ok === false ? "bad" : "ok";
  books.title = credits.books_problems.join("\n");
  $("fig-chain").textContent = `${audit.length} · ${audit.head.slice(0, 12)}`;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const [text, cls] of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.append(td);
  }
  return tr;
}

function showZones(zones) {
  $("zones").replaceChildren(
    ...zones.map((z) =>
      row([
        [z.name],
        [z.tick_p50_ms.toFixed(2), "num"],
        [z.tick_p99_ms.toFixed(2), "num"],
        [z.dilation.toFixed(2), z.dilation < 0.999 ? "num bad" : "num"],
        [z.ships, "num"],
        [z.players, "num"],
        [z.agents, "num"],
      ]),
    ),
  );
}

function showAudit(tail) {
  $("audit").replaceChildren(
    ...[...tail].reverse().map((e) =>
      row([
        [e.seq, "num"],
        [new Date(e.at * 1000).toISOString().slice(11, 19)],
        [`${e.actor_name} (${e.role})`],
        [e.verb],
        [e.target],
        [e.result, e.result === "done" ? "ok" : "bad"],
        [e.hash.slice(0, 10)],
      ]),
    ),
  );
}

function showWorlds(worlds) {
  $("worlds-count").textContent = `${worlds.length}`;
  $("worlds").replaceChildren(
    ...worlds.map((w) => {
      const li = document.createElement("li");
      const who = w.owner ? ` · owner ${w.owner}` : "";
      const members = w.members?.length ? ` · members ${w.members.join(", ")}` : "";
      const rules = w.rules
        ? ` · damage ×${w.rules.damage} mining ×${w.rules.mining}${w.rules.economy ? "" : " · no economy"}`
        : "";
      li.textContent =
        `#${w.id} ${w.name} (${w.kind}, ${w.template}, ${w.visibility}) · ${w.zones.length} zones` +
        ` · ${w.ships} ships, ${w.players} players${who}${members}${rules}`;
      return li;
    }),
  );
}

function showMinds() {
  const query = $("minds-search").value.trim().toLowerCase();
  const shown = state.minds.filter(
    (m) => !query || `${m.name} ${m.crew} ${m.system_name} ${m.enclave || ""}`.toLowerCase().includes(query),
  );
  $("minds-count").textContent = `${shown.length}/${state.minds.length}`;
  $("minds").replaceChildren(
    ...shown.map((m) =>
      row([
        [m.name],
        m.in_transit
          ? ["IN TRANSIT", "warn"]
          : [m.alive ? "ALIVE" : `DEAD: ${m.death}`, m.alive ? "ok" : "dead"],
        [m.crew || "–"],
        [m.ship ?? "–", "num"],
        [m.system_name || "–"],
        [m.enclave ? `${m.world} · enclave of ${m.enclave}` : m.world, "num"],
      ]),
    ),
  );
}

function showHidden(hidden, zones) {
  const names = new Map(zones.map((z) => [z.id, z.name]));
  $("hidden-count").textContent = `${hidden.length}`;
  $("hidden-ships").replaceChildren(
    ...hidden.map((h) =>
      row([[h.ship, "num"], [h.name || "–"], [h.system === null ? "–" : names.get(h.system) ?? `#${h.system}`]]),
    ),
  );
}

// The drop-in's choice of systems, rebuilt only when the zones change (keeping the choice).
function showSystems(zones) {
  const key = zones.map((z) => z.id).join(",");
  if (key === state.zones) return;
  state.zones = key;
  const select = $("act-system");
  const chosen = select.value;
  select.replaceChildren(
    ...zones.map((z) => {
      const option = document.createElement("option");
      option.value = String(z.id);
      option.textContent = `${z.name} (#${z.id})`;
      return option;
    }),
  );
  if (zones.some((z) => String(z.id) === chosen)) select.value = chosen;
}

// -- acts: the operator verbs (docs/operators.md), each confirmed, each audited ---------

class Invalid extends Error {}

function wholeNumber(id, what, least = 0) {
  const raw = $(id).value.trim();
  const value = Number(raw);
  if (raw === "" || !Number.isSafeInteger(value) || value < least) {
    throw new Invalid(`${what}: a whole number${least > 0 ? ` of at least ${least}` : ""}`);
  }
  return value;
}

function reason() {
  const text = $("act-reason").value.trim();
  if (!text) throw new Invalid("Give a reason: it is written to the audit log.");
  return text;
}

function systemChosen() {
  const select = $("act-system");
  if (!select.value) throw new Invalid("Choose a system (the Heart has not sent its zones yet).");
  return { id: Number(select.value), name: select.selectedOptions[0].textContent };
}

// The acts alike but for a word or two: each reads its fields in the order of the form,
// so the first one missing is the one the operator is told of.
function dropIn(hidden, seen) {
  const system = systemChosen();
  return {
    path: "drop-in",
    body: { system: system.id, hidden },
    sentence: `Drop your avatar into ${system.name} at its centre, ${seen}`,
  };
}

function sanction(path, verb, effect) {
  const account = wholeNumber("act-account", "Account id");
  const minutes = wholeNumber("act-minutes", "Minutes", 1);
  const why = reason();
  return {
    path,
    body: { account, seconds: minutes * 60, reason: why },
    sentence: `${verb} account #${account} for ${minutes} minutes: ${effect}. Reason: "${why}".`,
  };
}

function moveCredits(direction, says) {
  const account = wholeNumber("act-account", "Account id");
  const amount = wholeNumber("act-amount", "Credits", 1);
  const why = reason();
  return {
    path: "credits",
    body: { account, amount, reason: why, direction },
    sentence: `${says(amount, account)} (a ledger transfer). Reason: "${why}".`,
  };
}

function onShip(path, says) {
  const ship = wholeNumber("act-ship", "Ship id");
  const why = reason();
  return { path, body: { ship, reason: why }, sentence: `${says(ship)} Reason: "${why}".` };
}

// Each act: what it posts where, and the sentence the operator confirms.
const ACTS = {
  "drop-hidden": () => dropIn(true, "HIDDEN: no player will see it, but the Heart and the audit will."),
  "drop-visible": () => dropIn(false, "VISIBLE: every player there will see it."),
  leave: () => ({
    path: "leave",
    body: {},
    sentence: "Take your avatar out of the world: it is hidden again and sent back to its home station.",
  }),
  kick: () => {
    const account = wholeNumber("act-account", "Account id");
    const why = reason();
    return { path: "kick", body: { account, reason: why }, sentence: `Close account #${account}'s game session now. Reason: "${why}".` };
  },
  mute: () => sanction("mute", "Mute", "everything it says is refused until then"),
  ban: () => sanction("ban", "Ban", "it cannot log in or play, and its open session is closed now"),
  unban: () => {
    const account = wholeNumber("act-account", "Account id");
    const why = reason();
    return {
      path: "unban",
      body: { account, reason: why, kind: "ban" },
      sentence: `Lift account #${account}'s ban now. Reason: "${why}".`,
    };
  },
  grant: () =>
    moveCredits("grant", (amount, account) => `Grant ${amount} credits to account #${account}'s wallet, from operator:grants`),
  take: () =>
    moveCredits("take", (amount, account) => `Take ${amount} earned credits from account #${account}'s wallet, to operator:seized`),
  destroy: () =>
    onShip("destroy", (ship) => `Destroy ship #${ship} as weapons would: a wreck with its ore, and a respawn at home.`),
  "kill-arm": () => {
    const why = reason();
    return {
      path: "killswitch/arm",
      body: { reason: why },
      sentence: `ARM THE KILL SWITCH. If a second, different operator confirms it in time, the whole universe is erased for good. Reason: "${why}".`,
    };
  },
  "kill-confirm": () => ({
    path: "killswitch/confirm",
    body: {},
    sentence: `ERASE THE UNIVERSE, FOR GOOD: every zone stops, every player is disconnected (4010), ${
      state.kill ? killErased(state.kill.inventory) : "every world, ship, agent, market and chat line"
    } are erased and every ledger account is burnt. Accounts and the audit log survive. There is no undo.`,
  }),
  "kill-disarm": () => ({ path: "killswitch/disarm", body: {}, sentence: "Disarm the kill switch." }),
  repair: () => onShip("repair", (ship) => `Repair ship #${ship}: hull, shield and energy to full, free.`),
};

function tell(text, cls) {
  const p = $("act-result");
  p.textContent = text;
  p.className = `act-result ${cls ?? ""}`;
}

async function post(path, body) {
  const headers = { Accept: "application/json", "Content-Type": "application/json" };
  const token = savedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api/operator/${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // no JSON body (a proxy's error page): reported by status below
  }
  return { ok: response.ok, status: response.status, data: data ?? {} };
}

function showEntries() {
  $("act-entries").replaceChildren(
    ...state.acts.map((e) =>
      row([
        [e.seq, "num"],
        [e.verb],
        [e.target],
        [e.result, e.result === "done" ? "ok" : "bad"],
        [e.reason || "–"],
        [e.hash.slice(0, 12)],
      ]),
    ),
  );
}

async function act(name) {
  let planned;
  try {
    planned = ACTS[name]();
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    tell(err.message, "bad");
    return;
  }
  if (!window.confirm(planned.sentence)) {
    tell("Not done: you did not confirm.");
    return;
  }
  const buttons = [...document.querySelectorAll("#acts button")];
  for (const b of buttons) b.disabled = true;
  try {
    const { ok, status, data } = await post(planned.path, planned.body);
    state.answer = data;
    const entry = data.entry;
    if (entry) {
      state.acts.unshift(entry);
      showEntries();
    }
    const audited = entry ? `audit #${entry.seq} ${entry.verb} ${entry.result}, hash ${entry.hash.slice(0, 12)}` : "not audited";
    if (ok) tell(`DONE · ${audited}`, "ok");
    else tell(`REFUSED (${data.error ?? `HTTP ${status}`}): ${data.detail ?? ""} · ${audited}`, "bad");
  } catch {
    tell("The server cannot be reached: nothing was done.", "bad");
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

// -- the kill switch (docs/operators.md "Kill switch"): its state and the dry run --------

function killErased(inventory) {
  const counts = Object.entries(inventory.erase).filter(([, n]) => n > 0);
  return counts.map(([kind, n]) => `${n} ${kind}`).join(", ") || "nothing stored";
}

function killSummary({ state: s, inventory }) {
  const until = s.expires_at ? new Date(s.expires_at * 1000).toLocaleTimeString() : "";
  const armed = s.armed ? `ARMED by ${s.armed_by} ("${s.reason}") until ${until}` : "not armed";
  const kept = Object.entries(inventory.survive).map(([kind, n]) => `${kind} ${n}`);
  return [
    `${armed}; a second operator has ${s.window} s to confirm.`,
    `ERASES: ${killErased(inventory)}.`,
    `Worlds: ${inventory.names.worlds.join(", ") || "none"}.`,
    `Closes ${inventory.ledger.length} ledger accounts, burning ${inventory.credits} cr.`,
    `SURVIVES: ${kept.join(", ")}.`,
  ].join("\n");
}

async function lookKill() {
  const headers = { Accept: "application/json" };
  const token = savedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetch("/api/operator/killswitch", { headers });
    const data = await response.json();
    if (!response.ok) {
      tell(`REFUSED (${data.error ?? `HTTP ${response.status}`}): ${data.detail ?? ""}`, "bad");
      return;
    }
    state.kill = data;
    $("kill-inventory").textContent = killSummary(data);
  } catch {
    tell("The server cannot be reached.", "bad");
  }
}

$("acts").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const name = button.dataset.act;
  if (name === "kill-look") return lookKill();
  await act(name);
  if (name === "kill-arm" || name === "kill-disarm") lookKill();
});
$("acts").addEventListener("submit", (event) => event.preventDefault());

// -- charts -----------------------------------------------------------------------

function appendSeries(fresh) {
  if (!state.series) {
    state.series = Object.fromEntries(Object.keys(fresh).map((k) => [k, []]));
  }
  for (const [name, values] of Object.entries(fresh)) state.series[name].push(...values);
  const t = state.series.t;
  const cutoff = t.length ? t[t.length - 1] - WINDOW_SECONDS : 0;
  const drop = t.findIndex((time) => time >= cutoff);
  if (drop > 0) for (const name of Object.keys(state.series)) state.series[name].splice(0, drop);
}

function chartData(spec) {
  return [state.series.t, ...spec.series.map(([name]) => state.series[name])];
}

// Axis labels short enough for the gutter: 15219600 -> 15.2M.
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 5 });

function makeChart(spec, host) {
  const div = document.createElement("div");
  host.append(div); // in its grid cell first, so its width is the cell's
  const axis = { stroke: "#b4742a", grid: { stroke: "rgba(42,127,146,0.25)" }, ticks: { stroke: "#2a7f92" } };
  const options = {
    title: spec.title,
    width: Math.max(300, div.clientWidth),
    height: 160,
    scales: { x: { time: true } },
    axes: [axis, { ...axis, size: 56, values: (plot, ticks) => ticks.map((v) => compact.format(v)) }],
    series: [{}, ...spec.series.map(([, label, stroke]) => ({ label, stroke, width: 1.5 }))],
    legend: { show: true },
  };
  return new uPlot(options, chartData(spec), div);
}

function drawCharts() {
  if (!state.charts.length) {
    const host = $("charts");
    state.charts = CHARTS.map((spec) => ({ spec, plot: makeChart(spec, host) }));
    return;
  }
  for (const { spec, plot } of state.charts) plot.setData(chartData(spec));
}

// -- log-in (the same session as the bridge's) --------------------------------------

$("heart-login").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const answer = await login($("heart-name").value, $("heart-password").value);
    saveToken(answer.token);
    setState("connecting", "CONNECTING…");
    connect();
  } catch (err) {
    $("heart-gate-why").textContent = `Refused: ${err.message}`;
  }
});

$("minds-search").addEventListener("input", showMinds);

connect();
