"""A small seeded survey shared by the observatory peer comparisons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest


@dataclass(frozen=True)
class PeerSurvey:
    design_weights: np.ndarray
    categories: list[np.ndarray]
    targets: list[np.ndarray]
    names: tuple[str, ...]
    y: np.ndarray

    def controls(self) -> dict[str, dict[int, float]]:
        """Targets as ``{margin: {category code: total}}``, the form svy and samplics take."""
        return {
            name: {k: float(t[k]) for k in range(t.size)}
            for name, t in zip(self.names, self.targets, strict=True)
        }


@pytest.fixture
def peer_survey() -> PeerSurvey:
    """2,000 respondents, 5 communes × 3 age bands × 2 sexes, unequal design weights."""
    rng = np.random.default_rng(20260501)
    n = 2_000
    categories = [rng.integers(0, 5, n), rng.integers(0, 3, n), rng.integers(0, 2, n)]
    population = 120_000.0
    targets = []
    for k in (5, 3, 2):
        share = rng.uniform(1.0, 2.0, k)
        targets.append(share / share.sum() * population)
    y = (rng.uniform(size=n) < np.array([0.15, 0.3, 0.55])[categories[1]]).astype(float)
    return PeerSurvey(
        design_weights=rng.uniform(30.0, 90.0, n),
        categories=categories,
        targets=targets,
        names=("commune", "age", "sex"),
        y=y,
    )
