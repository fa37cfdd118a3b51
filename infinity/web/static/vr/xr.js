// Immersive mode: the same tactical scene, entered through three.js's WebXR
// support (renderer.xr), seen from a seat on our ship's bridge. Entering and
// leaving changes only how frames are drawn: the connection, the world model
// and the panels keep running, and the flat view carries on after exit.
//
// The "ENTER VR" control exists only where `navigator.xr` says immersive-vr
// is supported. `?xr-emulate=1` first installs an emulated headset (vendored
// iwer, vr/emulate.js) for tests; normal play never loads it.

import * as THREE from "three";
import { Bridge } from "./bridge.js";
import { Fleet } from "./fleet.js";
import { PadHelm } from "./input.js";

const SNAP = Math.PI / 6; // 30° per snap turn
const SEAT_HEIGHT = 40; // m above the plane: the bridge sits on top of the hull

export class VrMode {
  /**
   * `view`: the TacticalView; `actions`: main.js's intents; `draw(now)`: one
   * display frame of the page (HUD, view, panels); `read()`: what the bridge
   * displays show ({world, targetId, credits, notices, chat}).
   */
  constructor({ view, actions, draw, read, button }) {
    this.view = view;
    this.draw = draw;
    this.read = read;
    this.button = button;
    this.supported = false;
    this.session = null;
    this.sessions = 0; // sessions entered (test hook)
    this.frames = 0; // XR frames drawn in the current or last session
    this.yaw = 0; // snap-turn offset of the seat within the bridge
    this.seat = new THREE.Group(); // at our ship, turning with it
    this.seat.name = "vr-seat";
    this.camera = new THREE.PerspectiveCamera(70, 1, 0.05, 400000);
    this.bridge = new Bridge();
    this.seat.add(this.camera, this.bridge.group);
    this.seat.visible = false;
    view.scene.add(this.seat);
    this.fleet = new Fleet(view.scene); // all other ships in two draw calls
    this.helm = new PadHelm({
      ...actions,
      recentre: () => this.recentre(),
      snapTurn: (dir) => this.snapTurn(dir),
    });
    button.addEventListener("click", () => {
      if (this.session) this.exit();
      else this.enter().catch((err) => console.warn("could not enter VR:", err));
    });
  }

  /** Show the control if a headset can be used here. */
  async probe() {
    let ok = false;
    try {
      ok = Boolean(await navigator.xr?.isSessionSupported("immersive-vr"));
    } catch {
      ok = false; // blocked by a permissions policy, or not a secure context
    }
    this.supported = ok;
    this.button.classList.toggle("hidden", !ok);
    return ok;
  }

  get presenting() {
    return this.session !== null;
  }

  async enter() {
    if (this.session || !navigator.xr) return;
    const session = await navigator.xr.requestSession("immersive-vr", {
      optionalFeatures: ["local-floor"],
    });
    const renderer = this.view.renderer;
    renderer.xr.enabled = true;
    // Seated at floor height where the headset knows the floor, else at the head.
    const floor = !session.enabledFeatures || session.enabledFeatures.includes("local-floor");
    renderer.xr.setReferenceSpaceType(floor ? "local-floor" : "local");
    try {
      await renderer.xr.setSession(session);
    } catch (err) {
      renderer.xr.enabled = false;
      session.end().catch(() => {});
      throw err;
    }
    this.session = session;
    this.sessions += 1;
    this.frames = 0;
    this.button.textContent = "EXIT VR";
    session.addEventListener("end", () => this.ended());
    this.view.cameraOverride = this.camera;
    this.view.beforeRender = (own) => this.placeSeat(own);
    this.seat.visible = true;
    this.fleet.visible = true;
    // XR frames come from the session, not the window: draw the page from them.
    renderer.setAnimationLoop((now, frame) => {
      this.frames += 1;
      this.helm.pollXR(frame?.session.inputSources ?? session.inputSources);
      this.draw(now);
    });
  }

  exit() {
    this.session?.end();
  }

  ended() {
    const renderer = this.view.renderer;
    renderer.setAnimationLoop(null);
    renderer.xr.enabled = false;
    this.session = null;
    this.seat.visible = false;
    this.fleet.visible = false;
    this.view.cameraOverride = null;
    this.view.beforeRender = null;
    this.helm.helm(0, 0); // sticks are gone: let go of the helm
    this.button.textContent = "ENTER VR";
    this.view.resize();
  }

  /** Seat the player at our ship, facing its bow; the head stays level (yaw only). */
  placeSeat(own) {
    const scene = this.view.scene;
    if (own) {
      this.seat.position.set(own.x, SEAT_HEIGHT, -own.y);
      // The ship's nose is sim +x at heading 0; the camera looks down -z.
      this.seat.rotation.set(0, own.h - Math.PI / 2 + this.yaw, 0);
    }
    // Ship models give way to the batch; our own hull (which would fill the
    // view from inside) is left out of it.
    this.fleet.update(this.view.world, this.view.models, this.view.shipId);
    scene.fog.near = 20000;
    scene.fog.far = 120000;
    this.bridge.update(this.read());
  }

  snapTurn(dir) {
    this.yaw -= dir * SNAP;
  }

  recentre() {
    this.yaw = 0;
  }

  /** What the test hook reports. */
  hook() {
    return {
      supported: this.supported,
      presenting: this.presenting,
      sessions: this.sessions,
      frames: this.frames,
      ships: this.fleet.count, // other ships drawn by the batch last frame
      yaw: this.yaw,
      panels: this.bridge.text(),
      commands: [...this.helm.commands],
    };
  }
}

/** Install the emulated headset when the page asks for it (tests only). */
export async function maybeEmulate() {
  if (!new URLSearchParams(location.search).has("xr-emulate")) return null;
  const { installEmulatedHeadset } = await import("./emulate.js");
  return installEmulatedHeadset();
}
