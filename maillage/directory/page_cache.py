"""The directory's public pages, kept rendered per directory version for anonymous visitors.

A page is kept under its full URL (path and query string, so also the language prefix and
simple mode), the active language, and the territory's `directory_version`, which every
directory write changes in its own transaction (`services.directory_changed`): an edit is
visible at the next request, in every worker. Pages that show the clock ("open now", "open
until 12:30", today's hours) are also keyed on the current minute of the territory's local
time: opening hours change at whole minutes, so such a page is exact, and lives at most
`CLOCK_TIMEOUT` seconds.

Never kept or served from the cache: requests of a signed-in person, requests with messages
waiting to be shown, methods other than GET, answers other than 200, and answers that set a
cookie, used the CSRF token or changed the session.

The cache is the `public_pages` alias of `CACHES` (settings/base.py: memory of each worker
process, no extra service; docs/operations.md explains the choice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from maillage.territories.models import Territory

CACHE_ALIAS = "public_pages"
# Bounds how long a page that does not show the clock stays after a change the directory
# version does not record (the territory's own name, its communes).
TIMEOUT = 300  # seconds
CLOCK_TIMEOUT = 60  # seconds: a page keyed on the minute is useless after it


def _cache():
    return caches[CACHE_ALIAS]


def clear() -> None:
    """Forget every kept page of this process (benchmarks; a deploy restarts the workers)."""
    _cache().clear()


def _may_use_cache(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    if request.user.is_authenticated:
        return False
    # Messages waiting for this visitor (after a redirect) are shown by the page itself.
    return not len(get_messages(request))


def _may_keep(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page holds a CSRF token
        and not request.session.modified
    )


def key_for(request: HttpRequest, *, version: str, clock: bool) -> str:
    """The cache key of `request`'s page at directory `version` (and the minute if `clock`)."""
    minute = timezone.localtime().strftime("%Y-%m-%dT%H:%M") if clock else ""
    parts = [
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        version,
        minute,
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return f"page:{digest}"


def public_page(*, clock: bool) -> Callable:
    """Serve the decorated view's anonymous GET answers from the cache (see the module).

    The view takes the territory's slug as `territory`; `clock` says whether the page shows
    anything that depends on the current time.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, territory: str, *args, **kwargs) -> HttpResponse:
            if not _may_use_cache(request):
                return view(request, territory, *args, **kwargs)
            version = (
                Territory.objects.filter(slug=territory)
                .values_list("directory_version", flat=True)
                .first()
            )
            if version is None:  # unknown territory: the view answers 404
                return view(request, territory, *args, **kwargs)
            key = key_for(request, version=version, clock=clock)
            kept = _cache().get(key)
            if kept is not None:
                content_type, content = kept
                return HttpResponse(content, content_type=content_type)
            response = view(request, territory, *args, **kwargs)
            if _may_keep(request, response):
                _cache().set(
                    key,
                    (response["Content-Type"], response.content),
                    CLOCK_TIMEOUT if clock else TIMEOUT,
                )
            return response

        return wrapped

    return decorator
