"""Weighted estimates, Taylor and bootstrap confidence intervals, differences (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.bootstrap import rao_wu_bootstrap_weights
from analysis.estimation import (
    domain_difference,
    estimates_by_domain,
    mean_ci,
    mean_ci_columns,
    proportion_ci,
    wave_difference,
)
from analysis.weighting import rake_weights


def raked_survey(seed, n=2_000):
    """Four communes (strata), sex and age band margins, answers depending on age."""
    rng = np.random.default_rng(seed)
    commune = rng.integers(0, 4, n)
    sex = rng.integers(0, 2, n)
    age = rng.integers(0, 3, n)
    d = rng.uniform(30, 90, n)
    y = (rng.uniform(size=n) < np.array([0.1, 0.3, 0.6])[age]).astype(float)
    targets = [
        np.array([40e3, 30e3, 20e3, 10e3]),
        np.array([48e3, 52e3]),
        np.array([30e3, 40e3, 30e3]),
    ]
    cats = [commune, sex, age]
    w = rake_weights(d, categories=cats, targets=targets, tolerance=1e-12).weights
    return y, d, w, commune, cats, targets


def naive_taylor_variance(y, w, strata, dummies, members):
    """Oracle: unit-level loops, residuals from an explicit n × p weighted least squares."""
    est = sum(w[i] * y[i] for i in range(y.size) if members[i]) / sum(
        w[i] for i in range(y.size) if members[i]
    )
    total = w[members].sum()
    u = np.array([(y[i] - est) / total if members[i] else 0.0 for i in range(y.size)])
    if dummies is not None:
        sw = np.sqrt(w)
        beta = np.linalg.lstsq(dummies * sw[:, None], u * sw, rcond=None)[0]
        u = u - dummies @ beta
    variance = 0.0
    for h in np.unique(strata):
        v = [w[i] * u[i] for i in range(y.size) if strata[i] == h]
        mean = sum(v) / len(v)
        variance += len(v) / (len(v) - 1) * sum((vi - mean) ** 2 for vi in v)
    return est, variance


def test_equal_weights_proportion_is_the_wald_interval():
    """3 successes in 10 with equal weights, one stratum, no calibration.

    p = 0.3; SE = sqrt(p (1 - p) / (n - 1)) = sqrt(0.21 / 9) = 0.1527525…: the with-replacement
    linearisation gives the unbiased s²/n (textbook Wald uses p(1-p)/n, smaller by (n-1)/n).
    Quantile t with n - 1 = 9 df: 2.2621572; bounds 0.3 ∓ 0.3455502.
    """
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    est = proportion_ci(y, np.full(10, 7.0))
    assert est.estimate == pytest.approx(0.3, rel=1e-15)
    assert est.standard_error == pytest.approx(np.sqrt(0.21 / 9), rel=1e-13)
    assert est.df == 9
    assert est.lower == pytest.approx(0.3 - 2.262157162798205 * np.sqrt(0.21 / 9), rel=1e-12)
    assert est.upper == pytest.approx(0.6455502, abs=1e-7)
    assert est.small_sample and not est.suppressed


def test_equal_weights_mean_is_t_interval():
    rng = np.random.default_rng(1)
    y = rng.normal(10, 3, 200)
    est = mean_ci(y, np.ones(200))
    se = y.std(ddof=1) / np.sqrt(200)
    low, high = stats.t.interval(0.95, 199, loc=y.mean(), scale=se)
    assert (est.estimate, est.standard_error) == (
        pytest.approx(y.mean(), rel=1e-13),
        pytest.approx(se, rel=1e-12),
    )
    assert (est.lower, est.upper) == (pytest.approx(low, rel=1e-12), pytest.approx(high, rel=1e-12))
    assert not est.small_sample


def test_stratified_variance_matches_textbook_formula():
    """Weights N_h / n_h: V = Σ_h (N_h / N)² s_h² / n_h; df = n - H."""
    rng = np.random.default_rng(2)
    sizes, populations = np.array([40, 60, 100]), np.array([1000.0, 3000.0, 6000.0])
    strata = np.repeat(np.arange(3), sizes)
    y = rng.normal(strata * 2.0, 1.0)
    w = (populations / sizes)[strata]
    est = mean_ci(y, w, strata=strata)
    s2 = np.array([y[strata == h].var(ddof=1) for h in range(3)])
    expected = np.sum((populations / populations.sum()) ** 2 * s2 / sizes)
    assert est.standard_error**2 == pytest.approx(expected, rel=1e-12)
    assert est.df == 200 - 3


def test_post_stratified_variance_matches_hand_formula():
    """One margin (post-strata g), weights N_g / n_g, no strata.

    Residual e_i = (y_i - ȳ_g) / N, so V = n/(n-1) Σ_g (N_g / N)² (n_g - 1) s_g² / n_g².
    """
    rng = np.random.default_rng(3)
    n = 300
    group = rng.integers(0, 3, n)
    y = rng.normal(group * 1.5, 1.0)
    populations = np.array([2000.0, 5000.0, 3000.0])
    counts = np.bincount(group)
    w = (populations / counts)[group]
    est = mean_ci(y, w, calibration=[group])
    s2 = np.array([y[group == g].var(ddof=1) for g in range(3)])
    expected = (
        n / (n - 1) * np.sum((populations / populations.sum()) ** 2 * (counts - 1) * s2 / counts**2)
    )
    assert est.standard_error**2 == pytest.approx(expected, rel=1e-12)
    assert mean_ci(y, w).standard_error > est.standard_error


def test_calibrated_share_has_zero_variance():
    """The share of a raked category is fixed by the margins: its calibrated SE is 0."""
    _, _, w, commune, cats, _ = raked_survey(4)
    female = (cats[1] == 1).astype(float)
    est = proportion_ci(female, w, strata=commune, calibration=cats)
    assert est.estimate == pytest.approx(52 / 100, rel=1e-12)
    assert est.standard_error < 1e-12
    assert proportion_ci(female, w, strata=commune).standard_error > 1e-3


def test_taylor_with_calibration_equals_unit_level_oracle():
    y, _, w, commune, cats, targets = raked_survey(5, n=600)
    dummies = np.hstack([np.eye(len(t))[c] for c, t in zip(cats, targets, strict=True)])
    domain = cats[2] == 1
    for members, dom in ((np.ones(y.size, dtype=bool), None), (domain, domain)):
        est = proportion_ci(y, w, strata=commune, calibration=cats, domain=dom)
        oracle_est, oracle_var = naive_taylor_variance(y, w, commune, dummies, members)
        assert est.estimate == pytest.approx(oracle_est, rel=1e-12)
        assert est.standard_error**2 == pytest.approx(oracle_var, rel=1e-9)
        assert proportion_ci(y, w, strata=commune, domain=dom).standard_error ** 2 == pytest.approx(
            naive_taylor_variance(y, w, commune, None, members)[1], rel=1e-10
        )


def test_domain_estimate_by_hand_and_by_domain_table():
    """Equal weights, no strata: the domain SE² is n/(n-1) (n_d - 1) s_d² / n_d²."""
    rng = np.random.default_rng(6)
    n = 400
    region = rng.integers(0, 3, n)
    y = rng.normal(region.astype(float), 1.0)
    table = estimates_by_domain(y, np.ones(n), domains=region)
    assert list(table) == [0, 1, 2]
    for g, est in table.items():
        yd = y[region == g]
        nd = yd.size
        assert est.estimate == pytest.approx(yd.mean(), rel=1e-12)
        assert est.standard_error**2 == pytest.approx(
            n / (n - 1) * (nd - 1) * yd.var(ddof=1) / nd**2, rel=1e-12
        )
        assert est.n == nd and est.df == nd - 1


def test_small_cells_are_flagged_and_suppressed():
    y = np.tile([0.0, 1.0], 50)
    domain = np.zeros(100, dtype=bool)
    domain[:4] = True
    suppressed = proportion_ci(y, np.ones(100), domain=domain)
    assert suppressed.suppressed and suppressed.n == 4
    assert all(
        np.isnan(
            [suppressed.estimate, suppressed.standard_error, suppressed.lower, suppressed.upper]
        )
    )
    domain[:20] = True
    small = proportion_ci(y, np.ones(100), domain=domain)
    assert small.small_sample and not small.suppressed and small.estimate == pytest.approx(0.5)


def test_missing_answers_leave_the_estimate_not_the_design():
    y = np.array([1.0, 0.0, np.nan, 1.0, 1.0, 0.0, np.nan, 1.0])
    est = proportion_ci(y, np.arange(1.0, 9.0))
    assert est.n == 6
    assert est.estimate == pytest.approx((1 + 4 + 5 + 8) / (1 + 2 + 4 + 5 + 6 + 8), rel=1e-15)


def test_proportion_refuses_non_binary_answers():
    with pytest.raises(ValueError, match="0/1"):
        proportion_ci(np.array([0.0, 1.0, 2.0]), np.ones(3))


def test_difference_between_disjoint_domains_adds_variances_and_z_test():
    rng = np.random.default_rng(7)
    n = 500
    commune = rng.integers(0, 2, n)
    y = (rng.uniform(size=n) < np.where(commune == 0, 0.3, 0.45)).astype(float)
    first, second = commune == 0, commune == 1
    diff = domain_difference(y, np.ones(n), first=first, second=second)
    a = proportion_ci(y, np.ones(n), domain=first)
    b = proportion_ci(y, np.ones(n), domain=second)
    assert diff.difference == pytest.approx(a.estimate - b.estimate, rel=1e-13)
    assert diff.standard_error == pytest.approx(
        np.hypot(a.standard_error, b.standard_error), rel=1e-12
    )
    z = diff.difference / diff.standard_error
    assert diff.p_value == pytest.approx(2 * (1 - stats.norm.cdf(abs(z))), rel=1e-9)
    assert diff.lower == pytest.approx(
        diff.difference - 1.959963984540054 * diff.standard_error, rel=1e-12
    )


def test_domain_difference_with_calibration_matches_oracle():
    y, _, w, commune, cats, targets = raked_survey(8, n=500)
    first, second = commune == 0, commune == 2
    diff = domain_difference(y, w, first=first, second=second, strata=commune, calibration=cats)
    dummies = np.hstack([np.eye(len(t))[c] for c, t in zip(cats, targets, strict=True)])
    # Oracle: linearised scores of both domain means, differenced, regressed, stratified sum.
    scores = []
    for members in (first, second):
        est = np.dot(w[members], y[members]) / w[members].sum()
        scores.append(np.where(members, (y - est) / w[members].sum(), 0.0))
    u = scores[0] - scores[1]
    sw = np.sqrt(w)
    u = u - dummies @ np.linalg.lstsq(dummies * sw[:, None], u * sw, rcond=None)[0]
    variance = sum(
        (commune == h).sum()
        / ((commune == h).sum() - 1)
        * np.sum((w * u - np.mean((w * u)[commune == h]))[commune == h] ** 2)
        for h in range(4)
    )
    assert diff.standard_error**2 == pytest.approx(variance, rel=1e-9)


def test_wave_difference_by_hand():
    """0.25 (SE 0.012) vs 0.20 (SE 0.009): SE = 0.015, z = 3.3333, p = 2(1 - Φ(3.3333)) = 0.000858."""
    first = proportion_ci(np.r_[np.ones(25), np.zeros(75)], np.ones(100))
    wave_a = type(first)(0.25, 0.012, 0.0, 0.0, 1000, 999.0, 0.95, False, False)
    wave_b = type(first)(0.20, 0.009, 0.0, 0.0, 1200, 1199.0, 0.95, False, False)
    diff = wave_difference(wave_a, wave_b)
    assert diff.standard_error == pytest.approx(0.015, rel=1e-14)
    assert diff.statistic == pytest.approx(10 / 3, rel=1e-13)
    assert diff.p_value == pytest.approx(0.000858, abs=5e-7)


def test_rao_wu_replicates_are_reproducible_and_calibrated():
    _, d, _, commune, cats, targets = raked_survey(9, n=1_500)
    reps = rao_wu_bootstrap_weights(
        d,
        strata=commune,
        n_replicates=60,
        rng=np.random.default_rng(42),
        categories=cats,
        targets=targets,
    )
    again = rao_wu_bootstrap_weights(
        d,
        strata=commune,
        n_replicates=60,
        rng=np.random.default_rng(42),
        categories=cats,
        targets=targets,
    )
    np.testing.assert_array_equal(reps, again)
    assert reps.shape == (1_500, 60)
    for c, t in zip(cats, targets, strict=True):
        np.testing.assert_allclose(
            np.stack([np.bincount(c, weights=r, minlength=t.size) for r in reps.T]),
            np.tile(t, (60, 1)),
            rtol=1e-7,
        )


def test_rao_wu_factors_draw_n_minus_one_per_stratum():
    strata = np.repeat([0, 1], [5, 8])
    reps = rao_wu_bootstrap_weights(
        np.ones(13), strata=strata, n_replicates=200, rng=np.random.default_rng(1)
    )
    draws_0 = reps[strata == 0] * (4 / 5)
    draws_1 = reps[strata == 1] * (7 / 8)
    np.testing.assert_allclose(draws_0.sum(axis=0), 4.0)
    np.testing.assert_allclose(draws_1.sum(axis=0), 7.0)
    np.testing.assert_allclose(draws_0, np.round(draws_0), atol=1e-12)


def test_bootstrap_variance_is_close_to_taylor_with_calibration():
    y, d, w, commune, cats, targets = raked_survey(10, n=3_000)
    reps = rao_wu_bootstrap_weights(
        d,
        strata=commune,
        n_replicates=300,
        rng=np.random.default_rng(2024),
        categories=cats,
        targets=targets,
    )
    boot = proportion_ci(y, w, strata=commune, replicate_weights=reps)
    taylor = proportion_ci(y, w, strata=commune, calibration=cats)
    assert boot.estimate == taylor.estimate
    # Monte Carlo error of a 300-replicate SE is about 1/sqrt(2·300) ≈ 4%.
    assert boot.standard_error == pytest.approx(taylor.standard_error, rel=0.15)


@pytest.mark.parametrize("variance", ["taylor", "calibrated", "bootstrap"])
def test_columns_equal_mean_ci_one_by_one(variance):
    y, d, w, commune, cats, targets = raked_survey(11, n=1_500)
    rng = np.random.default_rng(5)
    score = rng.normal(50.0, 10.0, y.size)
    score[rng.uniform(size=y.size) < 0.1] = np.nan  # missing answers
    ys = [y, score, y, score, y]
    domains = [None, None, commune == 2, (commune == 1) & (d > 60), np.arange(y.size) < 4]
    options = {"strata": commune}
    if variance == "calibrated":
        options["calibration"] = cats
    elif variance == "bootstrap":
        options["replicate_weights"] = rao_wu_bootstrap_weights(
            d,
            strata=commune,
            n_replicates=40,
            rng=np.random.default_rng(3),
            categories=cats,
            targets=targets,
        )
    batched = mean_ci_columns(ys, domains, w, **options)
    assert len(batched) == len(ys)
    for y_k, domain, got in zip(ys, domains, batched, strict=True):
        ref = mean_ci(y_k, w, domain=domain, **options)
        assert got.n == ref.n
        assert got.suppressed == ref.suppressed
        for field in ("estimate", "standard_error", "lower", "upper", "df"):
            assert getattr(got, field) == pytest.approx(
                getattr(ref, field), rel=1e-12, abs=1e-15, nan_ok=True
            )
    assert batched[-1].suppressed  # 4 respondents: below the threshold of 5


def test_columns_say_which_input_is_wrong():
    y, _d, w, commune, _cats, _targets = raked_survey(12, n=100)
    with pytest.raises(ValueError, match="2 answer columns for 1 domains"):
        mean_ci_columns([y, y], [None], w, strata=commune)
    with pytest.raises(ValueError, match="domain has shape"):
        mean_ci_columns([y], [np.ones(3, bool)], w, strata=commune)
