import xml.etree.ElementTree as ET

from django.utils import translation

from maillage.web.charts import (
    Bar,
    MapArea,
    bar_chart_svg,
    choropleth_svg,
    class_breaks,
    progress_svg,
)

NS = {"s": "http://www.w3.org/2000/svg"}
SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def _square(dx):
    return {"type": "Polygon", "coordinates": [[[x + dx, y] for x, y in SQUARE["coordinates"][0]]]}


def test_quantile_breaks():
    assert class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [2, 4, 6, 8, 10]
    assert class_breaks([3, 3, 3]) == [3]
    assert class_breaks([]) == []


@translation.override("en")
def test_choropleth_colours_areas_by_class_and_marks_missing_values():
    areas = [MapArea(str(i), f"Area {i}", _square(i), float(i)) for i in range(5)]
    areas.append(MapArea("x", "Unknown <b>", _square(6), None))
    svg = ET.fromstring(str(choropleth_svg(areas, title="Test map", unit="%")))
    assert svg.get("role") == "img"
    assert svg.find("s:title", NS).text == "Test map"
    paths = svg.findall("s:path", NS)
    assert len(paths) == 6
    fills = [p.get("fill") for p in paths]
    assert fills[0] == "#eff3ff" and fills[4] == "#08519c" and fills[5] == "#d9d9d9"
    assert paths[5].find("s:title", NS).text == "Unknown <b>: no data"  # escaped, then parsed
    assert paths[2].find("s:title", NS).text == "Area 2: 2.0 %"


def test_bar_chart_has_whiskers_and_hides_suppressed_values():
    svg = ET.fromstring(
        str(
            bar_chart_svg(
                [Bar("Bordeaux", 20.0, 15.0, 25.0), Bar("Ambès", None, note="fewer than 5")],
                title="Bars",
                unit="%",
                max_value=100,
            )
        )
    )
    rect = svg.find("s:rect", NS)
    assert float(rect.get("width")) == 0.2 * (560 - 200 - 90)
    texts = [t.text for t in svg.findall("s:text", NS)]
    assert "fewer than 5" in texts


def test_progress_chart_draws_the_target():
    svg = str(progress_svg([("2024", 10.0), ("2025", 20.0)], title="Progress", target=40.0))
    root = ET.fromstring(svg)
    assert len(root.findall("s:circle", NS)) == 2
    assert "stroke-dasharray" in svg


def test_long_labels_are_shortened_and_axis_ends_anchored_inside():
    svg = ET.fromstring(
        str(
            bar_chart_svg(
                [Bar("Centre social ou hébergement d'urgence", 3.0)], title="Long", max_value=10
            )
        )
    )
    label = svg.findall("s:text", NS)[0].text
    assert len(label) == 26 and label.endswith("…")
    progress = ET.fromstring(
        str(progress_svg([("2024", 1.0), ("2025", 2.0), ("2026", 3.0)], title="Axis"))
    )
    anchors = [t.get("text-anchor") for t in progress.findall("s:text", NS)]
    assert anchors == ["start", "middle", "end"]


def test_titles_sharing_a_long_beginning_get_distinct_ids():
    a = ET.fromstring(
        str(bar_chart_svg([Bar("x", 1.0)], title="Share of residents who own a computer, by age"))
    )
    b = ET.fromstring(
        str(
            bar_chart_svg(
                [Bar("x", 1.0)], title="Share of residents who own a computer, by commune"
            )
        )
    )
    assert a.find("s:title", NS).get("id") != b.find("s:title", NS).get("id")


@translation.override("fr")
def test_values_are_rounded_like_the_tables_not_cut():
    from django.template import Context, Template

    svg = str(bar_chart_svg([Bar("x", 5.36), Bar("y", 93.25)], title="Rounding", unit="%"))
    table = Template("{{ a|floatformat:1 }} {{ b|floatformat:1 }}").render(
        Context({"a": 5.36, "b": 93.25})
    )
    assert "5,4 %" in svg and "93,3 %" in svg
    assert table == "5,4 93,3"
