// dom.js: builds elements without innerHTML, so server and user text is
// always text (never markup) under the strict CSP.

/** el makes an element: el("a", {href: "#"}, "text", child, …). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** show replaces the content of the main view. */
export function show(...nodes) {
  const v = document.getElementById("view");
  v.replaceChildren(...nodes.flat());
  window.scrollTo(0, 0);
}

/** field wraps a control with its label. */
export function field(label, control) {
  return el("label", { class: "field" }, el("span", {}, label), control);
}

/** flash shows a short message at the top of the view. */
export function flash(text, kind = "ok") {
  const v = document.getElementById("view");
  const f = el("p", { class: "flash flash-" + kind, role: "status" }, text);
  v.prepend(f);
}
