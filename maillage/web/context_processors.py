from django.conf import settings

from maillage.web.extensions import sections


def site(request):
    simple = request.GET.get("simple") == "1"
    return {
        "simple_mode": simple,
        "map_tiles_url": settings.MAP_TILES_URL,
        "site_sections": sections(),
    }
