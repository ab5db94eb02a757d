"""Maillage against svy: raking weights and Taylor confidence intervals."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import svy

from analysis.estimation import proportion_ci
from analysis.weighting import rake_weights

pytestmark = pytest.mark.peers


def svy_sample(survey, weights, *, strata=True):
    columns = dict(zip(survey.names, survey.categories, strict=True))
    frame = pl.DataFrame({**columns, "w": weights, "y": survey.y})
    design = svy.Design(stratum="commune", wgt="w") if strata else svy.Design(wgt="w")
    return svy.Sample(frame, design)


def test_raking_weights_equal_svy(peer_survey):
    ours = rake_weights(
        peer_survey.design_weights,
        categories=peer_survey.categories,
        targets=peer_survey.targets,
        tolerance=1e-13,
        max_iterations=1_000,
    )
    raked = svy_sample(peer_survey, peer_survey.design_weights, strata=False).weighting.rake(
        controls=peer_survey.controls(), tol=1e-13, max_iter=1_000
    )
    theirs = raked.data["rk_wgt"].to_numpy()
    assert np.max(np.abs(theirs / ours.weights - 1)) <= 1e-9


def test_svy_refuses_to_stop_silently_like_maillage(peer_survey):
    """Both raise on non-convergence by default (svy's on_nonconvergence="error")."""
    with pytest.raises(Exception, match=r"(?i)converge"):
        svy_sample(peer_survey, peer_survey.design_weights, strata=False).weighting.rake(
            controls=peer_survey.controls(), tol=1e-14, max_iter=1
        )


def svy_row(result):
    row = result.to_polars().row(0, named=True)
    return row["est"], row["se"], row["lci"], row["uci"], row["df"]


def test_stratified_ci_equals_svy_with_weights_as_given(peer_survey):
    ours = proportion_ci(
        peer_survey.y, peer_survey.design_weights, strata=peer_survey.categories[0]
    )
    est, se, lci, uci, df = svy_row(
        svy_sample(peer_survey, peer_survey.design_weights).estimation.mean("y")
    )
    assert (ours.estimate, ours.standard_error) == (
        pytest.approx(est, rel=1e-12),
        pytest.approx(se, rel=1e-10),
    )
    assert (ours.lower, ours.upper, ours.df) == (
        pytest.approx(lci, rel=1e-10),
        pytest.approx(uci, rel=1e-10),
        df,
    )


def test_post_stratified_ci_equals_svy(peer_survey):
    """One margin: svy centres scores on cell means with the pre-adjustment weights, Maillage
    regresses on the cell dummies with the final weights; within a post-stratum the two weights
    are proportional, so the residuals and the intervals are the same."""
    age = peer_survey.categories[1]
    sample = svy_sample(peer_survey, peer_survey.design_weights).weighting.poststratify(
        controls=peer_survey.controls()["age"], cells="age"
    )
    weights = sample.data["ps_wgt"].to_numpy()
    ours = proportion_ci(
        peer_survey.y, weights, strata=peer_survey.categories[0], calibration=[age]
    )
    est, se, lci, uci, _ = svy_row(sample.estimation.mean("y"))
    assert ours.estimate == pytest.approx(est, rel=1e-12)
    assert ours.standard_error == pytest.approx(se, rel=1e-10)
    assert (ours.lower, ours.upper) == (
        pytest.approx(lci, rel=1e-10),
        pytest.approx(uci, rel=1e-10),
    )


def test_raked_ci_close_to_svy_which_sweeps_each_margin_once(peer_survey):
    """Several margins differ by design.

    Maillage projects the linearised variable on all calibration dummies at once
    (Deville–Särndal residuals); svy, like R's survey for rake(), centres it on each margin's
    cell means in turn, once. Both remove what the margins explain; on this survey the standard
    errors agree within 1% and the estimates exactly.
    """
    age, sex = peer_survey.categories[1], peer_survey.categories[2]
    controls = peer_survey.controls()
    sample = svy_sample(peer_survey, peer_survey.design_weights).weighting.rake(
        controls={"age": controls["age"], "sex": controls["sex"]}, tol=1e-13, max_iter=1_000
    )
    weights = sample.data["rk_wgt"].to_numpy()
    ours = proportion_ci(
        peer_survey.y, weights, strata=peer_survey.categories[0], calibration=[age, sex]
    )
    fixed = proportion_ci(peer_survey.y, weights, strata=peer_survey.categories[0])
    est, se, *_ = svy_row(sample.estimation.mean("y"))
    assert ours.estimate == pytest.approx(est, rel=1e-12)
    assert ours.standard_error == pytest.approx(se, rel=1e-2)
    assert fixed.standard_error > 1.05 * se  # fixed weights overstate the variance here


def test_domain_ci_equals_svy(peer_survey):
    commune = peer_survey.categories[0]
    sample = svy_sample(peer_survey, peer_survey.design_weights)
    table = sample.estimation.mean("y", by="commune").to_polars()
    for row in table.iter_rows(named=True):
        ours = proportion_ci(
            peer_survey.y,
            peer_survey.design_weights,
            strata=commune,
            domain=commune == row["commune"],
        )
        assert ours.estimate == pytest.approx(row["est"], rel=1e-12)
        assert ours.standard_error == pytest.approx(row["se"], rel=1e-10)
        assert (ours.lower, ours.df, ours.n) == (
            pytest.approx(row["lci"], rel=1e-10),
            row["df"],
            row["n"],
        )


def test_bootstrap_interval_equals_svy_with_the_same_replicates(peer_survey):
    """Same Rao–Wu replicate weights given to both: same estimate, standard error
    ((1/B) Σ (θ_b − θ̄)², centred on the replicates' mean) and interval (t with B − 1 df)."""
    from analysis.bootstrap import rao_wu_bootstrap_weights

    strata = peer_survey.categories[0]
    replicates = rao_wu_bootstrap_weights(
        peer_survey.design_weights,
        strata=strata,
        n_replicates=60,
        rng=np.random.default_rng(20261123),
    )
    ours = proportion_ci(
        peer_survey.y, peer_survey.design_weights, strata=strata, replicate_weights=replicates
    )
    columns = {f"bs{b + 1}": replicates[:, b] for b in range(replicates.shape[1])}
    frame = pl.DataFrame(
        {"commune": strata, "w": peer_survey.design_weights, "y": peer_survey.y, **columns}
    )
    design = svy.Design(
        stratum="commune", wgt="w", rep_wgts=svy.RepWeights("bootstrap", prefix="bs", n_reps=60)
    )
    result = svy.Sample(frame, design).estimation.mean("y", method="replication")
    est, se, lci, uci, df = svy_row(result)
    assert df == 59 == ours.df
    assert ours.estimate == pytest.approx(est, rel=1e-12)
    assert ours.standard_error == pytest.approx(se, rel=1e-10)
    assert (ours.lower, ours.upper) == (
        pytest.approx(lci, rel=1e-10),
        pytest.approx(uci, rel=1e-10),
    )
