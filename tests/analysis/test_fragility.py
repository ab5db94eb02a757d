"""Digital fragility index (analysis.fragility): normalisations, missing data, presets."""

import numpy as np
import pytest

from analysis.fragility import (
    IFN_2023,
    IFN_FIRST_GENERATION,
    Indicator,
    aggregate_to_parent,
    fragility_index,
    normalise,
)

NAN = np.nan


def test_ratio_to_reference_times_100_and_its_mirror():
    np.testing.assert_allclose(
        normalise([10.0, 15.0, 5.0], method="ratio", reference=10.0), [100, 150, 50]
    )
    mirrored = normalise([99.0, 90.0], method="ratio", reference=99.0, higher_is_fragile=False)
    np.testing.assert_allclose(mirrored, [100.0, 200 - 100 * 90 / 99])
    with pytest.raises(ValueError, match="non-zero reference"):
        normalise([1.0], method="ratio", reference=0.0)


def test_min_max_z_score_rank_deciles():
    x = np.array([2.0, 4.0, 6.0, NAN, 10.0])
    np.testing.assert_allclose(normalise(x, method="min_max"), [0, 0.25, 0.5, NAN, 1])
    np.testing.assert_allclose(
        normalise(x, method="min_max", higher_is_fragile=False), [1, 0.75, 0.5, NAN, 0]
    )
    z = normalise(x, method="z_score")
    known = ~np.isnan(z)
    assert z[known].mean() == pytest.approx(0.0, abs=1e-12)
    assert z[known].std() == pytest.approx(1.0)
    np.testing.assert_allclose(normalise(x, method="rank"), [0.25, 0.5, 0.75, NAN, 1.0])
    np.testing.assert_array_equal(
        normalise(np.arange(20.0), method="deciles"), np.repeat(np.arange(1, 11), 2)
    )
    np.testing.assert_array_equal(
        normalise(np.arange(10.0), method="deciles", higher_is_fragile=False), np.arange(10, 0, -1)
    )
    # Ties share their mean rank, hence their decile: (1 + 2 + 3 + 4) / 4 / 4 → decile 7.
    assert normalise([1.0, 1.0, 1.0, 1.0], method="deciles").tolist() == [7, 7, 7, 7]
    ties = normalise([1.0, 1.0, 2.0, 3.0], method="rank")
    np.testing.assert_allclose(ties, [0.375, 0.375, 0.75, 1.0])
    with pytest.raises(ValueError, match="unknown normalisation"):
        normalise(x, method="quantiles")


def test_axes_are_weighted_means_and_index_the_mean_of_axes():
    a = Indicator("a", np.array([10.0, 20.0]), axis="one", reference=10.0)
    b = Indicator("b", np.array([30.0, 10.0]), axis="one", weight=3.0, reference=10.0)
    c = Indicator("c", np.array([5.0, 10.0]), axis="two", reference=10.0)
    result = fragility_index(indicators=[a, b, c], method="ratio")
    # axis one: (1 × 100 + 3 × 300) / 4 = 250 and (200 + 3 × 100) / 4 = 125; axis two: 50, 100
    np.testing.assert_allclose(result.axes["one"], [250.0, 125.0])
    np.testing.assert_allclose(result.axes["two"], [50.0, 100.0])
    np.testing.assert_allclose(result.score, [150.0, 112.5])
    weighted = fragility_index(indicators=[a, b, c], method="ratio", axis_weights={"two": 3.0})
    np.testing.assert_allclose(weighted.score, [(250 + 150) / 4, (125 + 300) / 4])


def test_missing_data_reweights_or_propagates():
    a = Indicator("a", np.array([1.0, 2.0, NAN, NAN]))
    b = Indicator("b", np.array([3.0, NAN, NAN, 4.0]), weight=3.0)
    reweighted = fragility_index(indicators=[a, b], method="min_max", min_coverage=0.5)
    np.testing.assert_allclose(reweighted.coverage, [1.0, 0.25, 0.0, 0.75])
    # a → [0, 1], b → [0, 1] over known values; area 0: (0 + 3 × 0) / 4; area 3: b only.
    np.testing.assert_allclose(reweighted.score, [0.0, NAN, NAN, 1.0])
    lenient = fragility_index(indicators=[a, b], method="min_max", min_coverage=0.0)
    np.testing.assert_allclose(lenient.score, [0.0, 1.0, NAN, 1.0])
    propagated = fragility_index(indicators=[a, b], method="min_max", missing="propagate")
    np.testing.assert_allclose(propagated.score, [0.0, NAN, NAN, NAN])


def test_bad_definitions_are_refused():
    a = Indicator("a", np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="has 3 areas"):
        fragility_index(indicators=[a, Indicator("b", np.ones(3))], method="rank")
    with pytest.raises(ValueError, match="unique"):
        fragility_index(indicators=[a, a], method="rank")
    with pytest.raises(ValueError, match="unknown axes"):
        fragility_index(indicators=[a], method="rank", axis_weights={"nope": 1.0})
    with pytest.raises(ValueError, match="weight must be positive"):
        Indicator("w", np.ones(2), weight=0.0)


def test_first_generation_preset_by_hand():
    reference = {
        "poverty_rate": 14.0,
        "mobile_coverage": 99.0,
        "broadband_coverage": 95.0,
        "one_person_households": 35.0,
        "single_parent_families": 15.0,
        "under_25": 30.0,
        "minimum_benefits": 7.0,
        "job_seekers": 10.0,
        "aged_65_plus": 20.0,
        "low_qualification_15_plus": 30.0,
    }
    # Area 0 equals the reference everywhere; area 1 doubles every "higher is fragile"
    # indicator and has 90 % of the reference coverage.
    values = {name: np.array([v, 2 * v]) for name, v in reference.items()}
    values["mobile_coverage"] = np.array([99.0, 0.9 * 99.0])
    values["broadband_coverage"] = np.array([95.0, 0.9 * 95.0])
    indicators = IFN_FIRST_GENERATION.build(values=values, reference=reference)
    result = fragility_index(indicators=indicators, method=IFN_FIRST_GENERATION.method)
    assert list(result.axes) == list(IFN_FIRST_GENERATION.axis_labels)
    np.testing.assert_allclose(result.score[0], 100.0)
    interfaces = (200.0 + 110.0 + 110.0) / 3
    np.testing.assert_allclose(result.axes["access_to_interfaces"][1], interfaces)
    np.testing.assert_allclose(result.score[1], (interfaces + 200 + 200 + 200) / 4)
    with pytest.raises(ValueError, match="reference values"):
        IFN_FIRST_GENERATION.build(values=values)


def test_2023_preset_is_a_mean_of_deciles_on_1_to_10():
    rng = np.random.default_rng(5)
    values = {spec.name: rng.uniform(0, 50, 28) for spec in IFN_2023.indicators}
    result = fragility_index(indicators=IFN_2023.build(values=values), method=IFN_2023.method)
    assert np.all((result.score >= 1) & (result.score <= 10))
    for spec in IFN_2023.indicators:
        deciles = result.normalised[spec.name]
        assert set(np.unique(deciles)) <= set(range(1, 11))
    expected = np.mean([result.normalised[s.name] for s in IFN_2023.indicators], axis=0)
    np.testing.assert_allclose(result.score, expected)
    worst = {name: v.copy() for name, v in values.items()}
    for v in worst.values():
        v[0] = 100.0
    assert fragility_index(indicators=IFN_2023.build(values=worst), method="deciles").score[0] == 10


def test_aggregate_to_parent_is_population_weighted():
    value, coverage = aggregate_to_parent(
        values=[100.0, 200.0, NAN, 50.0],
        population=[1000.0, 3000.0, 500.0, 10.0],
        parent=[0, 0, 0, 2],
        n_parents=3,
    )
    np.testing.assert_allclose(value, [175.0, NAN, 50.0])
    np.testing.assert_allclose(coverage, [4000 / 4500, NAN, 1.0])
    with pytest.raises(ValueError, match="integer"):
        aggregate_to_parent(values=[1.0], population=[1.0], parent=[0.5])
