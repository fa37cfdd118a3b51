// Comfort in the headset: the pilot's settings (kept in this browser), the
// comfort console at the pilot's right that toggles them and recentres the
// seat, and the vignette: a darkening ring around the view while the ship
// turns, so the universe sweeping past tires the eyes less. The view never
// moves unless the pilot moved it (helm, snap turn, recentre).

import * as THREE from "three";
import { AMBER, CYAN, INK, LAV, Panel, PX_PER_METRE, RED } from "./bridge.js";

const KEY = "infinity.vr.comfort";
export const SNAP_DEG = 30; // one snap turn of the seat

/** {vignette, snapTurn}: both on unless the pilot turned them off. */
export class Comfort {
  constructor() {
    let saved = {};
    try {
      saved = JSON.parse(localStorage.getItem(KEY) ?? "{}") ?? {};
    } catch {
      saved = {};
    }
    this.vignette = saved.vignette !== false;
    this.snapTurn = saved.snapTurn !== false;
  }

  toggle(name) {
    this[name] = !this[name];
    localStorage.setItem(KEY, JSON.stringify({ vignette: this.vignette, snapTurn: this.snapTurn }));
  }
}

// The console's buttons, top to bottom: [name, label(comfort)].
const BUTTONS = [
  ["vignette", (c) => `VIGNETTE IN TURNS: ${c.vignette ? "ON" : "OFF"}`],
  ["snapTurn", (c) => `SNAP TURN ${SNAP_DEG}°: ${c.snapTurn ? "ON" : "OFF"}`],
  ["recentre", () => "RECENTRE VIEW"],
];

export class ComfortConsole {
  constructor(comfort) {
    this.comfort = comfort;
    this.panel = new Panel("vr-comfort", 0.56, 0.4).place(0.98, 0.9, -0.3, -1.25);
    this.pointed = null; // button name under a ray
  }

  /** Panel-local metres: the band of button `i` (y from top to bottom). */
  band(i) {
    const { height } = this.panel;
    const top = height / 2 - 0.075; // below the cap
    const each = (height - 0.09) / BUTTONS.length;
    return { top: top - i * each, bottom: top - (i + 1) * each };
  }

  /** The button at a ray's hit (panel-local point), or null. */
  buttonAt(local) {
    const i = BUTTONS.findIndex((_, k) => {
      const { top, bottom } = this.band(k);
      return local.y <= top && local.y > bottom;
    });
    return i < 0 ? null : BUTTONS[i][0];
  }

  /** Where button `name` is, in the world (rays aim there). */
  pointOf(name) {
    const { top, bottom } = this.band(BUTTONS.findIndex(([n]) => n === name));
    this.panel.mesh.updateWorldMatrix(true, false);
    return this.panel.mesh.localToWorld(new THREE.Vector3(0, (top + bottom) / 2, 0));
  }

  point(local) {
    this.pointed = local ? this.buttonAt(local) : null;
  }

  update() {
    const labels = BUTTONS.map(([name, label]) => [name, label(this.comfort)]);
    this.panel.paint([labels, this.pointed], (c, w, h) => {
      this.panel.frame(c, w, h, "COMFORT", CYAN);
      this.panel.setFont(c, 0);
      const px = (m) => h / 2 - m * PX_PER_METRE;
      labels.forEach(([name, text], i) => {
        const { top, bottom } = this.band(i);
        const y0 = px(top) + 6;
        const y1 = px(bottom) - 6;
        const on = name === "recentre" || this.comfort[name];
        const lit = name === "recentre" ? LAV : AMBER;
        c.fillStyle = name === this.pointed ? "#ffffff" : on ? lit : RED;
        c.fillRect(26, y0, w - 52, y1 - y0);
        c.fillStyle = INK;
        c.textAlign = "center";
        c.textBaseline = "middle";
        c.fillText(text, w / 2, (y0 + y1) / 2, w - 70);
      });
      c.textAlign = "left";
      c.textBaseline = "alphabetic";
    });
  }

  /** The buttons as labelled, where each is (world), and the one pointed at, for the test hook. */
  text() {
    return {
      pointed: this.pointed,
      buttons: BUTTONS.map(([name, label]) => ({
        name,
        label: label(this.comfort),
        at: this.pointOf(name).toArray(),
      })),
    };
  }
}

// Clear inside INNER, fully dark beyond OUTER (radii at AT m in front of
// the eyes: clear within ±25° of the view's centre, dark beyond ±45°).
const AT = 0.3;
const INNER = AT * Math.tan(THREE.MathUtils.degToRad(25));
const OUTER = AT * Math.tan(THREE.MathUtils.degToRad(45));
const FADE_PER_S = 6; // reaches full strength in ~1/6 s, and clears as fast
const TURNING = 0.03; // rad/s of heading: below this the ship is not turning
const HOLD_S = 0.2; // a frame without a new heading sample is not the end of a turn

export class Vignette {
  constructor(camera) {
    // Rings of black at these radii, transparent inside INNER, opaque from
    // OUTER out to well past the edge of any headset's view.
    const radii = [0, 0.25, 0.5, 0.75, 1].map((t) => INNER + (OUTER - INNER) * t).concat(AT * 4);
    const n = 48;
    const pos = [];
    const rgba = [];
    const index = [];
    radii.forEach((r, k) => {
      for (let i = 0; i < n; i++) {
        const a = (i / n) * Math.PI * 2;
        pos.push(Math.cos(a) * r, Math.sin(a) * r, 0);
        rgba.push(0, 0, 0, THREE.MathUtils.smoothstep(r, INNER, OUTER));
        if (k + 1 < radii.length) {
          const [p, q] = [k * n + i, k * n + ((i + 1) % n)];
          index.push(p, p + n, q + n, p, q + n, q);
        }
      }
    });
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.Float32BufferAttribute(pos, 3));
    g.setAttribute("color", new THREE.Float32BufferAttribute(rgba, 4)); // black, fading in
    g.setIndex(index);
    this.mesh = new THREE.Mesh(
      g,
      new THREE.MeshBasicMaterial({
        vertexColors: true,
        transparent: true,
        opacity: 0,
        depthTest: false,
        depthWrite: false,
        fog: false,
      }),
    );
    this.mesh.name = "vr-vignette";
    this.mesh.position.z = -AT;
    this.mesh.renderOrder = 1000; // over everything, the cockpit included
    this.mesh.frustumCulled = false;
    this.mesh.visible = false;
    camera.add(this.mesh);
    this.heading = null;
    this.still = Infinity; // s since the heading last changed
  }

  get strength() {
    return this.mesh.visible ? this.mesh.material.opacity : 0;
  }

  /** Once per frame with our ship's drawn heading; `on`: the pilot's setting. */
  update(heading, dt, on) {
    let rate = 0;
    if (this.heading !== null && heading !== null && dt > 0) {
      const d = Math.atan2(Math.sin(heading - this.heading), Math.cos(heading - this.heading));
      rate = Math.abs(d) / dt;
    }
    this.heading = heading;
    this.still = rate > TURNING ? 0 : this.still + dt;
    const goal = on && this.still < HOLD_S ? 1 : 0;
    const m = this.mesh.material;
    const step = FADE_PER_S * Math.min(dt, 0.1);
    m.opacity =
      goal > m.opacity ? Math.min(goal, m.opacity + step) : Math.max(goal, m.opacity - step);
    this.mesh.visible = m.opacity > 0.01;
  }

  reset() {
    this.heading = null;
    this.still = Infinity;
    this.mesh.material.opacity = 0;
    this.mesh.visible = false;
  }
}
