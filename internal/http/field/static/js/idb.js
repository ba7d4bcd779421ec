// idb.js: a small promise wrapper over the app's IndexedDB database. Two
// stores: "kv" (the session, cached categories, grids and to-do list) and
// "outbox" (captures waiting to be sent, in the order they were made).
// Works in pages and in the service worker.

const DB_NAME = "gridgov-field";
const DB_VERSION = 1;
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
        if (!db.objectStoreNames.contains("outbox")) {
          const s = db.createObjectStore("outbox", { keyPath: "id" });
          s.createIndex("seq", "seq");
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { opening = null; reject(req.error); };
    });
  }
  return opening;
}

function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function store(name, mode) {
  const db = await open();
  return db.transaction(name, mode).objectStore(name);
}

/** get reads a value of the kv store. */
export async function get(key) {
  return done((await store("kv", "readonly")).get(key));
}

/** set writes a value of the kv store. */
export async function set(key, value) {
  return done((await store("kv", "readwrite")).put(value, key));
}

/** del removes a value of the kv store. */
export async function del(key) {
  return done((await store("kv", "readwrite")).delete(key));
}

/** outboxAll lists the outbox in capture order. */
export async function outboxAll() {
  return done((await store("outbox", "readonly")).index("seq").getAll());
}

/** outboxGet reads one outbox item. */
export async function outboxGet(id) {
  return done((await store("outbox", "readonly")).get(id));
}

/** outboxPut adds or replaces an outbox item. */
export async function outboxPut(item) {
  return done((await store("outbox", "readwrite")).put(item));
}

/** outboxDelete removes an outbox item. */
export async function outboxDelete(id) {
  return done((await store("outbox", "readwrite")).delete(id));
}

/** wipe deletes everything kept on the device (logout). */
export async function wipe() {
  const db = await open();
  const tx = db.transaction(["kv", "outbox"], "readwrite");
  tx.objectStore("kv").clear();
  tx.objectStore("outbox").clear();
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}
