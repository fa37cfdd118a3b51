// What the tactical view draws behind the entities: the cell grid, the
// horizon of what the server lets us see, and distant stars.

import * as THREE from "three";
import { PALETTE } from "./draw.js";

export const CELL = 2500; // m, the interest cell: major lines mark sensor cells
const GRID_STEP = 500; // m between minor lines
const GRID_HALF = 40; // minor lines each side of the centre

function gridLines(points, color) {
  const g = new THREE.BufferGeometry();
  g.setAttribute("position", new THREE.Float32BufferAttribute(points, 3));
  return new THREE.LineSegments(
    g,
    new THREE.LineBasicMaterial({ color, transparent: true, opacity: 1, depthWrite: false }),
  );
}

// A polar-free square grid whose major lines are the server's interest
// cells, re-centred under the camera so it looks endless.
function grid() {
  const extent = GRID_HALF * GRID_STEP;
  const minor = [];
  const major = [];
  // Each line is cut into cell-sized pieces: a single 40 km segment that
  // passes behind the camera is dropped whole by some GL drivers
  // (SwiftShader among them) instead of being clipped.
  for (let i = -GRID_HALF; i <= GRID_HALF; i++) {
    const v = i * GRID_STEP;
    const out = v % CELL === 0 ? major : minor;
    for (let u = -extent; u < extent; u += CELL) {
      out.push(v, 0, u, v, 0, u + CELL, u, 0, v, u + CELL, 0, v);
    }
  }
  return { minor: gridLines(minor, PALETTE.gridMinor), major: gridLines(major, PALETTE.gridMajor) };
}

// The edge of what the server lets us see (our 3x3 interest cells),
// dashed so it reads apart from the cell grid it lies on. A unit square
// scaled to the view; dash lengths are in those units (1 = 7.5 km).
function horizon() {
  const line = new THREE.LineLoop(
    new THREE.BufferGeometry().setFromPoints([
      new THREE.Vector3(0, 0, 0),
      new THREE.Vector3(1, 0, 0),
      new THREE.Vector3(1, 0, -1),
      new THREE.Vector3(0, 0, -1),
    ]),
    new THREE.LineDashedMaterial({
      color: PALETTE.player,
      dashSize: 0.012,
      gapSize: 0.01,
      transparent: true,
      opacity: 0.55,
      depthWrite: false,
    }),
  );
  line.computeLineDistances();
  line.position.y = -20;
  line.visible = false;
  return line;
}

// Distant stars, far below the plane: they drift slowly as we fly.
function starfield() {
  const stars = [];
  const colors = [];
  for (let i = 0; i < 1600; i++) {
    const r = 60000 * Math.sqrt(Math.random());
    const a = Math.random() * Math.PI * 2;
    stars.push(Math.cos(a) * r, -30000 - Math.random() * 40000, Math.sin(a) * r);
    const tint = 0.3 + Math.random() * 0.6;
    const warm = Math.random() < 0.3;
    colors.push(tint, tint * (warm ? 0.85 : 0.95), tint * (warm ? 0.6 : 1));
  }
  const sg = new THREE.BufferGeometry();
  sg.setAttribute("position", new THREE.Float32BufferAttribute(stars, 3));
  sg.setAttribute("color", new THREE.Float32BufferAttribute(colors, 3));
  return new THREE.Points(
    sg,
    new THREE.PointsMaterial({ size: 1.6, sizeAttenuation: false, vertexColors: true, fog: false }),
  );
}

export class Backdrop {
  constructor(scene) {
    const { minor, major } = grid();
    this.gridMinor = minor;
    this.grid = new THREE.Group();
    this.grid.add(minor, major);
    this.grid.position.y = -30; // just under the entities so strokes never fight
    this.horizon = horizon();
    this.starfield = starfield();
    scene.add(this.grid, this.horizon, this.starfield);
  }

  /** Follow the camera's `focus` (three coordinates) at camera height `zoom`. */
  follow(focus, zoom) {
    // Snap the grid to whole cells so its major lines stay on cell borders.
    this.grid.position.x = Math.round(focus.x / CELL) * CELL;
    this.grid.position.z = Math.round(focus.z / CELL) * CELL;
    this.starfield.position.set(focus.x * 0.85, 0, focus.z * 0.85);
    // Minor lines turn into a mesh when zoomed far out: fade them away.
    this.gridMinor.material.opacity = THREE.MathUtils.clamp((9000 - zoom) / 5000, 0, 1);
    this.gridMinor.visible = this.gridMinor.material.opacity > 0.02;
  }

  /** Outline the cells in view (`world.viewCells`, corners in `world.cellOrigins`). */
  outline(world) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const key of world.viewCells ?? []) {
      const origin = world.cellOrigins.get(key);
      if (!origin) continue;
      x0 = Math.min(x0, origin[0]);
      y0 = Math.min(y0, origin[1]);
      x1 = Math.max(x1, origin[0] + CELL);
      y1 = Math.max(y1, origin[1] + CELL);
    }
    this.horizon.visible = x1 > x0;
    if (this.horizon.visible) {
      this.horizon.position.x = x0;
      this.horizon.position.z = -y0;
      this.horizon.scale.set(x1 - x0, 1, y1 - y0);
    }
  }
}
