// The economy's panels: the station market (while docked), the wallet and
// the bounty board. Credits move only on the server: the market sends game
// commands (`sell`, `buy`, `repair`) and learns the outcome from `notice`
// and `error` messages; the wallet and the board are REST (docs/protocol.md).

import * as api from "./api.js";
import { $, el, setText } from "./dom.js";
import { fmtCredits } from "./hud.js";
import { RefreshingPanel } from "./panel.js";
import { Kind } from "./world.js";

const MARKET_REFRESH_MS = 3000;
const BOARD_REFRESH_MS = 10000;
const WALLET_PAGE = 20;
const SHIP_FUEL = 100; // infinity/sim/rules.py
const SHIP_TORPEDOES = 8;
const SHIP_HULL = 100;
const QTY_MAX = 1000; // the protocol's bound on a trade's quantity
const MIN_BOUNTY = 10;
// The market's rows: what each good's button does and how its quantity steps.
const GOODS = [
  { good: "ore", action: "sell", colour: "amber", step: "any" },
  { good: "fuel", action: "buy", colour: "cyan", step: "1" },
  { good: "torpedo", action: "buy", colour: "cyan", step: "1" },
  { good: "repair", action: "repair", colour: "lav", step: null }, // always to full
];

/** `CODE: detail` of a REST refusal, as the HUD shows server errors. */
export function describeApiError(err) {
  const code = err?.code ? String(err.code).toUpperCase() : "ERROR";
  const detail = err?.detail || err?.message || "";
  return detail ? `${code}: ${detail}` : code;
}

const fmtNumber = (n) =>
  typeof n === "number" && Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";

/** Server times are Unix seconds (tolerate milliseconds too). */
function toDate(at) {
  if (typeof at !== "number") return null;
  return new Date(at > 1e12 ? at : at * 1000);
}

function fmtWhen(at) {
  const d = toDate(at);
  if (!d || Number.isNaN(d.getTime())) return "—";
  const pad = (n) => String(n).padStart(2, "0");
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time.slice(0, 5)}`;
}

function fmtAge(at) {
  const d = toDate(at);
  if (!d) return "";
  const s = Math.max(0, (Date.now() - d.getTime()) / 1000);
  if (s < 60) return "JUST NOW";
  if (s < 3600) return `${Math.floor(s / 60)} MIN AGO`;
  if (s < 86400) return `${Math.floor(s / 3600)} H AGO`;
  return `${Math.floor(s / 86400)} D AGO`;
}

// ---------------------------------------------------------------- market --

/** One good's row of the market table, and the cells the panel fills in. */
function marketRow({ good, action, colour, step }) {
  const tr = el("tr");
  tr.dataset.good = good;
  const cell = (className, text) => tr.appendChild(el("td", className, text));
  cell("good", good.toUpperCase());
  const row = { tr, price: cell("price", "—"), qty: null };
  row.stock = cell("stock", step === null ? "·" : "—");
  row.have = cell("have", "—");
  if (step === null) {
    cell("caption", "TO FULL");
  } else {
    row.qty = el("input", "qty");
    Object.assign(row.qty, { type: "number", min: "0", max: String(QTY_MAX), step });
    cell().append(row.qty);
  }
  row.quote = cell("quote", "—");
  row.button = el("button", `pill small ${colour}`, action.toUpperCase());
  row.button.type = "button";
  row.button.dataset.action = action;
  cell().append(row.button);
  return row;
}

/**
 * The market of the station we are docked at. It opens by itself on
 * docking and closes on undocking; E folds and unfolds it meanwhile.
 *
 * deps: { send(type, fields) -> seq|null, notice(text, kind), credits() }
 */
export class MarketPanel extends RefreshingPanel {
  constructor(deps) {
    super("market-panel", MARKET_REFRESH_MS, deps);
    this.station = -1; // where we are docked, -1 in flight
    this.folded = false;
    this.data = null; // the last /api/market answer for `station`
    this.error = null;
    this.loading = false;
    this.rows = {};
    const body = this.root.querySelector("table.market tbody");
    for (const good of GOODS) {
      this.rows[good.good] = marketRow(good);
      body.append(this.rows[good.good].tr);
    }
    this.root.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-action]");
      if (button) this.act(button.closest("tr").dataset.good);
    });
    this.root.addEventListener("keydown", (e) => {
      if (!e.target.classList.contains("qty")) return;
      if (e.key === "Enter") {
        e.preventDefault();
        this.act(e.target.closest("tr").dataset.good);
      } else if (e.key === "Escape") {
        e.target.blur();
      }
    });
  }

  /** E: fold or unfold the market; only a docked ship has one. */
  toggle() {
    if (this.station < 0) {
      this.deps.notice("MARKET: DOCK AT A STATION FIRST (F)", "error");
      return;
    }
    this.folded = !this.folded;
    this.show(!this.folded);
  }

  /** Follow the ship: a new dock opens the market, undocking closes it. */
  sync(world) {
    const station = world.me ? world.me.docked_at : -1;
    if (station !== this.station) {
      this.station = station ?? -1;
      this.data = null;
      this.error = null;
      for (const row of Object.values(this.rows)) if (row.qty) row.qty.value = "";
      this.folded = false;
      this.show(this.station >= 0);
    }
    if (this.open) this.render(world);
  }

  async refresh() {
    if (this.station < 0 || this.loading) return;
    const station = this.station;
    this.loading = true;
    try {
      const answer = await api.market(station);
      if (station !== this.station) return; // undocked meanwhile
      this.data = answer;
      this.error = null;
    } catch (err) {
      if (station !== this.station) return;
      this.error =
        err.code === "unknown_station" ? "NO MARKET AT THIS STATION" : describeApiError(err);
    } finally {
      this.loading = false;
    }
  }

  price(good) {
    const p = this.data?.prices?.[good];
    return typeof p === "number" ? p : null;
  }

  // What an empty quantity means: all the ore aboard, or fill the tank / racks.
  defaults(world) {
    const me = world.me;
    const hull = world.ship?.hull ?? SHIP_HULL;
    return {
      ore: me ? Math.max(0, me.cargo) : 0,
      fuel: me && typeof me.fuel === "number" ? Math.max(0, SHIP_FUEL - me.fuel) : 0,
      torpedo: me ? Math.max(0, SHIP_TORPEDOES - me.torpedoes) : 0,
      repair: Math.max(0, SHIP_HULL - hull),
    };
  }

  // The quantity a row would trade now, or null when the input is not a number.
  quantity(good, world) {
    const row = this.rows[good];
    const raw = row.qty ? row.qty.value.trim() : "";
    if (raw === "") return { quantity: this.defaults(world)[good], typed: false };
    const q = Number(raw);
    return Number.isFinite(q) ? { quantity: q, typed: true } : null;
  }

  render(world) {
    const station = world.entities.get(this.station);
    setText($("market-station"), (station?.name ?? `#${this.station}`).toUpperCase());
    setText($("market-balance"), fmtCredits(this.deps.credits()));
    const status = $("market-status");
    setText(status, this.error ?? (this.data ? "" : "CONTACTING THE STATION…"));
    status.classList.toggle("error", Boolean(this.error));

    const me = world.me;
    const defaults = this.defaults(world);
    const stock = this.data?.stock ?? {};
    const have = {
      ore: me ? `${Math.round(me.cargo)} t` : "—",
      fuel: me && typeof me.fuel === "number" ? `${Math.round(me.fuel)} / ${SHIP_FUEL}` : "—",
      torpedo: me ? `${me.torpedoes} / ${SHIP_TORPEDOES}` : "—",
      repair: world.ship ? `HULL ${world.ship.hull}%` : "—",
    };
    for (const [good, row] of Object.entries(this.rows)) {
      const price = this.price(good);
      const unit = good === "ore" ? "/t" : good === "repair" ? "/pt" : "";
      setText(row.price, price === null ? "—" : `${price}${unit}`);
      if (good !== "repair") setText(row.stock, fmtNumber(stock[good]));
      setText(row.have, have[good]);
      if (row.qty) {
        const hint = good === "ore" ? `ALL ${Math.round(defaults.ore)}` : `FILL ${defaults[good]}`;
        if (row.qty.placeholder !== hint) row.qty.placeholder = hint;
      }
      const q = this.quantity(good, world);
      const amount = q === null || price === null || !(q.quantity > 0) ? null : price * q.quantity;
      // Sellers are paid rounded down, buyers charged rounded up.
      let quote = "—";
      if (amount !== null) {
        quote = good === "ore" ? `+${Math.floor(amount)}` : `−${Math.ceil(amount)}`;
      }
      setText(row.quote, quote);
    }
  }

  /** Send the row's command; the server's notice or error tells the outcome. */
  act(good, world = this.deps.world) {
    const q = this.quantity(good, world);
    if (good === "repair") {
      this.deps.send("repair");
      return;
    }
    if (q === null || q.quantity < 0 || q.quantity > QTY_MAX || (q.typed && q.quantity === 0)) {
      this.deps.notice(`INVALID: QUANTITY 1–${QTY_MAX}`, "error");
      return;
    }
    let quantity = q.quantity;
    if (!q.typed) {
      if (good === "ore") {
        // The hold's tonnage comes rounded to the nearest tonne: "all" asks
        // for half a tonne less so it never asks for more than is aboard.
        quantity = quantity >= 1 ? quantity - 0.5 : 0;
      }
      // Nothing to sell or no room: ask anyway and let the server say why.
      quantity = Math.max(quantity, 1);
    }
    if (good === "ore") this.deps.send("sell", { good: "ore", quantity });
    else this.deps.send("buy", { good, quantity });
  }

  /** Log-out: forget the station, so the next session's dock opens it again. */
  reset() {
    this.show(false);
    this.station = -1;
    this.data = null;
    this.error = null;
  }

  /** A trade settled: prices and stock moved. */
  onNotice() {
    if (this.open) this.refresh();
  }
}

// ---------------------------------------------------------------- wallet --

/**
 * Balance and history from /api/wallet, newest first, with "more" pages.
 *
 * deps: { token(), notice(text, kind), credits() }
 */
export class WalletPanel {
  constructor(deps) {
    this.deps = deps;
    this.root = $("wallet-panel");
    this.list = $("wallet-history");
    this.more = $("wallet-more");
    this.status = $("wallet-status");
    this.data = null; // {account, balance, history, next_cursor}
    this.loading = false;
    this.lastLoad = 0;
    this.more.addEventListener("click", () => this.loadMore());
  }

  get open() {
    return !this.root.classList.contains("hidden");
  }

  show(visible) {
    this.root.classList.toggle("hidden", !visible);
    if (visible) this.reload();
  }

  toggle() {
    this.show(!this.open);
  }

  /** Fetch the newest page; entries already loaded further back are kept. */
  async reload() {
    if (this.loading) return;
    await this.fetch(null);
  }

  async loadMore() {
    const cursor = this.data?.next_cursor;
    if (this.loading || cursor === null || cursor === undefined) return;
    await this.fetch(cursor);
  }

  async fetch(cursor) {
    const token = this.deps.token();
    if (!token) return;
    this.loading = true;
    this.lastLoad = performance.now();
    setText(this.status, cursor === null ? "READING THE LEDGER…" : "READING OLDER ENTRIES…");
    this.status.classList.remove("error");
    try {
      const page = await api.wallet(token, { cursor, limit: WALLET_PAGE });
      this.merge(page, cursor !== null);
      setText(this.status, "");
    } catch (err) {
      setText(this.status, describeApiError(err));
      this.status.classList.add("error");
    } finally {
      this.loading = false;
      this.render();
    }
  }

  merge(page, older) {
    const history = Array.isArray(page.history) ? page.history : [];
    if (!this.data || (!older && !this.overlaps(history))) {
      this.data = { ...page, history };
      return;
    }
    const seen = new Set(history.map((e) => e.id));
    const kept = this.data.history.filter((e) => !seen.has(e.id));
    this.data = {
      account: page.account,
      balance: older ? this.data.balance : page.balance,
      history: older ? [...kept, ...history] : [...history, ...kept],
      // A newer first page does not move where "more" continues from.
      next_cursor: older ? page.next_cursor : this.data.next_cursor,
    };
  }

  overlaps(history) {
    const ids = new Set(this.data.history.map((e) => e.id));
    return history.some((e) => ids.has(e.id));
  }

  render() {
    const data = this.data;
    setText($("wallet-balance"), fmtCredits(data ? data.balance : this.deps.credits()));
    setText($("wallet-account"), data?.account ? String(data.account).toUpperCase() : "");
    this.more.classList.toggle(
      "hidden",
      !data || data.next_cursor === null || data.next_cursor === undefined,
    );
    this.list.replaceChildren();
    if (!data) return;
    if (!data.history.length) {
      this.list.append(el("li", "empty", "NO ENTRIES YET"));
      return;
    }
    for (const entry of data.history) {
      const li = el("li", "entry");
      li.dataset.id = String(entry.id);
      const change = Number(entry.change) || 0;
      const kind = String(entry.kind ?? "").toLowerCase();
      li.append(
        el("span", "when", fmtWhen(entry.at)),
        el("span", `kind k-${kind.replace(/[^a-z]/g, "")}`, kind.toUpperCase()),
        el("b", `change ${change > 0 ? "up" : change < 0 ? "down" : ""}`, signed(change)),
        el("span", "memo", String(entry.memo || "—").toUpperCase()),
      );
      this.list.append(li);
    }
  }

  reset() {
    this.show(false);
    this.data = null;
    this.render();
  }

  /** Keep the shown balance honest: reload when the frame's balance moves. */
  sync() {
    if (!this.open || this.loading || !this.data) return;
    const credits = this.deps.credits();
    if (typeof credits === "number" && credits !== this.data.balance) {
      if (performance.now() - this.lastLoad > 2000) this.reload();
    }
  }

  onNotice() {
    if (this.open) this.reload();
  }
}

function signed(n) {
  const text = Math.abs(n).toLocaleString("en-US");
  return n > 0 ? `+${text}` : n < 0 ? `−${text}` : "0";
}

// ---------------------------------------------------------------- bounty --

/**
 * The open bounties (/api/bounties) and a form to post one on the locked
 * ship or its pilot (POST /api/bounties, escrowed from the wallet).
 *
 * deps: { token(), account(), world, targetId(), lock(id), notice(text, kind) }
 */
export class BountyPanel extends RefreshingPanel {
  constructor(deps) {
    super("bounty-panel", BOARD_REFRESH_MS, deps);
    this.list = $("bounty-list");
    this.status = $("bounty-status");
    this.kind = $("bounty-kind"); // on the ship, or on its pilot (players' ships only)
    this.amount = $("bounty-amount");
    this.button = $("bounty-post");
    this.open_ = [];
    this.loaded = false;
    this.loading = false;
    this.posting = false;
    this.listError = false; // the status line shows a failed refresh
    $("bounty-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.post();
    });
    this.root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && e.target.matches("input, select")) e.target.blur();
    });
    this.list.addEventListener("click", (e) => {
      const li = e.target.closest("li[data-ship]");
      if (li) this.deps.lock(Number(li.dataset.ship));
    });
  }

  async refresh() {
    if (this.loading) return;
    this.loading = true;
    try {
      const board = await api.bounties();
      this.open_ = Array.isArray(board?.open) ? board.open : [];
      this.loaded = true;
      // Only clear our own complaint, never the outcome of a post.
      if (this.listError) this.setStatus("");
    } catch (err) {
      this.setStatus(describeApiError(err), true);
      this.listError = true;
    } finally {
      this.loading = false;
      this.renderList();
    }
  }

  setStatus(text, error = false) {
    this.listError = false;
    setText(this.status, text);
    this.status.classList.toggle("error", error);
  }

  /** The locked ship a bounty would be posted on, or null. */
  target() {
    const e = this.deps.world.entities.get(this.deps.targetId());
    return e && e.kind === Kind.SHIP && e.id !== this.deps.world.shipId ? e : null;
  }

  // Where a bounty's target is on our sensors, if it is.
  shipOf(bounty) {
    const world = this.deps.world;
    if (bounty.target_kind === "ship") {
      const e = world.entities.get(bounty.target_id);
      return e && e.kind === Kind.SHIP ? e : null;
    }
    for (const e of world.entities.values()) {
      if (e.kind === Kind.SHIP && e.extra.owner === bounty.target_id) return e;
    }
    return null;
  }

  renderList() {
    this.list.replaceChildren();
    if (!this.loaded) return;
    if (!this.open_.length) {
      this.list.append(el("li", "empty", "NO OPEN BOUNTIES · THE SPACELANES ARE QUIET"));
      return;
    }
    const me = this.deps.account()?.id;
    const sorted = [...this.open_].sort((a, b) => b.amount - a.amount);
    for (const b of sorted) {
      const li = el("li", "bounty");
      li.dataset.id = String(b.id);
      const ship = this.shipOf(b);
      if (ship) {
        li.dataset.ship = String(ship.id);
        li.classList.add("near");
        li.title = "on sensors: click to lock";
      }
      const who = String(b.target_name || `#${b.target_id}`).toUpperCase();
      const poster = b.poster === me ? "YOU" : `#${b.poster}`;
      li.append(
        el("b", "amount", fmtCredits(b.amount)),
        el("span", "who", who),
        el(
          "span",
          "caption",
          `${String(b.target_kind).toUpperCase()} #${b.target_id} · BY ${poster} · ${fmtAge(
            b.created_at,
          )}${ship ? " · ◉ ON SENSORS" : ""}`,
        ),
      );
      this.list.append(li);
    }
  }

  /** Keep the form's target line in step with the lock. */
  sync() {
    if (!this.open) return;
    const t = this.target();
    const owned = t && t.extra.owner != null;
    const name = t ? (t.name || `#${t.id}`).toUpperCase() : "";
    const line = t
      ? `TARGET ▸ ${name} · SHIP #${t.id} · ${owned ? "PILOT" : "NPC"}`
      : "LOCK A SHIP TO POST A BOUNTY ON IT (CLICK / TAB)";
    setText($("bounty-target"), line);
    $("bounty-target").classList.toggle("locked", Boolean(t));
    this.button.disabled = !t || this.posting;
    const pilotOption = this.kind.querySelector('option[value="player"]');
    pilotOption.disabled = !owned;
    if (!owned && this.kind.value === "player") this.kind.value = "ship";
  }

  async post() {
    const t = this.target();
    if (!t) {
      this.setStatus("LOCK A SHIP FIRST", true);
      return;
    }
    const amount = Number(this.amount.value);
    if (!Number.isInteger(amount) || amount < MIN_BOUNTY) {
      this.setStatus(`INVALID: A BOUNTY IS WHOLE CREDITS, AT LEAST ${MIN_BOUNTY}`, true);
      return;
    }
    const kind = this.kind.value === "player" && t.extra.owner != null ? "player" : "ship";
    const id = kind === "player" ? t.extra.owner : t.id;
    const token = this.deps.token();
    this.posting = true;
    this.button.disabled = true;
    this.setStatus("POSTING…");
    try {
      const bounty = await api.postBounty(token, kind, id, amount);
      const name = String(bounty?.target_name || t.name || `#${id}`).toUpperCase();
      this.setStatus(`POSTED: ${fmtCredits(amount)} ON ${name}`);
      this.deps.notice(`BOUNTY POSTED ON ${name} · ${fmtCredits(amount)} ESCROWED`, "credit");
    } catch (err) {
      const text = describeApiError(err);
      this.setStatus(text, true);
      this.deps.notice(text, "error");
    } finally {
      this.posting = false;
    }
    await this.refresh();
  }

  reset() {
    this.show(false);
    this.open_ = [];
    this.loaded = false;
    this.setStatus("");
    this.renderList();
  }

  /** A server notice arrived: a bounty paid out leaves the board. */
  onNotice(kind) {
    if (this.open && kind === "bounty_paid") this.refresh();
  }
}
