// The tactical view's camera: it follows our ship from above and behind,
// zooms, and maps between the screen and the simulation plane.

import * as THREE from "three";
import { toThree } from "./draw.js";

const ZOOM_MIN = 500;
const ZOOM_MAX = 18000;

export class CameraRig {
  constructor() {
    this.camera = new THREE.PerspectiveCamera(50, 1, 10, 200000);
    this.zoom = 3600; // camera height above the plane, metres
    this.focus = new THREE.Vector3(); // where the camera looks (smoothed)
    this.focusReady = false;
    this.width = 1;
    this.height = 1;
    this.raycaster = new THREE.Raycaster();
    this.plane = new THREE.Plane(new THREE.Vector3(0, 1, 0), 0);
  }

  resize(width, height) {
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.width = width;
    this.height = height;
  }

  /** Jump to the next pose followed instead of gliding there (a new system). */
  reset() {
    this.focusReady = false;
  }

  zoomBy(steps) {
    this.zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, this.zoom * Math.pow(1.15, steps)));
  }

  /** Metres per CSS pixel at the focus: icons keep a readable size whatever the zoom. */
  metresPerPixel() {
    const fov = THREE.MathUtils.degToRad(this.camera.fov / 2);
    return (2 * this.zoom * Math.tan(fov)) / this.height;
  }

  /** Follow a sim pose (our ship), or hold still without one. */
  follow(pose, dt) {
    if (pose) {
      const want = toThree(pose.x, pose.y);
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
  }

  /** Screen position (CSS px) of a sim point, or null if behind us. */
  project(x, y) {
    const v = toThree(x, y).project(this.camera);
    if (v.z > 1) return null;
    return { x: (v.x * 0.5 + 0.5) * this.width, y: (-v.y * 0.5 + 0.5) * this.height };
  }

  /** The sim point on the plane under a screen point, or null. */
  groundPoint(sx, sy) {
    const ndc = new THREE.Vector2((sx / this.width) * 2 - 1, -(sy / this.height) * 2 + 1);
    this.raycaster.setFromCamera(ndc, this.camera);
    const hit = new THREE.Vector3();
    if (!this.raycaster.ray.intersectPlane(this.plane, hit)) return null;
    return { x: hit.x, y: -hit.z };
  }
}
