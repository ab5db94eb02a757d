"""The territory a page or an API call is about, and whether the user may open it: one
lookup for every view and every API route.

The territory model is named by its label, not imported, so that `territories` (whose pages
use this lookup) stays above the core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404


def territory_for(
    request: HttpRequest,
    slug: str,
    *,
    allowed: Callable[[Any, Any], bool] | None = None,
    refusal: str = "",
) -> Any:  # a territories.models.Territory, not imported (see above)
    """The territory of `slug` (Http404 when there is none), checked with
    `allowed(request.user, territory)` when given: PermissionDenied (403) when it is false;
    `refusal` says why, in the API's answer. Views that need a signed-in user keep
    `@login_required`, which sends anonymous visitors to the sign-in page first."""
    territory = get_object_or_404(apps.get_model("territories", "Territory"), slug=slug)
    if allowed is not None and not allowed(request.user, territory):
        raise PermissionDenied(refusal)
    return territory
