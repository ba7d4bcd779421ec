// notices.js: the in-app notices of the signed-in user (GET /api/v1/notices:
// a case arrived at my unit, is near or past its limit, is supervised),
// shown as a header badge and a list. The list is fetched when online and
// kept in IndexedDB ("notices"), so the last one is shown offline; a notice
// opened offline is marked read on the phone at once and on the server
// ("notices_read") when the network is back.
import * as idb from "./idb.js";
import { call, ApiError } from "./api.js";
import { el, show } from "./dom.js";
import { t } from "./i18n.js";

let lastFetch = 0;

/** unread counts the unread notices of the cached list. */
export async function unread() {
  const c = await idb.get("notices");
  return c ? c.notices.filter((n) => !n.read_at).length : 0;
}

/** refresh fetches the notices when online (at most once a minute unless
 * forced), first sending the reads made offline; it returns the cached list. */
export async function refresh(force = false) {
  if (navigator.onLine && (force || Date.now() - lastFetch > 60000)) {
    try {
      const pending = (await idb.get("notices_read")) || [];
      for (const id of pending) {
        try {
          await call("POST", "/notices/" + id + "/read");
        } catch (e) {
          if (!(e instanceof ApiError) || !e.permanent) throw e; // a 404: the notice is gone
        }
      }
      await idb.del("notices_read");
      const l = await call("GET", "/notices?limit=100");
      await idb.set("notices", { notices: l.notices, fetched_at: new Date().toISOString() });
      lastFetch = Date.now();
    } catch (e) {
      if (e instanceof ApiError && e.status !== 0 && e.status !== 401) throw e;
    }
  }
  return (await idb.get("notices")) || null;
}

// markRead marks a notice read on the phone and on the server (later when
// offline).
async function markRead(id) {
  const c = await idb.get("notices");
  if (c) {
    c.notices = c.notices.map((n) => (n.id === id && !n.read_at ? { ...n, read_at: new Date().toISOString() } : n));
    await idb.set("notices", c);
  }
  try {
    if (!navigator.onLine) throw new ApiError(0, "offline");
    await call("POST", "/notices/" + id + "/read");
  } catch (e) {
    if (e instanceof ApiError && e.status === 0) {
      const pending = (await idb.get("notices_read")) || [];
      if (!pending.includes(id)) pending.push(id);
      await idb.set("notices_read", pending);
    }
  }
}

// summary is the line under a notice's title, from its payload.
function summary(p) {
  return [p.number, p.category, p.address].filter(Boolean).join(" · ");
}

/** noticesView shows the notices, unread first; opening one marks it read
 * and goes to its case (offline: stays on the list). onRead is called after
 * a notice was marked read. */
export async function noticesView(onRead) {
  let c = null;
  try {
    c = await refresh(true);
  } catch (e) {
    c = await idb.get("notices");
  }
  const list = (c && c.notices) || [];
  const offline = !navigator.onLine && c;
  const rows = list.map((n) => {
    const p = n.payload || {};
    const open = async (ev) => {
      ev.preventDefault();
      if (!n.read_at) {
        await markRead(n.id);
        if (onRead) onRead();
      }
      // The case page needs the network; offline the list stays, now read.
      if (navigator.onLine && n.case_id) location.hash = "#/case/" + n.case_id;
      else noticesView(onRead);
    };
    return el("li", { class: "notice" + (n.read_at ? " read" : " unread"), "data-id": n.id },
      el("a", { href: n.case_id ? "#/case/" + n.case_id : "#/notices", onclick: open },
        el("span", { class: "tag notice-" + n.kind }, t("notice." + n.kind)),
        el("strong", {}, summary(p)),
        p.reason ? el("span", { class: "desc" }, p.reason) : null,
        el("span", { class: "muted" }, new Date(n.created_at).toLocaleString())));
  });
  show(el("h1", {}, t("notices.title")),
    offline ? el("p", { class: "muted" }, t("notices.cached")) : null,
    list.length ? el("ul", { class: "list", id: "notices" }, rows)
      : el("p", { class: "muted", id: "notices-empty" }, c ? t("notices.empty") : t("notices.online")));
}
