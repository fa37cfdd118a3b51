// The worlds panel: the worlds you may enter (the main one and private
// instances), a form to make an instance from a template, your instances'
// guest lists, and travel there and back (docs/templates.md). Every answer
// of /api/worlds is also handed to the page (`onWorlds`), which shows the
// look of the world the ship is in.

import * as api from "./api.js";
import { $, el } from "./dom.js";
import { RefreshingPanel } from "./panel.js";

export const MAIN_WORLD = 1;
const CONFIRM_MS = 4000; // CLOSE asks once more for this long

const upper = (text) => String(text ?? "").toUpperCase();
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "S"}`;

export class WorldsPanel extends RefreshingPanel {
  /**
   * `deps`: token(), account() (our account's name), notice(text, kind),
   * onWorlds(answer): every /api/worlds answer ({worlds, here}).
   */
  constructor(deps) {
    super("worlds-panel", 5000, deps);
    this.data = null; // the last /api/worlds answer
    this.templates = null; // the last /api/templates list
    this.drafts = new Map(); // world id -> the invitee's name being typed
    this.closing = null; // {id, until}: CLOSE was pressed once
    this.asked = 0; // /api/worlds requests made; only the newest answer counts
    this.shown = "";
    this.busy = false;
    this.list = $("worlds-list");
    this.status = $("worlds-status");
    $("world-create").addEventListener("submit", (event) => {
      event.preventDefault();
      this.create();
    });
    $("worlds-home").addEventListener("click", () => this.goHome());
    this.list.addEventListener("click", (event) => this.clicked(event));
    this.list.addEventListener("submit", (event) => {
      event.preventDefault();
      const id = Number(event.target.closest("li.world")?.dataset.world);
      this.invite(id);
    });
    this.list.addEventListener("input", (event) => {
      const li = event.target.closest("li.world");
      if (li && event.target.name === "invitee") {
        this.drafts.set(Number(li.dataset.world), event.target.value);
      }
    });
  }

  /** The world the ship is in (1: the main world), as last heard. */
  get here() {
    return this.data?.here ?? MAIN_WORLD;
  }

  /** The world record the ship is in, or null. */
  get hereWorld() {
    return this.data?.worlds.find((w) => w.id === this.here) ?? null;
  }

  reset() {
    this.show(false);
    this.data = null;
    this.drafts.clear();
    this.shown = "";
    this.setStatus("");
  }

  opened() {
    if (!this.templates) this.loadTemplates();
  }

  /** Ask /api/worlds again: the list, and where the ship is. */
  async refresh() {
    const token = this.deps.token();
    if (!token) return null;
    const asked = ++this.asked;
    try {
      const data = await api.worlds(token);
      if (asked !== this.asked) return this.data; // a newer answer is on its way
      this.data = data;
      this.render();
      this.deps.onWorlds(data);
      return data;
    } catch (err) {
      if (asked === this.asked && this.open) this.fail(err);
      return null;
    }
  }

  async loadTemplates() {
    try {
      const { templates } = await api.templates();
      this.templates = templates;
      const select = $("world-template");
      const chosen = select.value;
      select.replaceChildren(
        ...templates.map((t) => {
          const option = el("option", "", `${upper(t.title)} · ${plural(t.systems, "SYSTEM")}`);
          option.value = t.name;
          option.title = t.description;
          return option;
        }),
      );
      if (templates.some((t) => t.name === chosen)) select.value = chosen;
    } catch (err) {
      this.fail(err);
    }
  }

  // ------------------------------------------------------------- acts --

  async create() {
    const template = $("world-template").value;
    const name = $("world-name").value.trim();
    if (!template) return this.setStatus("CHOOSE A TEMPLATE", "error");
    if (!name) return this.setStatus("NAME YOUR INSTANCE (1–40 CHARACTERS)", "error");
    await this.act(`CREATING ${upper(name)}…`, async (token) => {
      const made = await api.createWorld(token, template, name);
      $("world-name").value = "";
      return `CREATED ${upper(made.name)} · INVITE GUESTS OR TRAVEL THERE`;
    });
  }

  async invite(id) {
    const account = (this.drafts.get(id) ?? "").trim();
    if (!account) return this.setStatus("NAME THE PILOT TO INVITE", "error");
    await this.act(`INVITING ${upper(account)}…`, async (token) => {
      const world = await api.inviteToWorld(token, id, account);
      this.drafts.delete(id);
      return `${upper(account)} MAY NOW ENTER ${upper(world.name)}`;
    });
  }

  async uninvite(id, account) {
    await this.act(`UNINVITING ${upper(account)}…`, async (token) => {
      const world = await api.uninviteFromWorld(token, id, account);
      return `${upper(account)} IS OFF THE LIST OF ${upper(world.name)}`;
    });
  }

  async travel(id) {
    const world = this.data?.worlds.find((w) => w.id === id);
    const name = upper(world?.name ?? `WORLD ${id}`);
    await this.act(`TRAVELLING TO ${name}…`, async (token) => {
      const nonce = Math.random().toString(36).slice(2, 8);
      const key = `travel-${id}-${Date.now().toString(36)}-${nonce}`;
      await api.travel(token, id, key);
      this.deps.notice(`ARRIVED IN ${name}`, "info");
      return `YOUR SHIP IS IN ${name}`;
    });
  }

  async goHome() {
    await this.act("GOING HOME…", async (token) => {
      await api.goHome(token);
      this.deps.notice("BACK HOME", "info");
      return "YOUR SHIP IS BACK WHERE IT SET OUT FROM";
    });
  }

  async close(id) {
    const world = this.data?.worlds.find((w) => w.id === id);
    if (this.closing?.id !== id || this.closing.until < Date.now()) {
      this.closing = { id, until: Date.now() + CONFIRM_MS };
      this.render(true);
      setTimeout(() => this.render(true), CONFIRM_MS + 50);
      return this.setStatus(`PRESS CLOSE AGAIN TO CLOSE ${upper(world?.name)} FOR GOOD`, "error");
    }
    this.closing = null;
    await this.act(`CLOSING ${upper(world?.name)}…`, async (token) => {
      await api.closeWorld(token, id);
      return `${upper(world?.name)} IS CLOSED · ITS VISITORS WERE SENT HOME`;
    });
  }

  /** One request at a time; its refusal's detail is shown as the server said it. */
  async act(doing, work) {
    const token = this.deps.token();
    if (this.busy || !token) return;
    this.busy = true;
    this.setStatus(doing);
    try {
      const done = await work(token);
      this.setStatus(done, "ok");
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
      await this.refresh();
    }
  }

  clicked(event) {
    const button = event.target.closest("button[data-act]");
    const li = button?.closest("li.world");
    if (!button || !li) return;
    const id = Number(li.dataset.world);
    const act = button.dataset.act;
    if (act === "travel") this.travel(id);
    else if (act === "close") this.close(id);
    else if (act === "uninvite") this.uninvite(id, button.dataset.account);
    else if (act === "post") this.post(id, button.dataset.post, li);
    else if (act === "relieve") this.relieve(id, button.dataset.account);
  }

  /** Take a bridge post, or (the captain) assign the pilot chosen beside it. */
  async post(id, post, li) {
    const chosen = li.querySelector(`select[data-post="${post}"]`)?.value ?? "";
    await this.act(`TAKING THE ${upper(post)} POST…`, async (token) => {
      await api.takePost(token, id, post, chosen);
      return `${chosen ? upper(chosen) : "YOU"} AT ${upper(post)}`;
    });
  }

  async relieve(id, account) {
    await this.act("LEAVING THE BRIDGE…", async (token) => {
      await api.leavePost(token, id, account);
      return account ? `${upper(account)} RELIEVED` : "BACK ABOARD YOUR OWN SHIP";
    });
  }

  fail(err) {
    const code = err.code && err.code !== "http_error" ? `${upper(err.code)}: ` : "";
    this.setStatus(`${code}${err.detail || err.message}`, "error");
  }

  setStatus(text, kind = "") {
    this.status.textContent = text;
    this.status.className = `caption ${kind}`.trim();
  }

  // ----------------------------------------------------------- drawing --

  render(force = false) {
    const data = this.data;
    const me = this.deps.account();
    const here = this.hereWorld;
    $("worlds-here").textContent = here ? upper(here.name) : "—";
    $("worlds-home").classList.toggle("hidden", this.here === MAIN_WORLD);
    const closing = this.closing && this.closing.until > Date.now() ? this.closing.id : null;
    const signature = JSON.stringify([data, me, closing]);
    if (!force && signature === this.shown) return;
    this.shown = signature;
    // Keep the caret in the invite box being typed in across the rebuild.
    const focused = document.activeElement?.closest?.("#worlds-list li.world");
    const refocus =
      focused && document.activeElement.name === "invitee" ? focused.dataset.world : null;
    const worlds = data?.worlds ?? [];
    if (!worlds.length) {
      this.list.replaceChildren(el("li", "empty", data ? "NO WORLDS OPEN TO YOU" : "LOADING…"));
      return;
    }
    this.list.replaceChildren(...worlds.map((w) => this.row(w, me, closing === w.id)));
    if (refocus) {
      this.list.querySelector(`li[data-world="${refocus}"] input[name="invitee"]`)?.focus();
    }
  }

  /** The flagship's bridge: each post, who holds it, and what the viewer may do about it. */
  bridge(w, me, captain) {
    const box = el("div", "bridge");
    box.append(el("div", "caption", "FLAGSHIP BRIDGE"));
    for (const p of w.posts) {
      const line = el("div", "post");
      line.append(el("span", "post-name", `${upper(p.title)} · ${p.holder ? upper(p.holder) : "FREE"}`));
      const mineNow = p.holder && p.holder === me;
      if (captain && p.post !== "captain") {
        const pick = el("select");
        pick.dataset.post = p.post;
        for (const name of w.members) {
          const option = el("option", "", upper(name));
          option.value = name;
          pick.append(option);
        }
        if (w.members.length) line.append(pick, postButton("ASSIGN", "post", p.post));
        if (p.holder) line.append(postButton("RELIEVE", "relieve", p.post, p.holder));
      } else if (p.post === "captain" && captain && !mineNow) {
        line.append(postButton("TAKE THE CHAIR", "post", p.post));
      } else if (!captain && !p.holder && !w.rules.captain_orders && p.post !== "captain") {
        line.append(postButton("TAKE", "post", p.post));
      }
      if (mineNow) line.append(postButton("LEAVE", "relieve", p.post));
      box.append(line);
    }
    return box;
  }

  row(w, me, closing) {
    const li = el("li", `world${w.here ? " here" : ""}`);
    li.dataset.world = String(w.id);
    const mine = Boolean(me) && w.owner === me;
    const sealed = w.kind === "enclave"; // your enclave: no guests, never closed
    const title = el("div", "world-title");
    title.append(el("span", "world-name", upper(w.name)));
    if (w.here) title.append(el("span", "badge", "YOU ARE HERE"));
    if (!w.here) title.append(button("TRAVEL", "travel", "cyan")); // GO HOME is at the top
    if (mine && !sealed) title.append(button(closing ? "SURE? CLOSE" : "CLOSE", "close", "red"));
    li.append(title);
    const owner = w.owner ? `OWNER ${upper(w.owner)}${mine ? " (YOU)" : ""}` : "OPEN TO ALL";
    li.append(
      el(
        "div",
        "caption",
        `${upper(w.template)} · ${upper(w.visibility)} · ${owner} · ` +
          `${plural(w.ships, "SHIP")} · ${plural(w.systems, "SYSTEM")}`,
      ),
    );
    if (w.members.length || (mine && !sealed)) {
      const members = el("div", "members");
      if (!w.members.length) members.append(el("span", "caption", "NO GUESTS YET"));
      for (const name of w.members) {
        const chip = el("span", "member", upper(name));
        if (mine) {
          const x = el("button", "", "×");
          x.type = "button";
          x.title = `Uninvite ${name}`;
          x.dataset.act = "uninvite";
          x.dataset.account = name;
          chip.append(x);
        }
        members.append(chip);
      }
      li.append(members);
    }
    if (w.here && w.posts?.length) li.append(this.bridge(w, me, mine));
    if (mine && !sealed) {
      const form = el("form", "world-invite");
      form.autocomplete = "off";
      const input = el("input");
      input.name = "invitee";
      input.maxLength = 32;
      input.placeholder = "PILOT TO INVITE";
      input.value = this.drafts.get(w.id) ?? "";
      const invite = el("button", "pill small lav", "INVITE");
      invite.type = "submit";
      form.append(input, invite);
      li.append(form);
    }
    return li;
  }
}

function postButton(text, act, post, account = "") {
  const b = button(text, act, "lav");
  b.dataset.post = post;
  if (account) b.dataset.account = account;
  return b;
}

function button(text, act, colour) {
  const b = el("button", `pill small ${colour}`, text);
  b.type = "button";
  b.dataset.act = act;
  return b;
}
