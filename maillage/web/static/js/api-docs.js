// Starts Swagger UI on /api/v1/docs (maillage/web/api_docs.py): a static file, not an inline
// script, so that the Content-Security-Policy can refuse every inline script.
(function () {
  "use strict";
  var data = document.getElementById("swagger-settings");
  if (!data || typeof SwaggerUIBundle === "undefined") { return; }
  var config = JSON.parse(data.textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  var csrfToken = document.body.dataset.csrfToken;
  if (csrfToken) {
    config.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  SwaggerUIBundle(config);
})();
