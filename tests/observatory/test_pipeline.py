"""The demo survey, weighted and estimated without the database: it reproduces the published
headline figures within their 95% intervals; the batched estimates equal `mean_ci`."""

import csv
from pathlib import Path

import numpy as np
import pytest

from analysis.estimation import mean_ci, mean_ci_columns
from maillage.observatory import pipeline, synthetic
from maillage.observatory.grid import evaluate, load_grid

ROOT = Path(__file__).resolve().parents[2]
GRID = load_grid("1")


def _communes():
    with open(ROOT / "data/communes/bordeaux-metropole-communes.csv", encoding="utf-8") as f:
        return [
            synthetic.Commune(r["code_insee"], int(r["population_municipale"]))
            for r in csv.DictReader(f)
        ]


@pytest.fixture(scope="module")
def demo():
    communes = _communes()
    rows = synthetic.generate(communes)
    arrays = pipeline.survey_arrays(
        [(i, r["P_COMMUNE"], None, r) for i, r in enumerate(rows)], GRID
    )
    outcome = pipeline.weigh(
        arrays, GRID, synthetic.assumed_margins(communes), pipeline.WeightingSettings()
    )
    return communes, rows, arrays, outcome


def test_sample_is_allocated_over_the_28_communes_with_a_floor(demo):
    communes, rows, _arrays, _outcome = demo
    assert len(communes) == 28
    assert len(rows) == synthetic.SAMPLE_SIZE == 5000
    counts = {c.code: 0 for c in communes}
    for r in rows:
        counts[r["P_COMMUNE"]] += 1
    assert min(counts.values()) >= synthetic.FLOOR
    biggest = max(communes, key=lambda c: c.population)
    assert counts[biggest.code] == max(counts.values())


def test_generation_is_reproducible():
    communes = _communes()[:3]
    assert synthetic.generate(communes, n=300) == synthetic.generate(communes, n=300)
    assert synthetic.generate(communes, n=300) != synthetic.generate(communes, n=300, seed=1)


def test_demo_reproduces_every_headline_figure_within_its_95_percent_interval(demo):
    _c, _r, arrays, outcome = demo
    assert outcome.converged
    estimates = {
        e.indicator: e.estimate
        for e in pipeline.estimate_all(arrays, GRID, outcome)
        if e.domain_kind == "territory"
    }
    checked = 0
    for indicator in GRID.indicators:
        if indicator.headline is None:
            continue
        e = estimates[indicator.code]
        assert 100 * e.lower <= indicator.headline <= 100 * e.upper, (
            indicator.code,
            100 * e.estimate,
            100 * e.lower,
            100 * e.upper,
            indicator.headline,
        )
        checked += 1
    assert checked == 13


def test_answers_vary_by_age_and_education(demo):
    _c, _r, arrays, outcome = demo
    estimates = {
        (e.indicator, e.domain_kind, e.domain_code): e.estimate.estimate
        for e in pipeline.estimate_all(arrays, GRID, outcome)
    }
    assert (
        estimates[("unable_bank", "age_band", "75_plus")]
        > 2 * estimates[("unable_bank", "age_band", "25_34")]
    )
    assert (
        estimates[("owns_computer", "education", "higher")]
        > estimates[("owns_computer", "education", "none")]
    )
    communes = [v for (i, k, _c), v in estimates.items() if i == "knows_place" and k == "commune"]
    assert max(communes) - min(communes) > 0.05


def test_weights_meet_the_margins_and_diagnostics_are_kish(demo):
    _c, _r, _arrays, outcome = demo
    for codes, targets in zip(outcome.calibration, outcome.targets, strict=True):
        achieved = np.bincount(codes, weights=outcome.weights, minlength=targets.size)
        np.testing.assert_allclose(achieved, targets, rtol=1e-6)
    w = outcome.weights
    assert outcome.diagnostics["kish_design_effect"] == pytest.approx(
        w.size * (w**2).sum() / w.sum() ** 2, rel=1e-12
    )


def test_batched_estimates_equal_mean_ci(demo):
    _c, _r, arrays, outcome = demo
    y = evaluate(GRID.indicator("been_to_place").when, arrays.answers)
    domains = [None, arrays.communes == "33063", arrays.answers["P_AGE"] == "75_plus"]
    batched = mean_ci_columns(
        [y] * 3, domains, outcome.weights, strata=arrays.communes, calibration=outcome.calibration
    )
    for domain, got in zip(domains, batched, strict=True):
        ref = mean_ci(
            y,
            outcome.weights,
            strata=arrays.communes,
            calibration=outcome.calibration,
            domain=domain,
        )
        for field in ("estimate", "standard_error", "lower", "upper", "df"):
            assert getattr(got, field) == pytest.approx(getattr(ref, field), rel=1e-12, abs=1e-15)
        assert got.n == ref.n


def test_bootstrap_option_gives_intervals_close_to_taylor():
    communes = _communes()[:4]
    rows = synthetic.generate(communes, n=800)
    arrays = pipeline.survey_arrays(
        [(i, r["P_COMMUNE"], None, r) for i, r in enumerate(rows)], GRID
    )
    outcome = pipeline.weigh(
        arrays,
        GRID,
        synthetic.assumed_margins(communes),
        pipeline.WeightingSettings(min_cell=20),
    )
    replicate = pipeline.replicate_weights(outcome, replicates=60, seed=7)
    y = evaluate(GRID.indicator("knows_place").when, arrays.answers)
    boot = mean_ci_columns(
        [y],
        [None],
        outcome.weights,
        strata=arrays.communes,
        calibration=None,
        replicate_weights=replicate,
    )[0]
    ref = mean_ci(y, outcome.weights, strata=arrays.communes, replicate_weights=replicate)
    assert boot.standard_error == pytest.approx(ref.standard_error, rel=1e-12)
    taylor = mean_ci(y, outcome.weights, strata=arrays.communes, calibration=outcome.calibration)
    assert boot.standard_error == pytest.approx(taylor.standard_error, rel=0.35)


def test_empty_cells_are_merged_and_reported():
    communes = _communes()[:2]
    rows = synthetic.generate(communes, n=130)
    arrays = pipeline.survey_arrays(
        [(i, r["P_COMMUNE"], None, r) for i, r in enumerate(rows)], GRID
    )
    outcome = pipeline.weigh(
        arrays, GRID, synthetic.assumed_margins(communes), pipeline.WeightingSettings(min_cell=10)
    )
    assert outcome.converged
    assert outcome.diagnostics["merged_cells"]


def test_margins_missing_for_a_commune_are_refused():
    communes = _communes()[:2]
    rows = synthetic.generate(communes, n=150)
    arrays = pipeline.survey_arrays(
        [(i, r["P_COMMUNE"], None, r) for i, r in enumerate(rows)], GRID
    )
    with pytest.raises(ValueError, match="no population margins"):
        pipeline.weigh(
            arrays, GRID, synthetic.assumed_margins(communes[:1]), pipeline.WeightingSettings()
        )
