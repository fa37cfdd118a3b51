// Name tags over the tactical view: DOM elements (crisp at any zoom) that
// follow the drawn entities, for what the pilot is likely to care about.

import { allegiance } from "./models.js";
import { Kind } from "./world.js";

const MARGIN = 50; // px beyond the edge a label may still stand

function labelText(e) {
  switch (e.kind) {
    case Kind.GATE:
      return `◎ ${e.name.toUpperCase()}`;
    case Kind.ASTEROID:
      return `${e.name} · ${e.extra.ore ?? "?"} t`;
    case Kind.STAR:
      return `☉ ${e.name.toUpperCase()}`;
    case Kind.STATION:
      return `▣ ${e.name.toUpperCase()}`;
    case Kind.WRECK:
      return `✕ ${(e.name || "WRECK").toUpperCase()} · ${e.extra.ore ?? "?"} t`;
    default:
      return e.name || `#${e.id}`;
  }
}

/**
 * `marks` says which ids are special: {shipId, targetId, hoverId,
 * routeGateId, siphonId, agentShips (a Set of crewed ships), huntedShips
 * (ships shared with us by a location share)}.
 */
function wantsLabel(e, marks) {
  if (e.id === marks.shipId) return false; // the HUD already says who we are
  if (e.id === marks.targetId || e.id === marks.hoverId || e.id === marks.routeGateId) return true;
  if (e.kind === Kind.ASTEROID || e.kind === Kind.TORPEDO) return false;
  if (e.id === marks.siphonId || marks.huntedShips?.has(e.id)) return true;
  if (e.kind === Kind.SHIP && e.extra.docked_at >= 0) return false;
  return true;
}

function labelClass(e, marks) {
  const crewed = marks.agentShips?.has(e.id) ? " crewed" : "";
  const hunted = marks.huntedShips?.has(e.id) ? " hunted" : "";
  return `label kind-${e.kind} ${allegiance(e, marks.shipId)}${crewed}${
    e.id === marks.targetId ? " target" : ""
  }${e.id === marks.routeGateId ? " route" : ""}${e.id === marks.siphonId ? " siphon" : ""}${hunted}`;
}

export class Labels {
  constructor(layer) {
    this.layer = layer;
    this.byId = new Map(); // entity id -> label element
  }

  /** Place a label over each wanted entity on screen; `project(x, y)` gives CSS px. */
  update(entities, poses, project, width, height, marks) {
    const seen = new Set();
    for (const e of entities.values()) {
      if (!wantsLabel(e, marks)) continue;
      const p = poses.get(e.id);
      const s = p && project(p.x, p.y);
      if (!s || s.x < -MARGIN || s.y < -MARGIN || s.x > width + MARGIN || s.y > height + MARGIN)
        continue;
      seen.add(e.id);
      this.show(e, s, marks);
    }
    for (const id of this.byId.keys()) if (!seen.has(id)) this.remove(id);
  }

  show(e, s, marks) {
    let el = this.byId.get(e.id);
    if (!el) {
      el = document.createElement("div");
      this.layer.append(el);
      this.byId.set(e.id, el);
    }
    const cls = labelClass(e, marks);
    if (el.className !== cls) el.className = cls;
    const text = labelText(e);
    if (el.textContent !== text) el.textContent = text;
    el.style.transform = `translate(${Math.round(s.x)}px, ${Math.round(s.y)}px)`;
  }

  remove(id) {
    this.byId.get(id)?.remove();
    this.byId.delete(id);
  }

  clear() {
    for (const id of [...this.byId.keys()]) this.remove(id);
  }
}
