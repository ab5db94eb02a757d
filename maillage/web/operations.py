"""Pages for the people who run the server: the health check and the error page."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the application answers and its database does; 503 otherwise (for the load
    balancer or the monitoring). Says nothing else about the installation."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: standalone (no database, no menu: those may be what failed), in the
    visitor's language, with the request id the log line carries."""
    template = loader.get_template("500.html")
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponse(template.render(context), status=500)
