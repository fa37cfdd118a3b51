// The layout of the game protocol's frames (docs/protocol.md, "Server →
// client: frames"). A frame and the records in it are positional arrays,
// cheaper than maps at 20 Hz; these lists name their fields in order. They
// mirror infinity/gateway/wire.py (`*_FIELDS`), and tests/gateway/test_wire.py
// fails when the two drift apart.

export const FRAME_TAG = 0; // a frame is the only array message; it starts with 0

export const FRAME_FIELDS = ["t", "tick", "dilation", "cells", "chat", "me"];
export const CELL_FIELDS = [
  "key",
  "ox",
  "oy",
  "full",
  "entered",
  "left",
  "moves",
  "status",
  "events",
];
export const ENTITY_FIELDS = ["id", "kind", "name", "x", "y", "heading", "hull", "shield", "extra"];
export const ME_FIELDS = [
  "ack",
  "energy",
  "cargo",
  "torpedoes",
  "docked_at",
  "target",
  "beam_cd",
  "torp_cd",
  "mining",
  "view",
  "credits",
  "fuel",
  "siphon",
];
export const CHAT_FIELDS = ["ship", "name", "text"];
// A `markers` message's records: where a subject shared with this player is now.
export const MARKER_FIELDS = ["share", "ship", "name", "system", "system_name", "x", "y"];
// Each event is `[t, ...fields]`; clients ignore tags they do not know.
export const EVENT_FIELDS = {
  beam: ["t", "shooter", "target"],
  boom: ["t", "ship", "x", "y"],
  torpedo_hit: ["t", "torpedo", "target"],
  dock: ["t", "ship", "station"],
  undock: ["t", "ship", "station"],
  jump: ["t", "ship", "gate"],
  arrive: ["t", "ship", "gate"],
  siphon_broken: ["t", "thief", "victim", "why"],
};

const indices = (fields) => Object.freeze(Object.fromEntries(fields.map((f, i) => [f, i])));

/** Index of each field, for reading one field of a record without naming them all. */
export const FRAME = indices(FRAME_FIELDS);
export const ME = indices(ME_FIELDS);

/** A positional record as an object of its named fields. */
export function named(record, fields) {
  const out = {};
  for (let i = 0; i < fields.length; i++) out[fields[i]] = record[i];
  return out;
}

/** An event as `{t, ...fields}`; a tag from a newer server keeps only `t`. */
export function namedEvent(record) {
  return named(record, EVENT_FIELDS[record[0]] ?? ["t"]);
}
