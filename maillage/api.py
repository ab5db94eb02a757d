"""The JSON API, /api/v1/, described by OpenAPI at /api/v1/openapi.json."""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.errors import ValidationError

from maillage.core.api_errors import validation_detail
from maillage.diagnostic.api import router as diagnostic_router
from maillage.directory.api import router as directory_router
from maillage.interop.api import router as interop_router
from maillage.observatory.api import router as observatory_router
from maillage.roadmap.api import router as roadmap_router
from maillage.territories.api import router as territories_router
from maillage.web.api_docs import api_docs

api = NinjaAPI(
    title="Maillage API",
    version="1.0.0",
    description=(
        "Read access to a territory's digital-inclusion data. The directory (places, services, "
        "areas; filters as on the public search page), the published observatory estimates and "
        "the open-data files are public; the diagnostic is for its coordinators and partners, the "
        'roadmap for anyone with a role in it (the session of a signed-in person). Errors answer {"detail": "…"}.'
    ),
    urls_namespace="api-v1",
    docs=api_docs,  # Swagger UI from the site's static files, not a CDN
)
api.add_router("/", territories_router)
api.add_router("/", directory_router)
api.add_router("/", interop_router)
api.add_router("/", observatory_router)
api.add_router("/", diagnostic_router)
api.add_router("/", roadmap_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, error):
    """A territory the user may not read (`core.lookup.territory_for`): 403 with the reason."""
    return api.create_response(request, {"detail": str(error) or "Forbidden"}, status=403)


@api.exception_handler(ValidationError)
def invalid_parameters(request, error):
    """A parameter of the wrong type or out of range: 422, in the one error format
    (`core.api_errors.ErrorOut`), like the errors of the search form."""
    return api.create_response(request, {"detail": validation_detail(error.errors)}, status=422)
