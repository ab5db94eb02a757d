from django.conf import settings


def site(request):
    return {
        "simple_mode": request.GET.get("simple") == "1",
        "map_tiles_url": settings.MAP_TILES_URL,
    }
