// Immersive mode: the same tactical scene, entered through three.js's WebXR
// support (renderer.xr), seen from a seat on our ship's bridge. Entering and
// leaving changes only how frames are drawn: the connection, the world model
// and the panels keep running, and the flat view carries on after exit.
//
// Seated, each controller casts a ray (vr/pointer.js): its trigger locks the
// ship it points at, plots a course on the galaxy map console (vr/chart.js)
// or presses a comfort console button (vr/comfort.js: vignette in turns,
// snap turn, recentre). The view moves only when the pilot moves it.
//
// The "ENTER VR" control exists only where `navigator.xr` says immersive-vr
// is supported. `?xr-emulate=1` first installs an emulated headset (vendored
// iwer, vr/emulate.js) for tests; normal play never loads it.

import * as THREE from "three";
import { Bridge } from "./bridge.js";
import { MapConsole } from "./chart.js";
import { Comfort, ComfortConsole, SNAP_DEG, Vignette } from "./comfort.js";
import { Fleet } from "./fleet.js";
import { PadHelm } from "./input.js";
import { aims, Pointers } from "./pointer.js";

const SNAP = THREE.MathUtils.degToRad(SNAP_DEG);
const SEAT_HEIGHT = 40; // m above the plane: the bridge sits on top of the hull

export class VrMode {
  /**
   * `view`: the TacticalView; `actions`: main.js's intents; `draw(now)`: one
   * display frame of the page (HUD, view, panels); `read()`: what the bridge
   * displays show ({world, targetId, credits, notices, chat}); `lock(id)`:
   * target an entity (the `target` command, as a click does); `galaxy`: the
   * flat view's GalaxyMap, drawn on the map console.
   */
  constructor({ view, actions, draw, read, button, lock, galaxy }) {
    this.view = view;
    this.draw = draw;
    this.read = read;
    this.button = button;
    this.supported = false;
    this.session = null;
    this.sessions = 0; // sessions entered (test hook)
    this.frames = 0; // XR frames drawn in the current or last session
    this.yaw = 0; // snap-turn offset of the seat within the bridge
    this.lock = lock;
    this.selected = null; // what a trigger chose last, numbered (test hook)
    this.selections = 0;
    this.frame = null; // the XR frame being drawn
    this.seat = new THREE.Group(); // at our ship, turning with it
    this.seat.name = "vr-seat";
    this.camera = new THREE.PerspectiveCamera(70, 1, 0.05, 400000);
    this.bridge = new Bridge();
    this.comfort = new Comfort();
    this.chart = new MapConsole(galaxy);
    this.comfortConsole = new ComfortConsole(this.comfort);
    this.bridge.mount(this.chart.panel, this.comfortConsole.panel);
    this.vignette = new Vignette(this.camera);
    this.seat.add(this.camera, this.bridge.group);
    this.seat.visible = false;
    view.scene.add(this.seat);
    this.fleet = new Fleet(view.scene); // all other ships in two draw calls
    this.pointers = new Pointers(this.seat, view.scene);
    this.helm = new PadHelm({
      ...actions,
      recentre: () => this.recentre(),
      snapTurn: (dir) => this.snapTurn(dir),
      select: (hand) => this.select(hand),
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
    this.view.beforeRender = (own, now) => this.placeSeat(own, now);
    this.seat.visible = true;
    this.fleet.visible = true;
    this.pointers.visible = true;
    this.vignette.reset();
    this.lastNow = null;
    // XR frames come from the session, not the window: draw the page from
    // them, and only from them (three restarts its window loop here, which
    // calls this too, without a frame: every frame would be drawn twice).
    renderer.setAnimationLoop((now, frame) => {
      if (!frame) return;
      this.frames += 1;
      this.frame = frame;
      this.helm.pollXR(frame.session.inputSources);
      this.draw(now);
      this.frame = null;
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
    this.pointers.visible = false;
    this.vignette.reset();
    this.view.cameraOverride = null;
    this.view.beforeRender = null;
    this.helm.helm(0, 0); // sticks are gone: let go of the helm
    this.button.textContent = "ENTER VR";
    this.view.resize();
  }

  /** Seat the player at our ship, facing its bow; the head stays level (yaw only). */
  placeSeat(own, now) {
    const view = this.view;
    if (own) {
      this.seat.position.set(own.x, SEAT_HEIGHT, -own.y);
      // The ship's nose is sim +x at heading 0; the camera looks down -z.
      this.seat.rotation.set(0, own.h - Math.PI / 2 + this.yaw, 0);
    }
    const dt = this.lastNow === null ? 0 : (now - this.lastNow) / 1000;
    this.lastNow = now;
    this.vignette.update(own ? own.h : null, dt, this.comfort.vignette);
    // Rays before the batch below hides the ship models they are measured on.
    const space = view.renderer.xr.getReferenceSpace();
    const aimed = this.frame ? aims(this.frame, space, this.session?.inputSources) : {};
    const eye = this.camera.getWorldPosition(new THREE.Vector3());
    this.pointers.update(aimed, this.bridge.panels, view, eye);
    for (const panel of this.bridge.panels) panel.lit = this.pointedOn(panel) !== null;
    this.chart.point(this.pointedOn(this.chart.panel));
    this.comfortConsole.point(this.pointedOn(this.comfortConsole.panel));
    // Ship models give way to the batch; our own hull (which would fill the
    // view from inside) is left out of it.
    this.fleet.update(view.world, view.models, view.shipId);
    view.scene.fog.near = 20000;
    view.scene.fog.far = 120000;
    this.bridge.update(this.read());
    this.chart.update();
    this.comfortConsole.update();
  }

  /** Where on `panel` a ray rests (panel-local), preferring the right hand, or null. */
  pointedOn(panel) {
    const hit = [this.pointers.hits.right, this.pointers.hits.left].find((h) => h?.panel === panel);
    return hit ? hit.local : null;
  }

  /**
   * The trigger of `hand`: choose what its ray points at. An entity not yet
   * locked is targeted; a system on the map gets a course; a console button
   * is pressed; a display swallows the pull. False (nothing chosen, or the
   * locked target itself) lets the trigger fire or stop as usual.
   */
  select(hand) {
    const hit = this.pointers.hits[hand];
    if (!hit) return false;
    let chosen = null;
    if (hit.entity) {
      if (hit.entity.id === this.read().targetId) return false;
      this.lock(hit.entity.id);
      chosen = { entity: hit.entity.id };
    } else if (hit.panel === this.chart.panel) {
      const system = this.chart.select(hit.local);
      if (system) chosen = { system: system.id, name: system.name };
    } else if (hit.panel === this.comfortConsole.panel) {
      const button = this.comfortConsole.buttonAt(hit.local);
      if (button === "recentre") this.recentre();
      else if (button) this.comfort.toggle(button);
      if (button) chosen = { button };
    }
    if (chosen) this.selected = { ...chosen, n: ++this.selections };
    return true;
  }

  snapTurn(dir) {
    if (this.comfort.snapTurn) this.yaw -= dir * SNAP;
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
      yaw: THREE.MathUtils.radToDeg(this.yaw),
      facing: this.facing(), // where the view looks, degrees (as the yaw is)
      vignette: this.vignette.strength,
      comfort: { vignette: this.comfort.vignette, snapTurn: this.comfort.snapTurn },
      pointing: this.pointers.describe(),
      selected: this.selected,
      map: this.chart.text(),
      comfortConsole: this.comfortConsole.text(),
      textDeg: this.bridge.textDeg,
      panels: this.bridge.text(),
      commands: [...this.helm.commands],
    };
  }

  /** Yaw of the view in the world, degrees (0: looking down -z). */
  facing() {
    const d = this.camera.getWorldDirection(new THREE.Vector3());
    return THREE.MathUtils.radToDeg(Math.atan2(-d.x, -d.z));
  }
}

/** Install the emulated headset when the page asks for it (tests only). */
export async function maybeEmulate() {
  if (!new URLSearchParams(location.search).has("xr-emulate")) return null;
  const { installEmulatedHeadset } = await import("./emulate.js");
  return installEmulatedHeadset();
}
