"""Maillage against samplics (archived predecessor of svy): raking weights."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis.weighting import RakingNotConvergedError, rake_weights

with warnings.catch_warnings():
    # samplics announces at import that it is archived in favour of svy (FutureWarning).
    warnings.simplefilter("ignore", FutureWarning)
    from samplics.weighting import SampleWeight

pytestmark = pytest.mark.peers


def samplics_rake(survey, **kwargs):
    margins = dict(zip(survey.names, survey.categories, strict=True))
    return np.asarray(
        SampleWeight().rake(
            survey.design_weights, margins=margins, control=survey.controls(), **kwargs
        )
    )


def test_raking_weights_equal_samplics(peer_survey):
    ours = rake_weights(
        peer_survey.design_weights,
        categories=peer_survey.categories,
        targets=peer_survey.targets,
        tolerance=1e-13,
        max_iterations=1_000,
    )
    theirs = samplics_rake(peer_survey, tol=1e-13, ctrl_tol=1e-13, max_iter=1_000)
    assert np.max(np.abs(theirs / ours.weights - 1)) <= 1e-9


def test_samplics_stops_silently_at_max_iter_where_maillage_raises(peer_survey):
    """Differs by design: samplics returns its last iterate without a flag."""
    theirs = samplics_rake(peer_survey, tol=1e-14, ctrl_tol=1e-14, max_iter=1)
    achieved = np.bincount(peer_survey.categories[0], weights=theirs)
    assert np.max(np.abs(achieved / peer_survey.targets[0] - 1)) > 1e-14
    with pytest.raises(RakingNotConvergedError):
        rake_weights(
            peer_survey.design_weights,
            categories=peer_survey.categories,
            targets=peer_survey.targets,
            tolerance=1e-14,
            max_iterations=1,
        )
