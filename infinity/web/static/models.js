// Entity models for the tactical view: one vector-stroke model per kind,
// built once per entity and posed every display frame.

import * as THREE from "three";
import { circle, dispose, PALETTE, segments, stroke, toThree } from "./draw.js";
import { Kind } from "./world.js";

const DOCK_RANGE = 350; // m, drawn to scale around stations (infinity/sim/rules.py)
const GATE_RANGE = 450;
const LOOT_RANGE = 300;
const TRAIL = 40; // display frames of torpedo trail

// Geometries are shared by every entity of a kind; only materials differ.
export const GEOMETRY = {
  // A dart pointing along +x, one unit long, with a dorsal fin.
  // prettier-ignore
  ship: segments([
    [1, 0, 0], [-0.7, 0, -0.62],
    [-0.7, 0, -0.62], [-0.4, 0, 0],
    [-0.4, 0, 0], [-0.7, 0, 0.62],
    [-0.7, 0, 0.62], [1, 0, 0],
    [1, 0, 0], [-0.55, 0.35, 0],
    [-0.55, 0.35, 0], [-0.4, 0, 0],
  ]),
  // The dart's two halves as triangles, for a faint solid fill.
  // prettier-ignore
  shipFill: segments([
    [1, 0, 0], [-0.7, 0, -0.62], [-0.4, 0, 0],
    [1, 0, 0], [-0.4, 0, 0], [-0.7, 0, 0.62],
  ]),
  // prettier-ignore
  torpedo: segments([
    [1, 0, 0], [0, 0, -0.4], [0, 0, -0.4], [-1, 0, 0],
    [-1, 0, 0], [0, 0, 0.4], [0, 0, 0.4], [1, 0, 0],
  ]),
  // A torn-open hull: bent spars, a loose wing panel and debris ticks.
  // prettier-ignore
  wreck: segments([
    [0.9, 0, 0.1], [0.1, 0, -0.35],
    [0.1, 0, -0.35], [-0.2, 0, 0.05],
    [-0.2, 0, 0.05], [0.35, 0, 0.2],
    [-0.5, 0, -0.5], [-0.9, 0, -0.15],
    [-0.9, 0, -0.15], [-0.6, 0, 0.1],
    [0.2, 0, 0.45], [-0.4, 0, 0.75],
    [-0.4, 0, 0.75], [-0.1, 0, 0.35],
    [-0.1, 0, 0.35], [-0.05, 0.3, 0.5],
    [0.55, 0, -0.7], [0.68, 0, -0.6],
    [-0.2, 0, -0.88], [-0.08, 0, -0.98],
    [0.72, 0, 0.62], [0.84, 0, 0.55],
    [-0.95, 0, 0.55], [-0.83, 0, 0.66],
  ]),
  asteroid: new THREE.EdgesGeometry(new THREE.IcosahedronGeometry(1, 0)),
  stationHull: new THREE.EdgesGeometry(new THREE.CylinderGeometry(1, 1, 0.35, 8)),
  stationCore: new THREE.EdgesGeometry(new THREE.OctahedronGeometry(0.45, 0)),
  star: new THREE.EdgesGeometry(new THREE.IcosahedronGeometry(1, 1)),
};

// A saucer: a rim of `n` points, a hub, and a nose tick so the heading still reads.
function saucer(n = 16) {
  const rim = [];
  const fill = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * Math.PI * 2;
    const b = ((i + 1) / n) * Math.PI * 2;
    const p = [0.75 * Math.cos(a), 0, 0.75 * Math.sin(a)];
    const q = [0.75 * Math.cos(b), 0, 0.75 * Math.sin(b)];
    rim.push(p, q);
    fill.push([0, 0, 0], p, q);
  }
  // prettier-ignore
  rim.push(
    [1.05, 0, 0], [0.75, 0, 0],                       // the nose
    [0.25, 0.3, 0], [-0.25, 0.3, 0],                  // the bridge dome
    [0.25, 0.3, 0], [0.35, 0, 0], [-0.25, 0.3, 0], [-0.35, 0, 0],
    [-0.5, 0, -0.45], [-1, 0, -0.45], [-0.5, 0, 0.45], [-1, 0, 0.45], // two nacelles
  );
  return { ship: segments(rim), shipFill: segments(fill) };
}

// A needle: long and thin, with small fins at the back.
// prettier-ignore
const NEEDLE = {
  ship: segments([
    [1.2, 0, 0], [-0.9, 0, -0.12],
    [-0.9, 0, -0.12], [-0.9, 0, 0.12],
    [-0.9, 0, 0.12], [1.2, 0, 0],
    [-0.6, 0, -0.1], [-1, 0, -0.4],
    [-0.6, 0, 0.1], [-1, 0, 0.4],
    [-0.5, 0, 0], [-0.9, 0.3, 0],
  ]),
  shipFill: segments([[1.2, 0, 0], [-0.9, 0, -0.12], [-0.9, 0, 0.12]]),
};

// A world's theme may draw ships differently (`ship_style`); the wedge is the default.
const SHIP_STYLES = {
  wedge: { ship: GEOMETRY.ship, shipFill: GEOMETRY.shipFill },
  saucer: saucer(),
  needle: NEEDLE,
};
let shipStyle = "wedge";
const OWN_COLOR = PALETTE.own;

/**
 * How ships are drawn from now on: "wedge", "saucer" or "needle" (unknown: wedge);
 * `hull` ("#rrggbb" or null: the default amber) colours our own ship.
 */
export function setShipStyle(style, hull = null) {
  shipStyle = SHIP_STYLES[style] ? style : "wedge";
  PALETTE.own = /^#[0-9a-f]{6}$/i.test(hull ?? "") ? parseInt(hull.slice(1), 16) : OWN_COLOR;
}

export const shipStyleOf = () => shipStyle;

const SHARED_GEOMETRY = new Set(
  [...Object.values(GEOMETRY), ...Object.values(SHIP_STYLES).flatMap((g) => Object.values(g))],
);

function glowTexture() {
  const size = 128;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext("2d");
  const grad = ctx.createRadialGradient(size / 2, size / 2, 0, size / 2, size / 2, size / 2);
  grad.addColorStop(0, "rgba(255,240,200,1)");
  grad.addColorStop(0.2, "rgba(255,200,100,0.55)");
  grad.addColorStop(0.5, "rgba(255,150,40,0.15)");
  grad.addColorStop(1, "rgba(255,120,0,0)");
  ctx.fillStyle = grad;
  ctx.fillRect(0, 0, size, size);
  return new THREE.CanvasTexture(canvas);
}

// Deterministic per-id variety (asteroid shapes, spin) without Math.random,
// so an asteroid looks the same after a reconnect.
function hash01(id, salt) {
  let h = (id * 2654435761 + salt * 97531) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 2246822519) >>> 0;
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

export function allegiance(entity, shipId) {
  if (entity.id === shipId) return "own";
  if (entity.kind !== Kind.SHIP && entity.kind !== Kind.TORPEDO) return "neutral";
  return entity.extra && entity.extra.owner != null ? "player" : "npc";
}

function shipColor(entity, shipId) {
  return PALETTE[allegiance(entity, shipId)] ?? PALETTE.npc;
}

// A range (dock, jump, loot) kept true to scale whatever the icon's size.
function addRange(model, range, color, opacity, segments = 64) {
  model.rangeRing = circle(1, stroke(color, opacity), segments);
  model.range = range;
  model.root.add(model.rangeRing);
}

function buildModel(entity, shipId, glow) {
  const root = new THREE.Group();
  const spin = new THREE.Group(); // the part that turns with heading or idles
  root.add(spin);
  const model = { root, spin, size: 1, minScreen: 14, kind: entity.kind };
  switch (entity.kind) {
    case Kind.SHIP: {
      const color = shipColor(entity, shipId);
      const shape = SHIP_STYLES[shipStyle];
      spin.add(new THREE.LineSegments(shape.ship, stroke(color)));
      spin.add(
        new THREE.Mesh(
          shape.shipFill,
          new THREE.MeshBasicMaterial({
            color,
            transparent: true,
            opacity: 0.16,
            side: THREE.DoubleSide,
            depthWrite: false,
          }),
        ),
      );
      const ring = circle(1.15, stroke(color, 0.35), 32);
      root.add(ring);
      Object.assign(model, { size: 45, minScreen: entity.id === shipId ? 22 : 18, color });
      break;
    }
    case Kind.TORPEDO: {
      spin.add(new THREE.LineSegments(GEOMETRY.torpedo, stroke(PALETTE.torpedo)));
      Object.assign(model, { size: 20, minScreen: 9, color: PALETTE.torpedo });
      break;
    }
    case Kind.ASTEROID: {
      const mesh = new THREE.LineSegments(GEOMETRY.asteroid, stroke(PALETTE.asteroid, 0.8));
      mesh.scale.set(
        0.7 + hash01(entity.id, 1) * 0.6,
        0.6 + hash01(entity.id, 2) * 0.5,
        0.7 + hash01(entity.id, 3) * 0.6,
      );
      mesh.rotation.set(hash01(entity.id, 4) * 6, hash01(entity.id, 5) * 6, 0);
      spin.add(mesh);
      const ore = entity.extra?.ore ?? 200;
      const spinRate = (hash01(entity.id, 6) - 0.5) * 0.6;
      const size = 35 + Math.min(ore, 400) * 0.12;
      Object.assign(model, { spinRate, size, minScreen: 6, color: PALETTE.asteroid });
      break;
    }
    case Kind.STATION: {
      spin.add(new THREE.LineSegments(GEOMETRY.stationHull, stroke(PALETTE.station)));
      spin.add(new THREE.LineSegments(GEOMETRY.stationCore, stroke(PALETTE.station, 0.7)));
      const ring = circle(1.6, stroke(PALETTE.station, 0.55), 8);
      spin.add(ring);
      addRange(model, DOCK_RANGE, PALETTE.station, 0.14);
      Object.assign(model, { spinRate: 0.15, size: 160, minScreen: 20, color: PALETTE.station });
      break;
    }
    case Kind.GATE: {
      const outer = circle(1, stroke(PALETTE.gate), 40);
      outer.rotation.x = Math.PI / 2; // stand the ring up
      const inner = circle(0.72, stroke(PALETTE.gate, 0.6), 6);
      inner.rotation.x = Math.PI / 2;
      spin.add(outer, inner);
      addRange(model, GATE_RANGE, PALETTE.gate, 0.18);
      Object.assign(model, { spinRate: 0.5, size: 260, minScreen: 22, color: PALETTE.gate });
      break;
    }
    case Kind.STAR: {
      spin.add(new THREE.LineSegments(GEOMETRY.star, stroke(PALETTE.star, 0.9)));
      const sprite = new THREE.Sprite(
        new THREE.SpriteMaterial({
          map: glow,
          color: 0xffffff,
          transparent: true,
          blending: THREE.AdditiveBlending,
          depthWrite: false,
        }),
      );
      sprite.scale.setScalar(7);
      root.add(sprite);
      Object.assign(model, { spinRate: 0.05, size: 700, minScreen: 30, color: PALETTE.star });
      break;
    }
    case Kind.WRECK: {
      spin.add(new THREE.LineSegments(GEOMETRY.wreck, stroke(PALETTE.wreck, 0.9)));
      // A distress beacon blinking on the hulk, and the loot range.
      model.beacon = circle(0.22, stroke(PALETTE.wreck), 6);
      root.add(model.beacon);
      addRange(model, LOOT_RANGE, PALETTE.wreck, 0.16, 48);
      const adrift = 0.25 * (hash01(entity.id, 7) < 0.5 ? -1 : 1);
      Object.assign(model, { spinRate: adrift, size: 70, minScreen: 24, color: PALETTE.wreck });
      break;
    }
    default: {
      spin.add(circle(1, stroke(0xffffff), 12));
      model.size = 40;
    }
  }
  return model;
}

// Ship colours depend on who owns it; rebuild the model if that changes
// (our own id arrives with the welcome, after entities may be drawn).
// Ships are rebuilt when the world's ship style changes too.
function allegianceKey(e, shipId) {
  if (e.kind === Kind.SHIP) return `${allegiance(e, shipId)}:${shipStyle}:${PALETTE.own}`;
  return e.kind === Kind.TORPEDO ? allegiance(e, shipId) : "static";
}

/** The drawn entities: one model per entity the world holds. */
export class Models {
  constructor(scene) {
    this.scene = scene;
    this.glow = glowTexture();
    this.byId = new Map(); // entity id -> model
  }

  get(id) {
    return this.byId.get(id);
  }

  /**
   * Pose every entity at render tick `rt` and fill `poses` (id -> {x, y, h});
   * `mpp` is metres per pixel, so icons keep a readable size at any zoom.
   */
  update(world, shipId, rt, mpp, dt, now, poses) {
    for (const id of this.byId.keys()) if (!world.entities.has(id)) this.remove(id);
    poses.clear();
    for (const e of world.entities.values()) {
      const model = this.modelOf(e, shipId);
      const p = world.pose(e, rt);
      poses.set(e.id, p);
      this.place(model, e, p, shipId, mpp, dt);
      if (model.beacon) model.beacon.material.opacity = Math.sin(now * 0.006) > 0.6 ? 1 : 0.15;
    }
  }

  modelOf(e, shipId) {
    const key = allegianceKey(e, shipId);
    let model = this.byId.get(e.id);
    if (!model || model.ownerKey !== key) {
      if (model) this.remove(e.id);
      model = buildModel(e, shipId, this.glow);
      model.ownerKey = key;
      this.byId.set(e.id, model);
      this.scene.add(model.root);
    }
    return model;
  }

  place(model, e, p, shipId, mpp, dt) {
    toThree(p.x, p.y, model.root.position);
    const scale = Math.max(model.size, model.minScreen * mpp);
    model.root.scale.setScalar(scale);
    if (model.rangeRing) model.rangeRing.scale.setScalar(model.range / scale);
    if (e.kind === Kind.TORPEDO) this.updateTrail(model, p);
    if (e.kind === Kind.SHIP || e.kind === Kind.TORPEDO) {
      model.spin.rotation.y = p.h;
      // Docked ships sit inside the station: hide them.
      const docked = e.kind === Kind.SHIP && e.extra.docked_at >= 0;
      model.root.visible = !(docked && e.id !== shipId);
    } else if (model.spinRate) {
      model.spin.rotation.y += model.spinRate * dt;
    }
  }

  // A torpedo's recent path, so its homing curve is readable.
  updateTrail(model, p) {
    if (!model.trail) {
      const g = new THREE.BufferGeometry();
      g.setAttribute("position", new THREE.BufferAttribute(new Float32Array(TRAIL * 3), 3));
      g.setDrawRange(0, 0);
      model.trail = new THREE.Line(g, stroke(PALETTE.torpedo, 0.45));
      model.trail.frustumCulled = false; // its bounds change every frame
      model.trailCount = 0;
      this.scene.add(model.trail);
    }
    const attr = model.trail.geometry.attributes.position;
    const arr = attr.array;
    arr.copyWithin(3, 0, (TRAIL - 1) * 3); // newest first
    arr[0] = p.x;
    arr[1] = 0;
    arr[2] = -p.y;
    model.trailCount = Math.min(TRAIL, model.trailCount + 1);
    model.trail.geometry.setDrawRange(0, model.trailCount);
    attr.needsUpdate = true;
  }

  remove(id) {
    const model = this.byId.get(id);
    if (!model) return;
    this.scene.remove(model.root);
    if (model.trail) {
      this.scene.remove(model.trail);
      dispose(model.trail);
    }
    dispose(model.root, SHARED_GEOMETRY);
    this.byId.delete(id);
  }

  clear() {
    for (const id of [...this.byId.keys()]) this.remove(id);
  }
}
