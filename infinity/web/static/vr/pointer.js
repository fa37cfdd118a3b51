// Pointing from the bridge: a ray from each controller (its WebXR target
// ray). A ray stops at the first display or console it meets, which lights
// up; past the cockpit it finds the entity nearest to it within a narrow
// cone (1.5°, wider for bodies that look bigger), so a distant ship can be
// pointed at as easily as a near one. What a ray finds is what the trigger
// selects (vr/xr.js). Both rays are one draw call, the marker around a
// pointed entity another.

import * as THREE from "three";
import { Kind } from "../world.js";

export const HANDS = ["left", "right"];
const REACH = 6; // m of ray drawn when it points at nothing
const CONE = THREE.MathUtils.degToRad(1.5);
const IDLE = new THREE.Color(0x59d8ff);
const ON = new THREE.Color(0xff9c00);

/** {hand: {origin, dir}} in the seat's frame (the reference space) from an XR frame. */
export function aims(frame, space, sources) {
  const out = {};
  for (const source of sources ?? []) {
    if (!HANDS.includes(source.handedness) || !source.targetRaySpace || !space) continue;
    const pose = frame?.getPose(source.targetRaySpace, space);
    if (!pose) continue;
    const m = new THREE.Matrix4().fromArray(pose.transform.matrix);
    out[source.handedness] = {
      origin: new THREE.Vector3().setFromMatrixPosition(m),
      dir: new THREE.Vector3(0, 0, -1).transformDirection(m),
    };
  }
  return out;
}

export class Pointers {
  constructor(seat, scene) {
    this.seat = seat;
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.BufferAttribute(new Float32Array(4 * 3), 3));
    g.setAttribute("color", new THREE.BufferAttribute(new Float32Array(4 * 3), 3));
    g.setDrawRange(0, 0);
    this.rays = new THREE.LineSegments(
      g,
      new THREE.LineBasicMaterial({
        vertexColors: true,
        fog: false,
        transparent: true,
        depthWrite: false,
      }),
    );
    this.rays.name = "vr-rays";
    this.rays.frustumCulled = false;
    seat.add(this.rays);
    this.marker = new THREE.LineLoop(
      new THREE.BufferGeometry().setFromPoints(
        Array.from({ length: 32 }, (_, i) => {
          const a = (i / 32) * Math.PI * 2;
          return new THREE.Vector3(Math.cos(a), Math.sin(a), 0);
        }),
      ),
      new THREE.LineBasicMaterial({ color: ON, fog: false, transparent: true, depthWrite: false }),
    );
    this.marker.name = "vr-pointed";
    this.marker.visible = false;
    scene.add(this.marker);
    this.raycaster = new THREE.Raycaster();
    this.hits = { left: null, right: null }; // {panel, local} or {entity}, and `end` (seat frame)
  }

  set visible(on) {
    this.rays.visible = on;
    if (!on) {
      this.marker.visible = false;
      this.hits = { left: null, right: null };
    }
  }

  /**
   * Once per frame, after the seat is placed: `aimed` from aims(), `panels`
   * (bridge.js Panels), and the view's `world`, `models` and `shipId`.
   */
  update(aimed, panels, { world, models, shipId }, eye) {
    const seat = this.seat;
    seat.updateWorldMatrix(true, true); // the displays too: rays meet them where they are now
    const pos = this.rays.geometry.attributes.position;
    const col = this.rays.geometry.attributes.color;
    let n = 0;
    let marked = null;
    for (const hand of HANDS) {
      const aim = aimed[hand];
      this.hits[hand] = null;
      if (!aim) continue;
      const origin = seat.localToWorld(aim.origin.clone());
      const dir = aim.dir.clone().transformDirection(seat.matrixWorld);
      const hit =
        this.panelHit(origin, dir, panels) ?? this.entityHit(origin, dir, world, models, shipId);
      this.hits[hand] = hit;
      const end = hit
        ? seat.worldToLocal(hit.point.clone())
        : aim.origin.clone().addScaledVector(aim.dir, REACH);
      for (const p of [aim.origin, end]) {
        pos.setXYZ(n, p.x, p.y, p.z);
        const c = hit ? ON : IDLE;
        col.setXYZ(n, c.r, c.g, c.b);
        n += 1;
      }
      if (hit?.entity) marked = hit;
    }
    this.rays.geometry.setDrawRange(0, n);
    pos.needsUpdate = true;
    col.needsUpdate = true;
    this.marker.visible = Boolean(marked);
    if (marked) {
      this.marker.position.copy(marked.point);
      this.marker.scale.setScalar(marked.radius * 1.6);
      this.marker.lookAt(eye);
    }
  }

  panelHit(origin, dir, panels) {
    this.raycaster.set(origin, dir);
    this.raycaster.far = REACH;
    const [first] = this.raycaster.intersectObjects(
      panels.map((p) => p.mesh),
      false,
    );
    if (!first) return null;
    const panel = first.object.userData.panel;
    return { panel, local: first.object.worldToLocal(first.point.clone()), point: first.point };
  }

  /** The entity nearest the ray within its cone (never our own ship or the star). */
  entityHit(origin, dir, world, models, shipId) {
    let best = null;
    let bestAngle = Infinity;
    const v = new THREE.Vector3();
    for (const e of world.entities.values()) {
      if (e.id === shipId || e.kind === Kind.STAR) continue;
      const model = models.get(e.id);
      if (!model || !model.root.visible) continue;
      v.copy(model.root.position).sub(origin);
      const along = v.dot(dir);
      if (along <= 0) continue;
      const off = Math.sqrt(Math.max(0, v.lengthSq() - along * along));
      const angle = Math.atan2(off, along);
      const radius = model.root.scale.x;
      if (angle <= Math.max(CONE, Math.atan2(radius, along)) && angle < bestAngle) {
        best = { entity: e, point: model.root.position.clone(), radius };
        bestAngle = angle;
      }
    }
    return best;
  }

  /** What each ray points at, for the test hook: a panel's name, an entity id, or null. */
  describe() {
    const one = (hit) => (hit ? (hit.panel?.mesh.name ?? hit.entity.id) : null);
    return { left: one(this.hits.left), right: one(this.hits.right) };
  }
}
