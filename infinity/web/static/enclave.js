// The enclave view: the host looks in on the minds living in their enclave
// (docs/worlds.md "Enclaves"): who lives there, their latest memories (what
// they saw through the host's eyes among them), what they said of it, and the
// enclave's local chat. It refreshes from GET /api/enclave every few seconds
// while open; ENTER takes the host's ship in to talk with them.

import * as api from "./api.js";
import { $, el } from "./dom.js";
import { RefreshingPanel } from "./panel.js";

const upper = (text) => String(text ?? "").toUpperCase();

export class EnclavePanel extends RefreshingPanel {
  /** `deps`: token(), notice(text, kind). */
  constructor(deps) {
    super("enclave-panel", 3000, deps);
    this.data = null; // the last /api/enclave answer, or null (none yet)
    this.list = $("enclave-minds");
    this.status = $("enclave-status");
    $("enclave-enter").addEventListener("click", () => this.enter());
  }

  reset() {
    this.show(false);
    this.data = null;
  }

  async refresh() {
    const token = this.deps.token();
    if (!token) return;
    try {
      this.data = await api.enclave(token);
      this.render();
    } catch (err) {
      this.data = null;
      this.list.replaceChildren(el("li", "empty", "NO ENCLAVE YET · MOVE A MIND OF YOUR CREW IN"));
      this.setStatus(err.code === "no_enclave" ? "" : upper(err.message), "error");
    }
  }

  render() {
    const data = this.data;
    $("enclave-name").textContent = upper(data.name);
    if (!data.minds.length) {
      this.list.replaceChildren(el("li", "empty", "NO ONE LIVES HERE YET"));
    } else {
      this.list.replaceChildren(
        ...data.minds.map((m) => {
          const li = el("li", "enclave-mind");
          li.dataset.agent = String(m.id);
          li.append(el("b", "mind-name", upper(m.name)));
          const ol = el("ol", "mind-memories");
          ol.append(...m.memories.map((x) => el("li", `memory ${x.kind}`, x.text)));
          li.append(ol);
          return li;
        }),
      );
    }
    const said = [...data.comments, ...data.chat.map((c) => `${c.name}: ${c.text}`)].slice(-8);
    $("enclave-said").replaceChildren(...said.map((line) => el("li", "said", line)));
    this.setStatus("");
  }

  async enter() {
    const token = this.deps.token();
    if (!token || !this.data) return;
    try {
      await api.travel(token, this.data.world);
      this.deps.notice(`ENTERED ${upper(this.data.name)}`, "info");
    } catch (err) {
      this.setStatus(upper(err.message), "error");
    }
  }

  setStatus(text, kind) {
    this.status.textContent = text;
    this.status.classList.toggle("error", kind === "error");
  }
}
