// coverage.js draws the coverage page's map (/map/coverage/{code}): the
// community's outline, its third-level grids and the problems (gaps,
// overlaps, parts outside) in red, from the JSON at data-config's url.
// Under the console's CSP there is no inline script.
(function () {
  "use strict";
  var el = document.getElementById("coverage-map");
  if (!el || typeof L === "undefined") {
    return;
  }
  var cfg = JSON.parse(el.getAttribute("data-config"));
  var statusEl = document.getElementById("coverage-status");
  var T = function (k) { return (cfg.text && cfg.text[k]) || k; };
  var map = L.map(el, { center: [35, 105], zoom: 4, minZoom: 3, maxZoom: 20 });
  if (cfg.tile_url) {
    L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || "", maxZoom: 19 }).addTo(map);
  }
  function say(msg, kind) {
    if (!statusEl) { return; }
    statusEl.textContent = "";
    if (msg) {
      var s = document.createElement("span");
      s.className = kind || "muted";
      s.textContent = msg;
      statusEl.appendChild(s);
    }
  }
  var unit = L.geoJSON(null, {
    style: { color: "#333", weight: 2.5, dashArray: "6 4", fill: false, className: "coverage-unit" },
    onEachFeature: function (f, l) { l.bindTooltip(T("map.coverage.community") + ": " + f.properties.name, { sticky: true }); }
  });
  var grids = L.geoJSON(null, {
    style: { color: "#0b4a8b", weight: 1.5, fillColor: "#0b4a8b", fillOpacity: 0.06, className: "coverage-grid" },
    onEachFeature: function (f, l) { l.bindTooltip(f.properties.name + " (" + f.properties.code + ")", { sticky: true }); }
  });
  var problems = L.geoJSON(null, {
    style: { color: "#c8102e", weight: 2, fillColor: "#c8102e", fillOpacity: 0.45, className: "coverage-problem" },
    onEachFeature: function (f, l) {
      var p = f.properties;
      var txt = T("map.coverage.kind." + p.kind) + " · " + Math.round(p.area_m2) + " m²";
      if (p.grids && p.grids.length) { txt += " · " + p.grids.join("、"); }
      l.bindTooltip(txt, { sticky: true });
    }
  });
  fetch(cfg.url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
    if (!r.ok) { throw new Error(r.statusText); }
    return r.json();
  }).then(function (d) {
    unit.addData(d.unit);
    grids.addData(d.grids);
    problems.addData(d.problems);
    grids.addTo(map);
    unit.addTo(map);
    problems.addTo(map);
    var b = unit.getBounds();
    if (!b.isValid()) { b = grids.getBounds(); }
    if (b.isValid()) {
      if (problems.getBounds().isValid()) { b.extend(problems.getBounds()); }
      map.fitBounds(b, { padding: [20, 20] });
    }
    el.setAttribute("data-ready", "1");
  }).catch(function (e) {
    say(T("map.error") + (e && e.message ? ": " + e.message : ""), "bad");
  });
})();
