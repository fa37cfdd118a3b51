// The galaxy map: systems and jump lanes from `/api/galaxy`, the current
// system, and a plotted route (breadth-first over lanes, like the server's
// Galaxy.route, so both agree on "shortest" = fewest jumps).

import * as api from "./api.js";

const COLORS = {
  lane: "rgba(94, 231, 255, 0.28)",
  system: "#5ee7ff",
  current: "#ffb347",
  dest: "#c792ff",
  route: "#c792ff",
  text: "rgba(200, 240, 255, 0.85)",
  dim: "rgba(94, 231, 255, 0.5)",
  hunted: "#ff4f6d",
  heart: "#ff6bd6", // the Heart of Infinity: only operators are shown it
};
const PICK_PX = 16;

/** Shortest route (system ids, both ends included) or [] if unreachable. */
export function route(galaxy, start, goal) {
  if (start === goal) return [start];
  const links = new Map(galaxy.systems.map((s) => [s.id, []]));
  for (const [a, b] of galaxy.lanes) {
    links.get(a)?.push(b);
    links.get(b)?.push(a);
  }
  const previous = new Map([[start, start]]);
  let frontier = [start];
  while (frontier.length && !previous.has(goal)) {
    const next = [];
    for (const here of frontier) {
      // Sorted neighbours make the chosen route deterministic on ties.
      for (const there of [...(links.get(here) ?? [])].sort((p, q) => p - q)) {
        if (!previous.has(there)) {
          previous.set(there, here);
          next.push(there);
        }
      }
    }
    frontier = next;
  }
  if (!previous.has(goal)) return [];
  const path = [goal];
  while (path[path.length - 1] !== start) path.push(previous.get(path[path.length - 1]));
  return path.reverse();
}

/** " · 3 BELTS: PRAWEN BELT 2,310 T, …" for a system's asteroid belts (from /api/galaxy). */
export function belts(system) {
  const list = system?.belts ?? [];
  if (!list.length) return "";
  const each = list.map((b) => `${b.name.toUpperCase()} ${b.ore.toLocaleString("en-US")} T`);
  return ` · ${list.length} BELT${list.length === 1 ? "" : "S"}: ${each.join(", ")}`;
}

// Close systems would print their names over each other: try a few spots
// around the dot and keep the first that overlaps nothing drawn so far.
function placeLabel(ctx, text, x, y, placed) {
  const w = ctx.measureText(text).width;
  const h = 12;
  const spots = [
    { x, y: y - 15, align: "center", x0: x - w / 2 },
    { x, y: y + 16, align: "center", x0: x - w / 2 },
    { x: x + 11, y, align: "left", x0: x + 11 },
    { x: x - 11, y, align: "right", x0: x - 11 - w },
    { x: x + 9, y: y - 13, align: "left", x0: x + 9 },
    { x: x - 9, y: y + 14, align: "right", x0: x - 9 - w },
  ];
  const box = (s) => ({ x0: s.x0 - 2, y0: s.y - h / 2, x1: s.x0 + w + 2, y1: s.y + h / 2 });
  const clear = (b) =>
    placed.every((o) => b.x1 < o.x0 || b.x0 > o.x1 || b.y1 < o.y0 || b.y0 > o.y1);
  const spot = spots.find((s) => clear(box(s))) ?? spots[0];
  placed.push(box(spot));
  return spot;
}

export class GalaxyMap {
  /** `onRoute(route, galaxy)` is told whenever the plotted route changes. */
  constructor(panel, canvas, info, onRoute) {
    this.panel = panel;
    this.canvas = canvas;
    this.info = info;
    this.onRoute = onRoute;
    this.galaxy = null;
    this.world = 1; // the world whose galaxy this is (1: the main world)
    this.current = null;
    this.destination = null;
    this.route = [];
    this.hover = null;
    this.loading = null;
    this.markers = []; // subjects shared with us: {share, ship, name, system, system_name, x, y}
    canvas.addEventListener("click", (event) => this.click(event));
    canvas.addEventListener("mousemove", (event) => {
      const hit = this.systemAt(event);
      if ((hit?.id ?? null) !== this.hover) {
        this.hover = hit?.id ?? null;
        canvas.style.cursor = hit ? "pointer" : "default";
        this.draw();
      }
    });
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  get open() {
    return !this.panel.classList.contains("hidden");
  }

  toggle() {
    if (this.open) this.hide();
    else this.show();
  }

  show() {
    this.panel.classList.remove("hidden");
    this.load();
    this.draw();
  }

  hide() {
    this.panel.classList.add("hidden");
  }

  /** Fetch the galaxy once per world; it is static while the ship stays in that world. */
  load() {
    if (!this.loading) {
      const world = this.world;
      const loading = api
        .galaxy(api.savedToken(), world)
        .then((g) => {
          if (this.loading !== loading) return; // the ship changed worlds meanwhile
          this.galaxy = g;
          this.replot();
        })
        .catch((err) => {
          if (this.loading !== loading) return;
          this.loading = null; // try again next time the map opens
          this.setInfo(`GALAXY DATA UNAVAILABLE: ${err.message}`);
        });
      this.loading = loading;
    }
    return this.loading;
  }

  /**
   * The world the ship is in (1: the main one; else an instance, whose galaxy is
   * `/api/galaxy?world=ID`): a new world forgets the old galaxy and its route.
   */
  setWorld(id) {
    const world = id ?? 1;
    if (world === this.world) return this.loading ?? this.load();
    this.world = world;
    this.galaxy = null;
    this.loading = null;
    this.destination = null;
    this.replot();
    return this.load();
  }

  /** The hunted, from the server's `markers` (once a second): drawn at their systems. */
  setMarkers(markers) {
    this.markers = markers;
    if (this.open) this.draw();
  }

  system(id) {
    return this.galaxy?.systems.find((s) => s.id === id) ?? null;
  }

  setCurrent(systemId) {
    this.current = systemId;
    if (this.destination === systemId) this.destination = null; // arrived
    this.replot();
  }

  replot() {
    if (this.galaxy && this.current !== null && this.destination !== null) {
      this.route = route(this.galaxy, this.current, this.destination);
    } else {
      this.route = [];
    }
    this.onRoute?.(this.route, this.galaxy);
    this.describe();
    this.draw();
  }

  describe() {
    if (!this.galaxy) return this.setInfo("LOADING GALAXY…");
    const here = this.system(this.current);
    if (this.destination === null) {
      return this.setInfo(
        `${here ? here.name.toUpperCase() : "—"}${belts(here)} · ` +
          `${this.galaxy.systems.length} SYSTEMS · CLICK A SYSTEM TO PLOT A ROUTE`,
      );
    }
    const dest = this.system(this.destination);
    if (!this.route.length) return this.setInfo(`NO ROUTE TO ${dest?.name.toUpperCase()}`);
    const names = this.route.map((id) => this.system(id)?.name.toUpperCase() ?? `#${id}`);
    const next = this.system(this.route[1]);
    const jumps = this.route.length - 1;
    const hop = next ? ` · NEXT GATE: GATE TO ${next.name.toUpperCase()}` : "";
    this.setInfo(`ROUTE ${names.join(" ▸ ")} · ${jumps} JUMP${jumps === 1 ? "" : "S"}${hop}`);
  }

  setInfo(text) {
    if (this.info.textContent !== text) this.info.textContent = text;
  }

  /** The system a route's next jump leads to, or null. */
  get nextHop() {
    return this.route.length > 1 ? this.route[1] : null;
  }

  // ---------------------------------------------------------- drawing --

  layout() {
    const rect = this.canvas.getBoundingClientRect();
    const w = Math.max(1, rect.width);
    const h = Math.max(1, rect.height);
    const xs = this.galaxy.systems.map((s) => s.x);
    const ys = this.galaxy.systems.map((s) => s.y);
    const minX = Math.min(...xs);
    const maxX = Math.max(...xs);
    const minY = Math.min(...ys);
    const maxY = Math.max(...ys);
    const pad = 48;
    const scale = Math.min((w - 2 * pad) / (maxX - minX || 1), (h - 2 * pad) / (maxY - minY || 1));
    const ox = (w - (maxX - minX) * scale) / 2;
    const oy = (h - (maxY - minY) * scale) / 2;
    // Galaxy y grows north, like the system view: flip it for the screen.
    return {
      w,
      h,
      at: (s) => [ox + (s.x - minX) * scale, h - (oy + (s.y - minY) * scale)],
    };
  }

  systemAt(event) {
    if (!this.galaxy) return null;
    const rect = this.canvas.getBoundingClientRect();
    const mx = event.clientX - rect.left;
    const my = event.clientY - rect.top;
    const { at } = this.layout();
    let best = null;
    let bestD = PICK_PX;
    for (const s of this.galaxy.systems) {
      const [x, y] = at(s);
      const d = Math.hypot(x - mx, y - my);
      if (d < bestD) {
        best = s;
        bestD = d;
      }
    }
    return best;
  }

  click(event) {
    const hit = this.systemAt(event);
    if (!hit) return;
    this.destination = hit.id === this.current || hit.id === this.destination ? null : hit.id;
    this.replot();
  }

  draw() {
    if (!this.open || !this.galaxy) return;
    const ctx = this.canvas.getContext("2d");
    const { w, h, at } = this.layout();
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);

    // Faint survey grid.
    ctx.strokeStyle = "rgba(94, 231, 255, 0.06)";
    ctx.lineWidth = 1;
    for (let x = 0; x < w; x += 40) {
      ctx.beginPath();
      ctx.moveTo(x + 0.5, 0);
      ctx.lineTo(x + 0.5, h);
      ctx.stroke();
    }
    for (let y = 0; y < h; y += 40) {
      ctx.beginPath();
      ctx.moveTo(0, y + 0.5);
      ctx.lineTo(w, y + 0.5);
      ctx.stroke();
    }

    const byId = new Map(this.galaxy.systems.map((s) => [s.id, s]));
    ctx.strokeStyle = COLORS.lane;
    ctx.lineWidth = 1;
    for (const [a, b] of this.galaxy.lanes) {
      const sa = byId.get(a);
      const sb = byId.get(b);
      if (!sa || !sb) continue;
      const [x1, y1] = at(sa);
      const [x2, y2] = at(sb);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      ctx.stroke();
    }

    if (this.route.length > 1) {
      ctx.strokeStyle = COLORS.route;
      ctx.lineWidth = 3;
      ctx.shadowColor = COLORS.route;
      ctx.shadowBlur = 8;
      ctx.beginPath();
      this.route.forEach((id, i) => {
        const [x, y] = at(byId.get(id));
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
      ctx.shadowBlur = 0;
    }

    // Canvas does not resolve CSS variables: name the fonts directly.
    ctx.font = '12px "DejaVu Sans Mono", "Liberation Mono", monospace';
    ctx.textBaseline = "middle";
    const placed = this.galaxy.systems.map((s) => {
      const [x, y] = at(s);
      return { x0: x - 7, y0: y - 7, x1: x + 7, y1: y + 7 };
    });
    for (const s of this.galaxy.systems) {
      const [x, y] = at(s);
      const current = s.id === this.current;
      const dest = s.id === this.destination;
      const onRoute = this.route.includes(s.id);
      const heart = s.id === this.galaxy.heart;
      const plain = heart ? COLORS.heart : COLORS.system;
      const color = current ? COLORS.current : dest || onRoute ? COLORS.dest : plain;
      ctx.fillStyle = color;
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.arc(x, y, current ? 6 : 4, 0, Math.PI * 2);
      ctx.fill();
      if (current || dest || s.id === this.hover) {
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(x, y, current ? 12 : 10, 0, Math.PI * 2);
        ctx.stroke();
      }
      const name = heart ? `♥ ${s.name.toUpperCase()} (OPERATORS)` : s.name.toUpperCase();
      const rocks = s.belts?.length ? ` · ${s.belts.length} BELT${s.belts.length === 1 ? "" : "S"}` : "";
      const text = current ? `${name}${rocks} · YOU ARE HERE` : s.id === this.hover ? `${name}${rocks}` : name;
      const spot = placeLabel(ctx, text, x, y, placed);
      ctx.fillStyle = current || dest || s.id === this.hover ? color : COLORS.text;
      ctx.textAlign = spot.align;
      ctx.fillText(text, spot.x, spot.y);
    }
    this.drawMarkers(ctx, at, placed);
  }

  /** Each hunted subject: a red diamond beside its system, "HUNTED: NAME". */
  drawMarkers(ctx, at, placed) {
    const seen = new Map(); // system id -> markers drawn there so far
    for (const m of this.markers) {
      const s = this.system(m.system);
      if (!s) continue;
      const k = seen.get(m.system) ?? 0;
      seen.set(m.system, k + 1);
      const [sx, sy] = at(s);
      const x = sx + 14;
      const y = sy - 14 - 16 * k;
      ctx.fillStyle = COLORS.hunted;
      ctx.strokeStyle = COLORS.hunted;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, y - 6);
      ctx.lineTo(x + 6, y);
      ctx.lineTo(x, y + 6);
      ctx.lineTo(x - 6, y);
      ctx.closePath();
      ctx.stroke();
      const text = `HUNTED: ${m.name.toUpperCase()}`;
      const spot = placeLabel(ctx, text, x, y, placed);
      ctx.textAlign = spot.align;
      ctx.fillText(text, spot.x, spot.y);
    }
  }
}
