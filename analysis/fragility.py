"""Digital fragility index per area, from configurable open-statistics indicators.

An indicator is a value per area (a share, a rate, a median income…) with a direction,
a weight, a source and a year (:class:`Indicator`). Each indicator is normalised to a
"fragility" score where higher means more fragile (:func:`normalise`), indicators are
averaged within their axis, axes are averaged into the index (:func:`fragility_index`).

Normalisations (``method``):

``"ratio"``
    ``100 × x / x_ref`` with ``x_ref`` the value of a reference territory (France,
    the département…): 100 = as fragile as the reference. For an indicator where a higher
    value is *less* fragile (a coverage rate, an income) the ratio is mirrored around 100:
    ``200 − 100 × x / x_ref`` (Maillage's choice: symmetric, finite at ``x = 0``).
``"min_max"``
    ``(x − min) / (max − min)`` over the areas compared, in [0, 1].
``"z_score"``
    ``(x − mean) / sd`` (population standard deviation) over the areas compared.
``"rank"``
    Percentile rank in (0, 1] (ties share their mean rank).
``"deciles"``
    ``ceil(10 × percentile rank)``, an integer score 1..10.

For ``min_max``, ``z_score``, ``rank`` and ``deciles`` "lower is more fragile" indicators are
negated before normalising. The statistics (min, max, mean, ranks) are taken over the areas
given: the index of an area is relative to the set it is computed in.

Missing data (NaN) is handled explicitly, by ``missing``:

``"reweight"`` (default)
    An area's axis score is the weighted mean of the indicators it has; its index the mean
    of the axes it has. ``coverage`` reports the share of the total indicator weight that was
    available; areas under ``min_coverage`` get NaN.
``"propagate"``
    Any missing indicator makes the area's index NaN.

The two presets of the published French "indice de fragilité numérique" are
:data:`IFN_FIRST_GENERATION` (4 axes, ratio to a reference × 100) and :data:`IFN_2023`
(5 indicators on a 1-to-10 scale; deciles, Maillage's choice since the published
normalisation is not public). See ``docs/methods/fragility.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = [
    "IFN_2023",
    "IFN_FIRST_GENERATION",
    "FragilityIndex",
    "Indicator",
    "IndicatorSpec",
    "Preset",
    "aggregate_to_parent",
    "fragility_index",
    "normalise",
]

FloatArray = npt.NDArray[np.float64]
Method = Literal["ratio", "min_max", "z_score", "rank", "deciles"]
Missing = Literal["reweight", "propagate"]
METHODS: tuple[str, ...] = ("ratio", "min_max", "z_score", "rank", "deciles")


@dataclass(frozen=True)
class Indicator:
    """One statistic per area, and what it means.

    Attributes
    ----------
    name : str
        Identifier, e.g. ``"poverty_rate"``.
    values : numpy.ndarray of float, shape (n_areas,)
        Value per area; NaN where missing.
    higher_is_fragile : bool
        ``True`` when a higher value means more fragility (poverty rate), ``False`` when
        it means less (broadband coverage, median income).
    weight : float
        Weight within its axis (default 1).
    axis : str
        Axis the indicator belongs to (default: one axis named ``"index"``).
    reference : float, optional
        Value of the reference territory, needed by the ``"ratio"`` normalisation.
    source : str
        Where the figures come from (e.g. ``"INSEE Filosofi"``).
    year : int, optional
        Year of the figures.
    """

    name: str
    values: FloatArray
    higher_is_fragile: bool = True
    weight: float = 1.0
    axis: str = "index"
    reference: float | None = None
    source: str = ""
    year: int | None = None

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError(f"indicator {self.name!r}: values must be 1-D, got {values.shape}")
        object.__setattr__(self, "values", values)
        if not (np.isfinite(self.weight) and self.weight > 0):
            raise ValueError(f"indicator {self.name!r}: weight must be positive, got {self.weight}")


@dataclass(frozen=True)
class FragilityIndex:
    """Result of :func:`fragility_index`.

    Attributes
    ----------
    score : numpy.ndarray, shape (n_areas,)
        The index per area (NaN where not computable under the missing-data policy).
    axes : dict of str to numpy.ndarray
        Score per axis and area.
    normalised : dict of str to numpy.ndarray
        Normalised score per indicator and area (higher = more fragile).
    coverage : numpy.ndarray, shape (n_areas,)
        Share of the total indicator weight available for each area, in [0, 1].
    method : str
        Normalisation used.
    """

    score: FloatArray
    axes: dict[str, FloatArray]
    normalised: dict[str, FloatArray]
    coverage: FloatArray
    method: str


def normalise(
    values: npt.ArrayLike,
    *,
    method: Method,
    higher_is_fragile: bool = True,
    reference: float | None = None,
) -> FloatArray:
    """Normalise one indicator to a fragility score (higher = more fragile).

    Parameters
    ----------
    values : array_like of float, shape (n,)
        Values per area; NaN is missing and stays NaN.
    method : {"ratio", "min_max", "z_score", "rank", "deciles"}
        See the module docstring for the formulas.
    higher_is_fragile : bool
        Direction of the indicator.
    reference : float, optional
        Reference territory's value, required by ``"ratio"`` (non-zero).

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        ``ratio``: 100 = reference; ``min_max``: [0, 1]; ``z_score``: standard units;
        ``rank``: (0, 1]; ``deciles``: integers 1..10.
    """
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    known = ~np.isnan(x)
    if method == "ratio":
        if reference is None or not np.isfinite(reference) or reference == 0:
            raise ValueError(
                f"ratio normalisation needs a finite non-zero reference, got {reference}"
            )
        ratio = 100.0 * x[known] / reference
        out[known] = ratio if higher_is_fragile else 200.0 - ratio
        return out
    if method not in METHODS:
        raise ValueError(f"unknown normalisation {method!r}; choose one of {METHODS}")
    oriented = x[known] if higher_is_fragile else -x[known]
    if oriented.size == 0:
        return out
    if method == "min_max":
        span = oriented.max() - oriented.min()
        out[known] = (oriented - oriented.min()) / span if span > 0 else 0.5
    elif method == "z_score":
        sd = oriented.std()
        out[known] = (oriented - oriented.mean()) / sd if sd > 0 else 0.0
    else:
        percentile = stats.rankdata(oriented, method="average") / oriented.size
        if method == "rank":
            out[known] = percentile
        else:
            out[known] = np.clip(np.ceil(10.0 * percentile - 1e-9), 1, 10)
    return out


def fragility_index(
    *,
    indicators: Sequence[Indicator],
    method: Method,
    missing: Missing = "reweight",
    min_coverage: float = 0.5,
    axis_weights: Mapping[str, float] | None = None,
) -> FragilityIndex:
    """Fragility index per area: normalise, average within axes, average the axes.

    .. math::

        s_{ak} = \\frac{\\sum_{q \\in k} w_q \\, n_q(x_{aq})}{\\sum_{q \\in k} w_q}, \\qquad
        F_a = \\frac{\\sum_k v_k \\, s_{ak}}{\\sum_k v_k}

    with ``n_q`` the normalisation of indicator ``q`` (:func:`normalise`), ``w_q`` its weight,
    ``k`` the axes and ``v_k`` the axis weights (default equal). Under ``missing="reweight"``
    the sums run over the indicators (axes) an area has.

    Parameters
    ----------
    indicators : sequence of Indicator
        All with the same number of areas.
    method : {"ratio", "min_max", "z_score", "rank", "deciles"}
        Normalisation, applied to every indicator.
    missing : {"reweight", "propagate"}
        Missing-data policy (module docstring).
    min_coverage : float
        Under ``"reweight"``, areas with less than this share of the indicator weight get
        NaN (default 0.5).
    axis_weights : mapping of str to float, optional
        Weight of each axis; default 1 for every axis.

    Returns
    -------
    FragilityIndex
    """
    if not indicators:
        raise ValueError("at least one indicator is needed")
    if missing not in ("reweight", "propagate"):
        raise ValueError(f"missing must be 'reweight' or 'propagate', got {missing!r}")
    n = indicators[0].values.size
    names = [q.name for q in indicators]
    if len(set(names)) != len(names):
        raise ValueError(f"indicator names must be unique: {names}")
    for q in indicators:
        if q.values.size != n:
            raise ValueError(f"indicator {q.name!r} has {q.values.size} areas, expected {n}")
    normalised = {
        q.name: normalise(
            q.values, method=method, higher_is_fragile=q.higher_is_fragile, reference=q.reference
        )
        for q in indicators
    }
    total_weight = sum(q.weight for q in indicators)
    available = sum(q.weight * ~np.isnan(normalised[q.name]) for q in indicators)
    coverage = np.asarray(available, dtype=np.float64) / total_weight

    axes: dict[str, FloatArray] = {}
    for axis in dict.fromkeys(q.axis for q in indicators):
        members = [q for q in indicators if q.axis == axis]
        axes[axis] = _weighted_mean(
            [normalised[q.name] for q in members], [q.weight for q in members], missing
        )
    weights = axis_weights or {}
    unknown = set(weights) - set(axes)
    if unknown:
        raise ValueError(
            f"axis_weights names unknown axes {sorted(unknown)}; axes are {list(axes)}"
        )
    score = _weighted_mean(list(axes.values()), [weights.get(a, 1.0) for a in axes], missing)
    if missing == "reweight":
        score = np.where(coverage >= min_coverage, score, np.nan)
    return FragilityIndex(score, axes, normalised, coverage, method)


def _weighted_mean(columns: list[FloatArray], weights: list[float], missing: Missing) -> FloatArray:
    stacked = np.vstack(columns)
    w = np.asarray(weights, dtype=np.float64)[:, None]
    if missing == "propagate":
        mean: FloatArray = (w * stacked).sum(axis=0) / w.sum()
        return mean
    known = ~np.isnan(stacked)
    weight_known = (w * known).sum(axis=0)
    total = (w * np.where(known, stacked, 0.0)).sum(axis=0)
    out = np.full(stacked.shape[1], np.nan)
    np.divide(total, weight_known, out=out, where=weight_known > 0)
    return out


def aggregate_to_parent(
    *,
    values: npt.ArrayLike,
    population: npt.ArrayLike,
    parent: npt.ArrayLike,
    n_parents: int | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Population-weighted mean of small areas (IRIS, cells) up to their parent (commune).

    .. math:: y_p = \\frac{\\sum_{a \\in p} P_a \\, x_a}{\\sum_{a \\in p,\\, x_a \\text{ known}} P_a}

    Children with a missing value are left out of the mean (their population too);
    ``coverage`` says which share of the parent's population had a value.

    Parameters
    ----------
    values : array_like of float, shape (n_children,)
        Value per small area (an index or an indicator), NaN where missing.
    population : array_like of float, shape (n_children,)
        Population of each small area, ``>= 0``.
    parent : array_like of int, shape (n_children,)
        Index of the parent area of each small area, ``0 <= parent < n_parents``.
    n_parents : int, optional
        Number of parents (default ``parent.max() + 1``).

    Returns
    -------
    value : numpy.ndarray, shape (n_parents,)
        Population-weighted mean per parent; NaN where no child has a value and population.
    coverage : numpy.ndarray, shape (n_parents,)
        Share of the parent's population whose value is known (NaN for an empty parent).
    """
    x = np.asarray(values, dtype=np.float64)
    pop = np.asarray(population, dtype=np.float64)
    idx = np.asarray(parent)
    if not (x.shape == pop.shape == idx.shape):
        raise ValueError(
            f"values, population and parent differ in shape: {x.shape}, {pop.shape}, {idx.shape}"
        )
    if np.any(~np.isfinite(pop)) or np.any(pop < 0):
        raise ValueError("population must be finite and non-negative")
    if not np.issubdtype(idx.dtype, np.integer) or (idx.size and idx.min() < 0):
        raise ValueError("parent must be non-negative integer indices")
    size = int(n_parents if n_parents is not None else (idx.max() + 1 if idx.size else 0))
    known = ~np.isnan(x)
    pop_known = np.bincount(idx[known], weights=pop[known], minlength=size)
    pop_total = np.bincount(idx, weights=pop, minlength=size)
    weighted = np.bincount(idx[known], weights=pop[known] * x[known], minlength=size)
    value = np.full(size, np.nan)
    np.divide(weighted, pop_known, out=value, where=pop_known > 0)
    coverage = np.full(size, np.nan)
    np.divide(pop_known, pop_total, out=coverage, where=pop_total > 0)
    return value, coverage


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator of a preset, before values are attached."""

    name: str
    label: str
    axis: str = "index"
    higher_is_fragile: bool = True
    weight: float = 1.0
    source: str = ""


@dataclass(frozen=True)
class Preset:
    """A named index definition: indicators, their axes and the normalisation."""

    name: str
    method: Method
    indicators: tuple[IndicatorSpec, ...]
    description: str = ""
    axis_labels: dict[str, str] = field(default_factory=dict)

    def build(
        self,
        *,
        values: Mapping[str, npt.ArrayLike],
        reference: Mapping[str, float] | None = None,
        years: Mapping[str, int] | None = None,
    ) -> list[Indicator]:
        """Attach values (and reference values, for ``"ratio"``) to the preset's indicators.

        Parameters
        ----------
        values : mapping of indicator name to array of float
            One array per indicator of the preset, same length; NaN where missing.
        reference : mapping of indicator name to float, optional
            Reference territory's values; required when the preset's method is ``"ratio"``.
        years : mapping of indicator name to int, optional
            Year of each indicator's figures.
        """
        missing_names = [s.name for s in self.indicators if s.name not in values]
        if missing_names:
            raise ValueError(f"preset {self.name!r} needs values for {missing_names}")
        if self.method == "ratio":
            lacking = [s.name for s in self.indicators if s.name not in (reference or {})]
            if lacking:
                raise ValueError(f"preset {self.name!r} needs reference values for {lacking}")
        return [
            Indicator(
                name=s.name,
                values=np.asarray(values[s.name], dtype=np.float64),
                higher_is_fragile=s.higher_is_fragile,
                weight=s.weight,
                axis=s.axis,
                reference=(reference or {}).get(s.name),
                source=s.source,
                year=(years or {}).get(s.name),
            )
            for s in self.indicators
        ]


#: First-generation "indice de fragilité numérique" (MedNum / Mission Société Numérique,
#: 2017–2018): 4 axes; each indicator as value / reference-territory value × 100; axes as
#: means of their indicators; the index as the mean of the axes. Coverage indicators are
#: published as coverage rates (ARCEP), so they are "lower is fragile" and mirrored
#: (200 − ratio): Maillage's reading, documented in docs/methods/fragility.md.
IFN_FIRST_GENERATION = Preset(
    name="ifn-first-generation",
    method="ratio",
    description="Indice de fragilité numérique, first generation: 4 axes, ratio to a reference × 100",
    axis_labels={
        "access_to_interfaces": "Accès aux interfaces numériques",
        "access_to_information": "Accès à l'information",
        "administrative_skills": "Compétences administratives",
        "digital_skills": "Compétences numériques",
    },
    indicators=(
        IndicatorSpec(
            "poverty_rate",
            "Taux de pauvreté",
            "access_to_interfaces",
            True,
            source="INSEE Filosofi",
        ),
        IndicatorSpec(
            "mobile_coverage", "Couverture mobile", "access_to_interfaces", False, source="ARCEP"
        ),
        IndicatorSpec(
            "broadband_coverage",
            "Couverture haut débit",
            "access_to_interfaces",
            False,
            source="ARCEP",
        ),
        IndicatorSpec(
            "one_person_households",
            "Ménages d'une personne",
            "access_to_information",
            source="INSEE RP",
        ),
        IndicatorSpec(
            "single_parent_families",
            "Familles monoparentales",
            "access_to_information",
            source="INSEE RP",
        ),
        IndicatorSpec("under_25", "Moins de 25 ans", "administrative_skills", source="INSEE RP"),
        IndicatorSpec(
            "minimum_benefits",
            "Allocataires de minima sociaux",
            "administrative_skills",
            source="CNAF",
        ),
        IndicatorSpec(
            "job_seekers",
            "Demandeurs d'emploi",
            "administrative_skills",
            source="France Travail / INSEE RP",
        ),
        IndicatorSpec("aged_65_plus", "65 ans et plus", "digital_skills", source="INSEE RP"),
        IndicatorSpec(
            "low_qualification_15_plus",
            "15 ans et plus peu ou pas diplômés",
            "digital_skills",
            source="INSEE RP",
        ),
    ),
)

#: 2023 "indice de fragilité numérique" (5 scored indicators on a 1-to-10 scale). The
#: published normalisation is not public: Maillage scores each indicator in deciles over the
#: areas compared (1 = least fragile tenth, 10 = most fragile) and averages the five deciles
#: (one axis), so the index is on the same 1-to-10 scale.
IFN_2023 = Preset(
    name="ifn-2023",
    method="deciles",
    description="Indice de fragilité numérique 2023: 5 indicators, deciles 1-10 (Maillage's choice)",
    indicators=(
        IndicatorSpec(
            "no_very_high_speed", "Locaux non couverts en très haut débit", source="ARCEP"
        ),
        IndicatorSpec("no_4g", "Zones non couvertes en 4G", source="ARCEP"),
        IndicatorSpec("aged_65_plus", "65 ans et plus", source="INSEE RP"),
        IndicatorSpec(
            "low_qualification_15_plus", "15 ans et plus peu ou pas diplômés", source="INSEE RP"
        ),
        IndicatorSpec("poverty_rate", "Taux de pauvreté", source="INSEE Filosofi"),
    ),
)
