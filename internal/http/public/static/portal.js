// The citizen portal's only script: the phone's location (geolocation,
// with its accuracy) and picking the place on a small map. Everything
// else works without it (the address field).
(function () {
  'use strict';
  var lat = document.getElementById('lat');
  var lng = document.getElementById('lng');
  var acc = document.getElementById('accuracy');
  var status = document.getElementById('loc-status');
  var btn = document.getElementById('locate');
  var box = document.getElementById('map');
  if (!lat || !lng || !status) { return; }
  var map = null, marker = null;

  function put(la, ln, accuracy, msg) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    acc.value = accuracy ? String(Math.round(accuracy)) : '';
    status.textContent = msg + ' ' + lat.value + ', ' + lng.value + (accuracy ? ' (±' + acc.value + ' m)' : '');
    if (map) {
      if (marker) { marker.setLatLng([la, ln]); } else { marker = window.L.marker([la, ln]).addTo(map); }
    }
  }

  if (btn && navigator.geolocation) {
    btn.hidden = false;
    btn.addEventListener('click', function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        put(p.coords.latitude, p.coords.longitude, p.coords.accuracy, status.dataset.located);
        if (map) { map.setView([p.coords.latitude, p.coords.longitude], 17); }
      }, function () {
        status.textContent = status.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function initMap() {
    if (!box || !window.L) { return; }
    box.hidden = false;
    var c = [parseFloat(box.dataset.lat) || 35, parseFloat(box.dataset.lng) || 105];
    var z = parseInt(box.dataset.zoom, 10) || 4;
    map = window.L.map(box, { attributionControl: !!box.dataset.attr }).setView(c, z);
    if (box.dataset.tiles) {
      window.L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attr, maxZoom: 19 }).addTo(map);
    }
    if (lat.value && lng.value) {
      marker = window.L.marker([parseFloat(lat.value), parseFloat(lng.value)]).addTo(map);
      map.setView(marker.getLatLng(), 16);
    }
    map.on('click', function (e) { put(e.latlng.lat, e.latlng.lng, 0, status.dataset.picked); });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', initMap);
  } else {
    initMap();
  }
}());
