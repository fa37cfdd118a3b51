// The crew roster: the agents you can see (GET /api/agents: everyone aboard a
// ship in your system, and your own crew), one agent's file (GET
// /api/agents/{id}: persona, needs, goal and plan, memories), hailing them in
// local chat, locking their ship, recruiting them, and orders to the crew you
// captain (POST /api/crew/orders, /api/crew/recruit; infinity/gateway/crew_api.py).
//
// Agents talk through their ships' `say` in local chat: a hail is a chat line
// that starts with an agent's given name or its ship's name.

import * as api from "./api.js";
import { $, el, setText } from "./dom.js";
import { describeApiError } from "./economy.js";
import { fmtCredits } from "./hud.js";
import { RefreshingPanel } from "./panel.js";

const REFRESH_MS = 3000; // while open
const QUIET_REFRESH_MS = 5000; // at most this often while closed (chat speakers)
const LIST_MEMORIES = 2;
const ORDER_MAX = 280; // OrderRequest.text

const NEEDS = [
  ["credits", "CR", "CREDITS FOR UPKEEP"],
  ["safety", "SAF", "HULL AND SAFETY"],
  ["company", "CMP", "COMPANY"],
  ["purpose", "PUR", "PURPOSE"],
];
const TRAITS = [
  ["openness", "OPN", "curious", "conventional"],
  ["conscientiousness", "CON", "disciplined", "careless"],
  ["extraversion", "EXT", "outgoing", "reserved"],
  ["agreeableness", "AGR", "kind", "blunt"],
  ["neuroticism", "NEU", "anxious", "calm"],
];
const SKILLS = [
  ["piloting", "PIL", "pilot"],
  ["gunnery", "GUN", "gunner"],
  ["engineering", "ENG", "engineer"],
  ["trade", "TRD", "trader"],
  ["hacking", "HAK", "hacker"],
];
const VALUES = [
  ["loyalty", "LOY", "loyal"],
  ["greed", "GRD", "greedy"],
  ["courage", "CRG", "brave"],
];
const QUICK_ORDERS = ["mine", "dock", "follow me", "flee", "stand down"];

const upper = (s) => String(s ?? "").toUpperCase();
const words = (s) => upper(String(s ?? "").replace(/_/g, " "));
const pct = (v) => (typeof v === "number" && Number.isFinite(v) ? Math.round(v * 100) : null);

/** A persona colour as CSS, only if it is one (never inject what the server did not mean). */
function safeColour(c) {
  return typeof c === "string" && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : "#5ee7ff";
}

function paint(swatch, colour) {
  swatch.style.background = safeColour(colour);
  swatch.style.color = safeColour(colour);
}

/** Simulated seconds (the zone clock) as T+h:mm:ss. */
export function fmtSimTime(at) {
  if (typeof at !== "number" || !Number.isFinite(at)) return "—";
  const s = Math.max(0, Math.floor(at));
  const pad = (n) => String(n).padStart(2, "0");
  return `T+${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** A level bar (0..1) in the HUD's segmented style, labelled and with its value. */
function levelBar(label, value, title, colour = "") {
  const row = el("div", "lvl");
  if (title) row.title = title;
  const bar = el("div", `bar ${colour}`.trim());
  const p = pct(value);
  bar.style.setProperty("--fill", `${p ?? 0}%`);
  bar.classList.toggle("low", p !== null && p < 30);
  row.append(el("span", "lvl-name", label), bar, el("b", "lvl-val", p === null ? "—" : p));
  return row;
}

/** "chatty · outgoing, calm · hacker 87 · brave" */
export function personaSummary(persona) {
  if (!persona) return "";
  const parts = [];
  if (persona.speech?.style) parts.push(persona.speech.style);
  const traits = persona.traits ?? {};
  const marked = TRAITS.filter(([k]) => typeof traits[k] === "number")
    .map(([k, , hi, lo]) => ({ k, d: traits[k] - 0.5, word: traits[k] >= 0.5 ? hi : lo }))
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .slice(0, 2)
    .map((t) => t.word);
  if (marked.length) parts.push(marked.join(", "));
  const skills = persona.skills ?? {};
  const best = SKILLS.filter(([k]) => typeof skills[k] === "number").sort(
    ([a], [b]) => skills[b] - skills[a],
  )[0];
  if (best) parts.push(`${best[2]} ${pct(skills[best[0]])}`);
  const values = persona.values ?? {};
  const held = VALUES.filter(([k]) => typeof values[k] === "number").sort(
    ([a], [b]) => values[b] - values[a],
  )[0];
  if (held) parts.push(held[2]);
  return upper(parts.join(" · "));
}

/** "EARN ▸ FLY TO FIELD (2/6)", or the standing order. */
function goalLine(a) {
  if (!a.alive) return "";
  const goal = words(a.goal || "idle");
  const plan = Array.isArray(a.plan) ? a.plan : [];
  const at = a.step ? plan.indexOf(a.step) : -1;
  const step = a.step ? ` ▸ ${words(a.step)}${at >= 0 ? ` (${at + 1}/${plan.length})` : ""}` : "";
  return `${goal}${step}`;
}

/**
 * deps: { token(), world, notice(text, kind), lock(shipId), hail(text),
 *         onRoster(agents) }
 */
export class RosterPanel extends RefreshingPanel {
  constructor(deps) {
    super("roster-panel", REFRESH_MS, deps);
    this.list = $("roster-list");
    this.detailBox = $("roster-detail");
    this.status = $("roster-status");
    this.ordersForm = $("crew-orders");
    this.orderInput = $("crew-order");
    this.answersBox = $("crew-answers");
    this.agents = null; // the last /api/agents list (also the test hook's `roster`)
    this.byShip = new Map(); // ship id -> [agents aboard]
    this.selected = null; // agent id shown in detail, or null for the list
    this.detail = null; // the last /api/agents/{id} answer for `selected`
    this.lastOrder = null; // the last /api/crew/orders answer
    this.recruited = null; // the crew a recruit answer told us we captain
    this.loading = false;
    this.loadedAt = 0;
    this.busy = false; // an order or recruit in flight
    this.actionText = "";
    this.actionError = false;
    this.orderInput.maxLength = ORDER_MAX;

    this.list.addEventListener("click", (e) => {
      const li = e.target.closest("li[data-id]");
      if (li) this.select(Number(li.dataset.id));
    });
    this.detailBox.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-act]");
      if (button) this.act(button.dataset.act);
    });
    this.ordersForm.addEventListener("submit", (e) => {
      e.preventDefault();
      this.order(this.orderInput.value);
    });
    this.ordersForm.addEventListener("click", (e) => {
      const chip = e.target.closest("button[data-order]");
      if (chip) this.order(chip.dataset.order);
    });
    this.root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && e.target.matches("input")) e.target.blur();
    });
    const chips = $("crew-chips");
    for (const text of QUICK_ORDERS) {
      const b = el("button", "chip", upper(text));
      b.type = "button";
      b.dataset.order = text;
      chips.append(b);
    }
  }

  opened() {
    this.render();
  }

  /** The agents aboard a ship (by the last roster), or []. */
  aboard(ship) {
    return this.byShip.get(ship) ?? [];
  }

  isAgentShip(ship) {
    return this.byShip.has(ship);
  }

  /** The crew we captain: its members are aboard our flagship. */
  get myCrew() {
    const mine = (this.agents ?? []).filter(
      (a) => a.crew !== null && a.ship !== null && a.ship === this.deps.world.shipId,
    );
    if (mine.length) return { name: mine[0].crew_name, members: mine };
    if (this.recruited) return { name: this.recruited.name, members: [] };
    return null;
  }

  /** Refresh in the background (a stranger spoke in chat), at most every few seconds. */
  refreshQuietly() {
    if (performance.now() - this.loadedAt > QUIET_REFRESH_MS) this.refresh();
  }

  async refresh() {
    const token = this.deps.token();
    if (!token || this.loading) return;
    this.loading = true;
    this.loadedAt = performance.now();
    const selected = this.selected;
    try {
      const [roster, detail] = await Promise.all([
        api.agents(token),
        selected !== null && this.open ? api.agent(token, selected).catch((err) => err) : null,
      ]);
      this.setAgents(Array.isArray(roster?.agents) ? roster.agents : []);
      if (selected !== null && selected === this.selected) {
        if (detail instanceof Error) {
          // Out of sight now (it left the system): keep the last file, say so.
          if (detail.code === "unknown_agent") {
            this.setAction("OUT OF SIGHT · NOT IN THIS SYSTEM", true);
          }
        } else if (detail) {
          this.detail = detail;
        }
      }
      setText(this.status, "");
      this.status.classList.remove("error");
    } catch (err) {
      setText(this.status, describeApiError(err));
      this.status.classList.add("error");
    } finally {
      this.loading = false;
      if (this.open) this.render();
    }
  }

  setAgents(agents) {
    this.agents = agents;
    this.byShip = new Map();
    for (const a of agents) {
      if (a.ship === null || a.ship === undefined || !a.alive) continue;
      if (!this.byShip.has(a.ship)) this.byShip.set(a.ship, []);
      this.byShip.get(a.ship).push(a);
    }
    this.deps.onRoster?.(agents);
  }

  /** Open an agent's file (from the list, or from a chat line). */
  select(id) {
    if (this.selected !== id) {
      this.selected = id;
      this.detail = (this.agents ?? []).find((a) => a.id === id) ?? null;
      this.setAction("");
    }
    if (!this.open) this.show(true);
    else {
      this.render();
      this.loadDetail(id);
    }
  }

  async loadDetail(id) {
    const token = this.deps.token();
    if (!token) return;
    try {
      const detail = await api.agent(token, id);
      if (this.selected === id) {
        this.detail = detail;
        this.render();
      }
    } catch (err) {
      if (this.selected === id) {
        this.setAction(describeApiError(err), true);
        this.render();
      }
    }
  }

  back() {
    this.selected = null;
    this.detail = null;
    this.setAction("");
    this.render();
  }

  setAction(text, error = false) {
    this.actionText = text;
    this.actionError = error;
    const node = this.detailBox.querySelector(".agent-status");
    if (node) {
      setText(node, text);
      node.classList.toggle("error", error);
    }
  }

  // ------------------------------------------------------------ render --

  render() {
    const inDetail = this.selected !== null && this.detail !== null;
    this.list.classList.toggle("hidden", inDetail);
    this.detailBox.classList.toggle("hidden", !inDetail);
    if (inDetail) this.renderDetail(this.detail);
    else this.renderList();
    this.renderOrders();
    this.syncActions();
  }

  sorted() {
    const me = this.deps.world.shipId;
    const rank = (a) => (!a.alive ? 2 : a.ship === me ? 0 : 1);
    return [...(this.agents ?? [])].sort(
      (a, b) => rank(a) - rank(b) || (a.ship ?? 0) - (b.ship ?? 0) || a.id - b.id,
    );
  }

  renderList() {
    const scroll = this.list.scrollTop;
    this.list.replaceChildren();
    if (this.agents === null) {
      this.list.append(el("li", "empty", "SCANNING FOR CREWS…"));
      return;
    }
    if (!this.agents.length) {
      this.list.append(el("li", "empty", "NO CREW IN THIS SYSTEM · THE LANES ARE EMPTY"));
      return;
    }
    const me = this.deps.world.shipId;
    for (const a of this.sorted()) this.list.append(this.card(a, a.ship === me));
    this.list.scrollTop = scroll;
  }

  card(a, mine) {
    const li = el("li", `agent${a.alive ? "" : " dead"}${mine ? " mine" : ""}`);
    li.dataset.id = String(a.id);
    li.title = "open this crew member's file";
    const p = a.persona ?? {};
    const swatch = el("i", "swatch");
    paint(swatch, p.appearance?.colour);
    const head = el("div", "agent-head");
    head.append(swatch, el("b", "agent-name", upper(a.name)));
    head.append(
      el(
        "span",
        `agent-state ${a.alive ? "alive" : "dead"}`,
        a.in_transit ? "IN TRANSIT" : a.alive ? (a.captain ? "★ CAPTAIN" : "ALIVE") : "† DEAD",
      ),
    );
    const where = [
      a.ship_name ? upper(a.ship_name) : "NO SHIP",
      a.station ? upper(a.station) : "",
      mine ? "YOUR CREW" : "",
      a.docked_at !== null && a.docked_at !== undefined ? "DOCKED" : "",
    ].filter(Boolean);
    li.append(head, el("div", "agent-where caption", where.join(" · ")));
    if (!a.alive) {
      li.append(el("div", "agent-death", `† ${upper(a.death?.cause ?? "lost")}`));
      return li;
    }
    li.append(el("div", "agent-persona", personaSummary(p)));
    const needs = el("div", "needs mini");
    for (const [k, label, title] of NEEDS) {
      needs.append(levelBar(label, a.needs?.[k], title, "need"));
    }
    li.append(needs);
    const goal = el("div", "agent-goal");
    goal.append(el("span", "caption", "GOAL "), el("span", "goal", goalLine(a)));
    if (a.order) goal.append(el("span", "order", ` · ORDER ${upper(a.order)}`));
    li.append(goal);
    for (const m of (a.memories ?? []).slice(0, LIST_MEMORIES)) {
      li.append(el("div", `agent-memory k-${m.kind}`, `“${m.text}”`));
    }
    return li;
  }

  renderDetail(a) {
    const box = this.detailBox;
    const scroll = box.scrollTop;
    box.replaceChildren();
    const p = a.persona ?? {};
    const mine = a.ship !== null && a.ship === this.deps.world.shipId;

    const top = el("div", "detail-top");
    const back = el("button", "pill small cyan", "◂ ROSTER");
    back.type = "button";
    back.dataset.act = "back";
    const swatch = el("i", "swatch big");
    paint(swatch, p.appearance?.colour);
    swatch.title = upper(p.appearance?.colour_name ?? "");
    top.append(back, swatch, el("b", `agent-name${a.alive ? "" : " dead"}`, upper(a.name)));
    box.append(top);
    box.dataset.id = String(a.id);
    box.classList.toggle("dead", !a.alive);

    const where = [
      a.ship_name ? `SHIP ${upper(a.ship_name)}` : "NO SHIP",
      a.crew_name ? upper(a.crew_name) : "",
      a.station ? `${upper(a.station)}${a.captain ? " · CAPTAIN" : ""}` : "",
      mine ? "ABOARD YOUR SHIP" : "",
    ].filter(Boolean);
    box.append(el("div", "agent-where caption", where.join(" · ")));
    if (!a.alive) {
      box.append(
        el(
          "div",
          "agent-death big",
          `† DEAD · ${upper(a.death?.cause ?? "lost")} · ${fmtSimTime(a.death?.at)}`,
        ),
      );
    }

    // Actions: hail, lock, recruit; their outcome on the status line.
    const actions = el("div", "agent-actions");
    for (const [act, label, colour] of [
      ["hail", "HAIL", "amber"],
      ["target", "TARGET", "red"],
      ["recruit", "RECRUIT", "lav"],
    ]) {
      const b = el("button", `pill small ${colour}`, label);
      b.type = "button";
      b.dataset.act = act;
      actions.append(b);
    }
    box.append(actions);
    const status = el("div", "agent-status caption", this.actionText);
    status.classList.toggle("error", this.actionError);
    box.append(status);

    // Persona.
    const looks = el("div", "agent-looks");
    looks.append(
      el("span", "caption", "APPEARANCE "),
      el("span", "", p.appearance?.description ?? "—"),
    );
    box.append(looks);
    const voice = el("div", "agent-voice");
    voice.append(
      el("span", "caption", `SPEECH · ${upper(p.speech?.style ?? "—")} `),
      el("q", "", p.speech?.greeting ?? ""),
    );
    box.append(voice);
    const persona = el("div", "persona-grid");
    const column = (title, defs, source, colour) => {
      const col = el("div", "persona-col");
      col.append(el("div", "caption", title));
      for (const [k, label] of defs) {
        col.append(levelBar(label, source?.[k], k.toUpperCase(), colour));
      }
      return col;
    };
    persona.append(
      column("TRAITS", TRAITS, p.traits, "cyan"),
      column("SKILLS", SKILLS, p.skills, "ore"),
      column("VALUES", VALUES, p.values, "lav"),
    );
    box.append(persona);

    if (a.alive) {
      // Needs and purse.
      const needs = el("div", "needs");
      needs.append(el("div", "caption", `NEEDS · PURSE ${fmtCredits(a.credits)}`));
      for (const [k, , title] of NEEDS) needs.append(levelBar(title, a.needs?.[k], title, "need"));
      box.append(needs);

      // Goal and plan.
      const goal = el("div", "agent-goal big");
      goal.append(el("span", "caption", "GOAL "), el("span", "goal", words(a.goal || "idle")));
      if (a.order) goal.append(el("span", "order", ` · STANDING ORDER ${upper(a.order)}`));
      box.append(goal);
      const plan = el("ol", "plan");
      const steps = Array.isArray(a.plan) ? a.plan : [];
      const at = steps.indexOf(a.step);
      steps.forEach((s, k) => {
        plan.append(el("li", k < at ? "done" : k === at ? "now" : "", words(s)));
      });
      if (!steps.length) plan.append(el("li", "none", "NO PLAN"));
      box.append(plan);
    }

    // Memories, newest first as the API sends them.
    box.append(el("div", "caption", "RECENT MEMORIES"));
    const memories = el("ol", "memories");
    for (const m of a.memories ?? []) {
      const li = el("li", `memory k-${m.kind}`);
      li.append(
        el("span", "when", fmtSimTime(m.at)),
        el("span", "kind", upper(m.kind)),
        el("span", "imp", `!${m.importance}`),
        el("span", "text", m.text),
      );
      memories.append(li);
    }
    if (!(a.memories ?? []).length) memories.append(el("li", "none", "NOTHING REMEMBERED YET"));
    box.append(memories);
    box.scrollTop = scroll;
  }

  renderOrders() {
    const crew = this.myCrew;
    this.ordersForm.classList.toggle("hidden", !crew);
    if (!crew) return;
    setText($("crew-name"), upper(crew.name));
    this.answersBox.replaceChildren();
    const last = this.lastOrder;
    if (!last) return;
    if (last.error) {
      this.answersBox.append(el("li", "error", last.error));
      return;
    }
    const target = last.target_name ? ` ${upper(last.target_name)}` : "";
    this.answersBox.append(
      el(
        "li",
        "order-head caption",
        `ORDER ▸ ${words(last.order)}${target} · “${last.text}”`,
      ),
    );
    if (!last.answers.length) this.answersBox.append(el("li", "none", "NOBODY ABOARD TO HEAR IT"));
    for (const ans of last.answers) {
      const who = (this.agents ?? []).find((a) => a.id === ans.agent);
      const speech = who?.persona?.speech;
      const line = ans.obeys ? speech?.agree : speech?.refuse;
      const li = el("li", `answer ${ans.obeys ? "obeys" : "refuses"}`);
      li.dataset.agent = String(ans.agent);
      li.append(
        el("b", "who", upper(ans.name)),
        el("span", "verdict", ans.obeys ? "OBEYS" : "REFUSES"),
        el("q", "line", line || (ans.obeys ? "Aye." : "No.")),
      );
      if (ans.reason) li.append(el("span", "reason caption", upper(ans.reason)));
      this.answersBox.append(li);
    }
  }

  /** Per frame: keep the detail's buttons honest (sensors, docking, busy). */
  syncActions() {
    if (!this.open || this.selected === null || !this.detail) return;
    const a = this.detail;
    const world = this.deps.world;
    const buttons = {};
    for (const b of this.detailBox.querySelectorAll("button[data-act]")) buttons[b.dataset.act] = b;
    const mine = a.ship !== null && a.ship === world.shipId;
    if (buttons.hail) buttons.hail.disabled = !a.alive;
    if (buttons.target) {
      const onSensors = a.ship !== null && world.entities.has(a.ship);
      buttons.target.disabled = !a.alive || mine || !onSensors;
      buttons.target.title = mine
        ? "aboard your ship"
        : onSensors
          ? "lock its ship"
          : "not on sensors";
    }
    if (buttons.recruit) {
      const here = world.me ? world.me.docked_at : -1;
      const possible = a.alive && !mine && here >= 0 && a.docked_at === here;
      buttons.recruit.classList.toggle("hidden", !possible);
      buttons.recruit.disabled = this.busy || a.captain;
      buttons.recruit.title = a.captain ? "captains their own ship and will not leave it" : "";
    }
  }

  // ----------------------------------------------------------- actions --

  act(what) {
    const a = this.detail;
    if (what === "back") {
      this.back();
      return;
    }
    if (!a) return;
    if (what === "hail") {
      const given = a.persona?.given_name || String(a.name).split(" ")[0];
      this.deps.hail(`${given}, `);
    } else if (what === "target") {
      if (a.ship === null || !this.deps.world.entities.has(a.ship)) {
        this.setAction(`${upper(a.ship_name || "ITS SHIP")} IS NOT ON SENSORS`, true);
        return;
      }
      this.deps.lock(a.ship);
      this.setAction(`LOCKED ${upper(a.ship_name)}`);
    } else if (what === "recruit") {
      this.recruit(a);
    }
  }

  async recruit(a) {
    const token = this.deps.token();
    if (!token || this.busy) return;
    this.busy = true;
    this.setAction(`HAILING ${upper(a.name)} TO SIGN ON…`);
    try {
      const crew = await api.recruit(token, a.id);
      this.recruited = crew;
      const text = `${upper(a.name)} SIGNED ON · ${upper(crew?.name ?? "YOUR CREW")}`;
      this.setAction(text);
      this.deps.notice(text);
    } catch (err) {
      this.setAction(describeApiError(err), true);
    } finally {
      this.busy = false;
    }
    await this.refresh();
  }

  async order(raw) {
    const text = String(raw ?? "").trim().slice(0, ORDER_MAX);
    const token = this.deps.token();
    if (!text || !token || this.busy) return;
    this.busy = true;
    try {
      const answer = await api.crewOrders(token, text);
      this.lastOrder = { ...answer, text, answers: answer?.answers ?? [] };
      this.orderInput.value = "";
      const refusing = this.lastOrder.answers.filter((x) => !x.obeys).length;
      const obeying = this.lastOrder.answers.length - refusing;
      this.deps.notice(
        `ORDER ${words(answer.order)} · ${obeying} OBEY · ${refusing} REFUSE`,
        refusing ? "error" : "info",
      );
    } catch (err) {
      this.lastOrder = { error: describeApiError(err), text, answers: [] };
    } finally {
      this.busy = false;
    }
    this.renderOrders();
    this.refresh();
  }

  /** Log-out or a new session: forget everything. */
  reset() {
    this.show(false);
    this.agents = null;
    this.byShip = new Map();
    this.selected = null;
    this.detail = null;
    this.lastOrder = null;
    this.recruited = null;
    this.loadedAt = 0;
    this.render();
  }
}
