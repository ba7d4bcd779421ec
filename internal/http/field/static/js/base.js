// base.js: the base data of my grid (people, houses, organisations), looked
// up online only: answers are shown and dropped, never stored on the phone
// or in the service worker's cache, and the ID number travels in a query
// the worker never caches. A verification (核对) or a visit, with photos,
// goes through the outbox like every capture.
import { call } from "./api.js";
import * as outbox from "./outbox.js";
import { el, show, field, flash } from "./dom.js";
import { t } from "./i18n.js";
import { queued } from "./app.js";

const KINDS = {
  people: { type: "person", path: "/people", label: (p) => `${p.name} · ${p.id_number || ""} · ${p.address || ""}` },
  houses: { type: "house", path: "/houses", label: (h) => `${h.address || h.code || h.id}` },
  orgs: { type: "organisation", path: "/organisations", label: (o) => `${o.name} · ${o.address || ""}` },
};

/** baseView is the lookup page of the grid's base data. */
export async function baseView() {
  const kind = el("select", { id: "b-kind" },
    el("option", { value: "people" }, t("base.people")), el("option", { value: "houses" }, t("base.houses")),
    el("option", { value: "orgs" }, t("base.orgs")));
  const name = el("input", { id: "b-name", autocomplete: "off" });
  const idn = el("input", { id: "b-id", autocomplete: "off", inputmode: "text", maxlength: 18 });
  const results = el("ul", { class: "list", id: "b-results" });
  const form = el("form", { id: "base-form", class: "card" }, el("h1", {}, t("base.title")),
    field("", kind), field(t("base.name"), name), field(t("base.id"), idn),
    el("button", { type: "submit", class: "primary" }, t("base.search")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!navigator.onLine) return flash(t("base.online"), "err");
    const k = KINDS[kind.value];
    const q = new URLSearchParams({ limit: "50" });
    if (kind.value === "houses") { if (name.value.trim()) q.set("address", name.value.trim()); }
    else if (name.value.trim()) q.set("name", name.value.trim());
    if (kind.value === "people" && idn.value.trim()) q.set("id_number", idn.value.trim());
    try {
      const r = await call("GET", k.path + "?" + q.toString());
      results.replaceChildren(...(r.items.length ? r.items.map((it) => row(k, it)) : [el("li", { class: "muted" }, t("base.none"))]));
    } catch (e) {
      flash(e.message, "err");
    }
  });
  show(form, results);
}

function row(k, it) {
  const note = el("textarea", { rows: 2, placeholder: t("base.visit.note") });
  const photos = el("input", { type: "file", accept: "image/*", capture: "environment", multiple: true });
  const li = el("li", { "data-id": it.id }, el("div", {}, k.label(it)), note, photos,
    el("div", { class: "row" },
      el("button", { type: "button", class: "b-verify", onclick: async () => {
        await outbox.enqueue({ kind: "verify", label: k.label(it), path: `${k.path}/${it.id}/verify`, body: { note: note.value.trim() } });
        flash(t("act.queued"));
        queued();
      } }, t("base.verify")),
      el("button", { type: "button", class: "b-visit", onclick: async () => {
        await outbox.enqueue({ kind: "visit", label: k.label(it), path: "/visits", files: [...photos.files],
          body: { object_type: k.type, object_id: it.id, kind: "visit", visited_at: new Date().toISOString(), note: note.value.trim() } });
        note.value = "";
        photos.value = "";
        flash(t("act.queued"));
        queued();
      } }, t("base.visit"))));
  return li;
}
