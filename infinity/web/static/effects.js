// Short-lived effects the tactical view draws for frame events: beams,
// explosions, and pulses for torpedo hits, docking and gate jumps.

import * as THREE from "three";
import { aim, circle, dispose, movingLine, PALETTE, segments, stroke, toThree } from "./draw.js";

const BEAM_MS = 350;
const BOOM_MS = 1400;
const PULSE_MS = 900;

function boom() {
  const object = new THREE.Group();
  object.add(circle(1, stroke(0xffd080), 40));
  object.add(circle(0.6, stroke(0xff6a3d), 24));
  const shards = [];
  for (let i = 0; i < 18; i++) {
    const a = Math.random() * Math.PI * 2;
    const r = 0.3 + Math.random() * 0.9;
    const [cx, cz] = [Math.cos(a) * r, Math.sin(a) * r];
    shards.push([cx * 0.5, 0, cz * 0.5], [cx, 0, cz]);
  }
  object.add(new THREE.LineSegments(segments(shards), stroke(0xffb060)));
  return object;
}

export class Effects {
  constructor(scene) {
    this.scene = scene;
    this.live = []; // {type, born, duration, data, object}
  }

  /** Turn a frame's events (named, wire.js EVENT_FIELDS) into effects. */
  add(events, now, poses, shipId) {
    for (const ev of events) {
      if (ev.t === "beam") {
        const color = ev.shooter === shipId ? PALETTE.beamOwn : PALETTE.beamOther;
        const data = { from: ev.shooter, to: ev.target };
        this.start("beam", now, BEAM_MS, data, movingLine(stroke(color)));
      } else if (ev.t === "boom") {
        this.start("boom", now, BOOM_MS, {}, boom(), ev);
      } else if (ev.t === "torpedo_hit") {
        this.pulse(now, poses.get(ev.target), PALETTE.torpedo);
      } else if (ev.t === "dock" || ev.t === "undock") {
        this.pulse(now, poses.get(ev.ship) ?? poses.get(ev.station), PALETTE.station);
      } else if (ev.t === "jump" || ev.t === "arrive") {
        this.pulse(now, poses.get(ev.ship) ?? poses.get(ev.gate), PALETTE.gate);
      }
    }
  }

  pulse(now, at, color) {
    if (at) this.start("pulse", now, PULSE_MS, {}, circle(1, stroke(color), 40), at);
  }

  start(type, now, duration, data, object, at = null) {
    if (at) toThree(at.x, at.y, object.position);
    this.scene.add(object);
    this.live.push({ type, born: now, duration, data, object });
  }

  update(now, poses) {
    const keep = [];
    for (const fx of this.live) {
      const age = (now - fx.born) / fx.duration;
      if (age >= 1) {
        this.scene.remove(fx.object);
        dispose(fx.object);
        continue;
      }
      keep.push(fx);
      const fade = 1 - age;
      if (fx.type === "beam") {
        const a = poses.get(fx.data.from);
        const b = poses.get(fx.data.to);
        fx.object.visible = Boolean(a && b);
        if (a && b) {
          aim(fx.object, a, b, 8);
          // A slight flicker along the beam reads as energy, not a wire.
          fx.object.material.opacity = fade * (0.75 + 0.25 * Math.sin(now * 0.08));
        }
      } else if (fx.type === "boom") {
        fx.object.scale.setScalar(60 + age * 520);
        fx.object.traverse((o) => {
          if (o.material) o.material.opacity = fade;
        });
      } else {
        fx.object.scale.setScalar(80 + age * 300);
        fx.object.material.opacity = fade * 0.8;
      }
    }
    this.live = keep;
  }

  clear() {
    for (const fx of this.live) {
      this.scene.remove(fx.object);
      dispose(fx.object);
    }
    this.live = [];
  }
}
