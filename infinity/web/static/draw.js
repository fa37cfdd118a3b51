// Stroke primitives for the tactical view's 80s vector look, shared by the
// models, overlays and effects.
//
// Coordinates: the simulation is 2D in metres with x east and y north and
// headings counter-clockwise from +x. Sim (x, y) is three's (x, 0, -y), so
// north is "up" on screen and `rotation.y = heading` turns a model that
// points along +x exactly like the ship (a rotation about +Y takes +x
// towards -z, i.e. towards sim +y).

import * as THREE from "three";

export const PALETTE = {
  own: 0xffb347,
  player: 0x5ee7ff,
  npc: 0xff5a5a,
  station: 0x8dff9e,
  gate: 0xc792ff,
  asteroid: 0xb8935f,
  star: 0xffd36b,
  torpedo: 0xfff2c0,
  gridMinor: 0x0f2c36,
  gridMajor: 0x1f5566,
  beamOwn: 0xffc866,
  beamOther: 0xff5a5a,
  route: 0xc792ff,
  wreck: 0xff8a4c,
  siphon: 0x7dffb0,
  siphonWarn: 0xffb347,
};

export const toThree = (x, y, out = new THREE.Vector3()) => out.set(x, 0, -y);

/** A line material; additive, so overlapping strokes brighten like phosphor. */
export function stroke(color, opacity = 1) {
  return new THREE.LineBasicMaterial({
    color,
    transparent: true,
    opacity,
    blending: THREE.AdditiveBlending,
    depthWrite: false,
  });
}

export function segments(points) {
  const g = new THREE.BufferGeometry();
  g.setAttribute("position", new THREE.Float32BufferAttribute(points.flat(), 3));
  return g;
}

function circlePoints(radius, n = 48, y = 0) {
  const pts = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * Math.PI * 2;
    pts.push(new THREE.Vector3(Math.cos(a) * radius, y, Math.sin(a) * radius));
  }
  return pts;
}

export function circle(radius, material, n = 48) {
  const g = new THREE.BufferGeometry().setFromPoints(circlePoints(radius, n));
  return new THREE.LineLoop(g, material);
}

/** A dashed ring of `radius` metres (ranges around our own ship). */
export function dashedCircle(radius, color, opacity) {
  const g = new THREE.BufferGeometry().setFromPoints([
    ...circlePoints(radius, 96),
    circlePoints(radius, 96)[0],
  ]);
  const line = new THREE.Line(
    g,
    new THREE.LineDashedMaterial({
      color,
      dashSize: radius * 0.04,
      gapSize: radius * 0.03,
      transparent: true,
      opacity,
      depthWrite: false,
    }),
  );
  line.computeLineDistances();
  return line;
}

/** A two-point line whose ends move every frame (beams, locks, siphons). */
export function movingLine(material) {
  const g = new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), new THREE.Vector3()]);
  const line = new THREE.Line(g, material);
  line.frustumCulled = false; // its end points move every frame
  return line;
}

/** Point a `movingLine` from `a` to `b` (sim poses) at height `y`. */
export function aim(line, a, b, y) {
  const attr = line.geometry.attributes.position;
  attr.setXYZ(0, a.x, y, -a.y);
  attr.setXYZ(1, b.x, y, -b.y);
  attr.needsUpdate = true;
}

/** Free the GPU side of an object and its children; `shared` geometries are kept. */
export function dispose(object, shared = new Set()) {
  object.traverse((o) => {
    if (o.geometry && !shared.has(o.geometry)) o.geometry.dispose();
    if (o.material) o.material.dispose();
  });
}
