// The bridge's status displays: ship systems, target, link, notices.
//
// Updated from the render loop but only touching the DOM when a value
// actually changes, so a 60 fps loop costs almost nothing here.

import { $, el, setText } from "./dom.js";
import { Kind, KIND_NAMES } from "./world.js";

const SHIP_CARGO = 100; // tonnes (infinity/sim/rules.py)
const SHIP_TORPEDOES = 8;
const SHIP_ENERGY = 100;
const SHIP_FUEL = 100; // units; a jump burns JUMP_FUEL
const JUMP_FUEL = 10;
const BEAM_RANGE = 1500;
const LOOT_RANGE = 300;
const NOTICE_MS = 5000;
const MAX_NOTICES = 5;

function setBar(el, fraction) {
  if (!el) return;
  const pct = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
  if (el.style.getPropertyValue("--fill") !== pct) el.style.setProperty("--fill", pct);
  el.classList.toggle("low", fraction < 0.3);
}

export const fmtDistance = (m) =>
  m >= 10000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`;
/** Whole credits with thousands separators: 12,345 CR. */
export const fmtCredits = (n) =>
  typeof n === "number" && Number.isFinite(n)
    ? `${Math.round(n).toLocaleString("en-US")} CR`
    : "—";

export class Hud {
  constructor() {
    this.el = {
      system: $("hud-system"),
      tick: $("hud-tick"),
      dilation: $("hud-dilation"),
      link: $("hud-link"),
      pilot: $("hud-pilot"),
      hull: $("bar-hull"),
      hullText: $("val-hull"),
      shield: $("bar-shield"),
      shieldText: $("val-shield"),
      energy: $("bar-energy"),
      energyText: $("val-energy"),
      cargo: $("bar-cargo"),
      cargoText: $("val-cargo"),
      fuel: $("bar-fuel"),
      fuelText: $("val-fuel"),
      torpedoes: $("val-torpedoes"),
      beam: $("val-beam"),
      torp: $("val-torp"),
      speed: $("val-speed"),
      credits: $("val-credits"),
      status: $("val-status"),
      target: $("target-panel"),
      targetName: $("target-name"),
      targetKind: $("target-kind"),
      targetRange: $("target-range"),
      targetHull: $("bar-target-hull"),
      targetShield: $("bar-target-shield"),
      targetExtra: $("target-extra"),
      notices: $("notices"),
      hunted: $("hunted"),
    };
    this.notices = []; // newest last; also read by the test hook
    // The balance a `notice` reported; frames carry it too and win when
    // they come (they are newer), this only bridges the gap.
    this.noticeCredits = null;
    this.agentShips = new Set(); // ships with crew agents aboard (from the roster)
    this.shownCredits = null;
  }

  /** The wallet balance as best known: the frame's, else the last notice's. */
  credits(world) {
    const c = world.me?.credits;
    return typeof c === "number" ? c : this.noticeCredits;
  }

  setNoticeCredits(credits) {
    if (typeof credits === "number") this.noticeCredits = credits;
  }

  setLink(status) {
    const text =
      {
        online: "LINK ▮ ONLINE",
        connecting: "LINK ▯ CONNECTING",
        reconnecting: "LINK ▯ RECONNECTING",
        offline: "LINK ▯ OFFLINE",
      }[status] ?? `LINK ${status}`;
    setText(this.el.link, text);
    this.el.link?.classList.toggle("warn", status !== "online");
  }

  setSystem(name) {
    setText(this.el.system, name ? name.toUpperCase() : "—");
  }

  setPilot(name) {
    setText(this.el.pilot, name ? name.toUpperCase() : "");
  }

  /** Refresh from the world model; `siphonId` is the ship we drain, or -1. */
  update(world, targetId, speed, siphonId = -1) {
    const me = world.me;
    const ship = world.ship;
    setText(this.el.tick, world.tick === null ? "—" : String(world.tick));
    const dil = world.dilation ?? 1;
    setText(this.el.dilation, `×${dil.toFixed(2)}`);
    this.el.dilation?.classList.toggle("warn", dil < 0.95);

    if (ship) {
      setBar(this.el.hull, ship.hull / 100);
      setText(this.el.hullText, `${ship.hull}%`);
      setBar(this.el.shield, ship.shield / 100);
      setText(this.el.shieldText, `${ship.shield}%`);
    }
    if (me) {
      setBar(this.el.energy, me.energy / SHIP_ENERGY);
      setText(this.el.energyText, `${Math.round(me.energy)}`);
      setBar(this.el.cargo, me.cargo / SHIP_CARGO);
      setText(this.el.cargoText, `${Math.round(me.cargo)} / ${SHIP_CARGO} t`);
      setText(
        this.el.torpedoes,
        "◆".repeat(Math.max(0, me.torpedoes)) +
          "◇".repeat(Math.max(0, SHIP_TORPEDOES - me.torpedoes)),
      );
      setText(this.el.beam, me.beam_cd > 0 ? `${(me.beam_cd / 10).toFixed(1)} s` : "READY");
      setText(this.el.torp, me.torp_cd > 0 ? `${(me.torp_cd / 10).toFixed(1)} s` : "READY");
      this.el.beam?.classList.toggle("warn", me.beam_cd > 0);
      this.el.torp?.classList.toggle("warn", me.torp_cd > 0);
      setText(this.el.status, this.statusLine(world, me, siphonId));
      this.el.status?.classList.toggle("siphon", siphonId >= 0);
      if (typeof me.fuel === "number") {
        setBar(this.el.fuel, me.fuel / SHIP_FUEL);
        const jumps = Math.floor(me.fuel / JUMP_FUEL);
        setText(this.el.fuelText, `${Math.round(me.fuel)} · ${jumps} JMP`);
        this.el.fuelText?.classList.toggle("warn", me.fuel < JUMP_FUEL);
      }
    }
    setText(this.el.speed, speed === null ? "—" : `${Math.round(speed)} m/s`);
    this.updateCredits(this.credits(world));
    this.updateTarget(world, targetId);
  }

  // The balance flashes green when it grows and red when it shrinks.
  updateCredits(credits) {
    const el = this.el.credits;
    setText(el, fmtCredits(credits));
    const before = this.shownCredits;
    this.shownCredits = credits;
    if (!el || typeof credits !== "number" || typeof before !== "number" || credits === before)
      return;
    el.classList.remove("up", "down");
    void el.offsetWidth; // restart the animation
    el.classList.add(credits > before ? "up" : "down");
  }

  statusLine(world, me, siphonId) {
    const name = (id) => world.entities.get(id)?.name ?? `#${id}`;
    if (me.docked_at >= 0) return `DOCKED · ${name(me.docked_at).toUpperCase()}`;
    if (siphonId >= 0) return `SIPHONING · ${name(siphonId).toUpperCase()}`;
    // `mining` is the asteroid id (or -1); accept a boolean too.
    if (me.mining === true || (typeof me.mining === "number" && me.mining >= 0)) {
      return me.mining === true ? "MINING" : `MINING · ${name(me.mining).toUpperCase()}`;
    }
    return "IN FLIGHT";
  }

  updateTarget(world, targetId) {
    const t = targetId >= 0 ? world.entities.get(targetId) : undefined;
    this.el.target?.classList.toggle("empty", !t);
    if (!t) {
      this.el.target?.classList.remove("inert");
      setText(this.el.targetName, targetId >= 0 ? "OUT OF SENSOR RANGE" : "NO TARGET");
      setText(this.el.targetKind, "");
      setText(this.el.targetRange, "");
      setText(this.el.targetExtra, "CLICK A CONTACT TO LOCK");
      setBar(this.el.targetHull, 0);
      setBar(this.el.targetShield, 0);
      return;
    }
    const ship = world.ship;
    const d = ship ? Math.hypot(t.x - ship.x, t.y - ship.y) : null;
    setText(this.el.targetName, (t.name || `#${t.id}`).toUpperCase());
    let kind = KIND_NAMES[t.kind] ?? "unknown";
    if (t.kind === Kind.SHIP) {
      kind = t.extra.owner != null ? "ship · pilot" : "ship · npc";
      if (this.agentShips?.has(t.id)) kind = "ship · crew (r: roster)";
    }
    setText(this.el.targetKind, kind.toUpperCase());
    setText(
      this.el.targetRange,
      d === null ? "" : `${fmtDistance(d)}${d <= BEAM_RANGE ? " · IN BEAM RANGE" : ""}`,
    );
    this.el.targetRange?.classList.toggle("ok", d !== null && d <= BEAM_RANGE);
    // Only ships (and torpedoes) have hull and shields worth a bar.
    const armoured = t.kind === Kind.SHIP || t.kind === Kind.TORPEDO;
    this.el.target?.classList.toggle("inert", !armoured);
    setBar(this.el.targetHull, armoured ? t.hull / 100 : 0);
    setBar(this.el.targetShield, armoured ? t.shield / 100 : 0);
    let extra = "";
    if (t.kind === Kind.ASTEROID) extra = `ORE ${t.extra.ore ?? "?"} t`;
    else if (t.kind === Kind.GATE) extra = "JUMP GATE · J TO JUMP IN RANGE";
    else if (t.kind === Kind.STATION) extra = "STATION · F TO DOCK IN RANGE";
    else if (t.kind === Kind.SHIP) extra = `HULL ${t.hull}% · SHIELD ${t.shield}% · V TO SIPHON`;
    else if (t.kind === Kind.WRECK)
      extra = `ORE ${t.extra.ore ?? "?"} t · ${
        d !== null && d <= LOOT_RANGE ? "L TO LOOT" : `LOOT WITHIN ${LOOT_RANGE} m`
      }`;
    setText(this.el.targetExtra, extra);
  }

  /**
   * The subjects shared with us (a `markers` message, once a second): one line
   * each, "HUNTED: NAME IN SYSTEM", with the range when it is in our system.
   */
  setHunted(markers, systemId, own) {
    const box = this.el.hunted;
    if (!box) return;
    const lines = markers.map((m) => {
      const here = m.system === systemId && own;
      const range = here ? ` · ${fmtDistance(Math.hypot(m.x - own.x, m.y - own.y))}` : "";
      return `▶ HUNTED: ${m.name.toUpperCase()} IN ${m.system_name.toUpperCase()}${range}`;
    });
    const text = lines.join("\n");
    if (box.dataset.text === text) return;
    box.dataset.text = text;
    box.replaceChildren(...lines.map((line) => el("div", "hunted-line", line)));
    box.classList.toggle("hidden", !lines.length);
  }

  /** A short message in the notice stack; `kind` is "error", "info" or "credit". */
  notice(text, kind = "info") {
    const entry = { text, kind, at: Date.now() };
    this.notices.push(entry);
    if (this.notices.length > 50) this.notices.shift();
    const box = this.el.notices;
    if (!box) return;
    // Repeats (a held fire key out of range) bump a counter instead of
    // filling the stack with copies.
    const last = box.lastElementChild;
    if (last && last.dataset.text === text && !last.classList.contains("fade")) {
      last.dataset.count = String(Number(last.dataset.count) + 1);
      last.textContent = `${text} ×${last.dataset.count}`;
      this.expire(last);
      return;
    }
    const line = el("div", `notice ${kind}`, text);
    line.dataset.text = text;
    line.dataset.count = "1";
    box.append(line);
    while (box.children.length > MAX_NOTICES) box.firstElementChild.remove();
    this.expire(line);
  }

  expire(el) {
    clearTimeout(el._expiry);
    el._expiry = setTimeout(() => {
      el.classList.add("fade");
      setTimeout(() => el.remove(), 600);
    }, NOTICE_MS);
  }
}
