// Every other ship in two draw calls: in a headset each draw call is paid
// once per eye, and 200 ships drawn as their own models (strokes, fill and
// ring: three calls each) would cost ~1200 calls a frame. While seated, the
// ship models are hidden and their poses (placed by models.js as usual) are
// copied into one stroke batch and one fill batch with per-vertex colours,
// rebuilt each frame on the CPU (a few thousand vertices).

import * as THREE from "three";
import { GEOMETRY } from "../models.js";
import { Kind } from "../world.js";

const MAX_SHIPS = 1024;
const RING = 32; // segments of the ship's ring (models.js: circle(1.15, …, 32))
const RING_RADIUS = 1.15;

const DART = GEOMETRY.ship.attributes.position.array;
const FILL = GEOMETRY.shipFill.attributes.position.array;
const RING_PTS = (() => {
  const out = [];
  for (let i = 0; i < RING; i++) {
    for (const k of [i, i + 1]) {
      const a = (k / RING) * Math.PI * 2;
      out.push(Math.cos(a) * RING_RADIUS, 0, Math.sin(a) * RING_RADIUS);
    }
  }
  return new Float32Array(out);
})();
const LINE_VERTS = DART.length / 3 + RING_PTS.length / 3;
const FILL_VERTS = FILL.length / 3;

function batch(vertsPerShip) {
  const g = new THREE.BufferGeometry();
  const n = vertsPerShip * MAX_SHIPS * 3;
  g.setAttribute("position", new THREE.BufferAttribute(new Float32Array(n), 3));
  g.setAttribute("color", new THREE.BufferAttribute(new Float32Array(n), 3));
  g.setDrawRange(0, 0);
  return g;
}

export class Fleet {
  constructor(scene) {
    this.lines = new THREE.LineSegments(
      batch(LINE_VERTS),
      new THREE.LineBasicMaterial({
        vertexColors: true,
        transparent: true,
        blending: THREE.AdditiveBlending,
        depthWrite: false,
      }),
    );
    this.fill = new THREE.Mesh(
      batch(FILL_VERTS),
      new THREE.MeshBasicMaterial({
        vertexColors: true,
        transparent: true,
        opacity: 0.16,
        side: THREE.DoubleSide,
        depthWrite: false,
      }),
    );
    for (const o of [this.lines, this.fill]) {
      o.frustumCulled = false; // the batch spans the whole system
      o.visible = false;
      scene.add(o);
    }
    this.count = 0;
    this.color = new THREE.Color();
  }

  set visible(on) {
    this.lines.visible = on;
    this.fill.visible = on;
  }

  /** Hide the ship models and copy their poses into the batches. */
  update(world, models, shipId) {
    const lp = this.lines.geometry.attributes.position.array;
    const lc = this.lines.geometry.attributes.color.array;
    const fp = this.fill.geometry.attributes.position.array;
    const fc = this.fill.geometry.attributes.color.array;
    let n = 0;
    for (const e of world.entities.values()) {
      if (e.kind !== Kind.SHIP || n >= MAX_SHIPS) continue;
      const model = models.get(e.id);
      if (!model) continue;
      const shown = model.root.visible && e.id !== shipId;
      model.root.visible = false;
      if (!shown) continue;
      const { x, y, z } = model.root.position;
      const s = model.root.scale.x;
      const h = model.spin.rotation.y;
      const c = Math.cos(h) * s;
      const si = Math.sin(h) * s;
      this.color.set(model.color);
      let o = n * LINE_VERTS * 3;
      o = put(lp, lc, o, DART, x, y, z, c, si, s, this.color, true);
      put(lp, lc, o, RING_PTS, x, y, z, s, 0, s, this.color, false, 0.35);
      put(fp, fc, n * FILL_VERTS * 3, FILL, x, y, z, c, si, s, this.color, true);
      n += 1;
    }
    this.count = n;
    for (const [g, per] of [
      [this.lines.geometry, LINE_VERTS],
      [this.fill.geometry, FILL_VERTS],
    ]) {
      g.setDrawRange(0, n * per);
      g.attributes.position.needsUpdate = true;
      g.attributes.color.needsUpdate = true;
    }
  }
}

// Rotate about y by the ship's heading (c, s: cos and sin times scale), scale, move.
function put(pos, col, o, src, x, y, z, c, si, scale, color, rotate, dim = 1) {
  for (let i = 0; i < src.length; i += 3) {
    const px = src[i];
    const py = src[i + 1];
    const pz = src[i + 2];
    if (rotate) {
      pos[o] = x + px * c + pz * si;
      pos[o + 2] = z - px * si + pz * c;
    } else {
      pos[o] = x + px * c;
      pos[o + 2] = z + pz * c;
    }
    pos[o + 1] = y + py * scale;
    col[o] = color.r * dim;
    col[o + 1] = color.g * dim;
    col[o + 2] = color.b * dim;
    o += 3;
  }
  return o;
}
