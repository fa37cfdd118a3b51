// The galaxy map on a console at the pilot's left: the flat client's
// GalaxyMap (its /api/galaxy data, current system, plotted route) drawn
// small, in world. A controller's ray points at a system; the trigger plots
// a course to it exactly as a click on the flat map does (the route HUD and
// the gate marker follow), and the console shows its name.

import * as THREE from "three";
import { AMBER, CYAN, LAV, Panel, PX_PER_METRE } from "./bridge.js";

const PICK_M = 0.035; // a ray within 3.5 cm of a system's dot points at it
const DOT_M = 0.009;
const RETRY_MS = 5000;

export class MapConsole {
  /** `galaxyMap`: main.js's GalaxyMap (galaxy.js), shared with the flat view. */
  constructor(galaxyMap) {
    this.map = galaxyMap;
    this.panel = new Panel("vr-map", 0.72, 0.52).place(-1.0, 0.9, -0.3, 1.25);
    this.pointed = null; // system id under a ray
    this.chosen = null; // system id last selected here
    this.labels = []; // system names drawn, for the test hook
    this.caption = [];
    this.asked = -Infinity; // when the galaxy was last asked for
  }

  get galaxy() {
    return this.map.galaxy;
  }

  /** Panel-local metres (origin at the centre, y up) of every system, by id. */
  spots() {
    const systems = this.galaxy.systems;
    const xs = systems.map((s) => s.x);
    const ys = systems.map((s) => s.y);
    const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
    const [minY, maxY] = [Math.min(...ys), Math.max(...ys)];
    // The chart area: below the cap, above two caption lines, inset from the sides.
    const { width, height } = this.panel;
    const left = -width / 2 + 0.06;
    const right = width / 2 - 0.06;
    const top = height / 2 - 0.09;
    const bottom = -height / 2 + 0.13;
    const scale = Math.min(
      (right - left) / (maxX - minX || 1),
      (top - bottom) / (maxY - minY || 1),
    );
    const ox = (left + right) / 2 - ((minX + maxX) / 2) * scale;
    const oy = (top + bottom) / 2 - ((minY + maxY) / 2) * scale;
    return new Map(systems.map((s) => [s.id, { x: ox + s.x * scale, y: oy + s.y * scale }]));
  }

  /** Where a system's dot is, in the world (rays aim there). */
  pointOf(id) {
    const at = this.galaxy && this.spots().get(id);
    if (!at) return null;
    this.panel.mesh.updateWorldMatrix(true, false);
    return this.panel.mesh.localToWorld(new THREE.Vector3(at.x, at.y, 0));
  }

  /** The system nearest a ray's hit (panel-local point), or null. */
  systemAt(local) {
    if (!this.galaxy) return null;
    let best = null;
    let bestD = PICK_M;
    for (const [id, at] of this.spots()) {
      const d = Math.hypot(at.x - local.x, at.y - local.y);
      if (d < bestD) {
        best = id;
        bestD = d;
      }
    }
    return best;
  }

  /** A ray rests at `local` (or left: null). */
  point(local) {
    this.pointed = local ? this.systemAt(local) : null;
  }

  /** The trigger at `local`: plot a course to the system there (the flat map's click). */
  select(local) {
    const id = this.systemAt(local);
    if (id === null) return null;
    const map = this.map;
    map.destination = id === map.current || id === map.destination ? null : id;
    map.replot();
    this.chosen = id;
    return this.map.system(id);
  }

  update() {
    const map = this.map;
    if (!map.galaxy) {
      // The flat map's one fetch, shared (main.js asks on arrival); asked
      // again at most every few seconds if it failed.
      const now = performance.now();
      if (now - this.asked >= RETRY_MS) {
        this.asked = now;
        map.load();
      }
      this.panel.show("GALAXY MAP", [{ text: "LOADING GALAXY…", color: CYAN }], LAV);
      return;
    }
    const key = [map.current, map.destination, map.route, this.pointed, this.chosen];
    this.panel.paint(key, (c, w, h) => this.draw(c, w, h));
  }

  draw(c, w, h) {
    const map = this.map;
    const panel = this.panel;
    panel.frame(c, w, h, "GALAXY MAP", LAV);
    const spots = this.spots();
    const px = (id) => {
      const at = spots.get(id);
      return [w / 2 + at.x * PX_PER_METRE, h / 2 - at.y * PX_PER_METRE];
    };
    c.lineWidth = 3;
    c.strokeStyle = "rgba(94, 231, 255, 0.35)";
    for (const [a, b] of this.galaxy.lanes) {
      if (!spots.has(a) || !spots.has(b)) continue;
      c.beginPath();
      c.moveTo(...px(a));
      c.lineTo(...px(b));
      c.stroke();
    }
    if (map.route.length > 1) {
      c.lineWidth = 7;
      c.strokeStyle = LAV;
      c.beginPath();
      map.route.forEach((id, i) => (i ? c.lineTo(...px(id)) : c.moveTo(...px(id))));
      c.stroke();
    }
    const marked = new Set(
      [map.current, map.destination, this.pointed].filter((id) => id !== null),
    );
    for (const s of this.galaxy.systems) {
      const [x, y] = px(s.id);
      const onCourse = s.id === map.destination || map.route.includes(s.id);
      const color = s.id === map.current ? AMBER : onCourse ? LAV : CYAN;
      c.fillStyle = color;
      c.beginPath();
      c.arc(x, y, DOT_M * PX_PER_METRE * (s.id === map.current ? 1.5 : 1), 0, Math.PI * 2);
      c.fill();
      if (s.id === this.pointed) {
        c.strokeStyle = "#ffffff";
        c.lineWidth = 4;
        c.beginPath();
        c.arc(x, y, PICK_M * PX_PER_METRE * 0.7, 0, Math.PI * 2);
        c.stroke();
      }
    }
    // Names only where they matter (here, the destination, the pointed
    // system), each at the minimum readable size: all fourteen would not fit.
    this.labels = [];
    const font = panel.setFont(c, 0);
    c.textBaseline = "middle";
    for (const id of marked) {
      const s = map.system(id);
      if (!s) continue;
      const [x, y] = px(id);
      const name = s.name.toUpperCase();
      const right = x < w * 0.6;
      c.textAlign = right ? "left" : "right";
      c.fillStyle = id === this.pointed ? "#ffffff" : id === map.current ? AMBER : LAV;
      c.fillText(name, x + (right ? 1 : -1) * font * 0.7, y - font * 0.7);
      this.labels.push(name);
    }
    // Two caption lines: what is pointed at or chosen, and the course.
    const focus = map.system(this.pointed ?? this.chosen ?? map.destination ?? map.current);
    const here = focus?.id === map.current;
    const jumps = map.route.length - 1;
    const next = map.system(map.nextHop);
    this.caption = [
      focus ? `▸ ${focus.name.toUpperCase()}${here ? " · YOU ARE HERE" : ""}` : "",
      jumps > 0
        ? `COURSE ${jumps} JUMP${jumps === 1 ? "" : "S"} · GATE TO ${next?.name.toUpperCase()}`
        : "POINT + TRIGGER: PLOT COURSE",
    ];
    c.textAlign = "left";
    c.textBaseline = "alphabetic";
    this.caption.forEach((text, i) => {
      c.fillStyle = i ? LAV : "#ffffff";
      c.fillText(text, 26, h - 18 - (1 - i) * font * 1.3, w - 36);
    });
  }

  /** What the console shows, and where each system's dot is (world), for the test hook. */
  text() {
    return {
      systems: (this.galaxy?.systems ?? []).map((s) => ({
        id: s.id,
        name: s.name,
        at: this.pointOf(s.id).toArray(),
      })),
      labels: [...this.labels],
      caption: [...this.caption],
      pointed: this.pointed,
    };
  }
}
