"""Linear calibration (GREG weights) of design weights to known population totals.

Deville & Särndal (1992) calibration with the chi-square distance gives the closed form
``w_i = d_i (1 + x_i' λ)`` with ``λ = (Σ d_i x_i x_i')^{-1} (t_x - Σ d_i x_i)``: the weights of
the generalised regression (GREG) estimator. Only the small ``p × p`` system is solved, never an
``n × n`` one. When every auxiliary variable is categorical, ``x_i`` depends only on the cell of
the cross-classification, so the system is built on the compact cell table
(:class:`analysis.weighting.CellTable`) and the factors are broadcast back to respondents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.weighting import _validated_design_weights, build_cell_table

__all__ = ["CalibrationResult", "calibrate_linear"]


@dataclass(frozen=True)
class CalibrationResult:
    """Outcome of :func:`calibrate_linear`.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        Calibrated weights (persons per respondent). Unbounded GREG weights can be negative.
    converged : bool
        True when the totals are met within ``tolerance`` (and, with bounds, every factor lies
        within them).
    iterations : int
        Number of linear solves (1 without bounds).
    max_relative_error : float
        Largest ``|achieved - target| / |target|`` over the calibration totals.
    """

    weights: NDArray[np.float64]
    converged: bool
    iterations: int
    max_relative_error: float


def calibrate_linear(
    design_weights: ArrayLike,
    *,
    categories: Sequence[ArrayLike] = (),
    targets: Sequence[ArrayLike] = (),
    auxiliaries: ArrayLike | None = None,
    auxiliary_totals: ArrayLike | None = None,
    bounds: tuple[float, float] | None = None,
    tolerance: float = 1e-8,
    max_iterations: int = 50,
) -> CalibrationResult:
    """Calibrate design weights to population totals with the linear (chi-square) distance.

    Parameters
    ----------
    design_weights : array_like, shape (n,)
        Positive design weights ``d_i``.
    categories : sequence of array_like of int, each shape (n,)
        Categorical auxiliaries, coded ``0 … k_m - 1`` (as in
        :func:`analysis.weighting.rake_weights`).
    targets : sequence of array_like, each shape (k_m,)
        Population counts of each category of each categorical auxiliary.
    auxiliaries : array_like, shape (n, q), optional
        Numeric auxiliaries (e.g. household size). Their presence moves the computation to
        the unit level (``O(n q^2)``).
    auxiliary_totals : array_like, shape (q,), optional
        Population totals of the numeric auxiliaries.
    bounds : (float, float), optional
        Bounds ``(L, U)`` on ``g_i = w_i / d_i``: factors that leave them are fixed at the
        bound and the system is solved again on the others (truncated linear calibration),
        until none leaves them or ``max_iterations`` solves were made.
    tolerance : float
        Relative error accepted on the totals to report ``converged``.
    max_iterations : int
        Maximum number of solves when ``bounds`` is given.

    Returns
    -------
    CalibrationResult
        ``w_i = d_i (1 + x_i' λ)``; ``λ`` solves ``(Σ d_i x_i x_i') λ = t_x - Σ d_i x_i`` by
        least squares, so the redundant dummies of several categorical margins (each sums to 1)
        do no harm when the targets agree.
    """
    d = _validated_design_weights(design_weights)
    if len(categories) != len(targets):
        raise ValueError(f"{len(categories)} category arrays but {len(targets)} target vectors")
    if (auxiliaries is None) != (auxiliary_totals is None):
        raise ValueError("auxiliaries and auxiliary_totals go together")
    if not categories and auxiliaries is None:
        raise ValueError("nothing to calibrate on: give categories/targets or auxiliaries")

    blocks_t: list[NDArray[np.float64]] = [np.asarray(t, dtype=np.float64) for t in targets]
    if categories:
        table = build_cell_table(categories, n_categories=[t.size for t in blocks_t])
        if table.unit_cell.shape[0] != d.shape[0]:
            raise ValueError(f"{d.shape[0]} design weights but {table.unit_cell.shape[0]} codes")
    if auxiliaries is None:
        # Categorical only: one row per occupied cell.
        x = table.dummies()
        row_weight = table.cell_sums(d)
        row_of_unit = table.unit_cell
    else:
        aux = np.asarray(auxiliaries, dtype=np.float64)
        aux = aux.reshape(d.size, -1) if aux.ndim == 1 else aux
        if aux.shape[0] != d.size:
            raise ValueError(f"{d.size} design weights but auxiliaries of shape {aux.shape}")
        x = np.hstack([table.dummies()[table.unit_cell], aux]) if categories else aux
        blocks_t.append(np.asarray(auxiliary_totals, dtype=np.float64).reshape(-1))
        row_weight = d
        row_of_unit = np.arange(d.size)
    t = np.concatenate(blocks_t)
    if t.shape != (x.shape[1],):
        raise ValueError(f"{x.shape[1]} calibration variables but {t.size} totals")

    g = np.ones(x.shape[0])
    fixed = np.zeros(x.shape[0], dtype=bool)
    lower, upper = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    iterations = 0
    for iterations in range(1, (max_iterations if bounds is not None else 1) + 1):  # noqa: B007
        free = ~fixed
        xd_free = x[free] * row_weight[free, None]
        residual_total = t - x[fixed].T @ (row_weight[fixed] * g[fixed]) - xd_free.sum(axis=0)
        lam = np.linalg.lstsq(xd_free.T @ x[free], residual_total, rcond=None)[0]
        g[free] = 1.0 + x[free] @ lam
        outside = free & ((g < lower) | (g > upper))
        if not outside.any():
            break
        g[outside] = np.clip(g[outside], lower, upper)
        fixed |= outside
    achieved = x.T @ (row_weight * g)
    scale = np.where(t != 0, np.abs(t), 1.0)
    error = float(np.max(np.abs(achieved - t) / scale))
    within = bool(np.all((g >= lower - 1e-12) & (g <= upper + 1e-12)))
    return CalibrationResult(
        weights=d * g[row_of_unit],
        converged=bool(error <= tolerance and within),
        iterations=iterations,
        max_relative_error=error,
    )
