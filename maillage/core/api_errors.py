"""The API's one error format, `{"detail": "…"}`, and the statuses each kind of endpoint answers.

Every route declares its statuses with these (`response={200: PlaceOut, **READ_ERRORS}`), so
that the OpenAPI description lists every status the API can send, each with this schema.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Why the request was refused, in one sentence (a field's name first when one is wrong)."""

    detail: str


# A public endpoint about a territory or an object of it: 404 when there is none, 422 for a
# parameter of the wrong type or out of range.
LOOKUP_ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, 422: ErrorOut}
# An endpoint with a permission check (`core.lookup.territory_for(allowed=…)`): 403 and why.
RESTRICTED_ERRORS: dict[int, type[ErrorOut]] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def validation_detail(errors: list[dict[str, Any]]) -> str:
    """The errors of ninja's request validation in the API's format: "field: reason; …"."""
    return "; ".join(f"{error['loc'][-1]}: {error['msg']}" for error in errors)
