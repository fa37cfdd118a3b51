// The bridge's tactical display: a three.js view of the entities the
// server lets us see, drawn as 80s vector graphics. This module puts the
// parts together (camera.js, backdrop.js, models.js, overlays.js,
// effects.js, labels.js) and answers the pilot's pointer: what is under
// the cursor, and where on the plane.

import * as THREE from "three";
import { Backdrop } from "./backdrop.js";
import { CameraRig } from "./camera.js";
import { Effects } from "./effects.js";
import { Labels } from "./labels.js";
import { Models } from "./models.js";
import { OwnOverlays } from "./overlays.js";
import { Kind } from "./world.js";

const BACKGROUND = 0x02070b; // style.css --bg

export class TacticalView {
  constructor(container, labelLayer, world) {
    this.container = container;
    this.world = world;
    // What main.js marks for drawing; also read by the labels.
    this.shipId = null;
    this.targetId = -1;
    this.hoverId = null;
    this.routeGateId = null; // next gate of a plotted galaxy route
    this.siphonId = null; // the ship we are siphoning, drawn as a pulsing line
    this.agentShips = new Set(); // ships with crew agents aboard (labelled ◆)
    this.huntedShips = new Set(); // ships whose location is shared with us (labelled HUNTED)
    this.poses = new Map(); // entity id -> latest drawn pose {x, y, h}
    this.lastNow = performance.now();
    // Immersive mode (vr/xr.js) draws through its own camera and places it
    // each frame; both are null in the flat view.
    this.cameraOverride = null;
    this.beforeRender = null; // (ownPose, now) => void, just before drawing

    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.setClearColor(BACKGROUND, 1);
    this.renderer.domElement.className = "tactical-canvas";
    container.prepend(this.renderer.domElement);

    this.scene = new THREE.Scene();
    this.scene.fog = new THREE.Fog(BACKGROUND, 8000, 20000);
    this.rig = new CameraRig();
    this.backdrop = new Backdrop(this.scene);
    this.models = new Models(this.scene);
    this.overlays = new OwnOverlays(this.scene);
    this.effects = new Effects(this.scene);
    this.labels = new Labels(labelLayer);

    this.resize();
    new ResizeObserver(() => this.resize()).observe(container);
  }

  get width() {
    return this.rig.width;
  }

  get height() {
    return this.rig.height;
  }

  /** {x, y} of the current move_to, drawn as a marker until we get there. */
  get moveTarget() {
    return this.overlays.moveTarget;
  }

  set moveTarget(target) {
    this.overlays.moveTarget = target;
  }

  resize() {
    const w = this.container.clientWidth || 1;
    const h = this.container.clientHeight || 1;
    this.renderer.setSize(w, h, false);
    this.rig.resize(w, h);
  }

  /** The colour space is cleared to ("#rrggbb"; null: the default near-black), fog too. */
  setBackground(hex = null) {
    const color = /^#[0-9a-f]{6}$/i.test(hex ?? "") ? parseInt(hex.slice(1), 16) : BACKGROUND;
    this.renderer.setClearColor(color, 1);
    this.scene.fog.color.setHex(color);
  }

  /** Forget every drawn entity (a jump or respawn into another system). */
  reset() {
    this.models.clear();
    this.labels.clear();
    this.effects.clear();
    this.poses.clear();
    this.rig.reset();
    this.moveTarget = null;
  }

  zoomBy(steps) {
    this.rig.zoomBy(steps);
  }

  /** Turn frame events into visual effects. */
  addEvents(events, now) {
    this.effects.add(events, now, this.poses, this.shipId);
  }

  /** Draw one display frame. */
  render(now) {
    const dt = Math.min((now - this.lastNow) / 1000, 0.25);
    this.lastNow = now;
    const world = this.world;
    const mpp = this.rig.metresPerPixel();
    this.models.update(world, this.shipId, world.renderTick(now), mpp, dt, now, this.poses);
    const own = this.poses.get(this.shipId);
    this.rig.follow(own, dt);
    this.backdrop.follow(this.rig.focus, this.rig.zoom);
    this.backdrop.outline(world);
    const drawn = {
      own,
      target: this.poses.get(this.targetId),
      victim: this.siphonId === null ? undefined : this.poses.get(this.siphonId),
      docked: Boolean(world.me && world.me.docked_at >= 0),
    };
    this.overlays.update(drawn, mpp, now);
    this.effects.update(now, this.poses);

    this.scene.fog.near = this.rig.zoom * 1.6;
    this.scene.fog.far = this.rig.zoom * 4.5;
    this.beforeRender?.(own, now);
    this.renderer.render(this.scene, this.cameraOverride ?? this.rig.camera);
    const project = (x, y) => this.rig.project(x, y);
    this.labels.update(world.entities, this.poses, project, this.width, this.height, this);
  }

  /** Screen position (CSS px) of a sim point, or null if behind us. */
  project(x, y) {
    return this.rig.project(x, y);
  }

  /** The sim point on the plane under a screen point, or null. */
  groundPoint(sx, sy) {
    return this.rig.groundPoint(sx, sy);
  }

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

  get info() {
    return this.renderer.info;
  }
}
