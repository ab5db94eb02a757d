"""Writes of the diagnostic: indicators and their values, candidate sites, the distance or
travel-time matrix, runs (their queue is in `jobs`).

`by` is required: a user, allowed by `permissions`, or a `SystemActor` (demo loader, worker).
Imports are atomic: every row is checked first, and one bad row means nothing is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.core import uploads
from maillage.core.actors import Actor, require, user_of
from maillage.core.uploads import RowReport
from maillage.diagnostic import computation, jobs, permissions, selectors
from maillage.diagnostic.models import (
    CandidateSite,
    DiagnosticRun,
    FragilityIndicator,
    IndicatorValue,
    TravelMatrix,
    TravelRoute,
)
from maillage.directory.models import Place
from maillage.directory.selectors import place_open_data_id
from maillage.territories.models import Area, Territory

#: Runs up to this size (demand points × published places: areas, or population squares) are
#: computed at once in the request; larger ones wait for the `run_diagnostic_jobs` worker.
INLINE_MAX_SIZE = 200_000


class ImportRejected(Exception):
    """The file was not imported; `errors` say where and why (nothing was written)."""

    def __init__(self, errors: list[RowReport]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _check_manager(by: Actor, territory: Territory) -> None:
    require(by, lambda user: permissions.can_manage_diagnostic(user, territory))


def _lines(
    data: bytes, check_header: Callable[[list[str]], object] | None = None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (names lower-case) and the non-blank rows (row number in the file, the
    header being row 1; values in the header's order) of a CSV or XLSX file read by
    `core.uploads`; `check_header(header)` runs before any row is read. A file that cannot
    be read is rejected with its report."""
    try:
        table = uploads.read_table(
            data,
            check_columns=(lambda columns: check_header([c.lower() for c in columns]))
            if check_header
            else None,
        )
    except uploads.UnreadableFile as error:
        raise ImportRejected([error.report]) from None
    header = [name.lower() for name in table.columns]
    return header, [(number, [row.get(c, "") for c in table.columns]) for number, row in table.rows]


def _read_csv(
    data: bytes, required: tuple[str, ...], one_of: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file with their row numbers; header checked first: it has
    every `required` column and, when `one_of` is given, exactly one of those."""

    def check_header(header: list[str]) -> None:
        lacking = [name for name in required if name not in header]
        errors = [
            RowReport(
                1,
                name,
                _("The column “%(column)s” is missing from the first line.") % {"column": name},
            )
            for name in lacking
        ]
        if one_of and sum(name in header for name in one_of) != 1:
            errors.append(
                RowReport(
                    1,
                    "/".join(one_of),
                    _("The first line needs exactly one of these columns: %(columns)s.")
                    % {"columns": ", ".join(f"“{name}”" for name in one_of)},
                )
            )
        if errors:
            raise ImportRejected(errors)

    header, lines = _lines(data, check_header)
    rows = [(line, dict(zip(header, cells, strict=False))) for line, cells in lines]
    if not rows:
        raise ImportRejected([RowReport(2, "", _("The file has no data line."))])
    return rows


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@transaction.atomic
def indicator_create(
    *, territory: Territory, by: Actor, data: Mapping[str, Any], is_example: bool = False
) -> FragilityIndicator:
    """A new indicator of the territory (its values come by `indicator_values_set/import`)."""
    _check_manager(by, territory)
    indicator = FragilityIndicator(territory=territory, is_example=is_example, **data)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: FragilityIndicator, by: Actor) -> None:
    _check_manager(by, indicator.territory)
    indicator.delete()


@transaction.atomic
def indicator_values_set(
    *, indicator: FragilityIndicator, by: Actor, values: Mapping[Area, float | None]
) -> int:
    """Replace the indicator's values for the given areas (None: missing). Returns the count
    of values stored."""
    _check_manager(by, indicator.territory)
    stored = 0
    for area, value in values.items():
        if area.territory_id != indicator.territory_id:
            raise ValidationError(f"area {area.code} is not in {indicator.territory}")
        if value is None:
            IndicatorValue.objects.filter(indicator=indicator, area=area).delete()
            continue
        row = IndicatorValue(indicator=indicator, area=area, value=float(value))
        row.full_clean(exclude=["indicator", "area"], validate_unique=False)
        IndicatorValue.objects.update_or_create(
            indicator=indicator, area=area, defaults={"value": float(value)}
        )
        stored += 1
    return stored


@transaction.atomic
def indicator_values_import(*, territory: Territory, by: Actor, data: bytes) -> int:
    """Import values from a CSV with columns `indicator`, `code` (official code of the area)
    and `value` (empty: missing). All or nothing; returns the number of lines read."""
    _check_manager(by, territory)
    rows = _read_csv(data, ("indicator", "code", "value"))
    indicators = {i.key: i for i in FragilityIndicator.objects.filter(territory=territory)}
    areas = {a.code: a for a in Area.objects.filter(territory=territory)}
    errors: list[RowReport] = []
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[FragilityIndicator, Area, float | None]] = []
    for line, row in rows:
        indicator = indicators.get(row.get("indicator", ""))
        area = areas.get(row.get("code", "").upper())
        value = None
        if indicator is None:
            errors.append(
                RowReport(
                    line,
                    "indicator",
                    _("Unknown indicator “%(key)s”: create it first, or check its identifier.")
                    % {"key": row.get("indicator", "")},
                )
            )
        if area is None:
            errors.append(
                RowReport(
                    line,
                    "code",
                    _("No area of the territory has the code “%(code)s”.")
                    % {"code": row.get("code", "")},
                )
            )
        if row.get("value", ""):
            value = _number(row["value"])
            if value is None:
                errors.append(
                    RowReport(
                        line,
                        "value",
                        _("“%(value)s” is not a number (write 12.5 or 12,5).")
                        % {"value": row["value"]},
                    )
                )
        if indicator is not None and area is not None:
            key = (indicator.key, area.code)
            if key in seen:
                errors.append(
                    RowReport(
                        line,
                        "code",
                        _("This indicator and area are already on line %(line)s.")
                        % {"line": seen[key]},
                    )
                )
            seen[key] = line
            planned.append((indicator, area, value))
    if errors:
        raise ImportRejected(errors)
    for indicator, area, value in planned:
        if value is None:
            IndicatorValue.objects.filter(indicator=indicator, area=area).delete()
        else:
            IndicatorValue.objects.update_or_create(
                indicator=indicator, area=area, defaults={"value": value}
            )
    return len(rows)


KIND_ALIASES = {
    "commune_centre": CandidateSite.Kind.COMMUNE_CENTRE,
    "commune centre": CandidateSite.Kind.COMMUNE_CENTRE,
    "centre-bourg": CandidateSite.Kind.COMMUNE_CENTRE,
    "market": CandidateSite.Kind.MARKET,
    "marché": CandidateSite.Kind.MARKET,
    "social_housing": CandidateSite.Kind.SOCIAL_HOUSING,
    "social housing": CandidateSite.Kind.SOCIAL_HOUSING,
    "logement social": CandidateSite.Kind.SOCIAL_HOUSING,
    "wifi_point": CandidateSite.Kind.WIFI_POINT,
    "wifi point": CandidateSite.Kind.WIFI_POINT,
    "point wifi": CandidateSite.Kind.WIFI_POINT,
    "other": CandidateSite.Kind.OTHER,
    "autre": CandidateSite.Kind.OTHER,
}


@transaction.atomic
def candidate_sites_import(*, territory: Territory, by: Actor, data: bytes) -> int:
    """Replace the territory's candidate sites by those of a CSV with columns `name`,
    `latitude`, `longitude` and `kind`. All or nothing; returns the number of sites."""
    _check_manager(by, territory)
    rows = _read_csv(data, ("name", "latitude", "longitude", "kind"))
    errors: list[RowReport] = []
    sites: list[CandidateSite] = []
    for line, row in rows:
        name = row.get("name", "")
        lat, lon = _number(row.get("latitude", "")), _number(row.get("longitude", ""))
        kind = KIND_ALIASES.get(row.get("kind", "").lower())
        if not name:
            errors.append(RowReport(line, "name", _("The name is empty.")))
        if lat is None or not -90 <= lat <= 90:
            errors.append(
                RowReport(
                    line,
                    "latitude",
                    _("“%(value)s” is not a latitude (decimal degrees, for example 44.8378).")
                    % {"value": row.get("latitude", "")},
                )
            )
        if lon is None or not -180 <= lon <= 180:
            errors.append(
                RowReport(
                    line,
                    "longitude",
                    _("“%(value)s” is not a longitude (decimal degrees, for example -0.5792).")
                    % {"value": row.get("longitude", "")},
                )
            )
        if kind is None:
            errors.append(
                RowReport(
                    line,
                    "kind",
                    _(
                        "Unknown kind “%(value)s”: use commune_centre, market, social_housing, "
                        "wifi_point or other."
                    )
                    % {"value": row.get("kind", "")},
                )
            )
        if lat is not None and lon is not None and kind is not None and name:
            site = CandidateSite(
                territory=territory, name=name[:200], latitude=lat, longitude=lon, kind=kind
            )
            try:
                site.full_clean()
            except ValidationError as error:
                for field_name, messages in error.message_dict.items():
                    errors.extend(RowReport(line, field_name, m) for m in messages)
                continue
            sites.append(site)
    if errors:
        raise ImportRejected(errors)
    CandidateSite.objects.filter(territory=territory).delete()
    CandidateSite.objects.bulk_create(sites)
    return len(sites)


@transaction.atomic
def candidate_sites_clear(*, territory: Territory, by: Actor) -> None:
    _check_manager(by, territory)
    CandidateSite.objects.filter(territory=territory).delete()


def _place_ids(territory: Territory) -> dict[str, int]:
    """Place ids of the territory as a matrix file may write them: the `id` of the directory's
    open-data exports (`maillage-<territory>-<number>`), or the number alone (the API's `id`,
    the end of the place's address)."""
    ids = {}
    for pk in Place.objects.filter(territory=territory).values_list("pk", flat=True):
        ids[place_open_data_id(territory.slug, pk)] = pk
        ids[str(pk)] = pk
    return ids


@transaction.atomic
def travel_matrix_import(*, territory: Territory, by: Actor, data: bytes, source: str = "") -> int:
    """Replace the territory's distance or travel-time matrix by a CSV with columns
    `area_code` (official code of the area), `place_id` (see `_place_ids`) and either `km`
    (distance) or `minutes` (travel time); an empty value means no route. Pairs absent from
    the file have no route. All or nothing; returns the number of routes stored."""
    _check_manager(by, territory)
    rows = _read_csv(data, ("area_code", "place_id"), one_of=tuple(TravelMatrix.Unit.values))
    unit = next(name for name in TravelMatrix.Unit.values if name in rows[0][1])
    areas = {a.code: a.pk for a in Area.objects.filter(territory=territory)}
    places = _place_ids(territory)
    errors: list[RowReport] = []
    seen: dict[tuple[int, int], int] = {}
    planned: list[TravelRoute] = []
    for line, row in rows:
        area = areas.get(row.get("area_code", "").upper())
        place = places.get(row.get("place_id", "").lower())
        text = row.get(unit, "")
        value = None
        if area is None:
            errors.append(
                RowReport(
                    line,
                    "area_code",
                    _("No area of the territory has the code “%(code)s”.")
                    % {"code": row.get("area_code", "")},
                )
            )
        if place is None:
            errors.append(
                RowReport(
                    line,
                    "place_id",
                    _(
                        "No place of the territory has the identifier “%(id)s”: use the “id” "
                        "column of the directory's open-data export, for example %(example)s."
                    )
                    % {
                        "id": row.get("place_id", ""),
                        "example": place_open_data_id(territory.slug, 12),
                    },
                )
            )
        if text:
            value = _number(text)
            if value is None:
                errors.append(
                    RowReport(
                        line,
                        unit,
                        _("“%(value)s” is not a number (write 12.5 or 12,5).") % {"value": text},
                    )
                )
            elif value < 0:
                errors.append(
                    RowReport(
                        line,
                        unit,
                        _("“%(value)s” is negative: a distance or a time is 0 or more.")
                        % {"value": text},
                    )
                )
                value = None
        if area is not None and place is not None:
            if (area, place) in seen:
                errors.append(
                    RowReport(
                        line,
                        "place_id",
                        _("This area and place are already on line %(line)s.")
                        % {"line": seen[(area, place)]},
                    )
                )
            seen[(area, place)] = line
            if value is not None:
                planned.append(TravelRoute(area_id=area, place_id=place, value=value))
    if not errors and not planned:
        errors.append(
            RowReport(
                rows[0][0],
                unit,
                _(
                    "The file has no route: every value is empty. Leave out the pairs with no route."
                ),
            )
        )
    if errors:
        raise ImportRejected(errors)
    TravelMatrix.objects.filter(territory=territory).delete()
    matrix = TravelMatrix(
        territory=territory,
        unit=unit,
        source=source.strip()[:300],
        uploaded_by=user_of(by),
    )
    matrix.full_clean()
    matrix.save()
    for route in planned:
        route.matrix = matrix
    TravelRoute.objects.bulk_create(planned, batch_size=5000)
    return len(planned)


@transaction.atomic
def travel_matrix_clear(*, territory: Territory, by: Actor) -> None:
    """Delete the territory's matrix: runs use great-circle distances again."""
    _check_manager(by, territory)
    TravelMatrix.objects.filter(territory=territory).delete()


def diagnostic_run_request(
    *,
    territory: Territory,
    by: Actor,
    parameters: computation.RunParameters,
    inline: bool | None = None,
) -> DiagnosticRun:
    """Ask for a run. Small territories (`INLINE_MAX_SIZE`) are computed at once; others
    wait for the worker (`manage.py run_diagnostic_jobs`). `inline` forces either way."""
    _check_manager(by, territory)
    with transaction.atomic():
        run = DiagnosticRun(
            territory=territory,
            parameters=parameters.as_dict(),
            requested_by=user_of(by),
        )
        run.full_clean()
        run.save()
    if inline is None:
        inline = selectors.run_size(territory, parameters) <= INLINE_MAX_SIZE
    if inline and jobs.diagnostic_run_claim(run=run, by=by):
        run = jobs.diagnostic_run_execute(run=run, by=by)
    return run
