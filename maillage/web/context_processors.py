from django.conf import settings

from maillage.territories.models import Territory
from maillage.web.extensions import sections


def _territory(request) -> Territory | None:
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("territory") if match else None
    if not slug:
        return None
    if not hasattr(request, "_maillage_territory"):
        request._maillage_territory = Territory.objects.filter(slug=slug).first()
    return request._maillage_territory


def _visible_sections(request) -> list:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    territory = _territory(request)
    visible = []
    for section in sections():
        if section.signed_in_only and not signed_in:
            continue
        if section.visible_to is not None and (
            territory is None or not section.visible_to(user, territory)
        ):
            continue
        visible.append(section)
    return visible


def site(request):
    return {
        "simple_mode": request.GET.get("simple") == "1",
        "map_tiles_url": settings.MAP_TILES_URL,
        "site_sections": _visible_sections(request),
    }
