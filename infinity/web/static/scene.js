// The bridge's tactical display: a three.js view of the entities the
// server lets us see, drawn as 80s vector graphics.
//
// Coordinates: the simulation is 2D in metres with x east and y north and
// headings counter-clockwise from +x. Sim (x, y) is three's (x, 0, -y), so
// north is "up" on screen and `rotation.y = heading` turns a model that
// points along +x exactly like the ship (a rotation about +Y takes +x
// towards -z, i.e. towards sim +y).

import * as THREE from "three";
import { Kind } from "./world.js";

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

const GRID_STEP = 500; // m between minor lines
const CELL = 2500; // m, the interest cell: major lines mark sensor cells
const GRID_HALF = 40; // minor lines each side of the centre
const BEAM_RANGE = 1500;
const DOCK_RANGE = 350;
const GATE_RANGE = 450;
const LOOT_RANGE = 300;
const SIPHON_RANGE = 800;
const SIPHON_PACKETS = 7; // credit "packets" flowing along a siphon line
const SIPHON_FLOW_MS = 1100; // one packet's trip from the victim to us
const ZOOM_MIN = 500;
const ZOOM_MAX = 18000;
const BEAM_MS = 350;
const BOOM_MS = 1400;
const PULSE_MS = 900;
const TRAIL = 40; // display frames of torpedo trail

const toThree = (x, y, out = new THREE.Vector3()) => out.set(x, 0, -y);

// ---------------------------------------------------------------- models --

function lineMaterial(color, opacity = 1) {
  // Additive blending makes overlapping strokes brighten like phosphor.
  return new THREE.LineBasicMaterial({
    color,
    transparent: true,
    opacity,
    blending: THREE.AdditiveBlending,
    depthWrite: false,
  });
}

function segments(points) {
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

function circle(radius, material, n = 48) {
  const g = new THREE.BufferGeometry().setFromPoints(circlePoints(radius, n));
  return new THREE.LineLoop(g, material);
}

// Geometries are shared by every entity of a kind; only materials differ.
const GEOMETRY = {
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

const SHARED_GEOMETRY = new Set(Object.values(GEOMETRY));

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

function buildModel(entity, shipId, glow) {
  const root = new THREE.Group();
  const spin = new THREE.Group(); // the part that turns with heading or idles
  root.add(spin);
  const model = { root, spin, size: 1, minScreen: 14, kind: entity.kind };
  switch (entity.kind) {
    case Kind.SHIP: {
      const color = shipColor(entity, shipId);
      spin.add(new THREE.LineSegments(GEOMETRY.ship, lineMaterial(color)));
      spin.add(
        new THREE.Mesh(
          GEOMETRY.shipFill,
          new THREE.MeshBasicMaterial({
            color,
            transparent: true,
            opacity: 0.16,
            side: THREE.DoubleSide,
            depthWrite: false,
          }),
        ),
      );
      const ring = circle(1.15, lineMaterial(color, 0.35), 32);
      root.add(ring);
      model.size = 45;
      model.minScreen = entity.id === shipId ? 22 : 18;
      model.color = color;
      break;
    }
    case Kind.TORPEDO: {
      spin.add(new THREE.LineSegments(GEOMETRY.torpedo, lineMaterial(PALETTE.torpedo)));
      model.size = 20;
      model.minScreen = 9;
      model.color = PALETTE.torpedo;
      break;
    }
    case Kind.ASTEROID: {
      const mesh = new THREE.LineSegments(GEOMETRY.asteroid, lineMaterial(PALETTE.asteroid, 0.8));
      mesh.scale.set(
        0.7 + hash01(entity.id, 1) * 0.6,
        0.6 + hash01(entity.id, 2) * 0.5,
        0.7 + hash01(entity.id, 3) * 0.6,
      );
      mesh.rotation.set(hash01(entity.id, 4) * 6, hash01(entity.id, 5) * 6, 0);
      spin.add(mesh);
      model.spinRate = (hash01(entity.id, 6) - 0.5) * 0.6;
      const ore = entity.extra?.ore ?? 200;
      model.size = 35 + Math.min(ore, 400) * 0.12;
      model.minScreen = 6;
      model.color = PALETTE.asteroid;
      break;
    }
    case Kind.STATION: {
      spin.add(new THREE.LineSegments(GEOMETRY.stationHull, lineMaterial(PALETTE.station)));
      spin.add(new THREE.LineSegments(GEOMETRY.stationCore, lineMaterial(PALETTE.station, 0.7)));
      const ring = circle(1.6, lineMaterial(PALETTE.station, 0.55), 8);
      spin.add(ring);
      // Docking range, kept true to scale whatever the icon's size.
      model.rangeRing = circle(1, lineMaterial(PALETTE.station, 0.14), 64);
      model.range = DOCK_RANGE;
      root.add(model.rangeRing);
      model.spinRate = 0.15;
      model.size = 160;
      model.minScreen = 20;
      model.color = PALETTE.station;
      break;
    }
    case Kind.GATE: {
      const outer = circle(1, lineMaterial(PALETTE.gate), 40);
      outer.rotation.x = Math.PI / 2; // stand the ring up
      const inner = circle(0.72, lineMaterial(PALETTE.gate, 0.6), 6);
      inner.rotation.x = Math.PI / 2;
      spin.add(outer, inner);
      model.rangeRing = circle(1, lineMaterial(PALETTE.gate, 0.18), 64);
      model.range = GATE_RANGE;
      root.add(model.rangeRing);
      model.spinRate = 0.5;
      model.size = 260;
      model.minScreen = 22;
      model.color = PALETTE.gate;
      break;
    }
    case Kind.STAR: {
      spin.add(new THREE.LineSegments(GEOMETRY.star, lineMaterial(PALETTE.star, 0.9)));
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
      model.spinRate = 0.05;
      model.size = 700;
      model.minScreen = 30;
      model.color = PALETTE.star;
      break;
    }
    case Kind.WRECK: {
      spin.add(new THREE.LineSegments(GEOMETRY.wreck, lineMaterial(PALETTE.wreck, 0.9)));
      // A distress beacon blinking on the hulk, and the loot range to scale.
      model.beacon = circle(0.22, lineMaterial(PALETTE.wreck), 6);
      root.add(model.beacon);
      model.rangeRing = circle(1, lineMaterial(PALETTE.wreck, 0.16), 48);
      model.range = LOOT_RANGE;
      root.add(model.rangeRing);
      model.spinRate = 0.25 * (hash01(entity.id, 7) < 0.5 ? -1 : 1); // adrift
      model.size = 70;
      model.minScreen = 24;
      model.color = PALETTE.wreck;
      break;
    }
    default: {
      spin.add(circle(1, lineMaterial(0xffffff), 12));
      model.size = 40;
    }
  }
  return model;
}

// ------------------------------------------------------------------ view --

export class TacticalView {
  constructor(container, labelLayer, world) {
    this.container = container;
    this.labelLayer = labelLayer;
    this.world = world;
    this.shipId = null;
    this.targetId = -1;
    this.hoverId = null;
    this.moveTarget = null; // {x, y} of the current move_to, drawn as a marker
    this.routeGateId = null; // next gate of a plotted galaxy route
    this.siphonId = null; // the ship we are siphoning, drawn as a pulsing line
    this.agentShips = new Set(); // ships with crew agents aboard (labelled ◆)
    this.zoom = 3600; // camera height above the plane, metres
    this.focus = new THREE.Vector3(); // where the camera looks (smoothed)
    this.focusReady = false;
    this.models = new Map(); // entity id -> model
    this.labels = new Map(); // entity id -> label element
    this.effects = []; // short-lived beams, booms and pulses
    this.poses = new Map(); // entity id -> latest drawn pose {x, y, h}
    this.lastNow = performance.now();

    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.setClearColor(0x02070b, 1);
    this.renderer.domElement.className = "tactical-canvas";
    container.prepend(this.renderer.domElement);

    this.scene = new THREE.Scene();
    this.scene.fog = new THREE.Fog(0x02070b, 8000, 20000);
    this.camera = new THREE.PerspectiveCamera(50, 1, 10, 200000);
    this.glow = glowTexture();

    this.buildBackdrop();
    this.buildOwnShipOverlays();
    this.raycaster = new THREE.Raycaster();
    this.plane = new THREE.Plane(new THREE.Vector3(0, 1, 0), 0);

    this.resize();
    new ResizeObserver(() => this.resize()).observe(container);
  }

  // A polar-free square grid whose major lines are the server's interest
  // cells, re-centred under the camera so it looks endless.
  buildBackdrop() {
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
    const grid = (points, color) => {
      const g = new THREE.BufferGeometry();
      g.setAttribute("position", new THREE.Float32BufferAttribute(points, 3));
      return new THREE.LineSegments(
        g,
        new THREE.LineBasicMaterial({ color, transparent: true, opacity: 1, depthWrite: false }),
      );
    };
    this.grid = new THREE.Group();
    this.gridMinor = grid(minor, PALETTE.gridMinor);
    this.gridMajor = grid(major, PALETTE.gridMajor);
    this.grid.add(this.gridMinor, this.gridMajor);
    this.grid.position.y = -30; // just under the entities so strokes never fight
    this.scene.add(this.grid);

    // The edge of what the server lets us see (our 3x3 interest cells),
    // dashed so it reads apart from the cell grid it lies on. A unit square
    // scaled to the view; dash lengths are in those units (1 = 7.5 km).
    this.horizon = new THREE.LineLoop(
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
    this.horizon.computeLineDistances();
    this.horizon.position.y = -20;
    this.horizon.visible = false;
    this.scene.add(this.horizon);

    // Distant stars, far below the plane: they drift slowly as we fly.
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
    this.starfield = new THREE.Points(
      sg,
      new THREE.PointsMaterial({
        size: 1.6,
        sizeAttenuation: false,
        vertexColors: true,
        fog: false,
      }),
    );
    this.scene.add(this.starfield);
  }

  buildOwnShipOverlays() {
    const dashed = (radius, color, opacity) => {
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
    };
    this.beamRing = dashed(BEAM_RANGE, PALETTE.own, 0.3);
    this.scene.add(this.beamRing);
    // Heading line: where the nose points, out to beam range.
    this.headingLine = new THREE.Line(
      segments([
        [0, 0, 0],
        [BEAM_RANGE, 0, 0],
      ]),
      lineMaterial(PALETTE.own, 0.25),
    );
    this.scene.add(this.headingLine);
    // Target lock: a line from us to the target.
    this.lockLine = new THREE.Line(
      new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), new THREE.Vector3()]),
      new THREE.LineDashedMaterial({
        color: PALETTE.npc,
        dashSize: 40,
        gapSize: 40,
        transparent: true,
        opacity: 0.5,
      }),
    );
    this.lockLine.visible = false;
    this.lockLine.frustumCulled = false; // its end points move every frame
    this.scene.add(this.lockLine);
    // Autopilot destination marker.
    const cross = new THREE.Group();
    cross.add(circle(1, lineMaterial(PALETTE.own, 0.8), 4));
    // prettier-ignore
    const ticks = segments([
      [-1.6, 0, 0], [-0.6, 0, 0], [0.6, 0, 0], [1.6, 0, 0],
      [0, 0, -1.6], [0, 0, -0.6], [0, 0, 0.6], [0, 0, 1.6],
    ]);
    cross.add(new THREE.LineSegments(ticks, lineMaterial(PALETTE.own, 0.8)));
    cross.visible = false;
    this.moveMarker = cross;
    this.scene.add(cross);
    // Siphon: a pulsing line to the victim with credits flowing back to us,
    // and the range it breaks at.
    this.siphonLine = new THREE.Line(
      new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), new THREE.Vector3()]),
      lineMaterial(PALETTE.siphon, 0.7),
    );
    this.siphonLine.frustumCulled = false;
    this.siphonLine.visible = false;
    this.scene.add(this.siphonLine);
    const packets = new THREE.BufferGeometry();
    packets.setAttribute(
      "position",
      new THREE.BufferAttribute(new Float32Array(SIPHON_PACKETS * 3), 3),
    );
    this.siphonPackets = new THREE.Points(
      packets,
      new THREE.PointsMaterial({
        color: PALETTE.siphon,
        size: 6,
        sizeAttenuation: false,
        transparent: true,
        blending: THREE.AdditiveBlending,
        depthWrite: false,
      }),
    );
    this.siphonPackets.frustumCulled = false;
    this.siphonPackets.visible = false;
    this.scene.add(this.siphonPackets);
    this.siphonRing = dashed(SIPHON_RANGE, PALETTE.siphon, 0.35);
    this.siphonRing.visible = false;
    this.scene.add(this.siphonRing);
  }

  resize() {
    const w = this.container.clientWidth || 1;
    const h = this.container.clientHeight || 1;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.width = w;
    this.height = h;
  }

  /** Forget every drawn entity (a jump or respawn into another system). */
  reset() {
    for (const id of [...this.models.keys()]) this.removeModel(id);
    for (const fx of this.effects) this.scene.remove(fx.object);
    this.effects = [];
    this.poses.clear();
    this.focusReady = false;
    this.moveTarget = null;
  }

  // A torpedo's recent path, so its homing curve is readable.
  updateTrail(model, p) {
    if (!model.trail) {
      const g = new THREE.BufferGeometry();
      g.setAttribute("position", new THREE.BufferAttribute(new Float32Array(TRAIL * 3), 3));
      g.setDrawRange(0, 0);
      model.trail = new THREE.Line(g, lineMaterial(PALETTE.torpedo, 0.45));
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

  removeModel(id) {
    const model = this.models.get(id);
    if (model) {
      this.scene.remove(model.root);
      if (model.trail) {
        this.scene.remove(model.trail);
        model.trail.geometry.dispose();
        model.trail.material.dispose();
      }
      model.root.traverse((o) => {
        if (o.geometry && !SHARED_GEOMETRY.has(o.geometry)) o.geometry.dispose();
        if (o.material) o.material.dispose();
      });
      this.models.delete(id);
    }
    const label = this.labels.get(id);
    if (label) {
      label.remove();
      this.labels.delete(id);
    }
  }

  zoomBy(steps) {
    this.zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, this.zoom * Math.pow(1.15, steps)));
  }

  // ------------------------------------------------------------ effects --

  /** Turn frame events into visual effects. */
  addEvents(events, now) {
    for (const ev of events) {
      const [type, a, b, c] = ev;
      if (type === "beam") {
        this.addEffect("beam", now, BEAM_MS, { from: a, to: b });
      } else if (type === "boom") {
        this.addEffect("boom", now, BOOM_MS, { x: b, y: c });
      } else if (type === "torpedo_hit") {
        const p = this.poses.get(b);
        if (p) this.addEffect("pulse", now, PULSE_MS, { x: p.x, y: p.y, color: PALETTE.torpedo });
      } else if (type === "dock" || type === "undock" || type === "jump" || type === "arrive") {
        const p = this.poses.get(a) ?? this.poses.get(b);
        const color = type === "jump" || type === "arrive" ? PALETTE.gate : PALETTE.station;
        if (p) this.addEffect("pulse", now, PULSE_MS, { x: p.x, y: p.y, color });
      }
    }
  }

  addEffect(type, now, duration, data) {
    let object;
    if (type === "beam") {
      const own = data.from === this.shipId;
      const g = new THREE.BufferGeometry().setFromPoints([
        new THREE.Vector3(),
        new THREE.Vector3(),
      ]);
      object = new THREE.Line(g, lineMaterial(own ? PALETTE.beamOwn : PALETTE.beamOther));
      object.frustumCulled = false; // its end points move every frame
    } else if (type === "boom") {
      object = new THREE.Group();
      object.add(circle(1, lineMaterial(0xffd080), 40));
      object.add(circle(0.6, lineMaterial(0xff6a3d), 24));
      const shards = [];
      for (let i = 0; i < 18; i++) {
        const a = Math.random() * Math.PI * 2;
        const r = 0.3 + Math.random() * 0.9;
        const [cx, cz] = [Math.cos(a) * r, Math.sin(a) * r];
        shards.push([cx * 0.5, 0, cz * 0.5], [cx, 0, cz]);
      }
      object.add(new THREE.LineSegments(segments(shards), lineMaterial(0xffb060)));
      toThree(data.x, data.y, object.position);
    } else {
      object = circle(1, lineMaterial(data.color ?? 0xffffff), 40);
      toThree(data.x, data.y, object.position);
    }
    this.scene.add(object);
    this.effects.push({ type, born: now, duration, data, object });
  }

  updateEffects(now) {
    const keep = [];
    for (const fx of this.effects) {
      const age = (now - fx.born) / fx.duration;
      if (age >= 1) {
        this.scene.remove(fx.object);
        fx.object.traverse((o) => {
          if (o.geometry && !SHARED_GEOMETRY.has(o.geometry)) o.geometry.dispose();
          if (o.material) o.material.dispose();
        });
        continue;
      }
      keep.push(fx);
      const fade = 1 - age;
      if (fx.type === "beam") {
        const a = this.poses.get(fx.data.from);
        const b = this.poses.get(fx.data.to);
        fx.object.visible = Boolean(a && b);
        if (a && b) {
          const attr = fx.object.geometry.attributes.position;
          attr.setXYZ(0, a.x, 8, -a.y);
          // A slight flicker along the beam reads as energy, not a wire.
          attr.setXYZ(1, b.x, 8, -b.y);
          attr.needsUpdate = true;
          fx.object.material.opacity = fade * (0.75 + 0.25 * Math.sin(now * 0.08));
        }
      } else if (fx.type === "boom") {
        const s = 60 + age * 520;
        fx.object.scale.setScalar(s);
        fx.object.traverse((o) => {
          if (o.material) o.material.opacity = fade;
        });
      } else {
        fx.object.scale.setScalar(80 + age * 300);
        fx.object.material.opacity = fade * 0.8;
      }
    }
    this.effects = keep;
  }

  // -------------------------------------------------------------- frame --

  /** Draw one display frame. */
  render(now) {
    const dt = Math.min((now - this.lastNow) / 1000, 0.25);
    this.lastNow = now;
    const world = this.world;
    const rt = world.renderTick(now);
    const camDist = this.zoom;
    // Icons keep a readable minimum size on screen whatever the zoom:
    // metres per pixel at the focus distance.
    const mpp =
      (2 * camDist * Math.tan(THREE.MathUtils.degToRad(this.camera.fov / 2))) / this.height;

    for (const id of this.models.keys()) if (!world.entities.has(id)) this.removeModel(id);
    this.poses.clear();

    for (const e of world.entities.values()) {
      let model = this.models.get(e.id);
      if (!model || model.ownerKey !== allegianceKey(e, this.shipId)) {
        if (model) this.removeModel(e.id);
        model = buildModel(e, this.shipId, this.glow);
        model.ownerKey = allegianceKey(e, this.shipId);
        this.models.set(e.id, model);
        this.scene.add(model.root);
      }
      const p = world.pose(e, rt);
      this.poses.set(e.id, p);
      toThree(p.x, p.y, model.root.position);
      const scale = Math.max(model.size, model.minScreen * mpp);
      model.root.scale.setScalar(scale);
      if (model.rangeRing) model.rangeRing.scale.setScalar(model.range / scale);
      if (e.kind === Kind.TORPEDO) this.updateTrail(model, p);
      if (e.kind === Kind.SHIP || e.kind === Kind.TORPEDO) {
        model.spin.rotation.y = p.h;
        // Docked ships sit inside the station: dim them.
        const docked = e.kind === Kind.SHIP && e.extra.docked_at >= 0;
        model.root.visible = !(docked && e.id !== this.shipId);
      } else if (model.spinRate) {
        model.spin.rotation.y += model.spinRate * dt;
      }
      if (model.beacon) model.beacon.material.opacity = Math.sin(now * 0.006) > 0.6 ? 1 : 0.15;
    }

    this.updateCamera(dt);
    this.updateOwnOverlays(mpp);
    this.updateSiphon(now);
    this.updateHorizon();
    // Minor lines turn into a mesh when zoomed far out: fade them away.
    this.gridMinor.material.opacity = THREE.MathUtils.clamp((9000 - camDist) / 5000, 0, 1);
    this.gridMinor.visible = this.gridMinor.material.opacity > 0.02;
    this.updateEffects(now);

    this.scene.fog.near = camDist * 1.6;
    this.scene.fog.far = camDist * 4.5;
    this.renderer.render(this.scene, this.camera);
    this.updateLabels();
  }

  updateCamera(dt) {
    const own = this.poses.get(this.shipId);
    if (own) {
      const want = toThree(own.x, own.y);
      if (!this.focusReady) {
        this.focus.copy(want);
        this.focusReady = true;
      } else {
        // Critically damped-ish follow: tight enough to keep the ship
        // centred at full speed, soft enough to hide jitter.
        this.focus.lerp(want, 1 - Math.exp(-dt * 10));
      }
    }
    const h = this.zoom;
    this.camera.position.set(this.focus.x, this.focus.y + h, this.focus.z + h * 0.55);
    this.camera.lookAt(this.focus);
    this.camera.far = h * 30 + 80000;
    this.camera.updateProjectionMatrix();
    // Snap the grid to whole cells so its major lines stay on cell borders.
    this.grid.position.x = Math.round(this.focus.x / CELL) * CELL;
    this.grid.position.z = Math.round(this.focus.z / CELL) * CELL;
    this.starfield.position.set(this.focus.x * 0.85, 0, this.focus.z * 0.85);
  }

  updateOwnOverlays(mpp) {
    const own = this.poses.get(this.shipId);
    const visible = Boolean(own);
    const docked = Boolean(this.world.me && this.world.me.dockedAt >= 0);
    this.beamRing.visible = visible && !docked;
    this.headingLine.visible = visible && !docked;
    if (own) {
      toThree(own.x, own.y, this.beamRing.position);
      toThree(own.x, own.y, this.headingLine.position);
      this.headingLine.rotation.y = own.h;
    }
    const target = this.poses.get(this.targetId);
    this.lockLine.visible = Boolean(own && target);
    if (own && target) {
      const attr = this.lockLine.geometry.attributes.position;
      attr.setXYZ(0, own.x, 2, -own.y);
      attr.setXYZ(1, target.x, 2, -target.y);
      attr.needsUpdate = true;
      this.lockLine.computeLineDistances();
    }
    if (this.moveTarget && own) {
      const d = Math.hypot(own.x - this.moveTarget.x, own.y - this.moveTarget.y);
      if (d < 60) this.moveTarget = null;
    }
    this.moveMarker.visible = Boolean(this.moveTarget);
    if (this.moveTarget) {
      toThree(this.moveTarget.x, this.moveTarget.y, this.moveMarker.position);
      this.moveMarker.scale.setScalar(Math.max(40, 10 * mpp));
      this.moveMarker.rotation.y += 0.02;
    }
  }

  updateSiphon(now) {
    const own = this.poses.get(this.shipId);
    const victim = this.siphonId === null ? undefined : this.poses.get(this.siphonId);
    const on = Boolean(own && victim);
    this.siphonLine.visible = on;
    this.siphonPackets.visible = on;
    this.siphonRing.visible = on;
    if (!on) return;
    // Amber when the victim nears the edge of range: the siphon is about to break.
    const d = Math.hypot(victim.x - own.x, victim.y - own.y);
    const color = d > SIPHON_RANGE * 0.85 ? PALETTE.siphonWarn : PALETTE.siphon;
    this.siphonLine.material.color.setHex(color);
    this.siphonPackets.material.color.setHex(color);
    this.siphonRing.material.color.setHex(color);
    const pulse = 0.5 + 0.5 * Math.sin(now * 0.012);
    this.siphonLine.material.opacity = 0.3 + 0.6 * pulse;
    const line = this.siphonLine.geometry.attributes.position;
    line.setXYZ(0, own.x, 6, -own.y);
    line.setXYZ(1, victim.x, 6, -victim.y);
    line.needsUpdate = true;
    const pts = this.siphonPackets.geometry.attributes.position;
    for (let i = 0; i < SIPHON_PACKETS; i++) {
      const f = (now / SIPHON_FLOW_MS + i / SIPHON_PACKETS) % 1; // 0 at the victim
      pts.setXYZ(i, victim.x + (own.x - victim.x) * f, 8, -(victim.y + (own.y - victim.y) * f));
    }
    pts.needsUpdate = true;
    toThree(own.x, own.y, this.siphonRing.position);
  }

  updateHorizon() {
    const cells = this.world.viewCells;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    if (cells) {
      for (const key of cells) {
        const origin = this.world.cellOrigins.get(key);
        if (!origin) continue;
        x0 = Math.min(x0, origin[0]);
        y0 = Math.min(y0, origin[1]);
        x1 = Math.max(x1, origin[0] + CELL);
        y1 = Math.max(y1, origin[1] + CELL);
      }
    }
    this.horizon.visible = x1 > x0;
    if (this.horizon.visible) {
      this.horizon.position.x = x0;
      this.horizon.position.z = -y0;
      this.horizon.scale.set(x1 - x0, 1, y1 - y0);
    }
  }

  // ------------------------------------------------------------- labels --

  /** Screen position (CSS px) of a sim point, or null if behind us. */
  project(x, y) {
    const v = toThree(x, y).project(this.camera);
    if (v.z > 1) return null;
    return { x: (v.x * 0.5 + 0.5) * this.width, y: (-v.y * 0.5 + 0.5) * this.height };
  }

  wantsLabel(e) {
    if (e.id === this.shipId) return false; // the HUD already says who we are
    if (e.id === this.targetId || e.id === this.hoverId || e.id === this.routeGateId) return true;
    if (e.kind === Kind.ASTEROID || e.kind === Kind.TORPEDO) return false;
    if (e.id === this.siphonId) return true;
    if (e.kind === Kind.SHIP && e.extra.docked_at >= 0 && e.id !== this.shipId) return false;
    return true;
  }

  labelText(e) {
    switch (e.kind) {
      case Kind.GATE:
        return `◎ ${e.name.toUpperCase()}`;
      case Kind.ASTEROID:
        return `${e.name} · ${e.extra.ore ?? "?"} t`;
      case Kind.STAR:
        return `☉ ${e.name.toUpperCase()}`;
      case Kind.STATION:
        return `▣ ${e.name.toUpperCase()}`;
      case Kind.WRECK:
        return `✕ ${(e.name || "WRECK").toUpperCase()} · ${e.extra.ore ?? "?"} t`;
      default:
        return e.name || `#${e.id}`;
    }
  }

  updateLabels() {
    const seen = new Set();
    for (const e of this.world.entities.values()) {
      if (!this.wantsLabel(e)) continue;
      const p = this.poses.get(e.id);
      const s = p && this.project(p.x, p.y);
      if (!s || s.x < -50 || s.y < -50 || s.x > this.width + 50 || s.y > this.height + 50) continue;
      seen.add(e.id);
      let el = this.labels.get(e.id);
      if (!el) {
        el = document.createElement("div");
        el.className = "label";
        this.labelLayer.append(el);
        this.labels.set(e.id, el);
      }
      const crewed = this.agentShips?.has(e.id) ? " crewed" : "";
      const cls = `label kind-${e.kind} ${allegiance(e, this.shipId)}${crewed}${
        e.id === this.targetId ? " target" : ""
      }${e.id === this.routeGateId ? " route" : ""}${e.id === this.siphonId ? " siphon" : ""}`;
      if (el.className !== cls) el.className = cls;
      const text = this.labelText(e);
      if (el.textContent !== text) el.textContent = text;
      el.style.transform = `translate(${Math.round(s.x)}px, ${Math.round(s.y)}px)`;
    }
    for (const [id, el] of this.labels) {
      if (!seen.has(id)) {
        el.remove();
        this.labels.delete(id);
      }
    }
  }

  // ------------------------------------------------------------ picking --

  /** The entity drawn under a screen point (CSS px in the canvas), or null. */
  pick(sx, sy, { includeOwn = false } = {}) {
    let best = null;
    let bestD = Infinity;
    for (const e of this.world.entities.values()) {
      if (!includeOwn && e.id === this.shipId) continue;
      const model = this.models.get(e.id);
      if (!model || !model.root.visible) continue;
      const p = this.poses.get(e.id);
      const s = p && this.project(p.x, p.y);
      if (!s) continue;
      const d = Math.hypot(s.x - sx, s.y - sy);
      // Big bodies are easier to hit; everything gets at least 18 px.
      const radius = Math.max(18, this.screenRadius(p, model.root.scale.x));
      // The star is huge: prefer anything else that is also under the cursor.
      const score = d - (e.kind === Kind.STAR ? 0 : 40);
      if (d <= radius && score < bestD) {
        best = e;
        bestD = score;
      }
    }
    return best;
  }

  screenRadius(p, worldRadius) {
    const a = this.project(p.x, p.y);
    const b = this.project(p.x + worldRadius, p.y);
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  }

  /** The sim point on the plane under a screen point, or null. */
  groundPoint(sx, sy) {
    const ndc = new THREE.Vector2((sx / this.width) * 2 - 1, -(sy / this.height) * 2 + 1);
    this.raycaster.setFromCamera(ndc, this.camera);
    const hit = new THREE.Vector3();
    if (!this.raycaster.ray.intersectPlane(this.plane, hit)) return null;
    return { x: hit.x, y: -hit.z };
  }

  get info() {
    return this.renderer.info;
  }
}

// Ship colours depend on who owns it; rebuild the model if that changes
// (our own id arrives with the welcome, after entities may be drawn).
function allegianceKey(e, shipId) {
  return e.kind === Kind.SHIP || e.kind === Kind.TORPEDO ? allegiance(e, shipId) : "static";
}
