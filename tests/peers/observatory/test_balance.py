"""Maillage against balance (Meta): raking weights. Runs in .venv-peers-balance (numpy < 2)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from balance.weighting_methods.rake import rake

from analysis.weighting import rake_weights

pytestmark = pytest.mark.peers


def balance_target_frame(survey):
    """A population table whose one-way margins are exactly the targets (independence table)."""
    combos = np.array(list(itertools.product(*[range(t.size) for t in survey.targets])))
    total = survey.targets[0].sum()
    weights = total * np.prod(
        [t[combos[:, j]] / total for j, t in enumerate(survey.targets)], axis=0
    )
    frame = pd.DataFrame({name: combos[:, j] for j, name in enumerate(survey.names)})
    return frame, pd.Series(weights)


def ours(survey):
    return rake_weights(
        survey.design_weights,
        categories=survey.categories,
        targets=survey.targets,
        tolerance=1e-13,
        max_iterations=1_000,
    ).weights


def test_raking_weights_equal_balance(peer_survey):
    """transformations=None: balance's default lumps rare categories and bins numbers;
    rate_tolerance=0: its default also stops when the error moves by less than 1e-8."""
    sample = pd.DataFrame(dict(zip(peer_survey.names, peer_survey.categories, strict=True)))
    target, target_weights = balance_target_frame(peer_survey)
    result = rake(
        sample,
        pd.Series(peer_survey.design_weights),
        target,
        target_weights,
        transformations=None,
        max_iteration=1_000,
        convergence_rate=1e-13,
        rate_tolerance=0.0,
    )
    assert result["model"]["converged"] == 1
    theirs = result["weight"].to_numpy()
    assert np.max(np.abs(theirs / ours(peer_survey) - 1)) <= 1e-9


def test_balance_target_margins_are_rounded_by_design(peer_survey):
    """Differs by design: balance's ``target_margins=`` realises the margins as a synthetic
    frame of at most ``target_margins_max_length`` (10,000) rows, so each target share is
    rounded to about 1/10,000: the weights then differ by up to ~1e-3, not 1e-9."""
    sample = pd.DataFrame(dict(zip(peer_survey.names, peer_survey.categories, strict=True)))
    result = rake(
        sample,
        pd.Series(peer_survey.design_weights),
        None,
        None,
        target_margins=peer_survey.controls(),
        transformations=None,
        max_iteration=1_000,
        convergence_rate=1e-13,
        rate_tolerance=0.0,
    )
    gap = np.max(np.abs(result["weight"].to_numpy() / ours(peer_survey) - 1))
    assert 1e-9 < gap < 1e-2
