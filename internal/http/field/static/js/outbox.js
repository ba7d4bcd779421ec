// outbox.js: captures made on the phone wait here until the server has
// them, exactly once. Each item has a client-generated UUID that is sent as
// the Idempotency-Key, so a replay after a lost answer returns the first
// result instead of a second case. Items are sent in capture order; the
// photos, recordings and videos of an item are uploaded first (resumably
// when the server offers /uploads) and their server ids replace the files.
// An item leaves the outbox only after a 2xx; a 4xx that a retry cannot
// change marks it failed, with the server's message, for the user to edit
// and retry or discard. Used by the page and by the service worker.
import * as idb from "./idb.js";
import { call, ApiError } from "./api.js";

/** CHUNK is the size of one resumable upload request. */
export const CHUNK = 256 * 1024;

const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("gridgov-outbox") : null;

function notify() {
  if (channel) channel.postMessage("changed");
}

/** onChange calls fn whenever the outbox changes (in any tab or the worker). */
export function onChange(fn) {
  if (channel) {
    const c = new BroadcastChannel("gridgov-outbox");
    c.onmessage = () => fn();
  }
}

/** uuid returns a random UUID v4. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * enqueue keeps a capture: {kind, label, path, body, files: [File]} where
 * the files' server ids go into body[attachField] (default "attachments").
 */
export async function enqueue({ kind, label, path, body, files = [], attachField = "attachments" }) {
  const item = {
    id: uuid(), seq: Date.now() + Math.random() / 10, kind, label, method: "POST", path, body, attachField,
    files: files.map((f) => ({ name: f.name || "file", type: f.type || "", blob: f, attachment_id: null, upload_id: null })),
    status: "waiting", error: "", tries: 0, captured_at: new Date().toISOString(),
  };
  await idb.outboxPut(item);
  notify();
  return item;
}

/** items lists the outbox in capture order. */
export const items = () => idb.outboxAll();

/** discard removes an item without sending it. */
export async function discard(id) {
  await idb.outboxDelete(id);
  notify();
}

/** retry puts a failed item back in line, with an edited body if given. */
export async function retry(id, body) {
  const item = await idb.outboxGet(id);
  if (!item) return;
  if (body) item.body = body;
  // An edited request is a new request: it gets a new key, or the server
  // would refuse the changed body under the old one.
  if (body) item.id = uuid();
  item.status = "waiting";
  item.error = "";
  if (item.id !== id) await idb.outboxDelete(id);
  await idb.outboxPut(item);
  notify();
}

/**
 * syncOutbox sends what is waiting, in order, one sender at a time across
 * tabs and the worker. It stops at the first network or server failure
 * (returning {ok:false}), so order is kept and the caller backs off.
 */
export async function syncOutbox() {
  const run = async () => {
    for (const head of await idb.outboxAll()) {
      const item = await idb.outboxGet(head.id);
      if (!item || item.status === "failed") continue;
      try {
        await send(item);
        await idb.outboxDelete(item.id);
        notify();
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(0, String(e));
        item.tries = (item.tries || 0) + 1;
        item.error = err.message;
        if (err.permanent) {
          item.status = "failed";
          await idb.outboxPut(item);
          notify();
          continue;
        }
        await idb.outboxPut(item);
        notify();
        return { ok: false, status: err.status, error: err.message };
      }
    }
    return { ok: true };
  };
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request("gridgov-outbox", run);
  }
  return run();
}

async function send(item) {
  for (let i = 0; i < item.files.length; i++) {
    const f = item.files[i];
    if (f.attachment_id) continue;
    f.attachment_id = await upload(item, f, i);
    await idb.outboxPut(item);
  }
  const body = { ...item.body };
  const ids = item.files.map((f) => f.attachment_id);
  if (ids.length) body[item.attachField] = [...(body[item.attachField] || []), ...ids];
  await call(item.method, item.path, { body, headers: { "Idempotency-Key": item.id } });
}

// upload sends one file and returns its attachment id: resumably through
// /uploads (the upload id is kept on the item, so a cut connection resumes
// at the server's offset), or as one multipart request on servers without.
async function upload(item, f, i) {
  const purpose = item.kind === "visit" ? "visit" : "case";
  try {
    return await resumable(item, f, i, purpose);
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
  }
  const fd = new FormData();
  fd.append("purpose", purpose);
  fd.append("file", f.blob, f.name);
  const att = await call("POST", "/attachments", { body: fd });
  return att.id;
}

async function resumable(item, f, i, purpose) {
  let offset = 0;
  if (f.upload_id) {
    const r = await call("HEAD", "/uploads/" + f.upload_id, { raw: true });
    if (r.ok) {
      offset = Number(r.headers.get("Upload-Offset") || 0);
    } else {
      f.upload_id = null; // expired or unknown: start again
    }
  }
  if (!f.upload_id) {
    const u = await call("POST", "/uploads", {
      body: { filename: f.name, size: f.blob.size, content_type: f.type, purpose },
      headers: { "Idempotency-Key": item.id + "-f" + i },
    });
    f.upload_id = u.id;
    offset = u.offset || 0;
    await idb.outboxPut(item);
  }
  for (;;) {
    const chunk = f.blob.slice(offset, offset + CHUNK);
    const headers = { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" };
    if (crypto.subtle) {
      const sum = await crypto.subtle.digest("SHA-256", await chunk.arrayBuffer());
      headers["Upload-Checksum"] = "sha256 " + btoa(String.fromCharCode(...new Uint8Array(sum)));
    }
    const r = await call("PATCH", "/uploads/" + f.upload_id, { body: chunk, headers });
    if (r.attachment) return r.attachment.id;
    if (r.offset <= offset) throw new ApiError(500, "upload did not advance");
    offset = r.offset;
  }
}
