// "Use my location": only shown when the browser can geolocate. The search works without it.
(function () {
  "use strict";
  var box = document.querySelector("[data-near-me]");
  if (!box || !("geolocation" in navigator)) { return; }
  var form = box.closest("form");
  var status = box.querySelector("[data-near-me-status]");
  box.hidden = false;
  box.querySelector("[data-near-me-button]").addEventListener("click", function () {
    status.textContent = box.dataset.wait || "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[data-lat]").value = pos.coords.latitude.toFixed(5);
      form.querySelector("[data-lon]").value = pos.coords.longitude.toFixed(5);
      form.querySelector("#id_where").value = "";
      form.submit();
    }, function () {
      status.textContent = box.dataset.denied || "";
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  });
})();
