"""The page shown instead of signing in while an account is locked out (django-axes)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_page(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """HTTP 429 with what happened, when to try again and whom to ask (`AXES_LOCKOUT_CALLABLE`).

    The same page whether or not the user name belongs to an account: it says nothing about
    accounts, only about the attempts made with that name."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "web/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
