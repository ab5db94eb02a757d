"""Weighted proportions and means with 95% confidence intervals, by domain, and their differences.

Variance by Taylor linearisation with strata (the communes) and respondents as primary units,
on the residuals of the linearised variable regressed on the calibration variables
(Deville & Särndal 1992): raked weights are not fixed numbers, and treating them as such
overstates the variance of whatever the margins explain. Replicate weights (Rao–Wu rescaling
bootstrap, re-raked per replicate) are the alternative. Formulas, conventions and references:
``docs/methods/weighting.md``.

Conventions
-----------
- Confidence intervals use Student's t with the design degrees of freedom
  ``df = (respondents holding domain members) - (strata holding domain members)``, as svy does;
  tests of differences are z-tests (normal reference).
- No finite population correction (sampling fractions of a few per thousand).
- Small samples: ``small_sample`` is set when fewer than 30 respondents contribute; with fewer
  than 5 the cell is suppressed: estimate, standard error and bounds are NaN and ``suppressed``
  is True. The thresholds are :data:`SMALL_SAMPLE_THRESHOLD` and :data:`SUPPRESSION_THRESHOLD`.
- A missing answer (NaN in ``y``) removes the respondent from the estimate, not from the design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.weighting import _validated_design_weights, build_cell_table

__all__ = [
    "SMALL_SAMPLE_THRESHOLD",
    "SUPPRESSION_THRESHOLD",
    "Difference",
    "Estimate",
    "domain_difference",
    "estimates_by_domain",
    "mean_ci",
    "mean_ci_columns",
    "proportion_ci",
    "wave_difference",
]

SMALL_SAMPLE_THRESHOLD = 30
SUPPRESSION_THRESHOLD = 5


@dataclass(frozen=True)
class Estimate:
    """A weighted mean or proportion with its confidence interval.

    Attributes
    ----------
    estimate, standard_error, lower, upper : float
        Point estimate (a share in 0..1 for proportions), its standard error and the bounds of
        the ``confidence`` interval ``estimate ± t_{df, (1+confidence)/2} × SE``. NaN when
        suppressed. Proportion bounds are not clipped to [0, 1].
    n : int
        Respondents contributing (in the domain, with an answer).
    df : float
        Degrees of freedom of the t reference (``inf``: normal).
    confidence : float
        Confidence level.
    small_sample : bool
        Fewer than 30 respondents: publish with a warning.
    suppressed : bool
        Fewer than 5 respondents: not published.
    """

    estimate: float
    standard_error: float
    lower: float
    upper: float
    n: int
    df: float
    confidence: float
    small_sample: bool
    suppressed: bool


@dataclass(frozen=True)
class Difference:
    """``first - second`` with a z-test of no difference.

    Attributes
    ----------
    difference, standard_error, lower, upper : float
        Difference, its standard error and normal-quantile confidence bounds (NaN if suppressed).
    statistic, p_value : float
        ``z = difference / SE`` and the two-sided p-value ``2 (1 - Φ(|z|))``.
    n_first, n_second : int
        Respondents behind each estimate.
    small_sample, suppressed : bool
        As in :class:`Estimate`, for the smaller of the two groups.
    """

    difference: float
    standard_error: float
    lower: float
    upper: float
    statistic: float
    p_value: float
    n_first: int
    n_second: int
    confidence: float
    small_sample: bool
    suppressed: bool


def _as_codes(values: ArrayLike | None, n: int, name: str) -> NDArray[np.intp]:
    if values is None:
        return np.zeros(n, dtype=np.intp)
    codes = np.asarray(values)
    if codes.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {codes.shape}")
    return np.unique(codes, return_inverse=True)[1].astype(np.intp)


def _check_strata(strata: NDArray[np.intp]) -> None:
    sizes = np.bincount(strata)
    if (sizes == 1).any():
        raise ValueError(
            f"strata {np.flatnonzero(sizes == 1).tolist()} hold a single respondent: their "
            "variance cannot be estimated; merge them with a neighbouring stratum"
        )


def _calibration_residuals(
    scores: NDArray[np.float64],
    weights: NDArray[np.float64],
    calibration: Sequence[ArrayLike],
) -> NDArray[np.float64]:
    """Residuals ``u_i - x_i' B`` of the weighted regression of scores on calibration dummies.

    ``scores`` has shape (n, q) (one column per linearised variable). The dummies depend only on
    the respondent's cell, so ``B = (Σ w x x')^+ Σ w x u`` is built from cell sums.
    """
    k = [int(np.max(np.asarray(c))) + 1 for c in calibration]
    table = build_cell_table(calibration, n_categories=k)
    x = table.dummies()
    cell_w = table.cell_sums(weights)
    xtwx = (x * cell_w[:, None]).T @ x
    cell_wu = np.stack(
        [table.cell_sums(weights * scores[:, j]) for j in range(scores.shape[1])], axis=1
    )
    beta = np.linalg.lstsq(xtwx, x.T @ cell_wu, rcond=None)[0]
    return scores - (x @ beta)[table.unit_cell]


def _stratified_variance(
    weighted_scores: NDArray[np.float64], strata: NDArray[np.intp]
) -> NDArray[np.float64]:
    """``Σ_h n_h/(n_h-1) Σ_i (v_hi - v̄_h)^2`` for each column (with-replacement PSUs)."""
    sizes = np.bincount(strata).astype(np.float64)
    variance = np.zeros(weighted_scores.shape[1])
    for j in range(weighted_scores.shape[1]):
        v = weighted_scores[:, j]
        means = np.bincount(strata, weights=v) / sizes
        dev = v - means[strata]
        variance[j] = np.sum(sizes / (sizes - 1) * np.bincount(strata, weights=dev * dev))
    return variance


def _domain_scores(
    y: NDArray[np.float64], w: NDArray[np.float64], members: NDArray[np.bool_]
) -> tuple[float, NDArray[np.float64]]:
    """Ratio-mean estimate of a domain and its linearised score ``δ_i (y_i - ȳ) / N̂``."""
    total_w = float(w[members].sum())
    estimate = float(np.dot(w[members], y[members]) / total_w)
    scores = np.zeros(y.size)
    scores[members] = (y[members] - estimate) / total_w
    return estimate, scores


def _design_df(members: NDArray[np.bool_], strata: NDArray[np.intp]) -> float:
    return float(members.sum() - np.unique(strata[members]).size)


def _finish(estimate: float, variance: float, n: int, df: float, confidence: float) -> Estimate:
    suppressed = n < SUPPRESSION_THRESHOLD
    if suppressed or df <= 0:
        nan = float("nan")
        return Estimate(nan, nan, nan, nan, n, df, confidence, True, suppressed)
    se = float(np.sqrt(variance))
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    return Estimate(
        estimate=estimate,
        standard_error=se,
        lower=estimate - q * se,
        upper=estimate + q * se,
        n=n,
        df=df,
        confidence=confidence,
        small_sample=n < SMALL_SAMPLE_THRESHOLD,
        suppressed=False,
    )


def _prepare(
    y: ArrayLike, weights: ArrayLike, strata: ArrayLike | None, domain: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp], NDArray[np.bool_]]:
    w = _validated_design_weights(weights)
    values, members = _answers_in_domain(y, domain, w.shape)
    strata_codes = _as_codes(strata, w.size, "strata")
    _check_strata(strata_codes)
    return values, w, strata_codes, members


def _answers_in_domain(
    y: ArrayLike, domain: ArrayLike | None, shape: tuple[int, ...]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Answers with 0 outside the domain or where missing, and the domain's respondents."""
    values = np.asarray(y, dtype=np.float64)
    if values.shape != shape:
        raise ValueError(f"y has shape {values.shape} but weights {shape}")
    members = np.isfinite(values)
    if domain is not None:
        mask = np.asarray(domain, dtype=bool)
        if mask.shape != shape:
            raise ValueError(f"domain has shape {mask.shape} but weights {shape}")
        members &= mask
    return np.where(members, values, 0.0), members


def mean_ci(
    y: ArrayLike,
    weights: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    calibration: Sequence[ArrayLike] | None = None,
    domain: ArrayLike | None = None,
    replicate_weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Weighted mean of ``y`` with a confidence interval.

    ``ȳ_d = Σ w_i δ_i y_i / Σ w_i δ_i``. Taylor variance: with the score
    ``u_i = δ_i (y_i - ȳ_d) / N̂_d`` and, under calibration, its residual
    ``e_i = u_i - x_i' B`` from the weighted regression on the calibration dummies,
    ``V = Σ_h n_h/(n_h-1) Σ_{i∈h} (w_i e_i - mean_h(w e))^2``.

    Parameters
    ----------
    y : array_like, shape (n,)
        Answers; NaN marks a missing answer.
    weights : array_like, shape (n,)
        Final (raked) weights.
    strata : array_like, shape (n,), optional
        Stratum of each respondent (the commune); any hashable codes.
    calibration : sequence of array_like of int, optional
        The category codes the weights were raked or calibrated on (as passed to
        :func:`analysis.weighting.rake_weights`); the variance then uses calibration residuals.
    domain : array_like of bool, shape (n,), optional
        Members of the subpopulation; the variance still uses the whole sample.
    replicate_weights : array_like, shape (n, B), optional
        Bootstrap replicate weights (:func:`analysis.bootstrap.rao_wu_bootstrap_weights`); the variance is then
        ``(1/B) Σ_b (θ_b - θ̄)^2`` instead of the Taylor formula, with ``B - 1`` degrees of
        freedom (as svy and R's ``survey``).
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    Estimate
    """
    values, w, strata_codes, members = _prepare(y, weights, strata, domain)
    n = int(members.sum())
    df = _design_df(members, strata_codes)
    if replicate_weights is not None:
        df = replicate_degrees_of_freedom(replicate_weights)
    if n < SUPPRESSION_THRESHOLD or w[members].sum() <= 0:
        return _finish(float("nan"), float("nan"), n, df, confidence)
    estimate, scores = _domain_scores(values, w, members)
    if replicate_weights is not None:
        variance = _replicate_variance(values, members, replicate_weights, w.size)
    else:
        u = scores[:, None]
        if calibration is not None:
            u = _calibration_residuals(u, w, calibration)
        variance = float(_stratified_variance(w[:, None] * u, strata_codes)[0])
    return _finish(estimate, variance, n, df, confidence)


def mean_ci_columns(
    ys: Sequence[ArrayLike],
    domains: Sequence[ArrayLike | None],
    weights: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    calibration: Sequence[ArrayLike] | None = None,
    replicate_weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> list[Estimate]:
    """:func:`mean_ci` for many (answer, domain) pairs of one sample at once.

    The same formulas and results (tested to 1e-12), with the calibration regression solved
    once for every column instead of once per estimate: the 616 estimates of the demo survey
    take 0.2 s instead of 25 s.

    Parameters
    ----------
    ys : sequence of array_like, each shape (n,)
        Answers of each estimate; NaN marks a missing answer.
    domains : sequence of (array_like of bool, shape (n,)) or None
        Subpopulation of each estimate (``None``: everyone); same length as ``ys``.
    weights, strata, calibration, replicate_weights, confidence
        As in :func:`mean_ci`, shared by every estimate.

    Returns
    -------
    list of Estimate
        One per (answer, domain) pair, in order; suppressed (NaN) below
        :data:`SUPPRESSION_THRESHOLD` respondents, as :func:`mean_ci`.
    """
    if len(ys) != len(domains):
        raise ValueError(f"{len(ys)} answer columns for {len(domains)} domains")
    w = _validated_design_weights(weights)
    strata_codes = _as_codes(strata, w.size, "strata")
    _check_strata(strata_codes)
    if replicate_weights is not None:
        replicate_df = replicate_degrees_of_freedom(replicate_weights)
    prepared = []
    for y, domain in zip(ys, domains, strict=True):
        values, members = _answers_in_domain(y, domain, w.shape)
        n = int(members.sum())
        df = _design_df(members, strata_codes) if replicate_weights is None else replicate_df
        prepared.append((values, members, n, df))
    live = [
        i
        for i, (_v, members, n, _df) in enumerate(prepared)
        if n >= SUPPRESSION_THRESHOLD and w[members].sum() > 0
    ]
    estimates = {}
    scores = np.zeros((w.size, len(live)))
    for j, i in enumerate(live):
        values, members, _n, _df = prepared[i]
        estimates[i], scores[:, j] = _domain_scores(values, w, members)
    variances = np.full(len(live), np.nan)
    if live:
        if replicate_weights is not None:
            variances = np.array(
                [
                    _replicate_variance(prepared[i][0], prepared[i][1], replicate_weights, w.size)
                    for i in live
                ]
            )
        else:
            u = scores if calibration is None else _calibration_residuals(scores, w, calibration)
            variances = _stratified_variance(w[:, None] * u, strata_codes)
    variance_of = dict(zip(live, variances, strict=True))
    return [
        _finish(
            estimates.get(i, float("nan")),
            float(variance_of.get(i, float("nan"))),
            n,
            df,
            confidence,
        )
        for i, (_v, _m, n, df) in enumerate(prepared)
    ]


def replicate_degrees_of_freedom(replicate_weights: ArrayLike) -> float:
    """Degrees of freedom of a replicate (bootstrap) variance: ``B - 1`` for ``B`` replicates.

    The convention of R's ``survey`` (``svrepdesign``) and of svy for bootstrap replicates.
    """
    replicates = np.asarray(replicate_weights).shape[-1]
    if replicates < 2:
        raise ValueError(f"at least 2 replicates are needed, got {replicates}")
    return float(replicates - 1)


def _replicate_variance(
    values: NDArray[np.float64], members: NDArray[np.bool_], replicate_weights: ArrayLike, n: int
) -> float:
    rep = np.asarray(replicate_weights, dtype=np.float64)
    if rep.ndim != 2 or rep.shape[0] != n:
        raise ValueError(f"replicate weights must have shape ({n}, B), got {rep.shape}")
    delta = members.astype(np.float64)
    thetas = ((values * delta) @ rep) / (delta @ rep)
    return float(np.mean((thetas - thetas.mean()) ** 2))


def proportion_ci(
    y: ArrayLike,
    weights: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    calibration: Sequence[ArrayLike] | None = None,
    domain: ArrayLike | None = None,
    replicate_weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Weighted proportion of ``y == 1`` (a share in 0..1) with a Wald-type interval.

    Same as :func:`mean_ci` on a 0/1 variable (NaN for a missing answer). With equal weights,
    one stratum and no calibration the standard error is ``sqrt(p (1 - p) / (n - 1))`` and the
    quantile is ``t_{n-1}``: the textbook Wald interval with the unbiased ``s^2`` of a
    with-replacement sample.
    """
    values = np.asarray(y, dtype=np.float64)
    answered = values[np.isfinite(values)]
    if not np.isin(answered, (0.0, 1.0)).all():
        raise ValueError("a proportion needs y coded 0/1 (NaN for a missing answer)")
    return mean_ci(
        values,
        weights,
        strata=strata,
        calibration=calibration,
        domain=domain,
        replicate_weights=replicate_weights,
        confidence=confidence,
    )


def estimates_by_domain(
    y: ArrayLike,
    weights: ArrayLike,
    *,
    domains: ArrayLike,
    strata: ArrayLike | None = None,
    calibration: Sequence[ArrayLike] | None = None,
    replicate_weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> dict[object, Estimate]:
    """:func:`mean_ci` for each level of ``domains`` (commune, age band, education…).

    Returns
    -------
    dict
        ``{level: Estimate}`` in sorted level order.
    """
    labels = np.asarray(domains)
    return {
        level.item() if hasattr(level, "item") else level: mean_ci(
            y,
            weights,
            strata=strata,
            calibration=calibration,
            domain=labels == level,
            replicate_weights=replicate_weights,
            confidence=confidence,
        )
        for level in np.unique(labels)
    }


def _difference(
    diff: float, se: float, n_first: int, n_second: int, confidence: float
) -> Difference:
    smallest = min(n_first, n_second)
    suppressed = smallest < SUPPRESSION_THRESHOLD
    if suppressed:
        nan = float("nan")
        return Difference(nan, nan, nan, nan, nan, nan, n_first, n_second, confidence, True, True)
    q = float(stats.norm.ppf(0.5 + confidence / 2))
    z = diff / se
    return Difference(
        difference=diff,
        standard_error=se,
        lower=diff - q * se,
        upper=diff + q * se,
        statistic=z,
        p_value=float(2 * stats.norm.sf(abs(z))),
        n_first=n_first,
        n_second=n_second,
        confidence=confidence,
        small_sample=smallest < SMALL_SAMPLE_THRESHOLD,
        suppressed=False,
    )


def domain_difference(
    y: ArrayLike,
    weights: ArrayLike,
    *,
    first: ArrayLike,
    second: ArrayLike,
    strata: ArrayLike | None = None,
    calibration: Sequence[ArrayLike] | None = None,
    confidence: float = 0.95,
) -> Difference:
    """Difference of the weighted means of two domains of the same survey, with a z-test.

    The two estimates share the design and the calibration, so the variance is that of the
    difference of their linearised scores ``u_first - u_second`` (covariance included).

    Parameters
    ----------
    first, second : array_like of bool, shape (n,)
        Members of each domain (e.g. ``commune == "33063"``).
    """
    values, w, strata_codes, answered = _prepare(y, weights, strata, None)
    members_a = answered & np.asarray(first, dtype=bool)
    members_b = answered & np.asarray(second, dtype=bool)
    n_a, n_b = int(members_a.sum()), int(members_b.sum())
    if min(n_a, n_b) < SUPPRESSION_THRESHOLD:
        return _difference(float("nan"), float("nan"), n_a, n_b, confidence)
    est_a, u_a = _domain_scores(values, w, members_a)
    est_b, u_b = _domain_scores(values, w, members_b)
    u = (u_a - u_b)[:, None]
    if calibration is not None:
        u = _calibration_residuals(u, w, calibration)
    variance = float(_stratified_variance(w[:, None] * u, strata_codes)[0])
    return _difference(est_a - est_b, float(np.sqrt(variance)), n_a, n_b, confidence)


def wave_difference(first: Estimate, second: Estimate, *, confidence: float = 0.95) -> Difference:
    """Difference between two independent survey waves, ``first - second``, with a z-test.

    The samples are independent, so ``SE = sqrt(SE_1^2 + SE_2^2)``.
    """
    se = float(np.hypot(first.standard_error, second.standard_error))
    return _difference(first.estimate - second.estimate, se, first.n, second.n, confidence)
