// Local chat: the star system's channel (`say` out, `chat` lines in).
// Speakers are marked: your own lines, crew agents (lines from an agent's
// ship, answered hails included), other NPC ships, and players.

import { el } from "./dom.js";

const MAX_LINES = 200;
const MAX_CHARS = 280; // docs/protocol.md: `say` text is 1–280 characters

export class Chat {
  /**
   * `send(text)` delivers a line; it returns false when offline.
   * `speaker(ship, text, sentHere)` says who spoke: {kind: "own"|"agent"|"npc"|"player"|"",
   * title}; `sentHere` tells a line from our own ship that this page sent from
   * one that an agent aboard said (our recruits speak through our ship).
   */
  constructor(log, form, input, send, speaker = () => ({ kind: "" })) {
    this.log = log;
    this.input = input;
    this.send = send;
    this.speaker = speaker;
    this.ownShip = null;
    this.lines = []; // {ship, name, text} (wire.js CHAT_FIELDS), also read by the test hook
    this.sent = []; // texts we said that have not come back yet
    input.maxLength = MAX_CHARS;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) {
        input.blur(); // an empty Enter hands the keys back to the helm
        return;
      }
      const said = text.slice(0, MAX_CHARS);
      if (this.send(said) !== false) {
        input.value = "";
        this.sent.push(said);
        if (this.sent.length > 20) this.sent.shift();
      }
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") input.blur();
      event.stopPropagation(); // typing must never fly the ship
    });
  }

  focus() {
    this.input.focus();
  }

  /** Start a line (a hail: "Name, ") and hand the keyboard to it. */
  prefill(text) {
    this.input.value = text.slice(0, MAX_CHARS);
    this.input.focus();
    const end = this.input.value.length;
    this.input.setSelectionRange(end, end);
  }

  /** Replace the log (the welcome's recent chat). */
  reset(lines) {
    this.lines = [];
    this.log.replaceChildren();
    this.add(lines || [], false);
  }

  system(text) {
    this.append(null, "", text, "system");
  }

  /** New {ship, name, text} lines; `live` ones from our ship are matched against what we sent. */
  add(lines, live = true) {
    for (const { ship, name, text } of lines) {
      this.lines.push({ ship, name, text });
      let sentHere = false;
      if (ship === this.ownShip) {
        const k = live ? this.sent.indexOf(text) : -1;
        sentHere = !live || k >= 0;
        if (k >= 0) this.sent.splice(k, 1);
      }
      this.append(ship, name, text, this.kindOf(ship, text, sentHere), sentHere);
    }
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  kindOf(ship, text = "", sentHere = false) {
    if (ship === null || ship === undefined) return "system";
    if (ship === this.ownShip && sentHere) return "own";
    const kind = this.speaker(ship, text, sentHere).kind || "";
    return ship === this.ownShip && kind !== "agent" ? "own" : kind;
  }

  /** Who is who changed (a roster arrived): re-mark the lines shown. */
  restyle() {
    for (const row of this.log.children) {
      if (!row.dataset.ship) continue;
      const ship = Number(row.dataset.ship);
      const text = row.querySelector(".text")?.textContent ?? "";
      const sentHere = row.dataset.sent === "1";
      const cls = `line ${this.kindOf(ship, text, sentHere)}`.trim();
      if (row.className !== cls) row.className = cls;
      this.entitle(row, ship, text, sentHere);
    }
  }

  // The speaker's description as a tooltip, and who aboard our own ship spoke
  // (a recruit's line comes from our ship, under our ship's name).
  entitle(row, ship, text, sentHere) {
    const who = this.speaker(ship, text, sentHere);
    const title = ship === this.ownShip && sentHere ? "" : who.title || "";
    const name = row.querySelector(".who");
    if (name && name.title !== title) name.title = title;
    const by = ship === this.ownShip && who.kind === "agent" ? who.by || "" : "";
    let tag = row.querySelector(".by");
    if (!by) {
      tag?.remove();
      return;
    }
    if (!tag && name) {
      tag = el("span", "by");
      name.after(tag);
    }
    if (tag && tag.textContent !== by) tag.textContent = by;
  }

  append(ship, name, text, cls, sentHere = false) {
    // Stick to the bottom only if the reader has not scrolled up.
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 8;
    const row = el("div", `line ${cls}`.trim());
    if (ship !== null && ship !== undefined) row.dataset.ship = String(ship);
    if (sentHere) row.dataset.sent = "1";
    if (name) {
      row.append(el("span", "who", name), " ");
    }
    row.append(el("span", "text", text)); // never innerHTML: chat is untrusted
    if (row.dataset.ship) this.entitle(row, ship, text, sentHere);
    this.log.append(row);
    while (this.log.children.length > MAX_LINES) this.log.firstElementChild.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}
