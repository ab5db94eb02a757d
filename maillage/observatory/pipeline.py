"""Bridge between the database and `analysis`: responses and margins become arrays, arrays
become weights and estimates. Nothing here writes; `services` stores what it returns.

Raking margins, per commune: age band × sex (one crossed margin) and education. A cell with a
population total but no respondent (or respondents but no population) cannot be raked: it is
merged with the neighbouring age band of the same sex (or the neighbouring education level) in
the same commune, and the merge is reported in the run's diagnostics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.bootstrap import rao_wu_bootstrap_weights
from analysis.estimation import Estimate as AnalysisEstimate
from analysis.estimation import mean_ci_columns
from analysis.weighting import (
    rake_weights,
    trim_weights,
    weight_diagnostics,
)
from maillage.observatory.grid import Grid, evaluate

AGE_SEX = "age_sex"
EDUCATION = "education"


@dataclass(frozen=True)
class SurveyArrays:
    """A wave's respondents as arrays (same order everywhere)."""

    ids: np.ndarray  # respondent primary keys
    communes: np.ndarray  # commune code of each respondent (str)
    answers: dict[str, np.ndarray]  # question code -> answer codes (str, "" = no answer)
    design: np.ndarray  # design weights, NaN where the file gave none

    @property
    def n(self) -> int:
        return int(self.ids.size)


@dataclass(frozen=True)
class WeightingSettings:
    tolerance: float = 1e-6
    max_iterations: int = 100
    bounds: tuple[float, float] | None = None
    trim_ratio: float | None = None
    # Fewest respondents per raking cell (smaller cells are merged with a neighbour): 10 keeps
    # the raking feasible in small communes; the bootstrap needs 20, or a replicate may draw
    # nobody from a cell and its re-raking fails.
    min_cell: int = 10


@dataclass(frozen=True)
class WeightingOutcome:
    weights: np.ndarray
    design: np.ndarray
    calibration: list[np.ndarray]  # category codes of each margin (for the variance)
    targets: list[np.ndarray]
    strata: np.ndarray  # commune index
    converged: bool
    iterations: int
    max_relative_error: float
    diagnostics: dict = field(default_factory=dict)


def survey_arrays(rows: Sequence[tuple[int, str, float | None, Mapping[str, str]]], grid: Grid):
    """Arrays from ``(id, commune_code, design_weight, answers)`` tuples."""
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    communes = np.array([r[1] for r in rows], dtype=object).astype(str)
    design = np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=np.float64)
    answers = {
        q.code: np.array([r[3].get(q.code, "") or "" for r in rows], dtype=object).astype(str)
        if n
        else np.array([], dtype=str)
        for q in grid.questions
    }
    return SurveyArrays(ids=ids, communes=communes, answers=answers, design=design)


def _merge_chain(
    counts: np.ndarray, totals: np.ndarray, chain: Sequence[int], min_cell: int = 1
) -> list[list[int]]:
    """Group consecutive levels of `chain` until each group has `min_cell` respondents and
    some population."""
    groups: list[list[int]] = []
    current: list[int] = []
    for level in chain:
        current.append(level)
        if counts[current].sum() >= min_cell and totals[current].sum() > 0:
            groups.append(current)
            current = []
    if current:
        if groups:
            groups[-1].extend(current)
        elif counts[current].sum() > 0:
            groups.append(current)  # no population at all: caught as an error by the caller
    return groups


def _margin_codes(
    commune_index: np.ndarray,
    level: np.ndarray,
    totals: np.ndarray,  # shape (C, L)
    chains: Sequence[Sequence[int]],
    labels: Sequence[str],
    commune_codes: Sequence[str],
    min_cell: int = 1,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Category code of each respondent in one margin, the targets, and the merges made."""
    n_communes, n_levels = totals.shape
    counts = np.zeros((n_communes, n_levels))
    np.add.at(counts, (commune_index, level), 1)
    group_of = np.full((n_communes, n_levels), -1, dtype=np.intp)
    targets: list[float] = []
    merges: list[str] = []
    for c in range(n_communes):
        commune_groups = [_merge_chain(counts[c], totals[c], chain, min_cell) for chain in chains]
        if len(chains) > 1 and any(
            counts[c, chain].sum() < min_cell and totals[c, chain].sum() > 0 for chain in chains
        ):
            # One sex has fewer respondents than a cell needs: this margin keeps only the
            # commune's total.
            commune_groups = [[[level for chain in chains for level in chain]]]
        for groups in commune_groups:
            for group in groups:
                if totals[c, group].sum() <= 0:
                    raise ValueError(
                        f"commune {commune_codes[c]}: respondents in "
                        f"{[labels[g] for g in group]} but no population there in the margins"
                    )
                group_of[c, group] = len(targets)
                targets.append(float(totals[c, group].sum()))
                if len(group) > 1:
                    merges.append(f"{commune_codes[c]}: {' + '.join(labels[g] for g in group)}")
    codes = group_of[commune_index, level]
    return codes, np.asarray(targets), merges


def margin_targets(
    margins: Mapping, grid: Grid, commune_codes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Population totals as arrays: age × sex of shape (C, A·S), education of shape (C, E).

    Education totals are rescaled, commune by commune, to the age × sex total (census tables
    of education cover a slightly different population, e.g. people no longer in school).
    """
    ages = grid.profile_question("age_band").codes
    sexes = grid.profile_question("sex").codes
    educations = grid.profile_question("education").codes
    missing = [c for c in commune_codes if c not in margins.get(AGE_SEX, {})]
    missing += [c for c in commune_codes if c not in margins.get(EDUCATION, {})]
    if missing:
        raise ValueError(f"no population margins for communes {sorted(set(missing))}")
    age_sex = np.array(
        [
            [float(margins[AGE_SEX][c].get(f"{a}|{s}", 0.0)) for a in ages for s in sexes]
            for c in commune_codes
        ]
    )
    education = np.array(
        [[float(margins[EDUCATION][c].get(e, 0.0)) for e in educations] for c in commune_codes]
    )
    edu_sum = education.sum(axis=1, keepdims=True)
    if (edu_sum <= 0).any() or (age_sex.sum(axis=1) <= 0).any():
        raise ValueError("every commune needs positive age × sex and education totals")
    education = education / edu_sum * age_sex.sum(axis=1, keepdims=True)
    return age_sex, education


def _level_index(arrays: SurveyArrays, grid: Grid, variable: str) -> np.ndarray:
    question = grid.profile_question(variable)
    position = {code: i for i, code in enumerate(question.codes)}
    values = arrays.answers[question.code]
    unknown = sorted(set(values.tolist()) - set(position))
    if unknown:
        raise ValueError(f"{question.code}: answers {unknown} cannot be weighted (not in the grid)")
    return np.array([position[v] for v in values], dtype=np.intp)


def weigh(
    arrays: SurveyArrays, grid: Grid, margins: Mapping, settings: WeightingSettings
) -> WeightingOutcome:
    """Rake the design weights of a wave to the commune margins; trim if asked; diagnose."""
    if arrays.n == 0:
        raise ValueError("the wave has no respondents")
    commune_codes = sorted(set(arrays.communes.tolist()))
    commune_index = np.searchsorted(commune_codes, arrays.communes)
    ages = grid.profile_question("age_band").codes
    sexes = grid.profile_question("sex").codes
    educations = grid.profile_question("education").codes
    a_idx = _level_index(arrays, grid, "age_band")
    s_idx = _level_index(arrays, grid, "sex")
    e_idx = _level_index(arrays, grid, "education")
    age_sex_totals, education_totals = margin_targets(margins, grid, commune_codes)
    age_sex_labels = [f"{a} {s}" for a in ages for s in sexes]
    chains_age_sex = [[a * len(sexes) + s for a in range(len(ages))] for s in range(len(sexes))]
    m1, t1, merges1 = _margin_codes(
        commune_index,
        a_idx * len(sexes) + s_idx,
        age_sex_totals,
        chains_age_sex,
        age_sex_labels,
        commune_codes,
        settings.min_cell,
    )
    m2, t2, merges2 = _margin_codes(
        commune_index,
        e_idx,
        education_totals,
        [list(range(len(educations)))],
        list(educations),
        commune_codes,
        settings.min_cell,
    )
    commune_totals = age_sex_totals.sum(axis=1)
    n_by_commune = np.bincount(commune_index, minlength=len(commune_codes))
    design = np.where(
        np.isnan(arrays.design), (commune_totals / n_by_commune)[commune_index], arrays.design
    )
    result = rake_weights(
        design,
        categories=[m1, m2],
        targets=[t1, t2],
        tolerance=settings.tolerance,
        max_iterations=settings.max_iterations,
        bounds=settings.bounds,
        raise_on_nonconvergence=False,
    )
    weights = result.weights
    error = result.max_relative_error
    trimmed = 0
    if settings.trim_ratio is not None:
        cap = settings.trim_ratio * float(weights.mean())
        trimmed = int((weights > cap).sum())
        weights = trim_weights(weights, upper=cap)
        error = _relative_error(weights, [m1, m2], [t1, t2])
    diag = weight_diagnostics(weights)
    design_diag = weight_diagnostics(design)
    return WeightingOutcome(
        weights=weights,
        design=design,
        calibration=[m1, m2],
        targets=[t1, t2],
        strata=commune_index,
        converged=result.converged,
        iterations=result.iterations,
        max_relative_error=float(error),
        diagnostics={
            "n": diag.n,
            "population": diag.total,
            "minimum": diag.minimum,
            "maximum": diag.maximum,
            "mean": diag.mean,
            "coefficient_of_variation": diag.coefficient_of_variation,
            "max_min_ratio": diag.max_min_ratio,
            "kish_design_effect": diag.kish_design_effect,
            "effective_sample_size": diag.effective_sample_size,
            "design_kish_design_effect": design_diag.kish_design_effect,
            "trimmed": trimmed,
            "merged_cells": merges1 + merges2,
            "respondents_by_commune": dict(
                zip(commune_codes, (int(v) for v in n_by_commune), strict=True)
            ),
        },
    )


def _relative_error(weights, categories, targets) -> float:
    error = 0.0
    for codes, t in zip(categories, targets, strict=True):
        achieved = np.bincount(codes, weights=weights, minlength=t.size)
        error = max(error, float(np.max(np.abs(achieved - t) / t)))
    return error


@dataclass(frozen=True)
class DomainEstimate:
    indicator: str
    domain_kind: str
    domain_code: str
    estimate: AnalysisEstimate


def replicate_weights(
    outcome: WeightingOutcome, *, replicates: int, seed: int, tolerance: float = 1e-8
) -> np.ndarray:
    """Rao–Wu bootstrap replicates within communes, each re-raked to the same margins."""
    return rao_wu_bootstrap_weights(
        outcome.design,
        strata=outcome.strata,
        n_replicates=replicates,
        rng=np.random.default_rng(seed),
        categories=outcome.calibration,
        targets=outcome.targets,
        tolerance=tolerance,
        max_iterations=500,
    )


def estimate_all(
    arrays: SurveyArrays,
    grid: Grid,
    outcome: WeightingOutcome,
    *,
    replicate: np.ndarray | None = None,
) -> list[DomainEstimate]:
    """Every indicator of the grid for the territory, each commune and each subgroup level."""
    domains: list[tuple[str, str, np.ndarray | None]] = [("territory", "", None)]
    for code in sorted(set(arrays.communes.tolist())):
        domains.append(("commune", code, arrays.communes == code))
    for subgroup in grid.subgroups:
        for level in subgroup.levels:
            mask = np.nan_to_num(evaluate(level.when, arrays.answers), nan=0.0) == 1
            domains.append((subgroup.code, level.code, mask))
    keys, ys, masks = [], [], []
    for indicator in grid.indicators:
        y = evaluate(indicator.when, arrays.answers)
        for kind, code, mask in domains:
            keys.append((indicator.code, kind, code))
            ys.append(y)
            masks.append(mask)
    results = mean_ci_columns(
        ys,
        masks,
        outcome.weights,
        strata=outcome.strata,
        calibration=None if replicate is not None else outcome.calibration,
        replicate_weights=replicate,
    )
    return [
        DomainEstimate(indicator, kind, code, estimate)
        for (indicator, kind, code), estimate in zip(keys, results, strict=True)
    ]
