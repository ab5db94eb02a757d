"""Rao–Wu rescaling bootstrap replicate weights for the observatory survey.

Replicates are drawn within strata (the communes) and re-raked to the same margins as the
full-sample weights, so a replicate variance credits the calibration like the Taylor variance
of :mod:`analysis.estimation` does. Formulas: ``docs/methods/weighting.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.estimation import _as_codes, _check_strata
from analysis.weighting import _validated_design_weights, rake_weights

__all__ = ["rao_wu_bootstrap_weights"]


def rao_wu_bootstrap_weights(
    design_weights: ArrayLike,
    *,
    strata: ArrayLike | None,
    n_replicates: int,
    rng: np.random.Generator,
    categories: Sequence[ArrayLike] | None = None,
    targets: Sequence[ArrayLike] | None = None,
    tolerance: float = 1e-8,
    max_iterations: int = 200,
) -> NDArray[np.float64]:
    """Rao–Wu rescaling bootstrap replicate weights, re-raked per replicate.

    In each stratum of ``n_h`` respondents, ``n_h - 1`` are drawn with replacement; respondent
    ``i`` drawn ``r_i`` times gets ``d_i × r_i × n_h / (n_h - 1)`` (Rao & Wu 1988, Rao, Wu & Yue
    1992 with ``m_h = n_h - 1``). With ``categories``/``targets`` each replicate is then raked
    to the same margins as the full-sample weights, so the replicates carry the calibration.

    Parameters
    ----------
    design_weights : array_like, shape (n,)
        Design weights before raking.
    strata : array_like, shape (n,) or None
        Stratum of each respondent (None: one stratum).
    n_replicates : int
        Number of replicates ``B`` (200 to 500 are usual).
    rng : numpy.random.Generator
        Seeded generator, e.g. ``numpy.random.default_rng(2024)``; global state is never used.
    categories, targets : optional
        Raking margins, as in :func:`analysis.weighting.rake_weights`.
    tolerance, max_iterations
        Raking convergence control for each replicate (non-convergence raises).

    Returns
    -------
    ndarray, shape (n, B)
        Replicate weights; pass to ``replicate_weights=`` of
        :func:`analysis.estimation.mean_ci`.
    """
    d = _validated_design_weights(design_weights)
    strata_codes = _as_codes(strata, d.size, "strata")
    _check_strata(strata_codes)
    factors = np.zeros((d.size, n_replicates))
    for h in range(int(strata_codes.max()) + 1):
        rows = np.flatnonzero(strata_codes == h)
        n_h = rows.size
        draws = rng.multinomial(n_h - 1, np.full(n_h, 1.0 / n_h), size=n_replicates)
        factors[rows] = draws.T * (n_h / (n_h - 1))
    replicates = d[:, None] * factors
    if categories is not None:
        if targets is None:
            raise ValueError("categories need targets to re-rake the replicates")
        for b in range(n_replicates):
            replicates[:, b] = rake_weights(
                replicates[:, b],
                categories=categories,
                targets=targets,
                tolerance=tolerance,
                max_iterations=max_iterations,
            ).weights
    return replicates
