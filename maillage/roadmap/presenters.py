"""Charts and labels of the roadmap's pages and reports (server-side SVG, web/charts.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maillage.roadmap.models import Action
from maillage.roadmap.selectors import IndicatorProgress, Share
from maillage.web.charts import Bar, bar_chart_svg, progress_svg


def indicator_chart(progress: IndicatorProgress):
    """The values of an indicator over time with its target (dashed line)."""
    title = _("%(indicator)s: values and target") % {"indicator": progress.indicator.name}
    return progress_svg(
        progress.points,
        title=title,
        target=progress.target,
        unit=progress.indicator.unit,
    )


def status_chart(counts: dict[str, int], *, title: str):
    bars = [Bar(str(Action.Status(key).label), value) for key, value in counts.items()]
    return bar_chart_svg(bars, title=title, decimals=0)


def status_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(label, count) of each status, for the table beside the chart."""
    return [(str(Action.Status(key).label), value) for key, value in counts.items()]


def shares_chart(shares: list[Share], *, title: str):
    bars = [Bar(s.label, s.percent) for s in shares]
    return bar_chart_svg(bars, title=title, unit="%", decimals=1, max_value=100.0)


def progress_chart(items: list[IndicatorProgress], *, title: str):
    """Share of the target reached by each indicator that has a target and a value."""
    bars = [Bar(p.indicator.name, min(p.ratio, 100.0)) for p in items if p.ratio is not None]
    return bar_chart_svg(bars, title=title, unit="%", decimals=1, max_value=100.0)
