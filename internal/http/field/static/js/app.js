// app.js: the field app's shell: the hash router, the header (network state,
// outbox and notices badges, language), login and logout, the to-do list, "me", the
// outbox view and the sync loop (on start, on the "online" event, after each
// capture, and on a timer with backoff while something is waiting).
import * as idb from "./idb.js";
import { call, login, session, ApiError } from "./api.js";
import * as outbox from "./outbox.js";
import { el, show, field, flash } from "./dom.js";
import { t, getLang, setLang } from "./i18n.js";
import { newCaseView, caseView } from "./cases.js";
import { baseView } from "./base.js";
import * as notices from "./notices.js";

const routes = { login: loginView, todo: todoView, new: newCaseView, case: caseView, outbox: outboxView, base: baseView, me: meView,
  notices: () => notices.noticesView(updateNotices) };

async function route() {
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  const s = await session();
  document.getElementById("tabs").hidden = !s;
  if (!s && name !== "login") {
    location.hash = "#/login";
    return;
  }
  const view = routes[name] || todoView;
  try {
    await view(arg);
  } catch (e) {
    show(el("p", { class: "flash flash-err" }, t("err", { e: e.message })));
  }
  translateStatic();
  if (s) (name === "notices" ? Promise.resolve() : notices.refresh()).then(updateNotices).catch(() => {});
}

// updateNotices shows the number of unread notices (of the last list
// fetched) in the header.
async function updateNotices() {
  const n = await notices.unread();
  const b = document.getElementById("notices-badge");
  b.textContent = String(n);
  b.className = "badge" + (n ? " unread" : "");
}

function translateStatic() {
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.getElementById("lang").textContent = getLang() === "en" ? "中文" : "EN";
  document.getElementById("brand").textContent = t("app.name");
  document.getElementById("outbox-label").textContent = t("outbox");
  document.getElementById("notices-label").textContent = t("notices");
  updateNet();
}

function updateNet() {
  const n = document.getElementById("net");
  n.textContent = navigator.onLine ? t("net.online") : t("net.offline");
  n.className = "net " + (navigator.onLine ? "on" : "off");
}

async function updateBadge() {
  const list = await outbox.items();
  const b = document.getElementById("outbox-badge");
  b.textContent = String(list.length);
  b.className = "badge" + (list.some((i) => i.status === "failed") ? " failed" : list.length ? " waiting" : "");
  if (location.hash.startsWith("#/outbox")) outboxView();
}

// The sync loop: one attempt at a time; after a failure the next attempt
// waits 5 s, doubling up to 5 minutes; success resets the wait.
let syncing = false;
let wait = 5000;
let timer = null;

/** kick tries to send the outbox now. */
export async function kick() {
  if (syncing) return;
  syncing = true;
  clearTimeout(timer);
  try {
    const r = await outbox.syncOutbox();
    if (r && r.status === 401) {
      await idb.del("session"); // the outbox is kept for after the next login
      location.hash = "#/login";
    }
    if (r && !r.ok) {
      timer = setTimeout(kick, wait);
      wait = Math.min(wait * 2, 300000);
    } else {
      wait = 5000;
    }
  } finally {
    syncing = false;
    updateBadge();
  }
}

async function requestBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker.ready;
    if (reg.sync) await reg.sync.register("outbox");
  } catch { /* Background Sync unavailable: the page's loop sends */ }
}

/** queued is called after a capture went into the outbox. */
export function queued() {
  updateBadge();
  requestBackgroundSync();
  if (navigator.onLine) kick();
}

async function loginView() {
  const user = el("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const pass = el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = el("form", { id: "login-form", class: "card" },
    el("h1", {}, t("login.title")), field(t("login.user"), user), field(t("login.pass"), pass),
    el("button", { type: "submit", class: "primary" }, t("login.submit")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!navigator.onLine) return flash(t("login.offline"), "err");
    try {
      await login(user.value.trim(), pass.value);
      await refreshCaches();
      location.hash = "#/todo";
      kick();
    } catch (e) {
      flash(e.message, "err");
    }
  });
  show(form);
}

// refreshCaches keeps in IndexedDB what capture needs offline: the case
// categories and the grids in scope (never registry data).
async function refreshCaches() {
  const [cats, grids] = await Promise.all([
    call("GET", "/case-categories"), call("GET", "/grids?limit=500"),
  ]);
  await idb.set("categories", cats.items);
  await idb.set("grids", grids.items);
}

async function todoView() {
  let items;
  let cached = false;
  try {
    items = (await call("GET", "/inbox?limit=200")).items;
    await idb.set("inbox", items);
  } catch (e) {
    if (e instanceof ApiError && e.status !== 0) throw e;
    items = (await idb.get("inbox")) || [];
    cached = true;
  }
  const list = el("ul", { class: "list", id: "todo" }, items.map((c) =>
    el("li", {}, el("a", { href: "#/case/" + c.id },
      el("span", { class: "tag task-" + c.task }, t("task." + c.task)),
      el("strong", {}, c.number), el("span", { class: "muted" }, c.category_name),
      el("span", { class: "desc" }, c.description),
      c.deadline ? el("span", { class: "due due-" + c.overdue }, new Date(c.deadline).toLocaleString()) : null))));
  show(el("h1", {}, t("todo.title")), cached ? el("p", { class: "muted" }, t("todo.cached")) : null,
    items.length ? list : el("p", { class: "muted", id: "todo-empty" }, t("todo.empty")));
}

async function outboxView() {
  const list = await outbox.items();
  const rows = list.map((i) => {
    const note = el("textarea", { rows: 2 }, (i.body && (i.body.description || i.body.note)) || "");
    return el("li", { class: "ob-item ob-" + i.status, "data-id": i.id },
      el("div", {}, el("strong", {}, t("kind." + i.kind)), " ", i.label || "", " ",
        el("span", { class: "tag" }, t("outbox." + i.status))),
      el("div", { class: "muted" }, new Date(i.captured_at).toLocaleString(), " · ", t("outbox.files", { n: i.files.length })),
      i.error ? el("div", { class: "ob-error" }, i.error) : null,
      i.status === "failed" ? el("div", { class: "row" }, note,
        el("button", { type: "button", class: "ob-retry", onclick: () => {
          const body = { ...i.body };
          if ("description" in body) body.description = note.value; else body.note = note.value;
          outbox.retry(i.id, body).then(kick);
        } }, t("outbox.retry")),
        el("button", { type: "button", class: "ob-discard", onclick: () => outbox.discard(i.id) }, t("outbox.discard"))) : null);
  });
  show(el("h1", {}, t("outbox.title")),
    list.length ? el("ul", { class: "list", id: "outbox-list" }, rows) : el("p", { class: "muted", id: "outbox-empty" }, t("outbox.empty")),
    el("button", { type: "button", id: "sync-now", onclick: kick }, t("outbox.sync")));
}

async function meView() {
  const s = await session();
  const out = el("button", { type: "button", id: "logout", onclick: logout }, t("logout"));
  show(el("h1", {}, t("me.title")), el("dl", {},
    el("dt", {}, t("me.user")), el("dd", {}, s.user.username + " · " + (s.user.display_name || "")),
    el("dt", {}, t("me.unit")), el("dd", {}, s.user.unit_code || "")), out);
}

// logout ends the session and deletes everything kept on the phone.
async function logout() {
  const waiting = (await outbox.items()).length;
  if (waiting && !confirm(t("logout.confirm"))) return;
  try { await call("POST", "/auth/logout"); } catch { /* offline: the token expires on the server */ }
  await idb.wipe();
  location.hash = "#/login";
}

function start() {
  setLang(getLang());
  document.getElementById("lang").addEventListener("click", () => { setLang(getLang() === "en" ? "zh" : "en"); route(); });
  window.addEventListener("hashchange", route);
  window.addEventListener("online", () => { updateNet(); kick(); notices.refresh(true).then(updateNotices).catch(() => {}); });
  window.addEventListener("offline", updateNet);
  outbox.onChange(updateBadge);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field/", type: "module" }).catch(() => {});
  }
  route();
  updateBadge();
  updateNotices();
  session().then((s) => { if (s && navigator.onLine) { refreshCaches().catch(() => {}); kick(); } });
}

start();
