"""The pipeline on arrays, checked by hand on small cases (no database)."""

import math

import numpy as np
import pytest

from analysis.geo import haversine_km
from maillage.diagnostic.computation import (
    DiagnosticInputError,
    DiagnosticInputs,
    IndicatorColumn,
    RunParameters,
    compute,
    need_weight,
)
from maillage.diagnostic.selectors import weekly_opening

KM_PER_DEGREE_LAT = 2 * math.pi * 6371.0088 / 360


def _inputs(**overrides):
    # Two areas 4 km apart on a meridian; one place at the centre of the first.
    lat_b = 44.8 + 4.0 / KM_PER_DEGREE_LAT
    values = {
        "area_codes": ["33001", "33002"],
        "area_names": ["Alpha", "Beta"],
        "area_lat": np.array([44.8, lat_b]),
        "area_lon": np.array([-0.5, -0.5]),
        "population": np.array([1000.0, 2000.0]),
        "indicators": [],
        "need_services": ["AideAuxDemarchesAdministratives"],
        "place_names": ["Place"],
        "place_lat": np.array([44.8]),
        "place_lon": np.array([-0.5]),
        "weekly_hours": np.array([35.0]),
        "open_saturday": np.array([False]),
        "open_evening": np.array([False]),
        "need_stars": np.array([[3.0]]),
        "places_example": 0,
    }
    values.update(overrides)
    return DiagnosticInputs(**values)


def test_accessibility_by_hand_on_two_areas_and_one_place():
    inputs = _inputs()
    assert haversine_km(lat1=44.8, lon1=-0.5, lat2=inputs.area_lat[1], lon2=-0.5) == pytest.approx(
        4.0, abs=1e-9
    )
    result = compute(inputs, RunParameters(index="custom", demand="population", k=1))
    # S = 35 h / 35 h × 3/3 stars = 1. Beta is 4 km away: second zone (10/3 < 4 <= 20/3), 0.68.
    # D = 1000 × 1 + 2000 × 0.68 = 2360; A_alpha = 1/2360, A_beta = 0.68/2360 (per person).
    alpha, beta = result["areas"]
    assert alpha["accessibility"] == pytest.approx(100_000 / 2360, rel=1e-12)
    assert beta["accessibility"] == pytest.approx(100_000 * 0.68 / 2360, rel=1e-12)
    assert beta["nearest_km"] == pytest.approx(4.0, abs=1e-9)
    # No index (no indicator): everybody counts at the median weight 0.5 as fragile population.
    assert alpha["index"] is None and alpha["fragile_population"] == 500.0
    # Priority = fragile population × (1 − A / max A): Alpha 0, Beta 1000 × 0.32.
    assert alpha["priority"] == 0.0
    assert beta["priority"] == pytest.approx(1000 * 0.32)
    assert (beta["rank"], alpha["rank"]) == (1, 2)
    codes = [r["code"] for r in beta["reasons"]]
    assert codes == ["no_saturday", "no_evening"]


def test_reasons_name_the_missing_need_within_the_radius():
    inputs = _inputs(need_stars=np.array([[0.0]]))  # the place does not offer the need
    result = compute(inputs, RunParameters(index="custom", radius_km=3.0))
    for area in result["areas"]:
        assert {"code": "no_place_for_need", "km": 3.0} in area["reasons"]
        assert area["accessibility"] == 0.0
    assert result["places_used"] == 0


def test_saturday_opening_removes_the_saturday_reason():
    inputs = _inputs(open_saturday=np.array([True]))
    result = compute(inputs, RunParameters(index="custom"))
    assert all("no_saturday" not in [r["code"] for r in a["reasons"]] for a in result["areas"])


def test_custom_index_and_missing_values():
    column = IndicatorColumn(
        key="poverty_rate",
        label="Poverty",
        axis="index",
        higher_is_fragile=True,
        weight=1.0,
        reference=None,
        source="test",
        year=2021,
        is_example=False,
        values=np.array([10.0, np.nan]),
    )
    result = compute(_inputs(indicators=[column]), RunParameters(index="custom", method="min_max"))
    alpha, beta = result["areas"]
    assert alpha["index"] == 0.5  # one known value: min = max, analysis gives the middle
    assert beta["index"] is None and beta["coverage"] == 0.0
    assert beta["fragile_population"] == 1000.0  # missing index: the median weight 0.5


def test_preset_without_its_indicators_is_refused():
    with pytest.raises(DiagnosticInputError) as error:
        compute(_inputs(), RunParameters(index="ifn-2023"))
    assert error.value.code == "preset_lacks"
    assert "poverty_rate" in error.value.params["keys"]


def test_need_weight_is_the_percentile_rank():
    weight = need_weight(np.array([3.0, 1.0, np.nan, 2.0]))
    assert weight.tolist() == [1.0, 1 / 3, 0.5, 2 / 3]


def test_sites_exact_and_greedy_agree_on_a_small_case():
    inputs = _inputs()
    exact = compute(inputs, RunParameters(index="custom", k=1, cover_km=2.0, solver="exact"))
    greedy = compute(inputs, RunParameters(index="custom", k=1, cover_km=2.0, solver="greedy"))
    assert exact["sites"]["objective"] == greedy["sites"]["objective"] == 1000.0
    assert exact["sites"]["chosen"][0]["name"] == "Beta"  # Beta's fragile population is larger
    assert exact["sites"]["optimal"] is True


@pytest.mark.parametrize(
    ("text", "hours", "saturday", "evening"),
    [
        ("Mo-Fr 09:00-12:00,13:30-17:00; PH off", 32.5, False, False),
        ("Tu,Th,Fr 13:00-18:00; We,Sa 10:00-18:00; PH off", 31.0, True, False),
        ("Mo-Fr 14:00-19:00", 25.0, False, True),
        ("24/7", 168.0, True, True),
        ("", 0.0, False, False),
        ("not hours", 0.0, False, False),
    ],
)
def test_weekly_opening_over_the_reference_week(text, hours, saturday, evening):
    opening = weekly_opening(text)
    assert (opening.hours, opening.saturday, opening.evening) == (hours, saturday, evening)
