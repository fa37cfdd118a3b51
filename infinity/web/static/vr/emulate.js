// Tests only (loaded by vr/xr.js when the page has `?xr-emulate=1`): an
// emulated Meta Quest 3 from the vendored Immersive Web Emulation Runtime,
// installed as `navigator.xr` so the page sees a headset. The device is on
// `window.infinityXR` for the test to move its controllers, and to turn them
// (`aim`) or the headset (`look`) towards a point in the world.

import * as THREE from "three";
import { metaQuest3, XRDevice } from "../vendor/iwer/iwer.module.js";

export function installEmulatedHeadset() {
  const device = new XRDevice(metaQuest3);
  // Headless browsers have no native WebXR: take its place (forced, so a
  // desktop browser with a real runtime is emulated too when asked).
  device.installRuntime({ forceInstall: true });
  device.stereoEnabled = false; // one view: screenshots stay readable
  window.infinityXR = device;
  device.aim = (hand, point) => aim(device, hand, point);
  device.look = (point) => look(device, point);
  return device;
}

/** Turn controller `hand` so its ray points at the world point [x, y, z], seen from the seat. */
function aim(device, hand, point) {
  const c = device.controllers[hand];
  const dir = fromSeat(c, point);
  const q = new THREE.Quaternion().setFromUnitVectors(new THREE.Vector3(0, 0, -1), dir);
  c.quaternion.set(q.x, q.y, q.z, q.w);
}

/** Turn the headset (level, no roll) to look at the world point [x, y, z]. */
function look(device, point) {
  const dir = fromSeat(device, point);
  const pitch = Math.asin(dir.y);
  const yaw = Math.atan2(-dir.x, -dir.z);
  const q = new THREE.Quaternion().setFromEuler(new THREE.Euler(pitch, yaw, 0, "YXZ"));
  device.quaternion.set(q.x, q.y, q.z, q.w);
}

// The unit direction from a tracked thing (its position in the reference
// space, which is the seat's frame) to a world point.
function fromSeat(tracked, [x, y, z]) {
  const seat = window.infinity.view.scene.getObjectByName("vr-seat");
  seat.updateWorldMatrix(true, false);
  const local = seat.worldToLocal(new THREE.Vector3(x, y, z));
  const p = tracked.position;
  return local.sub(new THREE.Vector3(p.x, p.y, p.z)).normalize();
}
