// The seated bridge of immersive mode: a retro cockpit frame drawn in the
// flat client's vector colours around the player, and in-world displays
// (canvas textures) for the ship's systems, the target and the notices and
// chat. Everything here is in metres around the seat, which sits at our
// ship in the universe and turns with it (vr/xr.js).

import * as THREE from "three";

const AMBER = "#ff9c00";
const CYAN = "#59d8ff";
const LAV = "#b69cff";
const RED = "#ff5a4d";
const INK = "#02070b";

/** A flat display: a canvas drawn only when its lines change. */
class Panel {
  constructor(width, height, pxPerMetre = 640) {
    this.canvas = document.createElement("canvas");
    this.canvas.width = Math.round(width * pxPerMetre);
    this.canvas.height = Math.round(height * pxPerMetre);
    this.texture = new THREE.CanvasTexture(this.canvas);
    this.texture.colorSpace = THREE.SRGBColorSpace;
    this.mesh = new THREE.Mesh(
      new THREE.PlaneGeometry(width, height),
      new THREE.MeshBasicMaterial({ map: this.texture, transparent: true, fog: false }),
    );
    this.lines = [];
    this.key = "";
  }

  /** `lines`: [{text, color?, bar?}]; redrawn only when something changed. */
  show(title, lines, accent = AMBER) {
    const key = JSON.stringify([title, lines]);
    if (key === this.key) return;
    this.key = key;
    this.lines = lines.map((l) => l.text);
    const c = this.canvas.getContext("2d");
    const w = this.canvas.width;
    const h = this.canvas.height;
    c.fillStyle = "rgba(2, 7, 11, 0.82)";
    c.fillRect(0, 0, w, h);
    // LCARS-ish cap and frame.
    c.fillStyle = accent;
    c.fillRect(0, 0, w, 44);
    c.fillRect(0, 0, 14, h);
    c.fillStyle = INK;
    c.font = "bold 30px monospace";
    c.fillText(title, 26, 33);
    const row = Math.min(46, (h - 60) / Math.max(1, lines.length));
    c.font = `bold ${Math.round(row * 0.7)}px monospace`;
    lines.forEach((line, i) => {
      const y = 60 + row * (i + 0.75);
      if (typeof line.bar === "number") {
        const x0 = w * 0.42;
        const bw = w * 0.56 - 10;
        c.strokeStyle = line.color ?? CYAN;
        c.lineWidth = 2;
        c.strokeRect(x0, y - row * 0.55, bw, row * 0.6);
        c.fillStyle = line.color ?? CYAN;
        c.fillRect(x0, y - row * 0.55, bw * Math.max(0, Math.min(1, line.bar)), row * 0.6);
      }
      c.fillStyle = line.color ?? AMBER;
      c.fillText(line.text, 26, y, typeof line.bar === "number" ? w * 0.4 - 30 : w - 36);
    });
    this.texture.needsUpdate = true;
  }
}

/** The cockpit: a frame, a console, and the displays. */
export class Bridge {
  constructor() {
    this.group = new THREE.Group();
    this.group.name = "vr-bridge";
    this.frame = cockpitFrame();
    this.group.add(this.frame);
    this.ship = new Panel(0.62, 0.46);
    this.target = new Panel(0.62, 0.46);
    this.comms = new Panel(0.9, 0.34);
    // Seated eye height ~1.2 m above the floor of "local-floor"; displays
    // are a little below the eye line, tilted to face it.
    place(this.ship.mesh, -0.62, 0.95, -0.85, 0.45);
    place(this.target.mesh, 0.62, 0.95, -0.85, -0.45);
    place(this.comms.mesh, 0, 0.78, -0.75, 0, -0.55);
    this.group.add(this.ship.mesh, this.target.mesh, this.comms.mesh);
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
        : [{ text: "NO TARGET", color: AMBER }, { text: "A: CYCLE TARGETS", color: CYAN }],
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

function place(mesh, x, y, z, yaw = 0, pitch = -0.35) {
  mesh.position.set(x, y, z);
  mesh.rotation.set(pitch, yaw, 0, "YXZ");
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
