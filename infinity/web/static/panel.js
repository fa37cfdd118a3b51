// A panel the pilot opens and closes, which asks the server again every few
// seconds while it is open (the market, the bounty board, the crew roster).

import { $ } from "./dom.js";

export class RefreshingPanel {
  /** `id`: the panel's element; `deps`: what the app hands the panel (see each one). */
  constructor(id, everyMs, deps) {
    this.root = $(id);
    this.everyMs = everyMs;
    this.deps = deps;
    this.timer = null;
  }

  get open() {
    return !this.root.classList.contains("hidden");
  }

  show(visible) {
    this.root.classList.toggle("hidden", !visible);
    clearInterval(this.timer);
    this.timer = null;
    if (!visible) {
      if (this.root.contains(document.activeElement)) document.activeElement.blur();
      return;
    }
    this.opened();
    this.refresh();
    this.timer = setInterval(() => this.refresh(), this.everyMs);
  }

  toggle() {
    this.show(!this.open);
  }

  /** Called as the panel opens, before its first refresh. */
  opened() {}

  /** Ask the server again; subclasses say how. */
  refresh() {}
}
