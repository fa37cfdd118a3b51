// Tests only (loaded by vr/xr.js when the page has `?xr-emulate=1`): an
// emulated Meta Quest 3 from the vendored Immersive Web Emulation Runtime,
// installed as `navigator.xr` so the page sees a headset. The device is on
// `window.infinityXR` for the test to move its controllers.

import { metaQuest3, XRDevice } from "../vendor/iwer/iwer.module.js";

export function installEmulatedHeadset() {
  const device = new XRDevice(metaQuest3);
  // Headless browsers have no native WebXR: take its place (forced, so a
  // desktop browser with a real runtime is emulated too when asked).
  device.installRuntime({ forceInstall: true });
  device.stereoEnabled = false; // one view: screenshots stay readable
  window.infinityXR = device;
  return device;
}
