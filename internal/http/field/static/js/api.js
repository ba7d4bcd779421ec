// api.js: calls to the JSON API under /api/v1 with the bearer token kept in
// IndexedDB. Errors carry the HTTP status and the server's message, so the
// outbox can tell "try again later" from "will never succeed".
import * as idb from "./idb.js";
import { problem } from "./i18n.js";

export const API = "/api/v1";

/** ApiError is a failed call: status 0 means the network failed. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
  /** permanent is true for a 4xx answer that a retry cannot change. */
  get permanent() {
    return this.status >= 400 && this.status < 500 && ![401, 408, 425, 429].includes(this.status);
  }
}

/** session returns the stored session ({token, user, expires_at}) or null. */
export async function session() {
  return (await idb.get("session")) || null;
}

/** call sends a request; body may be an object (sent as JSON) or FormData/Blob. */
export async function call(method, path, { body, headers = {}, raw = false } = {}) {
  const s = await session();
  const h = { Accept: "application/json", ...headers };
  if (s) h.Authorization = "Bearer " + s.token;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob)) {
    h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(API + path, { method, headers: h, body: payload, cache: "no-store", credentials: "omit" });
  } catch (e) {
    throw new ApiError(0, "network unavailable");
  }
  if (raw) return resp;
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!resp.ok) {
    const err = data && data.error;
    let msg = (err && err.message) || resp.statusText || "HTTP " + resp.status;
    // Field problems come as codes with arguments; they are shown in the
    // app's language from the catalogue (fields, in English, is the
    // fallback of an older server).
    if (err && err.problems) msg += ": " + Object.entries(err.problems).map(([k, p]) => k + " " + problem(p)).join("; ");
    else if (err && err.fields) msg += ": " + Object.entries(err.fields).map(([k, v]) => k + " " + v).join("; ");
    throw new ApiError(resp.status, msg, data);
  }
  return data;
}

/** login opens an API session and keeps it on the device. */
export async function login(username, password) {
  const s = await call("POST", "/auth/login", { body: { username, password } });
  await idb.set("session", { token: s.token, user: s.user, expires_at: s.expires_at });
  return s;
}
