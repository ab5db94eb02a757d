from django.conf import settings
from django.utils import translation


class ApiLanguageMiddleware:
    """The API is outside the language-prefixed URLs: it follows Accept-Language (or ?lang=)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        wanted = request.GET.get("lang")
        supported = {code for code, _name in settings.LANGUAGES}
        language = (
            wanted
            if wanted in supported
            else translation.get_language_from_request(request, check_path=False)
        )
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header built from `settings.PERMISSIONS_POLICY`.

    Each feature maps to its allowlist: `["self"]` gives `geolocation=(self)`, `[]` gives
    `camera=()` (denied everywhere, embedded frames included)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
