// The REST half of the protocol (docs/protocol.md): accounts, the galaxy and
// the economy (wallet, station markets, bounty board), the crew (roster,
// orders, recruiting) and the worlds (instances and travel).
// Everything is same-origin; the page never talks to any other host.

const TOKEN_KEY = "infinity.token";

/** An API refusal, carrying the server's `{"error", "detail"}` body. */
export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

async function request(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "network", "the server cannot be reached");
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    // A proxy error page or an empty body: fall through with no data.
  }
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data?.error ?? "http_error",
      describeDetail(data?.detail) || response.statusText,
    );
  }
  return data;
}

// `detail` is documented as text, but validation layers sometimes answer
// with a list of field problems; show whatever arrived as readable text.
function describeDetail(detail) {
  if (detail == null) return "";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map(describeDetail).join("; ");
  if (typeof detail === "object") {
    const where = detail.loc ? `${[].concat(detail.loc).join(".")}: ` : "";
    return where + (detail.msg ?? JSON.stringify(detail));
  }
  return String(detail);
}

export const register = (name, password) =>
  request("POST", "/api/register", { body: { name, password } });
export const login = (name, password) =>
  request("POST", "/api/login", { body: { name, password } });
export const logout = (token) => request("POST", "/api/logout", { token });
export const me = (token) => request("GET", "/api/me", { token });
// With an operator's token the galaxy also names the Heart of Infinity's system.
// `world`: an instance's galaxy (members, owner, operators); null or 1: the main one.
export const galaxy = (token, world = null) =>
  request("GET", world && world !== 1 ? `/api/galaxy?world=${Number(world)}` : "/api/galaxy", {
    token,
  });

// Worlds (infinity/gateway/worlds_api.py): templates, private instances, travel.
export const templates = () => request("GET", "/api/templates");
/** {worlds: [...], here}: the worlds you may enter and the one your ship is in. */
export const worlds = (token) => request("GET", "/api/worlds", { token });
export const createWorld = (token, template, name) =>
  request("POST", "/api/worlds", { token, body: { template, name } });
export const inviteToWorld = (token, id, account) =>
  request("POST", `/api/worlds/${Number(id)}/invite`, { token, body: { account } });
export const uninviteFromWorld = (token, id, account) =>
  request("POST", `/api/worlds/${Number(id)}/uninvite`, { token, body: { account } });
/** Take the ship there; `key` makes a retry harmless. Answers {world, system, station}. */
export const travel = (token, id, key) =>
  request("POST", `/api/worlds/${Number(id)}/travel`, { token, body: key ? { key } : {} });
export const goHome = (token) => request("POST", "/api/worlds/home", { token });
/** Take a flagship bridge post (`account`: the captain assigns someone else). */
export const takePost = (token, id, post, account) =>
  request("POST", `/api/worlds/${Number(id)}/bridge`, {
    token,
    body: account ? { post, account } : { post },
  });
/** Back to your own ship (`account`: the captain relieves someone). */
export const leavePost = (token, id, account) =>
  request("POST", `/api/worlds/${Number(id)}/bridge/leave`, {
    token,
    body: account ? { account } : {},
  });
export const closeWorld = (token, id) =>
  request("DELETE", `/api/worlds/${Number(id)}`, { token });

/** Your enclave (infinity/gateway/enclave_api.py): its minds, their memories and words. */
export const enclave = (token) => request("GET", "/api/enclave", { token });

/** One page of the wallet's history, newest first; pass `next_cursor` for the next. */
export function wallet(token, { cursor = null, limit = 20 } = {}) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor !== null && cursor !== undefined) q.set("cursor", String(cursor));
  return request("GET", `/api/wallet?${q}`, { token });
}
export const market = (station) =>
  request("GET", `/api/market?station=${encodeURIComponent(station)}`);
export const bounties = () => request("GET", "/api/bounties");
/** `target_kind` "ship" or "player"; the amount is escrowed from your wallet. */
export const postBounty = (token, targetKind, targetId, amount) =>
  request("POST", "/api/bounties", {
    token,
    body: { target_kind: targetKind, target_id: targetId, amount },
  });

// The crew (infinity/gateway/crew_api.py): agents in your system and your own crew.
export const agents = (token) => request("GET", "/api/agents", { token });
export const agent = (token, id) =>
  request("GET", `/api/agents/${encodeURIComponent(id)}`, { token });
/** A free-text order to the crew you captain; answers: [{agent, name, obeys, reason}]. */
export const crewOrders = (token, text) =>
  request("POST", "/api/crew/orders", { token, body: { text } });
/** Sign on an agent docked at your station; answers the crew you now captain. */
export const recruit = (token, agentId) =>
  request("POST", "/api/crew/recruit", { token, body: { agent: agentId } });

// localStorage can throw (private mode, disabled storage): the game then
// still works, it just asks for a log-in again after a reload.
export function savedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* see savedToken */
  }
}
