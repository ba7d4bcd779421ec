// cases.js: collecting a case (category, text, photos, voice, video, GPS or
// a point on the map of my grid) and the case page with the transitions the
// server offers (sign, feedback, verify …). Both write to the outbox, never
// straight to the server, so they work the same with or without network.
import * as idb from "./idb.js";
import { call } from "./api.js";
import * as outbox from "./outbox.js";
import { el, show, field, flash } from "./dom.js";
import { t } from "./i18n.js";
import { queued } from "./app.js";

function mediaInput(id, accept) {
  return el("input", { id, type: "file", accept, capture: "environment", multiple: true });
}

function previews(input) {
  const box = el("div", { class: "previews" });
  input.addEventListener("change", () => {
    box.replaceChildren(...[...input.files].map((f) => f.type.startsWith("image/")
      ? el("img", { src: URL.createObjectURL(f), alt: f.name })
      : el("span", { class: "tag" }, f.name)));
  });
  return box;
}

/** newCaseView is the capture form. */
export async function newCaseView() {
  const cats = (await idb.get("categories")) || [];
  const grids = (await idb.get("grids")) || [];
  const cat = el("select", { id: "c-category", required: true }, el("option", { value: "" }, t("choose")),
    cats.filter((c) => c.active !== false).map((c) => el("option", { value: c.code }, `${c.major_name ? c.major_name + " · " : ""}${c.name}`)));
  const desc = el("textarea", { id: "c-desc", rows: 3, required: true, maxlength: 2000 });
  const addr = el("input", { id: "c-address", maxlength: 300 });
  const grid = el("select", { id: "c-grid" }, el("option", { value: "" }, "—"),
    grids.map((g) => el("option", { value: g.code }, g.name + " (" + g.code + ")")));
  if (grids.length === 1) grid.value = grids[0].code;
  const photos = mediaInput("c-photos", "image/*");
  const audio = mediaInput("c-audio", "audio/*");
  const video = mediaInput("c-video", "video/*");
  const where = el("p", { class: "muted", id: "c-where" });
  let point = null;
  const gps = el("button", { type: "button", id: "c-gps", onclick: () => {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition((p) => {
      point = { lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy };
      where.textContent = `${point.lat.toFixed(6)}, ${point.lng.toFixed(6)} · ` + t("new.accuracy", { m: Math.round(point.accuracy) });
    }, (e) => { where.textContent = t("new.nogps", { e: e.message }); }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
  } }, t("new.gps"));
  const mapBox = el("div", { id: "c-map", class: "map", hidden: true });
  const pick = el("button", { type: "button", id: "c-pick", onclick: () => {
    mapBox.hidden = false;
    pickOnMap(mapBox, grid.value, (ll) => {
      point = { lat: ll.lat, lng: ll.lng, accuracy: null };
      where.textContent = `${ll.lat.toFixed(6)}, ${ll.lng.toFixed(6)} · ` + t("new.picked");
    });
  } }, t("new.map"));
  const form = el("form", { id: "case-form", class: "card" }, el("h1", {}, t("new.title")),
    cats.length ? null : el("p", { class: "flash flash-err" }, t("new.nocats")),
    field(t("new.category"), cat), field(t("new.desc"), desc), field(t("new.address"), addr), field(t("new.grid"), grid),
    el("div", { class: "row" }, gps, pick), where, mapBox,
    field(t("new.photos"), photos), previews(photos), field(t("new.audio"), audio), field(t("new.video"), video),
    el("button", { type: "submit", class: "primary", id: "c-submit" }, t("new.submit")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { category_code: cat.value, description: desc.value.trim(), address: addr.value.trim(), source: "patrol" };
    if (grid.value) body.grid_code = grid.value;
    if (point) { body.lat = point.lat; body.lng = point.lng; }
    const files = [...photos.files, ...audio.files, ...video.files];
    const label = (cats.find((c) => c.code === cat.value) || {}).name || cat.value;
    await outbox.enqueue({ kind: "case", label, path: "/cases", body, files });
    form.reset();
    await newCaseView();
    flash(t("new.saved"));
    queued();
  });
  show(form);
}

// pickOnMap shows the third-level grids in scope (from /geo/grids, when
// online), fits the chosen grid, and calls done with the tapped point.
async function pickOnMap(box, gridCode, done) {
  if (!window.L || box.dataset.ready) return;
  box.dataset.ready = "1";
  const map = L.map(box, { zoomControl: true }).setView([34.7466, 113.6253], 13);
  let marker = null;
  map.on("click", (e) => {
    if (marker) marker.setLatLng(e.latlng); else marker = L.circleMarker(e.latlng, { radius: 8 }).addTo(map);
    done(e.latlng);
  });
  try {
    const gj = await call("GET", "/geo/grids?level=3");
    const layer = L.geoJSON(gj).addTo(map);
    let bounds = layer.getBounds();
    layer.eachLayer((l) => {
      if (gridCode && l.feature && l.feature.properties && l.feature.properties.code === gridCode) bounds = l.getBounds();
    });
    if (bounds.isValid()) map.fitBounds(bounds);
  } catch { /* offline or no boundaries: the bare map still takes a tap */ }
}

const ACTIONS = ["sign", "feedback", "verify", "return", "report", "escalate"];

/** caseView shows one case and its actions. */
export async function caseView(id) {
  const c = await call("GET", "/cases/" + encodeURIComponent(id));
  const allowed = (c.allowed_actions || []).filter((a) => ACTIONS.includes(a));
  const forms = allowed.map((a) => actionForm(c, a));
  show(el("div", { class: "case-head" }, el("h1", {}, c.number), el("p", {}, c.category_name),
    el("p", { class: "desc" }, c.description), el("p", { class: "muted" }, c.address || "", " · ", c.status)),
  el("div", { class: "photos" }, (c.attachments || []).map((aid) =>
    el("img", { "data-att": aid, alt: "" }))),
  forms);
  loadThumbs();
}

// loadThumbs fetches attachment thumbnails with the bearer token (an img
// src cannot carry it) and shows them from blob: URLs.
async function loadThumbs() {
  for (const img of document.querySelectorAll("img[data-att]")) {
    try {
      const r = await call("GET", "/attachments/" + img.dataset.att + "/thumbnail", { raw: true });
      if (r.ok) img.src = URL.createObjectURL(await r.blob());
    } catch { /* offline */ }
  }
}

function actionForm(c, action) {
  const note = el("textarea", { id: "n-" + action, rows: 2 });
  const photos = mediaInput("p-" + action, "image/*");
  const enqueue = async (extra) => {
    const body = { note: note.value.trim(), version: c.version, ...extra };
    await outbox.enqueue({ kind: "transition", label: `${c.number} · ${t("act." + action)}`,
      path: `/cases/${c.id}/${action}`, body, files: [...photos.files] });
    form.reset();
    flash(t("act.queued"));
    queued();
  };
  const buttons = action === "verify"
    ? [el("button", { type: "button", id: "verify-pass", class: "primary", onclick: () => enqueue({ pass: true }) }, t("case.pass")),
      el("button", { type: "button", id: "verify-fail", onclick: () => enqueue({ pass: false }) }, t("case.fail"))]
    : [el("button", { type: "submit", class: "primary" }, t("act." + action))];
  const form = el("form", { id: "act-" + action, class: "card" }, el("h2", {}, t("act." + action)),
    field(t("case.note"), note), field(t("case.photos"), photos), previews(photos), el("div", { class: "row" }, buttons));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); enqueue({}); });
  return form;
}
