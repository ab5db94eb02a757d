"""Turn a stored run into what pages and the API show, in the reader's language (its CSV
files are written by `exports`).

Runs store codes and numbers (`computation.compute`); the sentences are written here, so a run
computed in French reads in English too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from maillage.diagnostic.models import CandidateSite, DiagnosticRun
from maillage.diagnostic.selectors import need_label
from maillage.territories.models import Area
from maillage.web.charts import MapArea, choropleth_svg

METHODS = {
    "ratio": gettext_lazy("ratio to a reference territory × 100"),
    "min_max": gettext_lazy("min-max (0 to 1)"),
    "z_score": gettext_lazy("z-score"),
    "rank": gettext_lazy("percentile rank"),
    "deciles": gettext_lazy("deciles (1 to 10)"),
}
INDEXES = {
    "ifn-2023": gettext_lazy("Digital fragility index 2023 (5 indicators, deciles)"),
    "ifn-first-generation": gettext_lazy(
        "Digital fragility index, first generation (4 axes, ratio to a reference)"
    ),
    "custom": gettext_lazy("The territory's own indicators"),
}


def _km(value: float) -> str:
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 1)


def need_text(need: str) -> str:
    return need_label(need) or _("any service of the directory")


def _share_reason_text(code: str, *, percent: int, km: str, need: str) -> str:
    """A "no place within …" reason of a run on population squares: the share of the
    commune's population living in squares without such a place."""
    values = {"percent": percent, "km": km, "need": need_text(need)}
    if code == "no_place_for_need":
        return (
            _("%(percent)s%% of the population has no place offering “%(need)s” within %(km)s km")
            % values
        )
    if code == "no_saturday":
        return (
            _("%(percent)s%% of the population has no place open on Saturdays within %(km)s km")
            % values
        )
    return (
        _(
            "%(percent)s%% of the population has no place open after 6 pm on weekdays within "
            "%(km)s km"
        )
        % values
    )


def reason_text(reason: dict, *, need: str) -> str:
    """One reason in plain words, e.g. "No place open on Saturdays within 5 km". A reason
    computed on a travel-time matrix carries its limit in "minutes" rather than "km"; one
    computed on population squares carries the share of the population it is true for
    ("percent", said when it is not everybody)."""
    code = reason.get("code")
    minutes = "minutes" in reason
    limit = _km(reason["minutes"] if minutes else reason.get("km", 0))
    if reason.get("percent", 100) < 100 and code in (
        "no_place_for_need",
        "no_saturday",
        "no_evening",
    ):
        # Part of the population only; for all of it, the plain sentence below is as true.
        return _share_reason_text(code, percent=reason["percent"], km=limit, need=need)
    if code == "no_place_for_need":
        if minutes:
            return _("No place offering “%(need)s” within %(minutes)s minutes") % {
                "need": need_text(need),
                "minutes": limit,
            }
        return _("No place offering “%(need)s” within %(km)s km") % {
            "need": need_text(need),
            "km": limit,
        }
    if code == "no_saturday":
        if minutes:
            return _("No place open on Saturdays within %(minutes)s minutes") % {"minutes": limit}
        return _("No place open on Saturdays within %(km)s km") % {"km": limit}
    if code == "no_evening":
        if minutes:
            return _("No place open after 6 pm on weekdays within %(minutes)s minutes") % {
                "minutes": limit
            }
        return _("No place open after 6 pm on weekdays within %(km)s km") % {"km": limit}
    if code == "low_access":
        return _("Accessibility at %(percent)s%% of the territory's average") % {
            "percent": reason["percent"]
        }
    if code == "most_fragile_quarter":
        return _("Among the most fragile quarter of the areas")
    return str(code)


def error_text(error: dict) -> str:
    code, params = error.get("code"), error.get("params", {})
    if code == "preset_lacks":
        return _(
            "The chosen index needs these indicators, which the territory does not have yet: "
            "%(keys)s. Add them on the indicators page, or choose the territory's own indicators."
        ) % {"keys": ", ".join(params.get("keys", []))}
    if code == "no_reference":
        return _(
            "The “ratio to a reference” method needs the reference value of these "
            "indicators: %(keys)s."
        ) % {"keys": ", ".join(params.get("keys", []))}
    if code == "no_candidates":
        return _(
            "No candidate site was uploaded: upload a CSV of candidate sites, or use the "
            "communes' centres."
        )
    if code == "no_matrix":
        return _(
            "The distance or travel-time matrix was deleted before the run: upload it again, "
            "or compute with great-circle distances."
        )
    if code == "matrix_unit_changed":
        return _(
            "The matrix was replaced by one in another unit (%(found)s instead of "
            "%(expected)s) before the run: start a new run, with a catchment in the new unit."
        ) % {"found": params.get("found", ""), "expected": params.get("expected", "")}
    if code == "squares_with_matrix":
        return _(
            "The population squares cannot be used with the uploaded matrix: its routes start "
            "from the communes' centres. Start a new run with great-circle distances, or with "
            "the communes as demand points."
        )
    if code == "no_squares":
        return _(
            "The population squares were deleted before the run: import them again, or start a "
            "new run with the communes as demand points."
        )
    if code == "worker_lost":
        attempts = int(params.get("attempts", 0))
        return ngettext(
            "The computation was interrupted %(attempts)s time (its worker stopped, for example "
            "for lack of memory) and was abandoned. Start a new run; if it stops again, tell the "
            "team that runs the server.",
            "The computation was interrupted %(attempts)s times (its worker stopped, for example "
            "for lack of memory) and was abandoned. Start a new run; if it stops again, tell the "
            "team that runs the server.",
            attempts,
        ) % {"attempts": attempts}
    return _("The computation failed. The coordination team can read the details in the logs.")


def _fmt(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _percent(share: float | None) -> str:
    return "–" if share is None else _fmt(100 * share, 0)


@dataclass
class AreaRow:
    code: str
    name: str
    population: str
    index: str
    coverage: str
    fragile_population: str
    accessibility: str
    nearest_km: str
    nearest: str  # in the run's distance: great-circle km, or the matrix's unit
    rank: int
    reasons: list[str]
    index_missing: bool
    without_place: str = ""  # runs on squares: % of the population with no place in reach


def _nearest(area: dict, *, matrix: bool) -> str:
    if not matrix:
        return _fmt(area["nearest_km"], 1)
    value = area.get("nearest_by_matrix")
    return _("no route") if value is None else _fmt(value, 1)


def area_rows(run: DiagnosticRun) -> list[AreaRow]:
    """The areas of a done run, most urgent first (the blind-spot ranking)."""
    need = run.result["parameters"]["need"]
    matrix = distance_of(run)["kind"] == "matrix"
    rows = []
    for a in sorted(run.result["areas"], key=lambda a: a["rank"]):
        rows.append(
            AreaRow(
                code=a["code"],
                name=a["name"],
                population=_fmt(a["population"], 0),
                index=_fmt(a["index"], 2),
                coverage=_fmt(100 * a["coverage"], 0) if a["coverage"] is not None else "–",
                fragile_population=_fmt(a["fragile_population"], 0),
                accessibility=_fmt(a["accessibility"], 1),
                nearest_km=_fmt(a["nearest_km"], 1),
                nearest=_nearest(a, matrix=matrix),
                rank=a["rank"],
                reasons=[reason_text(r, need=need) for r in a["reasons"]],
                index_missing=a["index"] is None,
                without_place=_percent(a.get("population_without_place_share")),
            )
        )
    return rows


def indicators_incomplete(run: DiagnosticRun) -> bool:
    """Whether some area lacks an indicator of the index (its weight available is under 100 %):
    only then does the blind-spot table show that column."""
    return any(a["coverage"] is None or a["coverage"] < 1 for a in run.result["areas"])


def site_rows(run: DiagnosticRun) -> list[dict]:
    kinds = dict(CandidateSite.Kind.choices)
    names = {a["code"]: a["name"] for a in run.result["areas"]}
    return [
        {
            "rank": i + 1,
            "name": s["name"],
            "kind": kinds.get(s["kind"], s["kind"]),
            "added": _fmt(s["added_fragile_population"], 0),
            "areas": ", ".join(names.get(code, code) for code in s["areas_covered"]),
        }
        for i, s in enumerate(run.result["sites"]["chosen"])
    ]


def maps(run: DiagnosticRun) -> dict:
    """Choropleths of the index and of accessibility (suggested sites as markers)."""
    contours = dict(
        Area.objects.filter(territory_id=run.territory_id).values_list("code", "contour")
    )
    areas = run.result["areas"]

    def map_areas(key: str) -> list[MapArea]:
        return [MapArea(a["code"], a["name"], contours.get(a["code"]), a[key]) for a in areas]

    markers = [(s["latitude"], s["longitude"], s["name"]) for s in run.result["sites"]["chosen"]]
    index_title = _("Fragility index by commune")
    access_title = _("Accessibility of the offer by commune, and suggested sites")
    unit = _("per 100,000")
    return {
        "index": choropleth_svg(map_areas("index"), title=index_title, decimals=2),
        "accessibility": choropleth_svg(
            map_areas("accessibility"), title=access_title, unit=unit, markers=markers
        ),
    }


def parameters_summary(run: DiagnosticRun) -> dict:
    p = run.parameters
    return {
        "index": INDEXES.get(p.get("index"), p.get("index")),
        "method": METHODS.get(run.result.get("method"), "") if run.result else "",
        "need": need_text(p.get("need", "")),
        "radius_km": _km(float(p.get("radius_km", 10))),
        "cover_km": _km(float(p.get("cover_km", 5))),
        "k": p.get("k"),
        "demand_fragile": p.get("demand") == "fragile",
        "decay_gaussian": p.get("decay") == "gaussian",
        "missing_propagate": p.get("missing") == "propagate",
    }


def distance_of(run: DiagnosticRun) -> dict:
    """The distance a done run used (runs stored before matrices existed: great-circle)."""
    stored = run.result.get("distance")
    if stored:
        return stored
    radius = float(run.result["parameters"].get("radius_km", 10))
    return {"kind": "great_circle", "unit": "km", "radius": radius}


def distance_summary(run: DiagnosticRun) -> dict:
    """What the results page says about the distance: which one, its catchment, and on a
    matrix who has no route (places that count for nobody, communes that reach nothing)."""
    distance = distance_of(run)
    matrix, minutes = distance["kind"] == "matrix", distance["unit"] == "minutes"
    out = {"matrix": matrix, "minutes": minutes, "radius": _km(float(distance["radius"]))}
    if not matrix:
        if demand_points_of(run)["kind"] == "squares":
            out["text"] = _("Great-circle distance from each square's centre (as the crow flies).")
        else:
            out["text"] = _("Great-circle distance from each commune's centre (as the crow flies).")
        return out
    uploaded = parse_datetime(distance.get("uploaded_at", ""))
    values = {
        "date": formats.date_format(timezone.localtime(uploaded), "DATETIME_FORMAT")
        if uploaded
        else "–",
        "count": distance.get("routes", 0),
    }
    if minutes:
        text = ngettext(
            "Travel times in minutes, from the matrix uploaded on %(date)s (%(count)s route).",
            "Travel times in minutes, from the matrix uploaded on %(date)s (%(count)s routes).",
            values["count"],
        )
    else:
        text = ngettext(
            "Road distances in km, from the matrix uploaded on %(date)s (%(count)s route).",
            "Road distances in km, from the matrix uploaded on %(date)s (%(count)s routes).",
            values["count"],
        )
    out["text"] = text % values
    if distance.get("source"):
        out["source"] = _("Source: %(source)s.") % {"source": distance["source"]}
    places = distance.get("places_without_route", [])
    if places:
        out["places_without_route"] = ngettext(
            "%(count)s published place offering the need has no route in the matrix: nobody "
            "reaches it, so it counts for nobody (%(names)s).",
            "%(count)s published places offering the need have no route in the matrix: nobody "
            "reaches them, so they count for nobody (%(names)s).",
            len(places),
        ) % {"count": len(places), "names": ", ".join(places)}
    areas = distance.get("areas_without_route", [])
    if areas:
        out["areas_without_route"] = ngettext(
            "%(count)s commune has no route to any of these places: its accessibility is 0 "
            "(%(names)s).",
            "%(count)s communes have no route to any of these places: their accessibility is 0 "
            "(%(names)s).",
            len(areas),
        ) % {"count": len(areas), "names": ", ".join(areas)}
    return out


def demand_points_of(run: DiagnosticRun) -> dict:
    """The demand points a done run used (runs stored before squares existed: communes)."""
    return run.result.get("demand_points") or {"kind": "communes"}


def demand_points_summary(run: DiagnosticRun) -> dict:
    """What the results page says about the demand points: the communes' centres, or how
    many population squares of which import (and the communes without a square)."""
    points = demand_points_of(run)
    if points["kind"] != "squares":
        return {
            "squares": False,
            "text": _("The communes' centres: everybody counts at the centre of their commune."),
        }
    uploaded = parse_datetime(points.get("uploaded_at", ""))
    sizes = " / ".join(_size(m) for m in points.get("sizes_m", []))
    text = ngettext(
        "%(count)s population square (%(size)s) imported on %(date)s; each commune's "
        "accessibility is the mean of its squares', weighted by their population.",
        "%(count)s population squares (%(size)s) imported on %(date)s; each commune's "
        "accessibility is the mean of its squares', weighted by their population.",
        points["squares"],
    ) % {
        "count": _fmt(points["squares"], 0),
        "size": sizes,
        "date": formats.date_format(timezone.localtime(uploaded), "DATETIME_FORMAT")
        if uploaded
        else "–",
    }
    out = {"squares": True, "text": text, "count": points["squares"]}
    if points.get("source"):
        out["source"] = _("Source: %(source)s.") % {"source": points["source"]}
    areas = points.get("areas_without_squares", [])
    if areas:
        out["areas_without_squares"] = ngettext(
            "%(count)s commune has no square: it counts at its centre (%(names)s).",
            "%(count)s communes have no square: they count at their centre (%(names)s).",
            len(areas),
        ) % {"count": len(areas), "names": ", ".join(areas)}
    return out


def _size(metres: int) -> str:
    if metres % 1000 == 0:
        return _("%(km)s km") % {"km": metres // 1000}
    return _("%(m)s m") % {"m": metres}


def squares_imported_text(imported) -> str:
    """The message after an import of population squares (`squares.SquaresImported`)."""
    text = ngettext(
        "%(count)s population square imported.",
        "%(count)s population squares imported.",
        imported.squares,
    ) % {"count": _fmt(imported.squares, 0)}
    if not imported.skipped_outside:
        return text
    skipped = ngettext(
        "%(count)s square outside the territory skipped.",
        "%(count)s squares outside the territory skipped.",
        imported.skipped_outside,
    ) % {"count": _fmt(imported.skipped_outside, 0)}
    return f"{text} {skipped}"


def population_grid_context(summary) -> dict:
    """What the population squares page shows of `selectors.population_grid_summary`."""
    if summary is None:
        return {}
    return {
        "squares": _fmt(summary.squares, 0),
        "sizes": " / ".join(_size(m) for m in summary.sizes_m),
        "population": _fmt(summary.population, 0),
        "communes_with_squares": sum(1 for r in summary.areas if r["squares"]),
        "rows": [
            {
                "name": r["area"].name,
                "squares": _fmt(r["squares"], 0),
                "population": _fmt(r["population"], 0),
                "legal": _fmt(r["area"].population, 0),
            }
            for r in summary.areas
        ],
    }
