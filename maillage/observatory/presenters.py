"""Turn stored estimates into what pages, CSV and API show, with the same rules everywhere:
shares in percent, cells under 5 respondents suppressed (no figure, no count), small samples
(under 30) flagged."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from analysis.estimation import SMALL_SAMPLE_THRESHOLD, SUPPRESSION_THRESHOLD
from maillage.observatory.grid import Grid
from maillage.observatory.models import Estimate, WeightingRun
from maillage.territories.models import Area
from maillage.web import spreadsheets
from maillage.web.charts import Bar, MapArea, bar_chart_svg, choropleth_svg


@dataclass(frozen=True)
class Figure:
    """One published figure. `value`, `lower`, `upper` in percent; None when suppressed."""

    indicator: str
    label: str
    domain_kind: str
    domain_code: str
    domain_label: str
    value: float | None
    lower: float | None
    upper: float | None
    standard_error: float | None
    respondents: int | None  # None when suppressed (never show a count under 5)
    small_sample: bool
    suppressed: bool

    @property
    def note(self) -> str:
        if self.suppressed:
            return _("fewer than %(n)s respondents: not shown") % {"n": SUPPRESSION_THRESHOLD}
        if self.small_sample:
            return _("small sample (fewer than %(n)s respondents): interpret with care") % {
                "n": SMALL_SAMPLE_THRESHOLD
            }
        return ""

    @property
    def respondents_text(self) -> str:
        if self.respondents is None:
            return _("fewer than %(n)s") % {"n": SUPPRESSION_THRESHOLD}
        return str(self.respondents)


def _pct(value: float | None) -> float | None:
    return None if value is None else 100.0 * value


def figure(estimate: Estimate, grid: Grid, domain_label: str = "") -> Figure:
    suppressed = estimate.suppressed or estimate.n < SUPPRESSION_THRESHOLD
    return Figure(
        indicator=estimate.indicator,
        label=grid.indicator(estimate.indicator).text,
        domain_kind=estimate.domain_kind,
        domain_code=estimate.domain_code,
        domain_label=domain_label,
        value=None if suppressed else _pct(estimate.estimate),
        lower=None if suppressed else _pct(estimate.lower),
        upper=None if suppressed else _pct(estimate.upper),
        standard_error=None if suppressed else _pct(estimate.standard_error),
        respondents=None if suppressed else estimate.n,
        small_sample=estimate.small_sample or estimate.n < SMALL_SAMPLE_THRESHOLD,
        suppressed=suppressed,
    )


def domain_labels(grid: Grid, areas: Iterable[Area]) -> dict[tuple[str, str], str]:
    labels = {("territory", ""): _("Whole territory")}
    labels.update({("commune", a.code): a.name for a in areas})
    for subgroup in grid.subgroups:
        for level in subgroup.levels:
            labels[(subgroup.code, level.code)] = level.text
    return labels


def figures(estimates: Iterable[Estimate], grid: Grid, labels: dict) -> list[Figure]:
    return [
        figure(e, grid, labels.get((e.domain_kind, e.domain_code), e.domain_code))
        for e in estimates
    ]


def bars(items: Sequence[Figure], *, by: str = "label") -> list[Bar]:
    return [
        Bar(
            label=getattr(f, by),
            value=f.value,
            low=f.lower,
            high=f.upper,
            note=_("not shown") if f.suppressed else (_("small sample") if f.small_sample else ""),
        )
        for f in items
    ]


def bar_chart(items: Sequence[Figure], *, title: str, by: str = "label"):
    return bar_chart_svg(bars(items, by=by), title=title, unit="%", decimals=1, max_value=100)


def commune_map(items: Sequence[Figure], areas: Sequence[Area], *, title: str):
    by_code = {f.domain_code: f for f in items}
    return choropleth_svg(
        [
            MapArea(
                code=a.code,
                name=a.name,
                geometry=a.contour,
                value=by_code[a.code].value if a.code in by_code else None,
            )
            for a in areas
        ],
        title=title,
        unit="%",
        decimals=1,
    )


CSV_FIELDS = (
    "territory",
    "wave",
    "synthetic_data",
    "assumed_margins",
    "grid_version",
    "indicator",
    "indicator_label",
    "domain",
    "domain_code",
    "domain_label",
    "percent",
    "ci95_lower",
    "ci95_upper",
    "standard_error",
    "respondents",
    "small_sample",
    "suppressed",
)


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def estimates_csv(run: WeightingRun, items: Iterable[Figure]) -> str:
    """Every estimate of a run, one row each; suppressed cells carry no figure and no count."""
    buffer = io.StringIO()
    writer = spreadsheets.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for f in items:
        writer.writerow(
            {
                "territory": run.wave.territory.slug,
                "wave": run.wave.name,
                "synthetic_data": "yes" if run.wave.is_synthetic else "no",
                "assumed_margins": "yes" if run.margin_set.is_assumed else "no",
                "grid_version": run.wave.grid.grid_version,
                "indicator": f.indicator,
                "indicator_label": f.label,
                "domain": f.domain_kind,
                "domain_code": f.domain_code,
                "domain_label": f.domain_label,
                "percent": _fmt(f.value),
                "ci95_lower": _fmt(f.lower),
                "ci95_upper": _fmt(f.upper),
                "standard_error": _fmt(f.standard_error),
                "respondents": "" if f.respondents is None else f.respondents,
                "small_sample": "yes" if f.small_sample else "no",
                "suppressed": "yes" if f.suppressed else "no",
            }
        )
    return buffer.getvalue()


def report_csv(problems: Iterable[dict]) -> str:
    buffer = io.StringIO()
    writer = spreadsheets.DictWriter(
        buffer, fieldnames=("row", "column", "value", "reason", "severity"), lineterminator="\n"
    )
    writer.writeheader()
    for p in problems:
        row = {k: p.get(k, "") for k in ("row", "column", "value", "reason", "severity")}
        writer.writerow(row)
    return buffer.getvalue()
