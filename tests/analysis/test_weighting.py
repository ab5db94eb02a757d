"""Raking, linear calibration, trimming and weight diagnostics (pure numpy, no database)."""

from __future__ import annotations

import numpy as np
import pytest

import analysis.weighting as weighting
from analysis.calibration import calibrate_linear
from analysis.weighting import (
    RakingNotConvergedError,
    cross_categories,
    effective_sample_size,
    kish_design_effect,
    rake_weights,
    trim_weights,
    weight_diagnostics,
)


def naive_rake(d, categories, targets, *, sweeps):
    """Oracle: unit-level IPF, one boolean mask per category, a fixed number of sweeps."""
    w = np.array(d, dtype=float)
    for _ in range(sweeps):
        for codes, t in zip(categories, targets, strict=True):
            for k, target in enumerate(t):
                mask = codes == k
                w[mask] *= target / w[mask].sum()
    return w


def synthetic_survey(rng, n=3_000):
    """Commune (5), age band (6), sex (2), education (4) with unequal design weights."""
    commune = rng.integers(0, 5, n)
    age = rng.integers(0, 6, n)
    sex = rng.integers(0, 2, n)
    education = np.minimum(rng.poisson(1.2, n), 3)
    d = rng.uniform(20, 80, n)
    population = 150_000.0
    targets = []
    for k in (5, 6, 2, 4):
        share = rng.uniform(0.5, 1.5, k)
        targets.append(share / share.sum() * population)
    return d, [commune, age, sex, education], targets


def margins(weights, categories, targets):
    return [
        np.bincount(c, weights=weights, minlength=len(t))
        for c, t in zip(categories, targets, strict=True)
    ]


def test_two_by_two_raking_matches_hand_solution():
    """2×2 table, by hand.

    Cells (sex, age) hold 1, 2, 3 and 4 respondents of design weight 1: the starting table is
    [[1, 2], [3, 4]], whose odds ratio (1·4)/(2·3) = 2/3 raking preserves. With all four margins
    equal to 10 the fitted table is [[a, 10-a], [10-a, a]] with a²/(10-a)² = 2/3, so
    a = 10·sqrt(2/3) / (1 + sqrt(2/3)) = 4.4948974…; each respondent carries its cell total
    divided by the cell count.
    """
    sex = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
    age = np.array([0, 1, 1, 0, 0, 0, 1, 1, 1, 1])
    result = rake_weights(
        np.ones(10),
        categories=[sex, age],
        targets=[[10, 10], [10, 10]],
        tolerance=1e-13,
        max_iterations=500,
    )
    a = 10 * np.sqrt(2 / 3) / (1 + np.sqrt(2 / 3))
    expected = np.array([a, (10 - a) / 2, (10 - a) / 2, *[(10 - a) / 3] * 3, *[a / 4] * 4])
    assert result.converged
    np.testing.assert_allclose(result.weights, expected, rtol=1e-12)
    assert a == pytest.approx(4.494897427831781, rel=1e-15)


def test_uniform_start_reaches_independence_table_in_one_sweep():
    """From a uniform 2×2 table, one sweep gives w_ij = r_i c_j / N: 12, 18, 28, 42."""
    result = rake_weights(
        np.ones(4),
        categories=[np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])],
        targets=[[30, 70], [40, 60]],
    )
    np.testing.assert_allclose(result.weights, [12, 18, 28, 42], rtol=1e-15)
    assert result.iterations == 1


def test_compact_table_equals_unit_level_oracle():
    rng = np.random.default_rng(20240501)
    d, cats, targets = synthetic_survey(rng)
    result = rake_weights(d, categories=cats, targets=targets, tolerance=1e-14, max_iterations=1000)
    oracle = naive_rake(d, cats, targets, sweeps=result.iterations)
    np.testing.assert_allclose(result.weights, oracle, rtol=1e-12)
    for achieved, t in zip(margins(result.weights, cats, targets), targets, strict=True):
        np.testing.assert_allclose(achieved, t, rtol=1e-13)


def test_sparse_key_space_gives_same_weights(monkeypatch):
    rng = np.random.default_rng(7)
    d, cats, targets = synthetic_survey(rng, n=800)
    dense = rake_weights(d, categories=cats, targets=targets, tolerance=1e-12)
    monkeypatch.setattr(weighting, "_DENSE_KEY_LIMIT", 0)
    sparse = rake_weights(d, categories=cats, targets=targets, tolerance=1e-12)
    np.testing.assert_array_equal(dense.weights, sparse.weights)


def test_margins_met_to_tolerance():
    rng = np.random.default_rng(11)
    d, cats, targets = synthetic_survey(rng)
    for tolerance in (1e-3, 1e-6, 1e-10):
        result = rake_weights(d, categories=cats, targets=targets, tolerance=tolerance)
        assert result.converged and result.max_relative_error <= tolerance
        for achieved, t in zip(margins(result.weights, cats, targets), targets, strict=True):
            assert np.max(np.abs(achieved - t) / t) <= tolerance


def test_crossed_margins_commune_by_age_sex_plus_education():
    rng = np.random.default_rng(3)
    n = 4_000
    commune, age, sex = rng.integers(0, 4, n), rng.integers(0, 3, n), rng.integers(0, 2, n)
    education = rng.integers(0, 4, n)
    cell, k = cross_categories(commune, age, sex, n_categories=(4, 3, 2))
    assert k == 24
    assert cell[0] == (commune[0] * 3 + age[0]) * 2 + sex[0]
    cell_targets = rng.uniform(1_000, 3_000, k)
    edu_targets = np.array([0.2, 0.3, 0.3, 0.2]) * cell_targets.sum()
    result = rake_weights(
        rng.uniform(1, 3, n),
        categories=[cell, education],
        targets=[cell_targets, edu_targets],
        tolerance=1e-10,
    )
    np.testing.assert_allclose(np.bincount(cell, weights=result.weights), cell_targets, rtol=1e-10)
    np.testing.assert_allclose(
        np.bincount(education, weights=result.weights), edu_targets, rtol=1e-10
    )


def test_integer_weights_equal_repeated_rows():
    rng = np.random.default_rng(5)
    n = 300
    d = rng.integers(1, 5, n).astype(float)
    cats = [rng.integers(0, 3, n), rng.integers(0, 2, n)]
    targets = [np.array([300.0, 500.0, 200.0]), np.array([450.0, 550.0])]
    compact = rake_weights(d, categories=cats, targets=targets, tolerance=1e-13)
    rows = np.repeat(np.arange(n), d.astype(int))
    expanded = rake_weights(
        np.ones(rows.size), categories=[c[rows] for c in cats], targets=targets, tolerance=1e-13
    )
    np.testing.assert_allclose(
        np.bincount(rows, weights=expanded.weights), compact.weights, rtol=1e-12
    )


def test_scale_invariance():
    rng = np.random.default_rng(8)
    d, cats, targets = synthetic_survey(rng, n=1_000)
    base = rake_weights(d, categories=cats, targets=targets, tolerance=1e-12).weights
    scaled_design = rake_weights(1e3 * d, categories=cats, targets=targets, tolerance=1e-12).weights
    scaled_targets = rake_weights(
        d, categories=cats, targets=[2.5 * t for t in targets], tolerance=1e-12
    ).weights
    np.testing.assert_allclose(scaled_design, base, rtol=1e-11)
    np.testing.assert_allclose(scaled_targets, 2.5 * base, rtol=1e-11)


def test_nonconvergence_raises_or_is_flagged():
    rng = np.random.default_rng(9)
    d, cats, targets = synthetic_survey(rng, n=1_000)
    with pytest.raises(RakingNotConvergedError, match="did not converge in 1 sweeps") as info:
        rake_weights(d, categories=cats, targets=targets, tolerance=1e-14, max_iterations=1)
    assert info.value.max_relative_error > 1e-14
    result = rake_weights(
        d,
        categories=cats,
        targets=targets,
        tolerance=1e-14,
        max_iterations=1,
        raise_on_nonconvergence=False,
    )
    assert not result.converged and result.iterations == 1 and result.max_relative_error > 1e-14


def test_infeasible_bounds_do_not_converge_silently():
    sex = np.array([0, 0, 0, 1])
    with pytest.raises(RakingNotConvergedError):
        rake_weights(
            np.ones(4), categories=[sex], targets=[[2.0, 2.0]], bounds=(0.5, 1.5), max_iterations=20
        )


def test_bounds_hold_on_adjustment_factors():
    rng = np.random.default_rng(12)
    d, cats, targets = synthetic_survey(rng, n=2_000)
    free = rake_weights(d, categories=cats, targets=targets, tolerance=1e-8)
    g_free = free.weights / d
    lower, upper = 0.9 * g_free.min() + 0.1, 0.9 * g_free.max() + 0.1 * g_free.mean()
    bounded = rake_weights(
        d, categories=cats, targets=targets, tolerance=1e-8, bounds=(0.0, upper), max_iterations=500
    )
    g = bounded.weights / d
    assert bounded.converged and g.max() <= upper * (1 + 1e-12) and g_free.max() > upper
    assert lower > 0


@pytest.mark.parametrize(
    ("categories", "targets", "message"),
    [
        ([np.array([0, 1, 0])], [[1.0, 2.0]], "4 design weights but 3 category codes"),
        (
            [np.array([0, 1, 0, 1])],
            [[1.0, 2.0, 3.0]],
            r"categories \[2\] have a population total but no respondent",
        ),
        ([np.array([0, 1, 0, 1])], [[1.0, 0.0]], "targets must be finite and positive"),
        (
            [np.array([0, 0, 0, 0]), np.array([0, 1, 0, 1])],
            [[5.0, 5.0], [5.0, 5.0]],
            "no respondent",
        ),
        (
            [np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1])],
            [[5.0, 5.0], [5.0, 6.0]],
            "different populations",
        ),
        ([np.array([0, 1, 0, 2])], [[5.0, 5.0]], "codes must lie in 0..1"),
    ],
)
def test_invalid_margins_are_refused(categories, targets, message):
    with pytest.raises(ValueError, match=message):
        rake_weights(np.ones(4), categories=categories, targets=targets)


def test_kish_design_effect_and_effective_sample_size_by_hand():
    """w = (1, 1, 2, 2): deff = 4·10/6² = 10/9 = 1 + CV², CV = 0.5/1.5; ESS = 36/10."""
    w = np.array([1.0, 1.0, 2.0, 2.0])
    assert kish_design_effect(w) == pytest.approx(10 / 9, rel=1e-15)
    assert effective_sample_size(w) == pytest.approx(3.6, rel=1e-15)
    diagnostics = weight_diagnostics(w)
    assert diagnostics.coefficient_of_variation == pytest.approx(1 / 3, rel=1e-15)
    assert diagnostics.kish_design_effect == pytest.approx(
        1 + diagnostics.coefficient_of_variation**2, rel=1e-14
    )
    assert (diagnostics.n, diagnostics.total, diagnostics.max_min_ratio) == (4, 6.0, 2.0)
    assert kish_design_effect(np.full(7, 3.0)) == pytest.approx(1.0, rel=1e-15)


def test_trim_weights_keeps_total_and_bounds():
    rng = np.random.default_rng(13)
    w = rng.lognormal(0, 1, 500)
    trimmed = trim_weights(w, upper=3 * w.mean(), lower=0.2 * w.mean())
    assert trimmed.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert trimmed.max() <= 3 * w.mean() * (1 + 1e-12) and trimmed.min() >= 0.2 * w.mean() * (
        1 - 1e-12
    )
    assert w.max() > 3 * w.mean()
    with pytest.raises(ValueError, match="can add up to"):
        trim_weights(w, upper=0.5 * w.mean())


def test_linear_calibration_on_one_margin_is_post_stratification():
    rng = np.random.default_rng(14)
    n = 500
    group = rng.integers(0, 3, n)
    d = rng.uniform(1, 4, n)
    totals = np.array([1000.0, 1500.0, 2500.0])
    greg = calibrate_linear(d, categories=[group], targets=[totals])
    post = d * (totals / np.bincount(group, weights=d))[group]
    np.testing.assert_allclose(greg.weights, post, rtol=1e-12)
    assert greg.converged


def test_linear_calibration_compact_equals_unit_level_closed_form():
    rng = np.random.default_rng(15)
    d, cats, targets = synthetic_survey(rng, n=2_000)
    compact = calibrate_linear(d, categories=cats, targets=targets)
    # Oracle: w = d (1 + x'λ), λ from the unit-level normal equations with the dummy matrix.
    x = np.hstack([np.eye(len(t))[c] for c, t in zip(cats, targets, strict=True)])
    t = np.concatenate(targets)
    lam = np.linalg.lstsq((x * d[:, None]).T @ x, t - x.T @ d, rcond=None)[0]
    np.testing.assert_allclose(compact.weights, d * (1 + x @ lam), rtol=1e-9)
    for achieved, tt in zip(margins(compact.weights, cats, targets), targets, strict=True):
        np.testing.assert_allclose(achieved, tt, rtol=1e-10)


def test_linear_calibration_with_numeric_auxiliary_and_bounds():
    rng = np.random.default_rng(16)
    n = 1_000
    group = rng.integers(0, 2, n)
    size = rng.poisson(2.3, n) + 1.0
    d = np.full(n, 50.0)
    totals = [np.array([24_000.0, 26_000.0])]
    size_total = 1.1 * np.dot(d, size)
    greg = calibrate_linear(
        d, categories=[group], targets=totals, auxiliaries=size, auxiliary_totals=[size_total]
    )
    assert greg.converged
    assert np.dot(greg.weights, size) == pytest.approx(size_total, rel=1e-10)
    np.testing.assert_allclose(np.bincount(group, weights=greg.weights), totals[0], rtol=1e-10)
    g = greg.weights / d
    bounded = calibrate_linear(
        d,
        categories=[group],
        targets=totals,
        auxiliaries=size,
        auxiliary_totals=[size_total],
        bounds=(g.min() + 0.05, g.max() - 0.05),
    )
    g_b = bounded.weights / d
    assert bounded.converged and bounded.iterations > 1
    assert g_b.min() >= g.min() + 0.05 - 1e-12 and g_b.max() <= g.max() - 0.05 + 1e-12
    assert np.dot(bounded.weights, size) == pytest.approx(size_total, rel=1e-8)
