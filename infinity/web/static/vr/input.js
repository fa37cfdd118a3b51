// Controllers to intents: the two WebXR controllers (xr-standard gamepads
// of the session's input sources) in immersive mode, and any standard
// gamepad (navigator.getGamepads) in the flat view. Both call the same
// intents the keyboard does (controls.js → main.js), so the server sees the
// very same commands: `thrust` with throttle and turn in {-1, 0, 1} sent
// only when they change, one `fire` per trigger pull, and so on.

const DEADZONE = 0.5; // a stick past half-way counts as held, like a key

/** -1, 0 or 1: a stick axis read the way a pair of keys would be. */
export const level = (v) => (v > DEADZONE ? 1 : v < -DEADZONE ? -1 : 0);

const pressed = (pad, i) => Boolean(pad?.buttons?.[i]?.pressed);
const axis = (pad, i) => pad?.axes?.[i] ?? 0;

// xr-standard mapping: buttons 0 trigger, 1 squeeze, 3 stick press,
// 4 A/X, 5 B/Y; axes 2/3 the thumbstick (up is negative). The trigger is
// also WebXR's select: aimed at something that can be chosen (a ship not
// yet locked, a console), it chooses that instead (`actions.select(hand)`).
const TRIGGER = "0";
export const XR_BUTTONS = {
  right: { 0: "fire", 1: "torpedo", 4: "cycleTarget", 5: "dock" },
  left: { 0: "stop", 1: "escape", 3: "recentre", 4: "mine", 5: "jump" },
};
// Standard gamepad mapping (flat view): A B X Y, LB RB, LT RT.
export const PAD_BUTTONS = {
  0: "cycleTarget",
  1: "dock",
  2: "mine",
  3: "jump",
  4: "stop",
  5: "torpedo",
  6: "escape",
  7: "fire",
};

/**
 * Edge-triggered buttons and level-triggered helm for any number of pads.
 * `actions` is main.js's intents plus, in VR, `recentre()`, `snapTurn(dir)`
 * and `select(hand)` (true if the ray chose something).
 */
export class PadHelm {
  constructor(actions) {
    this.actions = actions;
    this.down = new Map(); // "<pad>:<button>" -> pressed last poll
    this.snapHeld = 0;
    this.sent = { throttle: 0, turn: 0 };
    this.active = false; // a pad moved the helm (so letting go sends a stop)
    this.commands = []; // what this helm asked for, newest last (test hook)
  }

  run(name, ...args) {
    const fn = this.actions[name];
    if (!fn) return;
    this.note(name);
    fn(...args);
  }

  note(name) {
    this.commands.push(name);
    if (this.commands.length > 50) this.commands.shift();
  }

  edges(key, pad, map, hand = null) {
    for (const [i, name] of Object.entries(map)) {
      const id = `${key}:${i}`;
      const now = pressed(pad, Number(i));
      if (now && !this.down.get(id)) {
        if (hand && i === TRIGGER && this.actions.select?.(hand)) this.note("select");
        else this.run(name);
      }
      this.down.set(id, now);
    }
  }

  helm(throttle, turn) {
    if (throttle === this.sent.throttle && turn === this.sent.turn) return;
    // Untouched sticks say nothing: the keyboard may be flying.
    if (!this.active && !throttle && !turn) return;
    this.sent = { throttle, turn };
    this.active = Boolean(throttle || turn);
    this.note("helm");
    this.actions.helm(throttle, turn);
  }

  /** XR: `sources` is session.inputSources. Right stick flies, left stick snaps. */
  pollXR(sources) {
    if (!this.actions.enabled()) return;
    let throttle = 0;
    let turn = 0;
    for (const source of sources ?? []) {
      const pad = source.gamepad;
      const hand = source.handedness;
      if (!pad || !XR_BUTTONS[hand]) continue;
      this.edges(`xr-${hand}`, pad, XR_BUTTONS[hand], hand);
      const x = level(axis(pad, 2));
      const y = level(axis(pad, 3));
      if (hand === "right") {
        throttle = -y; // stick forward (negative) is ahead
        turn = -x; // stick right turns starboard (keyboard D: turn -1)
      } else {
        // Snap turn: one step per flick of the left stick.
        if (x && x !== this.snapHeld) this.run("snapTurn", x);
        this.snapHeld = x;
      }
    }
    this.helm(throttle, turn);
  }

  /** Flat view: the first standard gamepad, left stick flies. */
  pollPads(pads) {
    if (!this.actions.enabled()) return;
    const pad = [...(pads ?? [])].find((p) => p && p.connected && p.mapping === "standard");
    if (!pad) return;
    this.edges(`pad-${pad.index}`, pad, PAD_BUTTONS);
    this.helm(-level(axis(pad, 1)), -level(axis(pad, 0)));
  }
}
