// map.js draws the console map (/map): grids, unit outlines, cases (with a
// heat layer), houses, organisations, components and key-group points, a
// "what is here" popup on click and, for grid writers, a boundary editor.
// Under the console's CSP there is no inline script: the configuration
// comes from #map's data-config and every layer from /map/data/*.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") {
    return;
  }
  var cfg = JSON.parse(el.getAttribute("data-config"));
  var csrf = el.getAttribute("data-csrf");
  var statusEl = document.getElementById("map-status");
  var T = function (k) { return (cfg.text && cfg.text[k]) || k; };
  var has = function (l) { return cfg.layers.indexOf(l) >= 0; };

  // A maxZoom on the map itself: markercluster needs one, and without
  // tiles no tile layer gives it.
  var map = L.map(el, { center: [35, 105], zoom: 4, minZoom: 3, maxZoom: 19 });
  if (cfg.tile_url) {
    L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || "", maxZoom: 19 }).addTo(map);
  }

  // --- small helpers -------------------------------------------------
  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function link(href, text) {
    var a = node("a", "", text);
    a.href = href;
    return a;
  }
  function say(msg, kind) {
    if (!statusEl) { return; }
    statusEl.textContent = "";
    if (msg) { statusEl.appendChild(node("span", kind || "muted", msg)); }
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var e = new Error((body.error && body.error.message) || r.statusText);
          e.body = body;
          throw e;
        }
        return body;
      });
    });
  }
  function bbox() {
    var b = map.getBounds();
    var c = function (v, lim) { return Math.max(-lim, Math.min(lim, v)).toFixed(6); };
    return [c(b.getWest(), 180), c(b.getSouth(), 90), c(b.getEast(), 180), c(b.getNorth(), 90)].join(",");
  }

  // --- grids ---------------------------------------------------------
  var gridColours = { 1: "#0b4a8b", 2: "#1e7b34", 3: "#c8102e" };
  var editing = false;
  var drawing = false; // Geoman is drawing a new polygon: grid clicks are vertices
  var gridLayer = L.geoJSON(null, {
    style: function (f) {
      var lv = f.properties.level;
      var c = gridColours[lv] || "#555";
      return { color: c, weight: lv === 3 ? 1.5 : 2.5, fillColor: c, fillOpacity: 0.06, className: "grid-shape grid-l" + lv };
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "grid-label grid-label-l" + f.properties.level });
      layer.on("click", function (e) {
        if (editing && !drawing && cfg.can_edit) {
          L.DomEvent.stopPropagation(e);
          pickForEdit(layer);
        }
      });
    }
  });
  function showLabels() {
    var z = map.getZoom();
    el.classList.toggle("hide-l1", z < 9);
    el.classList.toggle("hide-l2", z < 12);
    el.classList.toggle("hide-l3", z < 14);
  }
  map.on("zoomend", showLabels);
  function loadGrids(fit) {
    return getJSON("/map/data/grids").then(function (fc) {
      gridLayer.clearLayers();
      gridLayer.addData(fc);
      if (fc.truncated) { say(T("map.truncated")); }
      if (fit && fc.features.length) { map.fitBounds(gridLayer.getBounds(), { padding: [20, 20] }); }
      showLabels();
    }).catch(function () { say(T("map.error"), "bad"); });
  }

  // --- unit outlines -------------------------------------------------
  // Org writers may pick an outline in edit mode (saved to /map/units/…).
  var unitLevel = "district";
  var unitLayer = L.geoJSON(null, {
    style: { color: "#333", weight: 2, dashArray: "6 4", fill: false, className: "unit-shape" },
    onEachFeature: function (f, layer) {
      layer.target = "units";
      layer.bindTooltip(f.properties.name, { sticky: true });
      layer.on("click", function (e) {
        if (editing && !drawing && cfg.can_edit_units) {
          L.DomEvent.stopPropagation(e);
          pickForEdit(layer);
        }
      });
    }
  });
  function loadUnits() {
    return getJSON("/map/data/units?level=" + encodeURIComponent(unitLevel)).then(function (fc) {
      unitLayer.clearLayers();
      unitLayer.addData(fc);
    }).catch(function () {});
  }

  // --- point layers --------------------------------------------------
  var caseColours = { green: "#1e7b34", yellow: "#e0a100", red: "#c8102e" };
  var closed = { closed: true, rejected: true, merged: true };
  function cluster() { return L.markerClusterGroup({ showCoverageOnHover: false, disableClusteringAtZoom: 17 }); }
  function dot(p, colour, cls) {
    return L.circleMarker([p.lat, p.lng], { radius: 7, weight: 1, color: "#fff", fillColor: colour, fillOpacity: 0.9, className: cls });
  }
  function casePopup(p) {
    var d = node("div", "map-popup");
    var h = node("h3");
    h.appendChild(link("/cases/" + p.id, p.number));
    d.appendChild(h);
    d.appendChild(node("div", "", p.category_name));
    var st = node("div");
    st.appendChild(node("span", "tag", T("case.status." + p.status)));
    st.appendChild(document.createTextNode(" "));
    st.appendChild(node("span", "tag " + p.overdue, T("case.overdue." + p.overdue)));
    d.appendChild(st);
    return d;
  }
  function placePopup(kind) {
    return function (p) {
      var d = node("div", "map-popup");
      var h = node("h3");
      h.appendChild(link("/registry/" + kind + "/" + p.id, p.label || ("#" + p.id)));
      d.appendChild(h);
      if (p.kind) { d.appendChild(node("div", "muted", p.kind + (p.status ? " · " + p.status : ""))); }
      return d;
    };
  }
  function keyPopup(p) {
    var d = node("div", "map-popup");
    var h = node("h3");
    h.appendChild(link("/registry/people/" + p.person_id, T("map.layer.keygroup") + " #" + p.person_id));
    d.appendChild(h);
    var dl = node("dl");
    dl.appendChild(node("dt", "", T("map.keygroup.kinds")));
    dl.appendChild(node("dd", "", (p.kinds || []).join("、")));
    dl.appendChild(node("dt", "", T("map.keygroup.risk")));
    dl.appendChild(node("dd", "", p.risk_level || "—"));
    d.appendChild(dl);
    return d;
  }
  var riskColours = { high: "#c8102e", medium: "#e06c00", low: "#e0a100" };

  function caseQuery() {
    var q = "bbox=" + bbox();
    var f = document.getElementById("map-filters");
    if (f) {
      var cat = f.querySelector("#mf-category").value;
      var from = f.querySelector("#mf-from").value;
      var to = f.querySelector("#mf-to").value;
      if (cat) { q += "&category=" + encodeURIComponent(cat); }
      if (from) { q += "&from=" + encodeURIComponent(from); }
      if (to) { q += "&to=" + encodeURIComponent(to); }
      if (f.querySelector("#mf-overdue").checked) { q += "&overdue=1"; }
    }
    return q;
  }

  // Each point layer: its Leaflet layer and how it fills it.
  var heat = L.heatLayer ? L.heatLayer([], { radius: 22, blur: 16, maxZoom: 17 }) : L.layerGroup();
  var layers = {
    cases: { layer: cluster(), url: function () { return "/map/data/cases?" + caseQuery(); },
      fill: function (l, pts) {
        pts.forEach(function (p) {
          var c = closed[p.status] ? "#8a939c" : (caseColours[p.overdue] || caseColours.green);
          l.addLayer(dot(p, c, "case-marker case-" + p.overdue).bindPopup(casePopup(p)));
        });
      } },
    heat: { layer: heat, url: function () { return "/map/data/cases?" + caseQuery(); },
      fill: function (l, pts) {
        if (l.setLatLngs) { l.setLatLngs(pts.map(function (p) { return [p.lat, p.lng, 1]; })); }
      } },
    houses: { layer: cluster(), url: function () { return "/map/data/houses?bbox=" + bbox(); },
      fill: function (l, pts) { pts.forEach(function (p) { l.addLayer(dot(p, "#6b4fbb", "house-marker").bindPopup(placePopup("houses")(p))); }); } },
    organisations: { layer: cluster(), url: function () { return "/map/data/organisations?bbox=" + bbox(); },
      fill: function (l, pts) { pts.forEach(function (p) { l.addLayer(dot(p, "#0b7a75", "org-marker").bindPopup(placePopup("organisations")(p))); }); } },
    components: { layer: cluster(), url: function () { return "/map/data/components?bbox=" + bbox(); },
      fill: function (l, pts) { pts.forEach(function (p) { l.addLayer(dot(p, "#8a5a00", "component-marker").bindPopup(placePopup("components")(p))); }); } },
    keygroup: { layer: cluster(), url: function () { return "/map/data/keygroup?bbox=" + bbox(); },
      fill: function (l, pts) { pts.forEach(function (p) { l.addLayer(dot(p, riskColours[p.risk_level] || "#66707a", "keygroup-marker").bindPopup(keyPopup(p))); }); } }
  };
  var seq = {};
  function load(name) {
    var def = layers[name];
    var n = (seq[name] || 0) + 1;
    seq[name] = n;
    return getJSON(def.url()).then(function (ans) {
      if (seq[name] !== n) { return; }
      if (def.layer.clearLayers) { def.layer.clearLayers(); }
      def.fill(def.layer, ans.points || []);
      if (ans.truncated) { say(T("map.truncated")); }
    }).catch(function (e) {
      say(T("map.error") + (e && e.message ? ": " + e.message : ""), "bad");
    });
  }
  function activeLayers() {
    return Object.keys(layers).filter(function (k) { return has(k) && map.hasLayer(layers[k].layer); });
  }
  var timer = null;
  map.on("moveend", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { activeLayers().forEach(load); }, 250);
  });

  // --- layer control -------------------------------------------------
  var overlays = {};
  if (has("grids")) { overlays[T("map.layer.grids")] = gridLayer; gridLayer.addTo(map); }
  if (has("units")) { overlays[T("map.layer.units")] = unitLayer; unitLayer.addTo(map); }
  Object.keys(layers).forEach(function (k) {
    if (has(k)) { overlays[T("map.layer." + k)] = layers[k].layer; }
  });
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
  map.on("overlayadd", function (e) {
    Object.keys(layers).forEach(function (k) {
      if (layers[k].layer === e.layer) { load(k); }
    });
  });

  // --- what is here --------------------------------------------------
  function herePopup(a) {
    var d = node("div", "map-popup here-popup");
    if (!a.found) {
      d.appendChild(node("p", "muted", T("map.here.nothing")));
      return d;
    }
    var h = node("h3", "here-grid", a.grid_name);
    d.appendChild(h);
    var dl = node("dl");
    dl.appendChild(node("dt", "", T("map.here.grid")));
    dl.appendChild(node("dd", "code", a.grid_code + " · " + a.grid_level + T("map.level")));
    dl.appendChild(node("dt", "", T("map.here.community")));
    dl.appendChild(node("dd", "here-unit", a.unit_name));
    if (a.can_see_staff) {
      dl.appendChild(node("dt", "", T("map.here.staff")));
      var dd = node("dd", "here-staff");
      if (!a.staff.length) { dd.textContent = T("map.here.none"); }
      a.staff.forEach(function (s, i) {
        if (i) { dd.appendChild(document.createTextNode("、")); }
        dd.appendChild(node(s.leader ? "strong" : "span", "", s.name + (s.team ? "（" + s.team + "）" : "")));
      });
      dl.appendChild(dd);
    }
    d.appendChild(dl);
    if (a.can_see_cases) {
      d.appendChild(node("div", "muted", T("map.here.cases")));
      if (!a.cases.length) {
        d.appendChild(node("div", "", T("map.here.no_cases")));
      } else {
        var ul = node("ul", "here-cases");
        a.cases.forEach(function (c) {
          var li = node("li");
          li.appendChild(link("/cases/" + c.id, c.number));
          li.appendChild(document.createTextNode(" " + c.category + " "));
          li.appendChild(node("span", "tag " + c.overdue, T("case.status." + c.status)));
          ul.appendChild(li);
        });
        d.appendChild(ul);
      }
    }
    return d;
  }
  map.on("click", function (e) {
    if (editing) { return; }
    var q = "lat=" + e.latlng.lat.toFixed(7) + "&lng=" + e.latlng.lng.toFixed(7);
    getJSON("/map/data/here?" + q).then(function (a) {
      L.popup({ maxWidth: 320 }).setLatLng(e.latlng).setContent(herePopup(a)).openOn(map);
    }).catch(function () { say(T("map.error"), "bad"); });
  });

  // --- boundary editing (grid.write, Geoman) --------------------------
  var editBtn = document.getElementById("map-edit");
  var bar = document.getElementById("map-edit-bar");
  var saveBtn = document.getElementById("map-edit-save");
  var cancelBtn = document.getElementById("map-edit-cancel");
  var current = null;
  var drawn = null; // a polygon drawn for a grid that had no boundary
  function stopEdit(reload) {
    drawing = false;
    if (map.pm && map.pm.globalDrawModeEnabled && map.pm.globalDrawModeEnabled()) { map.pm.disableDraw(); }
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    if (current && current.pm) { current.pm.disable(); }
    current = null;
    editing = false;
    el.classList.remove("map-editing");
    if (bar) { bar.hidden = true; }
    if (saveBtn) { saveBtn.disabled = true; }
    if (reload) {
      loadGrids(false);
      if (has("units")) { loadUnits(); }
    }
  }
  function pickForEdit(layer) {
    if (current === layer) { return; }
    if (current && current.pm) { current.pm.disable(); }
    current = layer;
    if (layer.pm) { layer.pm.enable({ allowSelfIntersection: false }); }
    saveBtn.disabled = false;
    say(layer.feature.properties.name + " (" + layer.feature.properties.code + ")");
  }
  if ((cfg.can_edit || cfg.can_edit_units) && editBtn && bar && map.pm) {
    var pickHint = cfg.can_edit ? T("map.edit.pick") : T("map.edit.pick_unit");
    var hintEl = document.getElementById("map-edit-hint");
    if (hintEl) { hintEl.textContent = pickHint; }
    editBtn.addEventListener("click", function () {
      editing = true;
      bar.hidden = false;
      map.closePopup();
      // Popups stay out of the way while editing (clicks are vertices).
      el.classList.add("map-editing");
      if (cfg.can_edit_units && !map.hasLayer(unitLayer)) { unitLayer.addTo(map); }
      say(pickHint);
    });
    var levelSel = document.getElementById("map-unit-level");
    if (levelSel && cfg.can_edit_units) {
      levelSel.addEventListener("change", function () {
        if (current && current.pm) { current.pm.disable(); }
        current = null;
        saveBtn.disabled = true;
        unitLevel = levelSel.value;
        loadUnits();
      });
    }
    cancelBtn.addEventListener("click", function () { stopEdit(true); say(""); });
    var drawBtn = document.getElementById("map-draw");
    var drawCode = document.getElementById("map-draw-code");
    if (drawBtn && drawCode) {
      drawBtn.addEventListener("click", function () {
        var code = drawCode.value.trim();
        if (!code) { drawCode.focus(); return; }
        if (current && current.pm) { current.pm.disable(); }
        if (drawn) { map.removeLayer(drawn); drawn = null; }
        current = null;
        saveBtn.disabled = true;
        drawing = true;
        map.pm.enableDraw("Polygon", { allowSelfIntersection: false, finishOn: null });
        map.once("pm:create", function (e) {
          drawing = false;
          drawn = e.layer;
          drawn.feature = { type: "Feature", properties: { code: code, name: code } };
          current = drawn;
          saveBtn.disabled = false;
          say(code);
        });
      });
    }
    saveBtn.addEventListener("click", function () {
      if (!current) { return; }
      var code = current.feature.properties.code;
      var geometry = current.toGeoJSON().geometry;
      var base = current.target === "units" ? "/map/units/" : "/map/grids/";
      saveBtn.disabled = true;
      fetch(base + encodeURIComponent(code) + "/boundary", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ boundary: geometry })
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) {
            var e = body.error || {};
            var msg = (e.fields && (e.fields.boundary || e.fields.code)) || e.message || r.statusText;
            say(T("map.error") + ": " + msg, "bad");
            saveBtn.disabled = false;
            return;
          }
          stopEdit(true);
          say(T("map.edit.saved") + ": " + body.name, "ok");
        });
      }).catch(function () { saveBtn.disabled = false; say(T("map.error"), "bad"); });
    });
  } else if (editBtn) {
    editBtn.hidden = true;
  }

  // --- filters ---------------------------------------------------------
  var filters = document.getElementById("map-filters");
  if (filters) {
    filters.addEventListener("submit", function (e) {
      e.preventDefault();
      ["cases", "heat"].forEach(function (k) { if (map.hasLayer(layers[k].layer)) { load(k); } });
    });
  }

  if (has("units")) {
    loadUnits();
  }
  if (has("grids")) {
    loadGrids(true);
  }
  el.setAttribute("data-ready", "1");
})();
