// What the client knows about the universe around it, rebuilt from frames.
//
// No rendering here: the scene reads `entities` and asks `pose()` for
// interpolated positions. Keeping this pure makes the protocol handling
// easy to reason about (and to poke at from the browser console).

import {
  CELL_FIELDS,
  CHAT_FIELDS,
  ENTITY_FIELDS,
  FRAME_FIELDS,
  ME_FIELDS,
  named,
  namedEvent,
} from "./wire.js";

export const Kind = Object.freeze({
  SHIP: 1,
  TORPEDO: 2,
  ASTEROID: 3,
  STATION: 4,
  GATE: 5,
  STAR: 6,
  WRECK: 7,
});

export const KIND_NAMES = {
  1: "ship",
  2: "torpedo",
  3: "asteroid",
  4: "station",
  5: "gate",
  6: "star",
  7: "wreck",
};

const MOVE_BYTES = 10; // u32 id, u16 x, u16 y, i16 heading
const STATUS_BYTES = 6; // u32 id, u8 hull, u8 shield
const MAX_SAMPLES = 8;
// Render this many ticks in the past so there is nearly always a later
// sample to interpolate towards (2 ticks = 100 ms at 20 Hz).
const INTERP_DELAY_TICKS = 2;

function view(bytes) {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function lerpAngle(a, b, t) {
  let d = b - a;
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d < -Math.PI) d += 2 * Math.PI;
  return a + d * t;
}

/**
 * Maps server ticks onto the local clock so rendering can run at display
 * rate between frames. Frames come once per tick: every 50 ms normally,
 * less often when the zone is dilated, so the tick period is measured too.
 * The clock is anchored on the newest tick (not on tick 0) so a change of
 * period never shifts it by tick × Δperiod.
 */
class TickClock {
  constructor() {
    this.reset();
  }

  reset() {
    this.period = 50; // ms per tick, measured
    this.tick = null; // newest tick seen
    this.at = null; // smoothed local time at which `tick` "happened"
  }

  observe(tick, now) {
    if (this.tick === null || tick <= this.tick) {
      // First frame, or ticks went backwards (another zone's clock).
      this.tick = tick;
      this.at = now;
      return;
    }
    const ticks = tick - this.tick;
    const measured = (now - this.at) / ticks;
    // Follow dilation slowly; clamp so one stall cannot wreck the estimate.
    this.period += (Math.min(Math.max(measured, 20), 1000) - this.period) * 0.05;
    const predicted = this.at + ticks * this.period;
    // Arrival jitter is smoothed away; a big surprise (a stall) resyncs.
    this.at = Math.abs(now - predicted) > 400 ? now : predicted + (now - predicted) * 0.1;
    this.tick = tick;
  }

  /** The (fractional) tick to draw now. */
  renderTick(now) {
    if (this.tick === null) return 0;
    const estimate = this.tick + (now - this.at) / this.period;
    // Never run more than a tick beyond the newest frame: past it there is
    // nothing to interpolate towards, only a guess.
    return Math.min(estimate, this.tick + 1) - INTERP_DELAY_TICKS;
  }
}

export class World {
  constructor() {
    this.entities = new Map(); // id -> entity
    this.viewCells = null; // Set of cell keys, null until the server says
    this.cellOrigins = new Map(); // cell key -> [ox, oy]
    this.clock = new TickClock();
    this.tick = null;
    this.dilation = 1;
    this.me = null;
    this.shipId = null;
    this.system = null;
  }

  /** Drop everything: a new system (jump, respawn) or a new session. */
  clear() {
    this.entities.clear();
    this.viewCells = null;
    this.cellOrigins.clear();
    this.clock.reset();
  }

  get ship() {
    return this.shipId === null ? undefined : this.entities.get(this.shipId);
  }

  /**
   * Apply one frame (wire.js FRAME_FIELDS). Returns the events (named, see
   * EVENT_FIELDS) and chat lines it carried, for the effects and chat panels.
   */
  applyFrame(frame, now) {
    const { tick, dilation, cells: records, chat, me } = named(frame, FRAME_FIELDS);
    const cells = records.map((r) => named(r, CELL_FIELDS));
    this.tick = tick;
    this.dilation = dilation;
    this.clock.observe(tick, now);
    const events = [];
    // Entities leaving one cell usually enter another in the same frame
    // (or reappear in a full snapshot). Parking them instead of deleting
    // keeps their motion history, so crossing a cell border never snaps.
    const parked = new Map();
    const park = (id) => {
      const e = this.entities.get(id);
      if (e) {
        parked.set(id, e);
        this.entities.delete(id);
      }
    };

    // The protocol's order: full resets, then all left, then all entered,
    // then moves and status.
    for (const { key, ox, oy, full } of cells) {
      this.cellOrigins.set(key, [ox, oy]);
      if (full) {
        for (const [id, e] of this.entities) if (e.cell === key) park(id);
      }
    }
    for (const cell of cells) for (const id of cell.left || []) park(id);
    for (const cell of cells) {
      for (const rec of cell.entered || []) {
        const record = named(rec, ENTITY_FIELDS);
        this.enter(record, cell.key, tick, parked.get(record.id));
      }
    }
    for (const { key, ox, oy, moves, status, events: cellEvents } of cells) {
      if (moves && moves.byteLength) this.applyMoves(moves, ox, oy, tick, key);
      if (status && status.byteLength) this.applyStatus(status);
      for (const record of cellEvents || []) {
        const ev = namedEvent(record);
        events.push(ev);
        this.applyEvent(ev);
      }
    }

    if (Array.isArray(me)) {
      this.me = named(me, ME_FIELDS);
      if (Array.isArray(this.me.view)) this.setView(this.me.view);
    }
    return { events, chat: (chat || []).map((line) => named(line, CHAT_FIELDS)) };
  }

  enter({ id, kind, name, x, y, heading, hull, shield, extra }, cell, tick, previous) {
    const e = previous || { id, samples: [] };
    Object.assign(e, { kind, name, cell, hull, shield, extra: extra || {} });
    e.born ??= performance.now();
    this.push(e, tick, x, y, heading);
    this.entities.set(id, e);
  }

  push(e, tick, x, y, h) {
    const s = e.samples;
    const last = s[s.length - 1];
    if (last && last.t === tick) {
      // Entered and moved in the same frame: the newest word wins.
      Object.assign(last, { x, y, h });
    } else {
      if (last && last.t > tick) {
        s.length = 0; // ticks went backwards: another zone's clock, start over
      } else if (last && last.t < tick - 1) {
        // Entities are only in `moves` when they moved: it stood still
        // until the previous tick rather than gliding across the gap.
        s.push({ t: tick - 1, x: last.x, y: last.y, h: last.h });
      }
      s.push({ t: tick, x, y, h });
      if (s.length > MAX_SAMPLES) s.splice(0, s.length - MAX_SAMPLES);
    }
    e.x = x;
    e.y = y;
    e.h = h;
  }

  applyMoves(bytes, ox, oy, tick, cell) {
    const dv = view(bytes);
    for (let at = 0; at + MOVE_BYTES <= bytes.byteLength; at += MOVE_BYTES) {
      const e = this.entities.get(dv.getUint32(at, true));
      if (!e) continue;
      const x = ox + dv.getUint16(at + 4, true) / 10;
      const y = oy + dv.getUint16(at + 6, true) / 10;
      const h = dv.getInt16(at + 8, true) / 1e4;
      e.cell = cell;
      this.push(e, tick, x, y, h);
    }
  }

  applyStatus(bytes) {
    const dv = view(bytes);
    for (let at = 0; at + STATUS_BYTES <= bytes.byteLength; at += STATUS_BYTES) {
      const e = this.entities.get(dv.getUint32(at, true));
      if (!e) continue;
      e.hull = dv.getUint8(at + 4);
      e.shield = dv.getUint8(at + 5);
    }
  }

  applyEvent(ev) {
    const ship = this.entities.get(ev.ship);
    if (!ship) return;
    if (ev.t === "dock") ship.extra.docked_at = ev.station;
    else if (ev.t === "undock") ship.extra.docked_at = -1;
  }

  setView(keys) {
    this.viewCells = new Set(keys);
    for (const [id, e] of this.entities) if (!this.viewCells.has(e.cell)) this.entities.delete(id);
    for (const key of this.cellOrigins.keys()) {
      if (!this.viewCells.has(key)) this.cellOrigins.delete(key);
    }
  }

  renderTick(now) {
    return this.clock.renderTick(now);
  }

  /** Interpolated {x, y, h} of an entity at fractional tick `rt`. */
  pose(e, rt) {
    const s = e.samples;
    if (!s.length) return { x: e.x, y: e.y, h: e.h };
    if (rt <= s[0].t) return { x: s[0].x, y: s[0].y, h: s[0].h };
    for (let i = s.length - 1; i > 0; i--) {
      const a = s[i - 1];
      const b = s[i];
      if (rt >= a.t && rt <= b.t) {
        const f = b.t === a.t ? 1 : (rt - a.t) / (b.t - a.t);
        return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, h: lerpAngle(a.h, b.h, f) };
      }
    }
    const last = s[s.length - 1];
    return { x: last.x, y: last.y, h: last.h };
  }

  /** Entities of one kind (or all), nearest first, from a point. */
  nearest(x, y, kind = null, filter = null) {
    const out = [];
    for (const e of this.entities.values()) {
      if (kind !== null && e.kind !== kind) continue;
      if (filter && !filter(e)) continue;
      out.push([Math.hypot(e.x - x, e.y - y), e]);
    }
    out.sort((p, q) => p[0] - q[0]);
    return out.map(([d, e]) => ({ distance: d, entity: e }));
  }
}
