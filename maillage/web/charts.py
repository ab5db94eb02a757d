"""Server-side SVG charts and maps: they work offline, print well and need no JavaScript.

Every chart is an `<svg role="img">` with a `<title>` and a `<desc>`; pages must also show the
same figures in an HTML table (the accessible alternative). Colours: a sequential palette that
stays readable in grey and for colour-blind readers (ColorBrewer "Blues", 5 classes), with text
in black or white according to contrast.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"
INK = "#1e1e1e"


def _number(value: float, decimals: int) -> str:
    # Rounded half up like the `floatformat` filter of the tables beside the charts (Django's
    # number_format alone would cut the digits, not round them).
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=decimals, use_l10n=True)


def class_breaks(values: Sequence[float], *, classes: int = 5) -> list[float]:
    """Quantile class breaks (upper bounds, the last one is the maximum)."""
    present = sorted(v for v in values if v is not None and not math.isnan(v))
    if not present:
        return []
    breaks = []
    for k in range(1, classes + 1):
        index = min(len(present) - 1, math.ceil(k * len(present) / classes) - 1)
        breaks.append(present[index])
    return sorted(set(breaks))


def _class_of(value: float, breaks: list[float]) -> int:
    for i, upper in enumerate(breaks):
        if value <= upper:
            return i
    return len(breaks) - 1


def _colour(index: int, count: int) -> str:
    if count <= 1:
        return PALETTE[2]
    return PALETTE[round(index * (len(PALETTE) - 1) / (count - 1))]


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    geometry: dict | None  # GeoJSON Polygon or MultiPolygon, WGS84
    value: float | None


def _rings(geometry: dict | None):
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def choropleth_svg(
    areas: Sequence[MapArea],
    *,
    title: str,
    unit: str = "",
    decimals: int = 1,
    width: int = 560,
    markers: Sequence[tuple[float, float, str]] = (),
) -> SafeString:
    """A map of areas coloured by value (quantile classes), with a legend.

    `markers` are (latitude, longitude, label) points drawn on top (for example suggested
    sites). Areas without a value are grey and said so in the legend.
    """
    points = [
        (lon, lat)
        for a in areas
        for polygon in _rings(a.geometry)
        for ring in polygon
        for lon, lat in ring
    ]
    if not points:
        return mark_safe("")
    min_lon = min(p[0] for p in points)
    max_lon = max(p[0] for p in points)
    min_lat = min(p[1] for p in points)
    max_lat = max(p[1] for p in points)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))  # equirectangular at mid-latitude
    span_x = max((max_lon - min_lon) * kx, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    map_w = width
    map_h = round(width * span_y / span_x)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - min_lon) * kx / span_x * map_w, (max_lat - lat) / span_y * map_h)

    breaks = class_breaks([a.value for a in areas if a.value is not None])
    parts = []
    for area in areas:
        d = []
        for polygon in _rings(area.geometry):
            for ring in polygon:
                coords = [xy(lon, lat) for lon, lat in ring]
                d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z")
        if not d:
            continue
        if area.value is None or (isinstance(area.value, float) and math.isnan(area.value)):
            fill, shown = NO_DATA, _("no data")
        else:
            fill = _colour(_class_of(area.value, breaks), len(breaks))
            shown = f"{_number(area.value, decimals)}{(' ' + unit) if unit else ''}"
        parts.append(
            f'<path d="{"".join(d)}" fill="{fill}" stroke="#ffffff" stroke-width="0.8">'
            f"<title>{escape(area.name)}: {escape(shown)}</title></path>"
        )
    for lat, lon, label in markers:
        x, y = xy(lon, lat)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#b3261e" stroke="#ffffff" '
            f'stroke-width="1.5"><title>{escape(label)}</title></circle>'
        )
    no_data, suggested = _("no data"), _("suggested site")  # (not inside f-strings: xgettext)
    legend_y = map_h + 16
    legend = []
    lower = None
    for i, upper in enumerate(breaks):
        text = (
            f"≤ {_number(upper, decimals)}"
            if lower is None
            else f"{_number(lower, decimals)} – {_number(upper, decimals)}"
        )
        legend.append(
            f'<rect x="{i * 110}" y="{legend_y}" width="18" height="14" '
            f'fill="{_colour(i, len(breaks))}" stroke="{INK}" stroke-width="0.5"/>'
            f'<text x="{i * 110 + 24}" y="{legend_y + 12}" font-size="12" '
            f'fill="{INK}">{escape(text)}</text>'
        )
        lower = upper
    if any(a.value is None for a in areas):
        legend.append(
            f'<rect x="0" y="{legend_y + 22}" width="18" height="14" fill="{NO_DATA}" '
            f'stroke="{INK}" stroke-width="0.5"/><text x="24" y="{legend_y + 34}" '
            f'font-size="12" fill="{INK}">{escape(no_data)}</text>'
        )
    if markers:
        legend.append(
            f'<circle cx="{len(breaks) * 110 + 9}" cy="{legend_y + 7}" r="5" '
            f'fill="#b3261e"/><text x="{len(breaks) * 110 + 20}" y="{legend_y + 12}" '
            f'font-size="12" fill="{INK}">{escape(suggested)}</text>'
        )
    height = legend_y + 44
    total_width = max(width, len(breaks) * 110 + 130)
    description = _("Map of %(count)s areas; the table below gives every value.") % {
        "count": len(areas)
    }
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_width} {height}" '
        f'role="img" aria-labelledby="{_svg_id(title)}-t {_svg_id(title)}-d" class="chart map">'
        f'<title id="{_svg_id(title)}-t">{escape(title)}</title>'
        f'<desc id="{_svg_id(title)}-d">{escape(description)}</desc>'
        f"{''.join(parts)}{''.join(legend)}</svg>"
    )
    return mark_safe(svg)  # every text in it is escaped above


def _shorten(text: str, length: int) -> str:
    """Cut a label to fit its column; the full text stays in the table beside the chart."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _anchor(index: int, count: int) -> str:
    """First and last axis labels are anchored inside the plot so that they are not cut."""
    if count > 1 and index == count - 1:
        return "end"
    if count > 1 and index == 0:
        return "start"
    return "middle"


def _svg_id(title: str) -> str:
    """A readable id, unique per title (a hash of the whole title ends it)."""
    slug = "".join(c if c.isalnum() else "-" for c in title.lower())[:30]
    return f"svg-{slug}-{hashlib.sha1(title.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None  # confidence interval, same unit
    high: float | None = None
    note: str = ""  # e.g. "small sample"


def bar_chart_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str = "",
    decimals: int = 1,
    max_value: float | None = None,
    width: int = 560,
) -> SafeString:
    """Horizontal bars with optional interval whiskers; labels on the left, values on the right."""
    label_w = 200
    value_w = 90
    plot_w = width - label_w - value_w
    row_h = 26
    values = [b.high if b.high is not None else b.value for b in bars if b.value is not None]
    top = max_value if max_value is not None else (max(values) if values else 1.0) or 1.0
    parts = []
    not_shown = _("not shown")
    for i, bar in enumerate(bars):
        y = i * row_h + 4
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(_shorten(bar.label, 26))}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 15}" font-size="13" fill="{INK}">'
                f"{escape(bar.note or not_shown)}</text>"
            )
            continue
        w = max(0.0, min(1.0, bar.value / top)) * plot_w
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="16" fill="{PALETTE[3]}"/>'
        )
        if bar.low is not None and bar.high is not None:
            x1 = label_w + max(0.0, min(1.0, bar.low / top)) * plot_w
            x2 = label_w + max(0.0, min(1.0, bar.high / top)) * plot_w
            parts.append(
                f'<path d="M{x1:.1f},{y + 11}H{x2:.1f}M{x1:.1f},{y + 5}V{y + 17}'
                f'M{x2:.1f},{y + 5}V{y + 17}" stroke="{INK}" stroke-width="1.5"/>'
            )
        shown = f"{_number(bar.value, decimals)}{(' ' + unit) if unit else ''}"
        if bar.note:
            shown += " *"
        parts.append(
            f'<text x="{width - value_w + 6}" y="{y + 15}" font-size="13" '
            f'fill="{INK}">{escape(shown)}</text>'
        )
    height = len(bars) * row_h + 8
    description = _("Bar chart; the table below gives every value and its interval.")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{_svg_id(title)}-t {_svg_id(title)}-d" class="chart bars">'
        f'<title id="{_svg_id(title)}-t">{escape(title)}</title>'
        f'<desc id="{_svg_id(title)}-d">{escape(description)}</desc>{"".join(parts)}</svg>'
    )
    return mark_safe(svg)  # every text in it is escaped above


def progress_svg(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    target: float | None = None,
    unit: str = "",
    decimals: int = 0,
    width: int = 560,
) -> SafeString:
    """Values over periods as a line, with the target as a dashed line."""
    height = 220
    pad_l, pad_r, pad_t, pad_b = 60, 20, 16, 36
    values = [v for _label, v in points]
    top = max([*values, target or 0.0, 1e-9])
    plot_w = width - pad_l - pad_r
    plot_h = height - pad_t - pad_b
    n = max(1, len(points) - 1)

    def x(i: int) -> float:
        return pad_l + (i / n) * plot_w if len(points) > 1 else pad_l + plot_w / 2

    def y(v: float) -> float:
        return pad_t + plot_h - v / top * plot_h

    parts = [
        f'<path d="M{pad_l},{pad_t}V{pad_t + plot_h}H{pad_l + plot_w}" stroke="{INK}" fill="none"/>'
    ]
    target_word = _("target")
    if target is not None:
        parts.append(
            f'<path d="M{pad_l},{y(target):.1f}H{pad_l + plot_w}" stroke="#b3261e" '
            f'stroke-dasharray="6 4" stroke-width="1.5"/>'
            f'<text x="{pad_l + plot_w}" y="{y(target) - 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="{INK}">{escape(target_word)} '
            f"{escape(_number(target, decimals))}</text>"
        )
    if points:
        d = "L".join(f"{x(i):.1f},{y(v):.1f}" for i, (_label, v) in enumerate(points))
        parts.append(f'<path d="M{d}" stroke="{PALETTE[4]}" stroke-width="2.5" fill="none"/>')
    for i, (label, value) in enumerate(points):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" fill="{PALETTE[4]}">'
            f"<title>{escape(label)}: {escape(_number(value, decimals))}</title></circle>"
            f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="{_anchor(i, len(points))}" '
            f'font-size="12" fill="{INK}">{escape(label)}</text>'
        )
    description = _("Line chart of the values by period; the table below gives every value.")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{_svg_id(title)}-t {_svg_id(title)}-d" class="chart progress">'
        f'<title id="{_svg_id(title)}-t">{escape(title)}</title>'
        f'<desc id="{_svg_id(title)}-d">{escape(description)}</desc>{"".join(parts)}</svg>'
    )
    return mark_safe(svg)  # every text in it is escaped above
