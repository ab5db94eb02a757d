"""The directory's public pages, kept rendered per directory version for anonymous visitors.

A page is kept under its full URL (path and query string, so also the language prefix and
simple mode), the active language, and the territory's `directory_version`, which every
directory write changes in its own transaction (`services.directory_changed`): an edit is
visible at the next request, in every worker. Pages that show the clock ("open now", "open
until 12:30", today's hours) are also keyed on the local date and on the next moment when any
published place of the territory opens or closes (`clock_key`): until then, no such text
and no "open now" result can change, so a page kept under that key is exact.

Never kept or served from the cache: requests of a signed-in person, requests with messages
waiting to be shown, methods other than GET, answers other than 200, and answers that set a
cookie, used the CSRF token or changed the session.

The cache is the `public_pages` alias of `CACHES` (settings/base.py: memory of each worker
process, no extra service; docs/operations.md explains the choice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from maillage.directory import opening_hours, search_index
from maillage.territories.models import Territory

CACHE_ALIAS = "public_pages"
# Bounds how long a page stays after a change the directory version does not record (the
# territory's own name, its communes), and the memory taken by pages nobody asks for again.
TIMEOUT = 300  # seconds


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


_clock_keys: dict[int, tuple[str, str, str]] = {}  # territory pk: (version, minute, key)


def clock_key(territory: Territory, *, version: str) -> str:
    """Today's local date and the next moment any published place of `territory` opens or
    closes ("2026-11-24 until 2026-11-24T12:00"). Computed once a minute per process: opening
    hours change at whole minutes, so the answer holds for the whole minute."""
    now = timezone.localtime().replace(tzinfo=None)
    minute = now.strftime("%Y-%m-%dT%H:%M")
    kept = _clock_keys.get(territory.pk)
    if kept is not None and kept[:2] == (version, minute):
        return kept[2]
    changes: list[dt.datetime] = []
    for text in search_index.index_for(territory).unique_hours:
        if not text:
            continue
        try:
            change = opening_hours.parse(text, territory.country).next_change(now)
        except opening_hours.OpeningHoursError:
            continue  # shown as typed, whatever the time
        if change is not None:
            changes.append(change)
    until = min(changes).isoformat(timespec="minutes") if changes else "never"
    key = f"{now.date().isoformat()} until {until}"
    _clock_keys[territory.pk] = (version, minute, key)
    return key


def key_for(request: HttpRequest, *, version: str, clock: str) -> str:
    """The cache key of `request`'s page at directory `version` and `clock` (`clock_key`, or
    "" for a page that does not show the time)."""
    parts = [
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        version,
        clock,
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
            found = (
                Territory.objects.filter(slug=territory)
                .values_list("pk", "country", "directory_version")
                .first()
            )
            if found is None:  # unknown territory: the view answers 404
                return view(request, territory, *args, **kwargs)
            pk, country, version = found
            moment = clock_key(Territory(pk=pk, country=country), version=version) if clock else ""
            key = key_for(request, version=version, clock=moment)
            kept = _cache().get(key)
            if kept is not None:
                content_type, content = kept
                return HttpResponse(content, content_type=content_type)
            response = view(request, territory, *args, **kwargs)
            if _may_keep(request, response):
                _cache().set(key, (response["Content-Type"], response.content), TIMEOUT)
            return response

        return wrapped

    return decorator
