// The game WebSocket (docs/protocol.md, "WebSocket: /ws"): hello, welcome,
// 20 Hz frames, commands, errors, and reconnection with the same token.

import { decode, encode } from "@msgpack/msgpack";
import { FRAME, FRAME_TAG, ME } from "./wire.js";

export const PROTOCOL_VERSION = 1;

// Close codes from the protocol; the ones not listed here are retried.
export const CLOSE = {
  BAD_HELLO: 4000,
  UNAUTHORIZED: 4001,
  UNSUPPORTED_VERSION: 4002,
  REPLACED: 4003,
  FLOOD: 4008,
};

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
// Frames come at 20 Hz; this much silence (or no welcome this long after
// opening) means the link is dead even if the socket has not noticed yet:
// a sleeping laptop, a dropped NAT entry, a hung connect.
const STALL_MS = 8000;
const SEQ_LIMIT = 2 ** 31;
// The handler each map message (by its `t`) is handed to.
const HANDLER_OF = new Map([
  ["welcome", "onWelcome"],
  ["system", "onSystem"],
  ["error", "onServerError"],
  ["notice", "onNotice"],
  ["markers", "onMarkers"],
  ["seat", "onSeat"],
]);

/**
 * One logical session with the server, surviving socket drops.
 *
 * Handlers: onWelcome(msg), onFrame(frameArray), onSystem(msg),
 * onServerError(msg), onNotice(msg), onMarkers(msg), onStatus(status, info), onUnauthorized(),
 * onReplaced(), onFatal(text).
 */
export class Connection {
  constructor(token, handlers) {
    this.token = token;
    this.handlers = handlers;
    this.ws = null;
    this.shipId = null;
    this.connected = false; // true between welcome and close
    this.seq = 0;
    this.attempt = 0;
    this.retryTimer = null;
    this.stallTimer = null;
    this.stopped = false;
    this.lastMessageAt = 0;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Close for good (log-out, replaced, fatal): no reconnection. */
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.stallTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close(1000);
    }
    this.setConnected(false);
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws`);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.lastMessageAt = performance.now();
    this.handlers.onStatus?.(this.attempt ? "reconnecting" : "connecting");
    ws.onopen = () => {
      this.lastMessageAt = performance.now();
      ws.send(encode({ t: "hello", v: PROTOCOL_VERSION, token: this.token }));
    };
    ws.onmessage = (event) => this.receive(event.data);
    ws.onclose = (event) => this.closed(event.code);
    // onerror is always followed by onclose, which decides what to do.
    ws.onerror = () => {};
    clearInterval(this.stallTimer);
    this.stallTimer = setInterval(() => {
      if (this.ws === ws && performance.now() - this.lastMessageAt > STALL_MS) {
        ws.close(4100, "stalled"); // a client-chosen code: any 4xxx is allowed
      }
    }, 1000);
  }

  receive(data) {
    this.lastMessageAt = performance.now();
    if (typeof data === "string") return; // the protocol is binary only
    let msg;
    try {
      msg = decode(new Uint8Array(data));
    } catch (err) {
      console.warn("undecodable frame", err);
      return;
    }
    if (Array.isArray(msg)) {
      // The frame is the only array message.
      if (msg[FRAME.t] === FRAME_TAG) {
        this.trackAck(msg[FRAME.me]);
        this.handlers.onFrame?.(msg);
      }
      return;
    }
    if (!msg || typeof msg !== "object") return;
    if (msg.t === "welcome") {
      this.attempt = 0;
      this.shipId = msg.ship;
      this.setConnected(true);
    } else if (msg.t === "seat") {
      // A flagship's bridge post (or back aboard our own ship): commands go to `ship`.
      this.shipId = msg.ship;
    }
    // Unknown message types are additive protocol changes: no handler, ignored.
    const handler = HANDLER_OF.get(msg.t);
    if (handler) this.handlers[handler]?.(msg);
  }

  // The server acks the highest seq it applied; a reloaded page starts
  // counting again, so jump past anything the ship has already seen in
  // case a server ever deduplicates by seq.
  trackAck(me) {
    const ack = Array.isArray(me) ? me[ME.ack] : null;
    if (typeof ack === "number" && ack >= this.seq) this.seq = ack;
  }

  closed(code) {
    this.ws = null;
    clearInterval(this.stallTimer);
    this.setConnected(false);
    if (this.stopped) return;
    if (code === CLOSE.UNAUTHORIZED) {
      this.stopped = true;
      this.handlers.onUnauthorized?.();
      return;
    }
    if (code === CLOSE.REPLACED) {
      this.stopped = true;
      this.handlers.onReplaced?.();
      return;
    }
    if (code === CLOSE.UNSUPPORTED_VERSION) {
      // Retrying cannot help: only a reload fetches a client that speaks
      // the server's version.
      this.stopped = true;
      this.handlers.onFatal?.("this client speaks another protocol version: reload the page");
      return;
    }
    // Anything else (server restart 1001, network loss 1006, a late hello
    // 4000 after the tab was frozen, flood 4008, stall) is transient: retry
    // with backoff and a little jitter so a restarting server is not hit by
    // every client at the same instant.
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delay = base * (0.75 + Math.random() * 0.5);
    this.attempt += 1;
    this.handlers.onStatus?.("reconnecting", { code, delay });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  setConnected(value) {
    if (this.connected === value) return;
    this.connected = value;
    this.handlers.onStatus?.(value ? "online" : "offline");
  }

  /**
   * Send a command. `fields` must hold only the fields the protocol lists
   * for `type` (unknown fields are refused). Returns the seq, or null when
   * offline (commands are not queued: stale orders replayed after a
   * reconnect would surprise the pilot).
   */
  send(type, fields = {}) {
    if (!this.connected || !this.ws || this.ws.readyState !== WebSocket.OPEN) return null;
    this.seq = (this.seq + 1) % SEQ_LIMIT;
    const command = { t: type, seq: this.seq, ship: this.shipId, ...fields };
    this.ws.send(encode(command));
    return this.seq;
  }
}
