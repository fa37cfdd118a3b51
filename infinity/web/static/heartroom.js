// The Heart of Infinity as a place: a cathedral-like server room drawn around
// the Heart's star, where the engine's live figures hang as displays.
//
// Only operators can be in the Heart's system (no gate leads there), and only
// they may read its feed: the room opens /heart/live with the session token,
// as the console page does (docs/protocol.md, "The Heart"), and redraws each
// display when a snapshot arrives.

import * as THREE from "three";
import { decode, encode } from "@msgpack/msgpack";

const PROTOCOL_VERSION = 1;
const NAVE = { pillars: 7, spacing: 1100, half: 1900, height: 1400 };
const TILT = -Math.atan2(1, 0.55); // face the tactical camera (above and to the south)
const DISPLAY = { w: 760, h: 400, px: [512, 270] };
const FIGURES = [
  ["SESSIONS", (s) => String(s.sessions)],
  ["ZONES", (s) => `${s.zones.length} · p99 ${Math.max(0, ...s.zones.map((z) => z.tick_p99_ms)).toFixed(2)} ms`],
  ["DILATION", (s) => Math.min(1, ...s.zones.map((z) => z.dilation)).toFixed(2)],
  ["CREDITS HELD", (s) => s.credits.held.toLocaleString("en")],
  ["MINDS", (s) => `${s.minds.filter((m) => m.alive).length} alive / ${s.minds.length}`],
  ["AUDIT CHAIN", (s) => `${s.audit.length} · ${s.audit.head.slice(0, 8)}`],
];

function rack(x, z) {
  // A server rack as a pillar: a dark column with glowing status strips.
  const group = new THREE.Group();
  const body = new THREE.Mesh(
    new THREE.BoxGeometry(260, NAVE.height, 260),
    new THREE.MeshBasicMaterial({ color: 0x07141c }),
  );
  body.position.y = NAVE.height / 2 - 30;
  group.add(body);
  const strip = new THREE.MeshBasicMaterial({ color: 0x5ee7ff, transparent: true, opacity: 0.8 });
  for (let k = 0; k < 6; k += 1) {
    const light = new THREE.Mesh(new THREE.BoxGeometry(270, 18, 270), strip);
    light.position.y = 120 + k * 200;
    group.add(light);
  }
  group.position.set(x, 0, z);
  return group;
}

function arch(z) {
  // A pointed (gothic) arch over the nave, from the left pillar to the right one.
  const { half, height } = NAVE;
  const left = new THREE.QuadraticBezierCurve3(
    new THREE.Vector3(-half, height, z),
    new THREE.Vector3(-half, height + half * 0.9, z),
    new THREE.Vector3(0, height + half * 1.1, z),
  );
  const right = new THREE.QuadraticBezierCurve3(
    new THREE.Vector3(0, height + half * 1.1, z),
    new THREE.Vector3(half, height + half * 0.9, z),
    new THREE.Vector3(half, height, z),
  );
  const points = [...left.getPoints(16), ...right.getPoints(16)];
  const material = new THREE.LineBasicMaterial({ color: 0xffb347, transparent: true, opacity: 0.55 });
  return new THREE.Line(new THREE.BufferGeometry().setFromPoints(points), material);
}

class Display {
  constructor(title, read, x, z) {
    this.title = title;
    this.read = read;
    this.canvas = document.createElement("canvas");
    [this.canvas.width, this.canvas.height] = DISPLAY.px;
    this.texture = new THREE.CanvasTexture(this.canvas);
    this.texture.colorSpace = THREE.SRGBColorSpace;
    this.mesh = new THREE.Mesh(
      new THREE.PlaneGeometry(DISPLAY.w, DISPLAY.h),
      new THREE.MeshBasicMaterial({ map: this.texture, transparent: true, side: THREE.DoubleSide }),
    );
    this.mesh.position.set(x, 600, z);
    this.mesh.rotation.x = TILT;
    this.value = "–";
    this.paint();
  }

  show(snapshot) {
    this.value = this.read(snapshot);
    this.paint();
  }

  paint() {
    const ctx = this.canvas.getContext("2d");
    const [w, h] = DISPLAY.px;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "rgba(2, 12, 18, 0.88)";
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = "#ffb347";
    ctx.lineWidth = 6;
    ctx.strokeRect(3, 3, w - 6, h - 6);
    ctx.font = 'bold 30px "DejaVu Sans Mono", "Liberation Mono", monospace';
    ctx.fillStyle = "#ffb347";
    ctx.textBaseline = "top";
    ctx.fillText(this.title, 24, 22);
    ctx.font = 'bold 44px "DejaVu Sans Mono", "Liberation Mono", monospace';
    ctx.fillStyle = "#5ee7ff";
    ctx.fillText(this.value, 24, 120, w - 48);
    this.texture.needsUpdate = true;
  }
}

export class HeartRoom {
  constructor(scene) {
    this.group = new THREE.Group();
    this.group.visible = false;
    for (let i = 0; i < NAVE.pillars; i += 1) {
      const z = (i - (NAVE.pillars - 1) / 2) * NAVE.spacing;
      this.group.add(rack(-NAVE.half, z), rack(NAVE.half, z), arch(z));
    }
    this.displays = FIGURES.map(([title, read], i) => {
      const x = (i % 2 === 0 ? -1 : 1) * 700;
      const z = (Math.floor(i / 2) - 1) * 1300;
      return new Display(title, read, x, z);
    });
    for (const display of this.displays) this.group.add(display.mesh);
    scene.add(this.group);
    this.ws = null;
    this.frames = 0;
  }

  get present() {
    return this.group.visible;
  }

  /** Show the room (and follow the feed) while our ship is in the Heart's system. */
  setPresent(present, token) {
    if (present === this.present) return;
    this.group.visible = present;
    if (present) this.listen(token);
    else this.ws?.close(1000);
  }

  listen(token) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/heart/live`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => ws.send(encode({ t: "hello", v: PROTOCOL_VERSION, token }));
    ws.onmessage = (event) => this.show(decode(new Uint8Array(event.data)));
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
    };
    this.ws = ws;
  }

  show(snapshot) {
    this.frames += 1;
    for (const display of this.displays) display.show(snapshot);
  }

  /** What the displays say now: [[title, value]] (the browser test reads it). */
  readings() {
    return this.displays.map((d) => [d.title, d.value]);
  }
}
