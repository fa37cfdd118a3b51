// What the tactical view draws around our own ship: beam range and heading,
// the line to the locked target, the autopilot's destination and a siphon.

import * as THREE from "three";
import {
  aim,
  circle,
  dashedCircle,
  movingLine,
  PALETTE,
  segments,
  stroke,
  toThree,
} from "./draw.js";

const BEAM_RANGE = 1500; // m (infinity/sim/rules.py)
const SIPHON_RANGE = 800; // drawn, and the line turns amber near it; the server breaks it
const SIPHON_PACKETS = 7; // credit "packets" flowing along a siphon line
const SIPHON_FLOW_MS = 1100; // one packet's trip from the victim to us
const ARRIVED = 60; // m from the autopilot's destination: the marker goes

function moveMarker() {
  const cross = new THREE.Group();
  cross.add(circle(1, stroke(PALETTE.own, 0.8), 4));
  // prettier-ignore
  const ticks = segments([
    [-1.6, 0, 0], [-0.6, 0, 0], [0.6, 0, 0], [1.6, 0, 0],
    [0, 0, -1.6], [0, 0, -0.6], [0, 0, 0.6], [0, 0, 1.6],
  ]);
  cross.add(new THREE.LineSegments(ticks, stroke(PALETTE.own, 0.8)));
  cross.visible = false;
  return cross;
}

function siphonPackets() {
  const packets = new THREE.BufferGeometry();
  const positions = new THREE.BufferAttribute(new Float32Array(SIPHON_PACKETS * 3), 3);
  packets.setAttribute("position", positions);
  const points = new THREE.Points(
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
  points.frustumCulled = false;
  return points;
}

export class OwnOverlays {
  constructor(scene) {
    this.moveTarget = null; // {x, y} of the current move_to, until we get there
    this.beamRing = dashedCircle(BEAM_RANGE, PALETTE.own, 0.3);
    // Heading line: where the nose points, out to beam range.
    this.headingLine = new THREE.Line(
      segments([
        [0, 0, 0],
        [BEAM_RANGE, 0, 0],
      ]),
      stroke(PALETTE.own, 0.25),
    );
    this.lockLine = movingLine(
      new THREE.LineDashedMaterial({
        color: PALETTE.npc,
        dashSize: 40,
        gapSize: 40,
        transparent: true,
        opacity: 0.5,
      }),
    );
    this.moveMarker = moveMarker();
    // Siphon: a pulsing line to the victim with credits flowing back to us,
    // and the range it breaks at.
    this.siphonLine = movingLine(stroke(PALETTE.siphon, 0.7));
    this.siphonPackets = siphonPackets();
    this.siphonRing = dashedCircle(SIPHON_RANGE, PALETTE.siphon, 0.35);
    for (const line of [this.lockLine, this.siphonLine, this.siphonPackets, this.siphonRing])
      line.visible = false;
    scene.add(
      this.beamRing,
      this.headingLine,
      this.lockLine,
      this.moveMarker,
      this.siphonLine,
      this.siphonPackets,
      this.siphonRing,
    );
  }

  /** `own`, `target`, `victim`: drawn poses (or undefined); `mpp`: metres per pixel. */
  update({ own, target, victim, docked }, mpp, now) {
    this.beamRing.visible = Boolean(own) && !docked;
    this.headingLine.visible = Boolean(own) && !docked;
    if (own) {
      toThree(own.x, own.y, this.beamRing.position);
      toThree(own.x, own.y, this.headingLine.position);
      this.headingLine.rotation.y = own.h;
    }
    this.lockLine.visible = Boolean(own && target);
    if (own && target) {
      aim(this.lockLine, own, target, 2);
      this.lockLine.computeLineDistances();
    }
    this.updateMoveMarker(own, mpp);
    this.updateSiphon(own, victim, now);
  }

  updateMoveMarker(own, mpp) {
    const goal = this.moveTarget;
    if (goal && own && Math.hypot(own.x - goal.x, own.y - goal.y) < ARRIVED) this.moveTarget = null;
    this.moveMarker.visible = Boolean(this.moveTarget);
    if (this.moveTarget) {
      toThree(this.moveTarget.x, this.moveTarget.y, this.moveMarker.position);
      this.moveMarker.scale.setScalar(Math.max(40, 10 * mpp));
      this.moveMarker.rotation.y += 0.02;
    }
  }

  updateSiphon(own, victim, now) {
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
    aim(this.siphonLine, own, victim, 6);
    const pts = this.siphonPackets.geometry.attributes.position;
    for (let i = 0; i < SIPHON_PACKETS; i++) {
      const f = (now / SIPHON_FLOW_MS + i / SIPHON_PACKETS) % 1; // 0 at the victim
      pts.setXYZ(i, victim.x + (own.x - victim.x) * f, 8, -(victim.y + (own.y - victim.y) * f));
    }
    pts.needsUpdate = true;
    toThree(own.x, own.y, this.siphonRing.position);
  }
}
