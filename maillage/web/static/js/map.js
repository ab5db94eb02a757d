// The map repeats the result list (same numbers); the list is the primary, accessible view.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var data = document.getElementById("map-points");
  if (!el || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  if (!points.length) { return; }
  var map = L.map(el, { scrollWheelZoom: false });
  L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var icon = L.divIcon({ className: "", html: '<div class="map-label">' + p.rank + "</div>", iconSize: [26, 26] });
    var marker = L.marker([p.lat, p.lon], { icon: icon, title: p.rank + ". " + p.name, alt: p.rank + ". " + p.name, keyboard: false }).addTo(map);
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.rank + ". " + p.name;
    marker.bindPopup(link);
    bounds.push([p.lat, p.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
})();
