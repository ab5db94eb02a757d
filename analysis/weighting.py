"""Survey weighting: raking to population margins, trimming and weight diagnostics.

Raking (iterative proportional fitting, Deming & Stephan 1940) adjusts design weights ``d`` so
that the weighted counts of each margin (commune, age band, sex, education, or a crossed
classification such as commune × age-sex) equal known population totals. The adjustment factor
of a respondent depends only on the cell of the full cross-classification it falls in, so the
algorithm runs on a compact table of occupied cells (a few thousand at most) and the factors are
broadcast back to the respondents: the result is the unit-level raking, at a fraction of its
cost. Linear (GREG) calibration lives in :mod:`analysis.calibration`; formulas and references
are in ``docs/methods/weighting.md``.

Categorical inputs are integer codes ``0 … k-1`` (one array per margin, one entry per
respondent) with a target vector of length ``k`` per margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CellTable",
    "RakingNotConvergedError",
    "RakingResult",
    "WeightDiagnostics",
    "build_cell_table",
    "cross_categories",
    "effective_sample_size",
    "kish_design_effect",
    "rake_weights",
    "trim_weights",
    "weight_diagnostics",
]

# Above this many possible cells the mixed-radix key space is compacted with np.unique
# instead of np.bincount (memory of the dense count array: 8 bytes per possible cell).
_DENSE_KEY_LIMIT = 1 << 22


class RakingNotConvergedError(RuntimeError):
    """Raking stopped at ``max_iterations`` without meeting the tolerance.

    Attributes
    ----------
    iterations : int
        Sweeps performed.
    max_relative_error : float
        Largest ``|achieved - target| / target`` over all margin categories when it stopped.
    """

    def __init__(self, *, iterations: int, max_relative_error: float, tolerance: float) -> None:
        self.iterations = iterations
        self.max_relative_error = max_relative_error
        super().__init__(
            f"raking did not converge in {iterations} sweeps: largest relative margin error "
            f"{max_relative_error:.3e} > tolerance {tolerance:.1e}. Check that the margins are "
            "consistent and the bounds feasible, raise max_iterations, or pass "
            "raise_on_nonconvergence=False to inspect the last iterate."
        )


@dataclass(frozen=True)
class CellTable:
    """Respondents grouped by the cross-classification of every margin.

    Attributes
    ----------
    unit_cell : ndarray of intp, shape (n,)
        Index of the occupied cell of each respondent.
    cell_codes : ndarray of intp, shape (n_cells, n_margins)
        Category of each occupied cell in each margin.
    n_categories : tuple of int
        Number of categories of each margin.
    """

    unit_cell: NDArray[np.intp]
    cell_codes: NDArray[np.intp]
    n_categories: tuple[int, ...]

    @property
    def n_cells(self) -> int:
        return int(self.cell_codes.shape[0])

    def cell_sums(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum ``values`` (one per respondent) within each occupied cell."""
        sums = np.bincount(self.unit_cell, weights=values, minlength=self.n_cells)
        # float64 with weights, whatever numpy's stubs say (they give intp).
        return sums.astype(np.float64, copy=False)

    def dummies(self) -> NDArray[np.float64]:
        """One-hot design matrix of the cells, shape (n_cells, sum(n_categories))."""
        offsets = np.concatenate(([0], np.cumsum(self.n_categories)[:-1]))
        x = np.zeros((self.n_cells, int(sum(self.n_categories))))
        rows = np.arange(self.n_cells)
        for m, offset in enumerate(offsets):
            x[rows, offset + self.cell_codes[:, m]] = 1.0
        return x


@dataclass(frozen=True)
class RakingResult:
    """Outcome of :func:`rake_weights`.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        Raked weights, in the units of the targets (persons).
    converged : bool
        Whether every margin was met within the tolerance.
    iterations : int
        Number of full sweeps over the margins.
    max_relative_error : float
        Largest ``|achieved - target| / target`` over all margin categories.
    """

    weights: NDArray[np.float64]
    converged: bool
    iterations: int
    max_relative_error: float


@dataclass(frozen=True)
class WeightDiagnostics:
    """Spread of a set of weights and the precision lost to it (see :func:`weight_diagnostics`)."""

    n: int
    total: float
    minimum: float
    maximum: float
    mean: float
    coefficient_of_variation: float
    max_min_ratio: float
    kish_design_effect: float
    effective_sample_size: float


def cross_categories(
    *codes: ArrayLike, n_categories: Sequence[int]
) -> tuple[NDArray[np.intp], int]:
    """Combine several categorical variables into one crossed variable.

    Parameters
    ----------
    *codes : array_like of int, shape (n,)
        Integer codes, ``codes[j]`` in ``0 … n_categories[j] - 1``.
    n_categories : sequence of int
        Number of categories of each variable.

    Returns
    -------
    crossed : ndarray of intp, shape (n,)
        Row-major code of the combination (the last variable varies fastest), as
        ``numpy.ravel_multi_index``: for commune × age × sex, ``(c * 6 + a) * 2 + s``.
    k : int
        Number of crossed categories, ``prod(n_categories)``.
    """
    arrays = tuple(np.asarray(c, dtype=np.intp) for c in codes)
    dims = tuple(int(k) for k in n_categories)
    return np.ravel_multi_index(arrays, dims), int(np.prod(dims))


def build_cell_table(categories: Sequence[ArrayLike], *, n_categories: Sequence[int]) -> CellTable:
    """Group respondents by the cross-classification of all margins.

    Parameters
    ----------
    categories : sequence of array_like of int, each shape (n,)
        Category code of each respondent in each margin.
    n_categories : sequence of int
        Number of categories of each margin.

    Returns
    -------
    CellTable
    """
    dims = tuple(int(k) for k in n_categories)
    if len(categories) != len(dims) or not dims:
        raise ValueError(
            f"need one n_categories per margin: got {len(categories)} margins and {len(dims)} sizes"
        )
    codes = [np.asarray(c) for c in categories]
    n = codes[0].shape[0]
    key = np.zeros(n, dtype=np.int64)
    for m, (c, k) in enumerate(zip(codes, dims, strict=True)):
        if c.shape != (n,) or not np.issubdtype(c.dtype, np.integer):
            raise ValueError(
                f"margin {m}: expected integer codes of shape ({n},), got {c.dtype} {c.shape}"
            )
        if n and (c.min() < 0 or c.max() >= k):
            raise ValueError(f"margin {m}: codes must lie in 0..{k - 1}, got {c.min()}..{c.max()}")
        key *= k
        key += c
    n_keys = int(np.prod(np.array(dims, dtype=np.float64)))
    if n_keys <= _DENSE_KEY_LIMIT:
        occupied = np.flatnonzero(np.bincount(key, minlength=n_keys))
        lookup = np.empty(n_keys, dtype=np.intp)
        lookup[occupied] = np.arange(occupied.size)
        unit_cell = lookup[key]
    else:
        occupied, unit_cell = np.unique(key, return_inverse=True)
    cell_codes = np.stack(np.unravel_index(occupied, dims), axis=1).astype(np.intp)
    return CellTable(
        unit_cell=unit_cell.astype(np.intp, copy=False), cell_codes=cell_codes, n_categories=dims
    )


def _validated_design_weights(design_weights: ArrayLike) -> NDArray[np.float64]:
    """Finite, non-negative, not all zero (zeros come from bootstrap replicates)."""
    d = np.asarray(design_weights, dtype=np.float64)
    if d.ndim != 1 or d.size == 0:
        raise ValueError(f"weights must be a non-empty 1-D array, got shape {d.shape}")
    if not np.all(np.isfinite(d)) or d.min() < 0 or d.max() <= 0:
        raise ValueError(
            f"weights must be finite, non-negative and not all zero; range {d.min()!r}..{d.max()!r}"
        )
    return d


def _validated_targets(
    targets: Sequence[ArrayLike], table: CellTable, cell_design: NDArray[np.float64]
) -> list[NDArray[np.float64]]:
    out = []
    for m, (t, k) in enumerate(zip(targets, table.n_categories, strict=True)):
        t = np.asarray(t, dtype=np.float64)
        if t.shape != (k,):
            raise ValueError(f"margin {m}: expected {k} targets, got shape {t.shape}")
        if not np.all(np.isfinite(t)) or t.min() <= 0:
            raise ValueError(f"margin {m}: targets must be finite and positive, got {t}")
        present = np.bincount(table.cell_codes[:, m], weights=cell_design, minlength=k) > 0
        if not present.all():
            missing = np.flatnonzero(~present).tolist()
            raise ValueError(
                f"margin {m}: categories {missing} have a population total but no respondent; "
                "merge them with a neighbouring category"
            )
        out.append(t)
    totals = np.array([t.sum() for t in out])
    if np.ptp(totals) > 1e-9 * totals.max():
        raise ValueError(
            f"margins describe different populations: totals {totals.tolist()}; "
            "raking cannot meet them all"
        )
    return out


def _max_relative_error(
    cell_weights: NDArray[np.float64], table: CellTable, targets: list[NDArray[np.float64]]
) -> float:
    err = 0.0
    for m, t in enumerate(targets):
        achieved = np.bincount(table.cell_codes[:, m], weights=cell_weights, minlength=t.size)
        err = max(err, float(np.max(np.abs(achieved - t) / t)))
    return err


def rake_weights(
    design_weights: ArrayLike,
    *,
    categories: Sequence[ArrayLike],
    targets: Sequence[ArrayLike],
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    bounds: tuple[float, float] | None = None,
    raise_on_nonconvergence: bool = True,
) -> RakingResult:
    """Rake design weights to population margins (iterative proportional fitting).

    Each sweep visits the margins in order; for margin ``m`` every weight in category ``k`` is
    multiplied by ``t_mk / sum_{i in k} w_i`` (Deming & Stephan 1940). With ``bounds=(L, U)``
    the cumulative adjustment ``g_i = w_i / d_i`` is clipped to ``[L, U]`` after each step
    (bounded raking); the margins may then be unreachable, which is reported as non-convergence.

    Parameters
    ----------
    design_weights : array_like, shape (n,)
        Design (or non-response adjusted) weights ``d_i``, non-negative; a zero weight stays
        zero (as in a bootstrap replicate).
    categories : sequence of array_like of int, each shape (n,)
        For each margin, the category code ``0 … k_m - 1`` of each respondent. A crossed margin
        (commune × age-sex) is one code built with :func:`cross_categories`.
    targets : sequence of array_like, each shape (k_m,)
        Population totals of each margin's categories (persons). All margins must sum to the
        same population total (relative gap ≤ 1e-9).
    tolerance : float
        Convergence criterion: largest ``|achieved - target| / target`` over every category of
        every margin, checked after each sweep.
    max_iterations : int
        Maximum number of sweeps.
    bounds : (float, float), optional
        Lower and upper bound on the adjustment factor ``g_i = w_i / d_i``.
    raise_on_nonconvergence : bool
        If True (default) raise :class:`RakingNotConvergedError` when the tolerance is not met
        after ``max_iterations`` sweeps; if False return the last iterate with
        ``converged=False``.

    Returns
    -------
    RakingResult
        Weights ``w_i = d_i g_c(i)``, where ``g_c`` is the factor of the respondent's cell.
    """
    d = _validated_design_weights(design_weights)
    if len(categories) != len(targets):
        raise ValueError(f"{len(categories)} category arrays but {len(targets)} target vectors")
    if tolerance <= 0 or max_iterations < 1:
        raise ValueError(
            f"need tolerance > 0 and max_iterations >= 1, got {tolerance}, {max_iterations}"
        )
    k = [int(np.asarray(t).shape[0]) for t in targets]
    table = build_cell_table(categories, n_categories=k)
    if table.unit_cell.shape[0] != d.shape[0]:
        raise ValueError(
            f"{d.shape[0]} design weights but {table.unit_cell.shape[0]} category codes"
        )
    cell_design = table.cell_sums(d)
    tgt = _validated_targets(targets, table, cell_design)
    lower, upper = (None, None) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if bounds is not None and not 0 <= lower < 1 < upper:  # type: ignore[operator]
        raise ValueError(f"bounds must satisfy 0 <= lower < 1 < upper, got {bounds}")

    g = np.ones(table.n_cells)
    codes = [table.cell_codes[:, m] for m in range(len(tgt))]
    error = np.inf
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (used after the loop)
        for c, t in zip(codes, tgt, strict=True):
            achieved = np.bincount(c, weights=cell_design * g, minlength=t.size)
            g *= (t / achieved)[c]
            if lower is not None:
                np.clip(g, lower, upper, out=g)
        error = _max_relative_error(cell_design * g, table, tgt)
        if error <= tolerance:
            break
    converged = bool(error <= tolerance)
    if not converged and raise_on_nonconvergence:
        raise RakingNotConvergedError(
            iterations=iterations, max_relative_error=error, tolerance=tolerance
        )
    return RakingResult(
        weights=d * g[table.unit_cell],
        converged=converged,
        iterations=iterations,
        max_relative_error=float(error),
    )


def trim_weights(
    weights: ArrayLike,
    *,
    upper: float,
    lower: float = 0.0,
    max_iterations: int = 100,
) -> NDArray[np.float64]:
    """Cap weights to ``[lower, upper]`` and spread the excess over the others.

    The weights cut above ``upper`` (or raised to ``lower``) are set to the bound and the
    difference is redistributed proportionally over the untrimmed weights, so the total is
    kept; this repeats until no weight is outside the bounds. Trimming breaks the margins:
    re-rake afterwards (or use ``bounds`` in :func:`rake_weights`) if they must hold.

    Parameters
    ----------
    weights : array_like, shape (n,)
        Positive weights.
    upper, lower : float
        Bounds on each weight, in the units of the weights; ``lower * n <= sum <= upper * n``
        is required for a solution to exist.
    max_iterations : int
        Maximum number of cap-and-redistribute rounds.

    Returns
    -------
    ndarray, shape (n,)
        Trimmed weights with the same total.
    """
    w = _validated_design_weights(weights).copy()
    total = w.sum()
    if not lower * w.size <= total <= upper * w.size:
        raise ValueError(
            f"no weights within [{lower}, {upper}] can add up to {total} over {w.size} units"
        )
    fixed = np.zeros(w.size, dtype=bool)
    for _ in range(max_iterations):
        outside = ~fixed & ((w > upper) | (w < lower))
        if not outside.any():
            return w
        fixed |= outside
        np.clip(w, lower, upper, out=w, where=fixed)
        free = ~fixed
        w[free] *= (total - w[fixed].sum()) / w[free].sum()
    raise RuntimeError(f"trimming did not settle in {max_iterations} rounds")


def kish_design_effect(weights: ArrayLike) -> float:
    """Kish's design effect due to unequal weighting.

    ``deff = n * sum(w_i^2) / (sum w_i)^2 = 1 + CV^2`` with the population coefficient of
    variation (``ddof = 0``) of the weights (Kish 1965). Dimensionless, ``>= 1``.
    """
    w = np.asarray(weights, dtype=np.float64)
    return float(w.size * np.dot(w, w) / w.sum() ** 2)


def effective_sample_size(weights: ArrayLike) -> float:
    """Kish's effective sample size ``(sum w_i)^2 / sum(w_i^2) = n / deff`` (respondents)."""
    w = np.asarray(weights, dtype=np.float64)
    return float(w.sum() ** 2 / np.dot(w, w))


def weight_diagnostics(weights: ArrayLike) -> WeightDiagnostics:
    """Summarise the spread of weights and the precision it costs.

    Parameters
    ----------
    weights : array_like, shape (n,)
        Final weights (persons per respondent).

    Returns
    -------
    WeightDiagnostics
        ``n``, total, min, max, mean, coefficient of variation (``std / mean``, ``ddof = 0``),
        max/min ratio, Kish design effect ``1 + CV^2`` and effective sample size ``n / deff``.
    """
    w = _validated_design_weights(weights)
    if w.min() <= 0:
        raise ValueError(f"diagnostics need positive weights; smallest is {w.min()!r}")
    mean = float(w.mean())
    return WeightDiagnostics(
        n=int(w.size),
        total=float(w.sum()),
        minimum=float(w.min()),
        maximum=float(w.max()),
        mean=mean,
        coefficient_of_variation=float(w.std() / mean),
        max_min_ratio=float(w.max() / w.min()),
        kish_design_effect=kish_design_effect(w),
        effective_sample_size=effective_sample_size(w),
    )
