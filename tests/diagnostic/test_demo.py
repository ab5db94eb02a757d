"""The demo territory's diagnostic: 28 communes from real populations, values pinned and
checked against an independent, naive computation."""

import csv
import datetime as dt
import io
import math

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.core import extensions
from maillage.diagnostic import demo as diagnostic_demo
from maillage.diagnostic import services
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import DiagnosticRun, FragilityIndicator, IndicatorValue
from maillage.directory import vocabularies as voc
from maillage.directory.demo import load_demo
from maillage.directory.models import Place
from maillage.territories.models import Membership
from tests.factories import SYSTEM

EARTH_RADIUS_KM = 6371.0088


def en(name, **kwargs):
    """The English page (unprefixed addresses are in French, the default language)."""
    with translation.override("en"):
        return reverse(name, **kwargs)


@pytest.fixture
def demo(db):
    territory = load_demo(with_users=True)
    diagnostic_demo.load_demo(territory, with_users=True)
    return territory


def _distance_km(lat1, lon1, lat2, lon2):
    # Plain haversine, written again here so the test does not trust analysis.geo.
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _naive_e2sfca(territory):
    """E2SFCA by loops: population demand, procedures category, 10 km, zones 1/0.68/0.22."""
    services_ = set(voc.services_in_category("procedures"))
    areas = list(territory.areas.all())
    supply = []
    for place in Place.objects.filter(territory=territory, status="published"):
        stars = {s.service: s.stars for s in place.services.all() if s.service in services_}
        if not stars:
            continue
        # Weekly hours of the example timetables, counted by hand from directory/demo.py.
        hours = {
            "Mo-Fr 09:00-12:00,13:30-17:00; PH off": 32.5,
            "Mo-Fr 08:30-12:00,13:30-17:30; PH off": 37.5,
            "Tu,Th,Fr 13:00-18:00; We,Sa 10:00-18:00; PH off": 31.0,
            "Mo-Fr 09:00-12:00,14:00-18:00; PH off": 35.0,
            "Mo-Th 09:00-12:30,14:00-17:30; Fr 09:00-12:30; PH off": 31.5,
            "Mo-Fr 10:00-12:00,14:00-16:00; PH off": 20.0,
            "Tu-Sa 10:00-12:30,14:00-18:00; PH off": 32.5,
        }[place.opening_hours]
        level = sum(stars.values()) / (3 * len(services_))
        supply.append((place.latitude, place.longitude, hours / 35 * level))

    def weight(d):
        return 1.0 if d <= 10 / 3 else 0.68 if d <= 20 / 3 else 0.22 if d <= 10 else 0.0

    ratio = []
    for lat, lon, capacity in supply:
        demand = sum(
            a.population * weight(_distance_km(a.latitude, a.longitude, lat, lon)) for a in areas
        )
        ratio.append(capacity / demand)
    return {
        a.code: 100_000
        * sum(
            r * weight(_distance_km(a.latitude, a.longitude, lat, lon))
            for r, (lat, lon, _c) in zip(ratio, supply, strict=True)
        )
        for a in areas
    }


def test_demo_accessibility_matches_a_naive_computation(demo):
    run = services.diagnostic_run_request(
        territory=demo, by=SYSTEM, parameters=RunParameters(demand="population"), inline=True
    )
    assert run.status == DiagnosticRun.Status.DONE
    expected = _naive_e2sfca(demo)
    got = {a["code"]: a["accessibility"] for a in run.result["areas"]}
    assert len(got) == 28
    for code in ("33063", "33318", "33004", "33487"):  # Bordeaux, Pessac, Ambès, St-Vincent
        assert got[code] == pytest.approx(expected[code], rel=1e-9)


def test_demo_diagnostic_values_are_pinned(demo):
    run = DiagnosticRun.objects.get(territory=demo, status=DiagnosticRun.Status.DONE)
    areas = {a["code"]: a for a in run.result["areas"]}
    assert len(areas) == 28
    assert run.uses_example_data is True
    assert areas["33063"]["population"] == 265328  # INSEE legal population (real)
    # Default run: IFN 2023 preset (deciles) on example values, fragile-population demand.
    assert areas["33063"]["index"] == pytest.approx(7.0)
    assert areas["33063"]["accessibility"] == pytest.approx(1.992656, abs=1e-6)
    assert areas["33004"]["accessibility"] == pytest.approx(6.678755, abs=1e-6)
    assert areas["33519"]["accessibility"] == pytest.approx(0.448362, abs=1e-6)
    assert areas["33063"]["rank"] == 1
    # Saint-Vincent-de-Paul, the smallest commune, has no (example) poverty rate: 4 of 5
    # indicators, so its index uses 80 % of the weight.
    assert areas["33487"]["coverage"] == pytest.approx(0.8)
    assert {"code": "low_access", "percent": 24} in areas["33519"]["reasons"]
    assert [s["name"] for s in run.result["sites"]["chosen"]] == [
        "Bordeaux",
        "Le Haillan",
        "Villenave-d'Ornon",
    ]
    assert run.result["sites"]["optimal"] is True


def test_demo_loader_is_idempotent(demo):
    diagnostic_demo.load_demo(demo, with_users=True)
    assert FragilityIndicator.objects.filter(territory=demo, is_example=True).count() == 5
    assert IndicatorValue.objects.filter(indicator__territory=demo).count() == 5 * 28 - 1
    assert DiagnosticRun.objects.filter(territory=demo).count() == 1


def test_demo_page_labels_example_data_everywhere(client, demo):
    user = Membership.objects.get(territory=demo, role="coordinator").user
    client.force_login(user)
    page = client.get(en("diagnostic:home", kwargs={"territory": demo.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<th scope="row">') >= 28 + 3  # 28 communes and 3 suggested sites
    assert "Example data" in html and "Mérignac" in html
    assert html.count('role="img"') == 2
    run = DiagnosticRun.objects.get(territory=demo)
    exported = client.get(en("diagnostic:run_csv", kwargs={"territory": demo.slug, "pk": run.pk}))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert len(rows) == 28 and {r["example_data"] for r in rows} == {"yes"}
    api = client.get(f"/api/v1/territories/{demo.slug}/diagnostic/latest").json()
    assert api["is_example"] is True and len(api["areas"]) == 28
    indicators_page = client.get(en("diagnostic:indicators", kwargs={"territory": demo.slug}))
    assert "example values" in indicators_page.content.decode()


def test_roadmap_indicator_share_near_procedures(demo):
    value = extensions.computed_indicator("diagnostic.population_within_10km_procedures").compute(
        demo, dt.date(2026, 1, 1)
    )
    assert value == pytest.approx(100.0)  # every commune centre has such a place within 10 km


def test_diagnostic_page_query_count_does_not_grow_with_communes(
    client, demo, django_assert_max_num_queries
):
    client.force_login(Membership.objects.get(territory=demo, role="coordinator").user)
    with django_assert_max_num_queries(15):
        assert client.get(en("diagnostic:home", kwargs={"territory": demo.slug})).status_code == 200
