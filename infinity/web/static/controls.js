// Helm input: keyboard and mouse to intents. The intents themselves (what
// to send, which station is "nearest") live in main.js; this module only
// knows keys and pointers.

const HELM_KEYS = {
  KeyW: "ahead",
  ArrowUp: "ahead",
  KeyS: "astern",
  ArrowDown: "astern",
  KeyA: "left",
  ArrowLeft: "left",
  KeyD: "right",
  ArrowRight: "right",
};

const ACTION_KEYS = {
  KeyX: "stop",
  Space: "fire",
  KeyT: "torpedo",
  KeyF: "dock",
  KeyM: "mine",
  KeyU: "unload",
  KeyJ: "jump",
  KeyG: "galaxy",
  Enter: "chat",
  NumpadEnter: "chat",
  Tab: "cycleTarget",
  Escape: "escape",
  Equal: "zoomIn",
  NumpadAdd: "zoomIn",
  Minus: "zoomOut",
  NumpadSubtract: "zoomOut",
  KeyH: "help",
  KeyV: "siphon",
  KeyL: "loot",
  KeyE: "market",
  KeyB: "wallet",
  KeyK: "bounties",
  KeyR: "roster",
  KeyO: "worlds",
  KeyN: "enclave",
};

function typing(target) {
  const tag = target?.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target?.isContentEditable;
}

export class Controls {
  /**
   * `surface`: the element that receives pointer input (the tactical view).
   * `actions`: { enabled(), helm(throttle, turn), <action name>(), hover(x, y),
   *              click(x, y), rightClick(x, y), zoom(steps) }
   */
  constructor(surface, actions) {
    this.surface = surface;
    this.actions = actions;
    this.held = new Set();
    this.sent = { throttle: 0, turn: 0 };

    window.addEventListener("keydown", (e) => this.keydown(e));
    window.addEventListener("keyup", (e) => this.keyup(e));
    // Releasing keys while the window is unfocused never reaches us: treat
    // losing focus as letting go, or the ship flies off on its own.
    window.addEventListener("blur", () => this.releaseAll());

    surface.addEventListener("mousemove", (e) => {
      const p = this.local(e);
      actions.hover(p.x, p.y);
    });
    surface.addEventListener("mouseleave", () => actions.hover(null, null));
    surface.addEventListener("click", (e) => {
      if (e.button !== 0) return;
      const p = this.local(e);
      actions.click(p.x, p.y);
    });
    surface.addEventListener("contextmenu", (e) => {
      e.preventDefault();
      const p = this.local(e);
      actions.rightClick(p.x, p.y);
    });
    surface.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        actions.zoom(Math.sign(e.deltaY));
      },
      { passive: false },
    );
  }

  local(e) {
    const rect = this.surface.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  keydown(e) {
    if (!this.actions.enabled() || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (HELM_KEYS[e.code]) {
      e.preventDefault();
      this.held.add(HELM_KEYS[e.code]);
      this.updateHelm();
      return;
    }
    const action = ACTION_KEYS[e.code];
    if (!action) return;
    e.preventDefault(); // Space would scroll, Tab would move focus
    if (e.repeat) return; // one press, one command: no autofire floods
    this.actions[action]?.();
  }

  keyup(e) {
    if (HELM_KEYS[e.code] && this.held.delete(HELM_KEYS[e.code])) this.updateHelm();
  }

  releaseAll() {
    if (!this.held.size) return;
    this.held.clear();
    this.updateHelm();
  }

  /** Send the helm state again if keys are held or engines were last left on. */
  resyncHelm() {
    if (!this.held.size && !this.sent.throttle && !this.sent.turn) return;
    this.sent = { throttle: NaN, turn: NaN };
    this.updateHelm();
  }

  // Thrust is a level, not an impulse: send it only when it changes, never
  // per frame, so holding W costs one command, not sixty a second.
  updateHelm() {
    const h = this.held;
    const throttle = (h.has("ahead") ? 1 : 0) - (h.has("astern") ? 1 : 0);
    const turn = (h.has("left") ? 1 : 0) - (h.has("right") ? 1 : 0);
    if (throttle === this.sent.throttle && turn === this.sent.turn) return;
    this.sent = { throttle, turn };
    this.actions.helm(throttle, turn);
  }
}
