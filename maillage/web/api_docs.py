"""/api/v1/docs: Swagger UI from the site's own static files, in the visitor's language.

django-ninja's own Swagger page loads Swagger UI from a public CDN when `ninja` is not an
installed app, and runs an inline script otherwise; this one loads the vendored copy
(static/vendor/swagger-ui, see its SOURCE) and starts it from static/js/api-docs.js, so the page
works offline and under the Content-Security-Policy (maillage/settings/headers.py)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger, _csrf_needed


class VendoredSwagger(Swagger):
    """django-ninja's documented extension point (`NinjaAPI(docs=...)`) with our template."""

    template = "web/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        # A copy per request: the shared instance's settings are never mutated.
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": swagger_settings,
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


# Swagger UI's defaults, less the online validator: it would send the OpenAPI document's address
# to validator.swagger.io and show its badge, an image from another site.
api_docs = VendoredSwagger(settings={"validatorUrl": None})
