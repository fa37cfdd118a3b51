// The seated bridge of immersive mode: a retro cockpit frame drawn in the
// flat client's vector colours around the player, and in-world displays
// (canvas textures) for the ship's systems, the target and the notices and
// chat. Everything here is in metres around the seat, which sits at our
// ship in the universe and turns with it (vr/xr.js).

import * as THREE from "three";

export const AMBER = "#ff9c00";
export const CYAN = "#59d8ff";
export const LAV = "#b69cff";
export const RED = "#ff5a4d";
export const INK = "#02070b";

// Readable at headset resolution: every line of text on every display is at
// least MIN_TEXT_DEG = 1.5° tall (its em, seen from the seated eye at the
// display's farthest corner). That is ~37 px on a Quest 3 (~25 px per
// degree) and ~30 px on a Quest 2, well above the ~1° where text blurs.
// Canvases hold PX_PER_METRE texels per metre: about one texel per headset
// pixel at 1 m.
export const MIN_TEXT_DEG = 1.5;
export const EYE = new THREE.Vector3(0, 1.2, 0); // a seated eye over the local-floor origin
export const PX_PER_METRE = 1024;
const TAN_MIN = Math.tan((MIN_TEXT_DEG * Math.PI) / 180);

/** A flat display: a canvas drawn only when what it shows changes. */
export class Panel {
  constructor(name, width, height) {
    this.width = width;
    this.height = height;
    this.canvas = document.createElement("canvas");
    this.canvas.width = Math.round(width * PX_PER_METRE);
    this.canvas.height = Math.round(height * PX_PER_METRE);
    this.texture = new THREE.CanvasTexture(this.canvas);
    this.texture.colorSpace = THREE.SRGBColorSpace;
    this.mesh = new THREE.Mesh(
      new THREE.PlaneGeometry(width, height),
      new THREE.MeshBasicMaterial({ map: this.texture, transparent: true, fog: false }),
    );
    this.mesh.name = name;
    this.mesh.userData.panel = this; // what a controller's ray finds
    this.lines = [];
    this.key = "";
    this.lit = false; // a ray rests on it
    this.far = 1; // m from the eye to the farthest corner
    this.font = Infinity; // px of the smallest text drawn
  }

  /** Put it in the bridge, facing the seat (`yaw` about y, then `pitch`). */
  place(x, y, z, yaw = 0, pitch = -0.35) {
    const mesh = this.mesh;
    mesh.position.set(x, y, z);
    mesh.rotation.set(pitch, yaw, 0, "YXZ");
    mesh.updateMatrix();
    const w = this.width / 2;
    const h = this.height / 2;
    this.far = Math.max(
      ...[
        [-w, -h],
        [w, -h],
        [-w, h],
        [w, h],
      ].map(([cx, cy]) => new THREE.Vector3(cx, cy, 0).applyMatrix4(mesh.matrix).distanceTo(EYE)),
    );
    return this;
  }

  /** The smallest font, in canvas px, that keeps MIN_TEXT_DEG here. */
  get minFont() {
    return Math.ceil(TAN_MIN * this.far * PX_PER_METRE);
  }

  /** Angular size (degrees) of the smallest text drawn so far. */
  get textDeg() {
    return (Math.atan(this.font / PX_PER_METRE / this.far) * 180) / Math.PI;
  }

  /** A monospace font of at least `minFont` px; returns its size. */
  setFont(c, px) {
    const size = Math.max(this.minFont, Math.round(px));
    this.font = Math.min(this.font, size);
    c.font = `bold ${size}px monospace`;
    return size;
  }

  /** Repaint through `paint(c, w, h)`, only when `key` (with `lit`) changed. */
  paint(key, paint) {
    const full = JSON.stringify([key, this.lit]);
    if (full === this.key) return;
    this.key = full;
    const c = this.canvas.getContext("2d");
    paint(c, this.canvas.width, this.canvas.height);
    this.texture.needsUpdate = true;
  }

  /** LCARS-ish background, cap and frame; returns the y where the body begins. */
  frame(c, w, h, title, accent) {
    c.clearRect(0, 0, w, h); // the backing is translucent: nothing old may show through
    c.fillStyle = "rgba(2, 7, 11, 0.82)";
    c.fillRect(0, 0, w, h);
    const size = this.setFont(c, 0.03 * PX_PER_METRE);
    const cap = Math.round(size * 1.45);
    c.fillStyle = accent;
    c.fillRect(0, 0, w, cap);
    c.fillRect(0, 0, 14, h);
    c.fillStyle = INK;
    c.textAlign = "left";
    c.textBaseline = "alphabetic";
    c.fillText(title, 26, cap - size * 0.35, w - 36);
    if (this.lit) {
      c.strokeStyle = "#ffffff";
      c.lineWidth = 8;
      c.strokeRect(4, 4, w - 8, h - 8);
    }
    return cap + 12;
  }

  /** `lines`: [{text, color?, bar?}], as many as fit at the minimum text size (the last ones). */
  show(title, lines, accent = AMBER) {
    this.paint([title, lines, accent], (c, w, h) => {
      const top = this.frame(c, w, h, title, accent);
      const fit = ((h - top) / Math.max(1, lines.length)) * 0.7;
      const font = this.setFont(c, Math.min(0.032 * PX_PER_METRE, fit));
      const row = font / 0.7;
      const shown = lines.slice(-Math.max(1, Math.floor((h - top) / row)));
      this.lines = shown.map((l) => l.text);
      shown.forEach((line, i) => {
        const y = top + row * (i + 0.75);
        if (typeof line.bar === "number") {
          const x0 = w * 0.42;
          const bw = w * 0.56 - 10;
          c.strokeStyle = line.color ?? CYAN;
          c.lineWidth = 3;
          c.strokeRect(x0, y - row * 0.55, bw, row * 0.6);
          c.fillStyle = line.color ?? CYAN;
          c.fillRect(x0, y - row * 0.55, bw * Math.max(0, Math.min(1, line.bar)), row * 0.6);
        }
        c.fillStyle = line.color ?? AMBER;
        c.fillText(line.text, 26, y, typeof line.bar === "number" ? w * 0.4 - 30 : w - 36);
      });
    });
  }
}

/** The cockpit: a frame, the displays, and the consoles mounted in it. */
export class Bridge {
  constructor() {
    this.group = new THREE.Group();
    this.group.name = "vr-bridge";
    this.frame = cockpitFrame();
    this.group.add(this.frame);
    // Seated eye height ~1.2 m above the floor of "local-floor"; displays
    // are a little below the eye line, tilted to face it.
    this.ship = new Panel("vr-ship", 0.62, 0.46).place(-0.62, 0.95, -0.85, 0.45);
    this.target = new Panel("vr-target", 0.62, 0.46).place(0.62, 0.95, -0.85, -0.45);
    this.comms = new Panel("vr-comms", 0.9, 0.4).place(0, 0.76, -0.72, 0, -0.55);
    this.panels = [];
    this.mount(this.ship, this.target, this.comms);
  }

  /** Add displays or consoles to the cockpit (and to what rays can point at). */
  mount(...panels) {
    for (const p of panels) {
      this.panels.push(p);
      this.group.add(p.mesh);
    }
  }

  /** The smallest text on any display, in degrees seen from the seat. */
  get textDeg() {
    return Math.min(...this.panels.map((p) => p.textDeg));
  }

  /** Fill the displays from what the flat HUD also reads. */
  update({ world, targetId, credits, notices, chat }) {
    const me = world.me;
    const ship = world.ship;
    const pct = (v) => (typeof v === "number" ? `${Math.round(v)}` : "—");
    const dil = world.dilation ?? 1;
    this.ship.show("SHIP SYSTEMS", [
      { text: `HULL ${pct(ship?.hull)}%`, bar: (ship?.hull ?? 0) / 100, color: AMBER },
      { text: `SHIELDS ${pct(ship?.shield)}%`, bar: (ship?.shield ?? 0) / 100, color: CYAN },
      { text: `ENERGY ${pct(me?.energy)}`, bar: (me?.energy ?? 0) / 100, color: LAV },
      { text: `CARGO ${pct(me?.cargo)} t`, bar: (me?.cargo ?? 0) / 100, color: AMBER },
      {
        text: `CREDITS ${typeof credits === "number" ? Math.round(credits) : "—"}`,
        color: AMBER,
      },
      { text: `DILATION ×${dil.toFixed(2)}`, color: dil < 0.95 ? RED : CYAN },
    ]);
    const t = targetId >= 0 ? world.entities.get(targetId) : undefined;
    const d = t && ship ? Math.hypot(t.x - ship.x, t.y - ship.y) : null;
    this.target.show(
      "TARGET",
      t
        ? [
            { text: (t.name || `#${t.id}`).toUpperCase().slice(0, 18), color: CYAN },
            { text: d === null ? "" : `RANGE ${Math.round(d)} m`, color: AMBER },
            { text: `HULL ${pct(t.hull)}%`, bar: (t.hull ?? 0) / 100, color: RED },
            { text: `SHIELD ${pct(t.shield)}%`, bar: (t.shield ?? 0) / 100, color: CYAN },
          ]
        : [
            { text: "NO TARGET", color: AMBER },
            { text: "A: CYCLE TARGETS", color: CYAN },
            { text: "OR POINT + TRIGGER", color: CYAN },
          ],
      CYAN,
    );
    const lines = [
      ...notices.slice(-3).map((n) => ({
        text: n.text.slice(0, 48),
        color: n.kind === "error" ? RED : AMBER,
      })),
      ...chat.slice(-3).map((l) => ({ text: `${l.name ?? l.ship}: ${l.text}`.slice(0, 48), color: CYAN })),
    ];
    this.comms.show("NOTICES · LOCAL CHANNEL", lines.length ? lines : [{ text: "—" }], LAV);
  }

  /** What the displays show, for the test hook. */
  text() {
    return { ship: this.ship.lines, target: this.target.lines, comms: this.comms.lines };
  }
}

// A low-poly cockpit in lines: canopy struts, a console lip and a floor ring.
function cockpitFrame() {
  const pts = [];
  const seg = (a, b) => pts.push(new THREE.Vector3(...a), new THREE.Vector3(...b));
  const arch = [
    [-1.4, 0.5, -1.2],
    [-1.1, 2.0, -1.3],
    [1.1, 2.0, -1.3],
    [1.4, 0.5, -1.2],
  ];
  for (let i = 0; i < arch.length - 1; i++) seg(arch[i], arch[i + 1]);
  // Struts back over the head, and the canopy's side rails.
  for (const x of [-1.1, 1.1]) seg([x, 2.0, -1.3], [x * 0.8, 2.1, 0.9]);
  for (const x of [-1.4, 1.4]) seg([x, 0.5, -1.2], [x, 0.5, 0.9]);
  // Console lip in front of the seat.
  seg([-1.0, 0.7, -0.65], [1.0, 0.7, -0.65]);
  seg([-1.0, 0.7, -0.65], [-1.2, 0.5, -1.1]);
  seg([1.0, 0.7, -0.65], [1.2, 0.5, -1.1]);
  const lines = new THREE.LineSegments(
    new THREE.BufferGeometry().setFromPoints(pts),
    new THREE.LineBasicMaterial({ color: 0xff9c00, fog: false }),
  );
  const ring = new THREE.LineLoop(
    new THREE.BufferGeometry().setFromPoints(
      Array.from({ length: 48 }, (_, i) => {
        const a = (i / 48) * Math.PI * 2;
        return new THREE.Vector3(Math.cos(a) * 1.5, 0, Math.sin(a) * 1.5);
      }),
    ),
    new THREE.LineBasicMaterial({ color: 0x59d8ff, fog: false }),
  );
  const group = new THREE.Group();
  group.add(lines, ring);
  return group;
}
