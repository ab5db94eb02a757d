"""A request id on every response and every log line written while serving it.

The id comes from the proxy's `X-Request-ID` header when it sends a sensible one, otherwise it
is made here; the response sends it back, and the error page shows it, so that a person who
reports an error gives the line to look for in the log.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_current: ContextVar[str] = ContextVar("maillage_request_id", default="-")


def current() -> str:
    """The id of the request being served in this thread or task ("-" outside a request)."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _ACCEPTED.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset at the end: Django logs 4xx responses after the middleware has returned.
        # The next request of this thread sets its own; under ASGI each request has a context.
        _current.set(request_id)
        response = self.get_response(request)
        response.headers[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
