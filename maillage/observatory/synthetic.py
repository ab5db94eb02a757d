"""A synthetic survey for the demo: 5,000 invented respondents in Bordeaux Métropole.

Nothing here is real except the communes and their populations (INSEE). The answers are drawn
so that the population shares reproduce the figures Bordeaux Métropole published for its
observatory (80% own a computer, 93% a smartphone, 3% no device, 18% find digital makes daily
life harder, 25% felt in difficulty with online procedures, 20% unable to bank online, 18.4%
unable to do medical procedures online, 65% fear data theft, 50% fear not spotting false
information, 50% know a mediation place and 20% have been to one, about 75% help relatives, a
third ask a relative first), with realistic variation by age, education and commune.

How (seeded, reproducible; `numpy.random.default_rng(seed)`, global state never touched):

1. **Population structure (assumed).** Every commune gets the same structure of its adults:
   80% of the municipal population is 18 or over, split by the age, sex and education shares
   of :data:`AGE_SHARES`, :data:`FEMALE_SHARE` and :data:`EDUCATION_SHARES` (rounded orders of
   magnitude for France, not census figures for these communes; age and education independent).
   These are the "assumed margins" of the demo.
2. **Sample.** 5,000 respondents allocated over the 28 communes proportionally to their
   population with a floor of 60 (largest remainders). Within a commune, profiles are drawn
   with the biases surveys usually have (older and more educated people answer more), so that
   weighting has work to do.
3. **Answers.** For each indicator, a logistic model by age band, education and a commune
   effect (a seeded "fragility" score per commune plus noise); its intercept is solved by
   bisection so that the share over the assumed population equals the published figure. Within
   each cell (commune × age × sex × education), yes/no answers are drawn with stratified
   uniforms, so each cell holds the expected number of "yes" to within one: the sample
   reproduces the figures up to the precision of the survey, not by luck of the seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SAMPLE_SIZE = 5000
FLOOR = 60
SEED = 20240601
ADULT_SHARE = 0.80
AGES = ("18_24", "25_34", "35_49", "50_64", "65_74", "75_plus")
SEXES = ("f", "m")
EDUCATIONS = ("none", "secondary", "bac", "higher")
AGE_SHARES = np.array([0.11, 0.16, 0.23, 0.23, 0.14, 0.13])
FEMALE_SHARE = np.array([0.50, 0.51, 0.51, 0.52, 0.54, 0.61])
EDUCATION_SHARES = np.array([0.20, 0.27, 0.19, 0.34])
# Response propensity relative to the population share (who answers surveys more).
AGE_RESPONSE = np.array([0.75, 0.85, 1.0, 1.1, 1.25, 1.0])
EDUCATION_RESPONSE = np.array([0.75, 0.9, 1.0, 1.2])
FEMALE_RESPONSE = 1.1

# Logit effects by age band (AGES order) and education (EDUCATIONS order), commune loading.
_MODELS = {
    "no_device": ([-1.6, -1.6, -1.3, -0.5, 0.5, 2.0], [1.5, 0.6, 0.0, -0.8], 0.3),
    "computer": ([0.3, 0.2, 0.3, 0.0, -0.4, -1.0], [-1.2, -0.5, 0.0, 0.8], -0.3),
    "smartphone": ([1.5, 1.5, 1.2, 0.4, -0.6, -1.8], [-0.8, -0.3, 0.0, 0.5], -0.2),
    "tablet": ([0.0, 0.2, 0.3, 0.1, 0.0, -0.3], [-0.5, -0.2, 0.0, 0.3], -0.1),
    "no_home_connection": ([0.3, 0.0, -0.3, -0.2, 0.2, 1.0], [1.0, 0.4, 0.0, -0.6], 0.3),
    "daily_life_harder": ([-0.8, -0.6, -0.3, 0.1, 0.5, 1.2], [1.0, 0.4, 0.0, -0.5], 0.25),
    "admin_difficulty": ([0.0, -0.2, -0.2, 0.0, 0.3, 0.8], [0.9, 0.4, 0.0, -0.5], 0.25),
    "unable_bank": ([-0.6, -0.8, -0.6, 0.0, 0.6, 1.6], [1.1, 0.5, 0.0, -0.6], 0.25),
    "unable_medical": ([-0.5, -0.8, -0.6, 0.0, 0.6, 1.5], [1.1, 0.5, 0.0, -0.6], 0.25),
    "helps_relatives": ([0.5, 0.6, 0.5, 0.1, -0.4, -1.2], [-0.9, -0.3, 0.0, 0.5], -0.15),
    "asks_relative_first": ([-0.2, -0.4, -0.3, 0.0, 0.4, 0.9], [0.4, 0.2, 0.0, -0.3], 0.1),
    "fears_theft": ([-0.3, -0.1, 0.0, 0.1, 0.2, 0.1], [0.0, 0.0, 0.0, 0.1], 0.05),
    "fears_false_info": ([-0.2, -0.1, 0.0, 0.1, 0.2, 0.3], [0.3, 0.1, 0.0, -0.2], 0.05),
    "knows_place": ([-0.3, -0.2, 0.0, 0.1, 0.2, 0.1], [-0.3, -0.1, 0.0, 0.2], 0.2),
    "been_given_knows": ([-0.2, -0.3, -0.2, 0.0, 0.4, 0.6], [0.6, 0.3, 0.0, -0.3], 0.3),
}
# Population shares to reproduce (0..1).
TARGETS = {
    "no_device": 0.03,
    "owns_computer": 0.80,
    "owns_smartphone": 0.93,
    "tablet": 0.45,
    "no_home_connection": 0.06,
    "daily_life_harder": 0.18,
    "admin_difficulty": 0.25,
    "unable_bank": 0.20,
    "unable_medical": 0.184,
    "helps_relatives": 0.75,
    "asks_relative_first": 1 / 3,
    "fears_theft": 0.65,
    "fears_false_info": 0.50,
    "knows_place": 0.50,
    "been_to_place": 0.20,
}


@dataclass(frozen=True)
class Commune:
    code: str
    population: int


def adults(population: int) -> float:
    return ADULT_SHARE * population


def assumed_margins(communes: Sequence[Commune]) -> dict:
    """Age × sex and education totals of each commune's adults under the assumed structure."""
    age_sex, education = {}, {}
    for c in communes:
        total = adults(c.population)
        age_sex[c.code] = {
            f"{a}|{s}": total
            * AGE_SHARES[i]
            * (FEMALE_SHARE[i] if s == "f" else 1 - FEMALE_SHARE[i])
            for i, a in enumerate(AGES)
            for s in SEXES
        }
        education[c.code] = {e: total * EDUCATION_SHARES[j] for j, e in enumerate(EDUCATIONS)}
    return {"age_sex": age_sex, "education": education}


def allocate(populations: Sequence[int], *, total: int = SAMPLE_SIZE, floor: int = FLOOR):
    """Sample sizes proportional to population with a floor, by largest remainders."""
    pop = np.asarray(populations, dtype=np.float64)
    rest = total - floor * pop.size
    if rest < 0:
        raise ValueError(f"a floor of {floor} in {pop.size} communes exceeds {total}")
    quota = rest * pop / pop.sum()
    sizes = np.floor(quota).astype(int)
    left = rest - sizes.sum()
    sizes[np.argsort(-(quota - sizes), kind="stable")[:left]] += 1
    return sizes + floor


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _cell_logit(model: str, commune_effect: dict[str, np.ndarray]) -> np.ndarray:
    """Logit without intercept on the grid of cells, shape (C, A, 1, E)."""
    age, edu, _loading = _MODELS[model]
    return (
        commune_effect[model][:, None, None, None]
        + np.asarray(age)[None, :, None, None]
        + np.asarray(edu)[None, None, None, :]
    )


def _solve_intercept(logit: np.ndarray, mass: np.ndarray, target: float, factor=None) -> float:
    """Intercept α with Σ mass · factor · σ(α + logit) = target (bisection)."""
    f = 1.0 if factor is None else factor
    low, high = -20.0, 20.0
    for _ in range(100):
        mid = (low + high) / 2
        if float(np.sum(mass * f * _sigmoid(mid + logit))) < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _stratified_draw(p: np.ndarray, cell: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli(p) answers whose count in each cell is within one of its expectation."""
    n = p.size
    order = np.lexsort((rng.random(n), cell))
    sorted_cell = cell[order]
    starts = np.flatnonzero(np.r_[True, sorted_cell[1:] != sorted_cell[:-1]])
    sizes = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, sizes)
    u = np.empty(n)
    u[order] = (rank + rng.random(n)) / np.repeat(sizes, sizes)
    return u < p


def generate(
    communes: Sequence[Commune], *, n: int = SAMPLE_SIZE, seed: int = SEED
) -> list[dict[str, str]]:
    """Synthetic respondents as rows ``{question code: answer code}`` of grid version 1."""
    rng = np.random.default_rng(seed)
    codes = [c.code for c in communes]
    sizes = allocate([c.population for c in communes], total=n)
    pop_share = np.array([adults(c.population) for c in communes])
    pop_share = pop_share / pop_share.sum()
    # Population mass of each cell (C, A, S, E) under the assumed structure.
    sex_share = np.stack([FEMALE_SHARE, 1 - FEMALE_SHARE], axis=1)  # (A, S)
    mass = (
        pop_share[:, None, None, None]
        * (AGE_SHARES[:, None] * sex_share)[None, :, :, None]
        * EDUCATION_SHARES[None, None, None, :]
    )
    fragility = rng.normal(size=len(communes))
    effects = {
        m: loading * fragility + rng.normal(scale=0.1, size=len(communes))
        for m, (_a, _e, loading) in _MODELS.items()
    }
    # Profiles, with survey response biases.
    commune = np.repeat(np.arange(len(communes)), sizes)
    total = commune.size
    age_p = AGE_SHARES * AGE_RESPONSE
    age = rng.choice(len(AGES), size=total, p=age_p / age_p.sum())
    female_p = np.clip(FEMALE_SHARE * FEMALE_RESPONSE, 0, 0.95)
    sex = (rng.random(total) >= female_p[age]).astype(int)  # 0 = f, 1 = m
    edu_p = EDUCATION_SHARES * EDUCATION_RESPONSE
    edu = rng.choice(len(EDUCATIONS), size=total, p=edu_p / edu_p.sum())
    cell = ((commune * len(AGES) + age) * 2 + sex) * len(EDUCATIONS) + edu

    def probabilities(model: str, target: float, factor=None) -> tuple[np.ndarray, np.ndarray]:
        logit = _cell_logit(model, effects) + np.zeros((1, 1, 2, 1))
        alpha = _solve_intercept(logit, mass, target, factor)
        grid_p = _sigmoid(alpha + logit)
        return grid_p, grid_p[commune, age, sex, edu]

    def draw(p: np.ndarray) -> np.ndarray:
        return _stratified_draw(p, cell, rng)

    nd_grid, p_nd = probabilities("no_device", TARGETS["no_device"])
    no_device = draw(p_nd)
    has = 1 - nd_grid
    _g, p_c = probabilities("computer", TARGETS["owns_computer"], has)
    _g, p_s = probabilities("smartphone", TARGETS["owns_smartphone"], has)
    computer = ~no_device & draw(p_c)
    smartphone = ~no_device & draw(p_s)
    _g, p_t = probabilities("tablet", TARGETS["tablet"])
    tablet = ~no_device & (draw(p_t) | (~computer & ~smartphone))
    answers: dict[str, np.ndarray] = {}
    for model in (
        "no_home_connection",
        "daily_life_harder",
        "admin_difficulty",
        "unable_bank",
        "unable_medical",
        "helps_relatives",
        "asks_relative_first",
        "fears_theft",
        "fears_false_info",
        "knows_place",
    ):
        answers[model] = draw(probabilities(model, TARGETS[model])[1])
    knows_grid, _p = probabilities("knows_place", TARGETS["knows_place"])
    _g, p_b = probabilities("been_given_knows", TARGETS["been_to_place"], knows_grid)
    been = answers["knows_place"] & draw(p_b)

    def pick(flag: np.ndarray, yes: Sequence[str], no: Sequence[str], yes_p, no_p) -> np.ndarray:
        out = np.where(
            flag,
            rng.choice(np.array(yes), size=total, p=yes_p),
            rng.choice(np.array(no), size=total, p=no_p),
        )
        return out

    admin = pick(
        answers["admin_difficulty"],
        ["often", "sometimes"],
        ["never", "not_done"],
        [0.4, 0.6],
        [0.8, 0.2],
    )
    fears = [0.45, 0.55], [0.6, 0.4]
    employment = np.where(
        age == 0,
        rng.choice(
            ["student", "employed", "unemployed", "inactive"], total, p=[0.5, 0.35, 0.1, 0.05]
        ),
        np.where(
            age >= 4,
            rng.choice(["retired", "inactive", "employed"], total, p=[0.88, 0.09, 0.03]),
            rng.choice(
                ["employed", "unemployed", "inactive", "student"], total, p=[0.78, 0.08, 0.11, 0.03]
            ),
        ),
    )
    household = rng.choice(
        ["alone", "couple", "couple_children", "single_parent", "other"],
        total,
        p=[0.3, 0.27, 0.25, 0.08, 0.1],
    )
    yes_no = np.array(["no", "yes"])
    columns = {
        "P_COMMUNE": np.array(codes)[commune],
        "P_AGE": np.array(AGES)[age],
        "P_SEX": np.array(SEXES)[sex],
        "P_EDUCATION": np.array(EDUCATIONS)[edu],
        "P_EMPLOYMENT": employment,
        "P_HOUSEHOLD": household,
        "EQ_COMPUTER": yes_no[computer.astype(int)],
        "EQ_SMARTPHONE": yes_no[smartphone.astype(int)],
        "EQ_TABLET": yes_no[tablet.astype(int)],
        "CO_HOME": np.where(
            answers["no_home_connection"],
            "none",
            rng.choice(["fixed", "mobile_only"], total, p=[0.88, 0.12]),
        ),
        "US_ADMIN": admin,
        "US_BANK": pick(
            answers["unable_bank"], ["unable"], ["alone", "with_help"], [1.0], [0.85, 0.15]
        ),
        "US_MEDICAL": pick(
            answers["unable_medical"], ["unable"], ["alone", "with_help"], [1.0], [0.8, 0.2]
        ),
        "US_HELPS": pick(
            answers["helps_relatives"], ["often", "sometimes"], ["never"], [0.35, 0.65], [1.0]
        ),
        "US_ASKS": pick(
            answers["asks_relative_first"],
            ["relative"],
            ["professional", "mediation", "online", "nobody"],
            [1.0],
            [0.2, 0.1, 0.55, 0.15],
        ),
        "FE_DAILY": pick(
            answers["daily_life_harder"], ["harder"], ["easier", "same"], [1.0], [0.7, 0.3]
        ),
        "FE_THEFT": pick(
            answers["fears_theft"], ["a_lot", "somewhat"], ["not_much", "not_at_all"], *fears
        ),
        "FE_FALSE_INFO": pick(
            answers["fears_false_info"], ["a_lot", "somewhat"], ["not_much", "not_at_all"], *fears
        ),
        "FE_KNOWS_PLACE": yes_no[answers["knows_place"].astype(int)],
        "FE_BEEN_PLACE": yes_no[been.astype(int)],
    }
    return [{k: str(v[i]) for k, v in columns.items()} for i in range(total)]
