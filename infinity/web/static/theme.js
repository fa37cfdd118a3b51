// A world's look (its template's `theme`, docs/templates.md): colours as CSS
// custom properties, the font, the HUD's labels and how ships are drawn.
// Applied while the ship is in an instance; `applyTheme(null)` restores the
// bridge's own look. Nothing is fetched: fonts are local stacks only.

import { setShipStyle } from "./models.js";

// Palette names that mean one of style.css's variables; any other name sets
// `--<name>` as it is (so a template may name `cyan`, `lav`, `red`, ... directly).
const ALIASES = {
  background: "bg",
  accent: "amber",
  highlight: "cyan",
  secondary: "lav",
  danger: "red",
};
const FONTS = new Set(["mono", "sans", "serif", "retro"]);
const HEX = /^#[0-9a-f]{6}$/i;

let applied = null; // the theme shown now, or null: the default look
let set = []; // the custom properties we set, to take off again

function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** The custom properties a palette sets: {"--bg": "#120a1f", ...}. */
export function properties(palette = {}) {
  const out = {};
  for (const [name, value] of Object.entries(palette)) {
    if (!HEX.test(value) || !/^[a-z-]{1,20}$/.test(name)) continue;
    out[`--${ALIASES[name] ?? name}`] = value;
  }
  const bg = out["--bg"];
  if (bg) {
    // The panels are the background, a little see-through (unless named outright).
    out["--panel"] ??= rgba(bg, 0.8);
    out["--drawer"] ??= rgba(bg, 0.94);
  }
  if (out["--amber"]) out["--amber-dim"] ??= `color-mix(in srgb, ${out["--amber"]} 65%, black)`;
  if (out["--cyan"]) out["--cyan-dim"] ??= `color-mix(in srgb, ${out["--cyan"]} 50%, black)`;
  return out;
}

/** The theme in force, or null (the default look). */
export const currentTheme = () => applied;

/**
 * Show `theme` ({palette, font, hud_labels, ship_style}), or the default look
 * when null. `view`: the tactical view (its clear colour follows the background).
 */
export function applyTheme(theme, view = null) {
  const root = document.documentElement;
  for (const name of set) root.style.removeProperty(name);
  set = [];
  const props = properties(theme?.palette);
  for (const [name, value] of Object.entries(props)) {
    root.style.setProperty(name, value);
    set.push(name);
  }
  const font = FONTS.has(theme?.font) ? theme.font : "mono";
  if (theme && font !== "mono") root.dataset.font = font;
  else delete root.dataset.font;
  if (theme) root.dataset.themed = "";
  else delete root.dataset.themed;
  setLabels(theme?.hud_labels ?? {});
  setShipStyle(theme?.ship_style ?? "wedge", theme?.palette?.hull ?? null);
  view?.setBackground(props["--bg"] ?? null);
  applied = theme ?? null;
}

/**
 * Every element marked `data-label="shield"` (and so on) shows the theme's label
 * for that name, else its own text from the page (kept in `data-default`).
 */
function setLabels(labels) {
  for (const node of document.querySelectorAll("[data-label]")) {
    if (node.dataset.default === undefined) node.dataset.default = node.textContent;
    const text = labels[node.dataset.label] ?? node.dataset.default;
    if (node.textContent !== text) node.textContent = text;
  }
}
