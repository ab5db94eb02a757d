// Optional: follow a running diagnostic without reloading by hand. Without JavaScript, the
// page's "Refresh" link does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-run-status-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-run-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (!run) { return; }
        if (bar) { bar.value = run.progress; }
        if (text) { text.textContent = run.progress + " %"; }
        if (run.status === "done" || run.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { /* keep the refresh link */ });
  }
  window.setTimeout(poll, 2000);
})();
