"""The observatory's pipeline on the demo survey (5,000 respondents, 28 communes, 14
indicators × 44 domains): weighting, Taylor estimates, bootstrap replicates. Prints figures
and writes them with the machine to bench/results/observatory.json; asserts nothing.
Run: `.venv/bin/python bench/bench_observatory.py`."""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.dev")

import django  # noqa: E402

django.setup()

from analysis.estimation import mean_ci  # noqa: E402
from bench.record import Run, quantity, versions  # noqa: E402
from maillage.observatory import pipeline, synthetic  # noqa: E402
from maillage.observatory.grid import evaluate, load_grid  # noqa: E402


def best_of(n: int, fn):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


REPEATS = 3
SINGLE_CALLS = 20  # mean_ci one estimate at a time: timed on this many domains, extrapolated
REPLICATES = 200


def main() -> None:
    run = Run("observatory", benchmark=__file__)
    grid = load_grid("1")
    with open(ROOT / "data/communes/bordeaux-metropole-communes.csv", encoding="utf-8") as f:
        communes = [
            synthetic.Commune(r["code_insee"], int(r["population_municipale"]))
            for r in csv.DictReader(f)
        ]
    t_gen, rows = best_of(REPEATS, lambda: synthetic.generate(communes))
    arrays = pipeline.survey_arrays(
        [(i, r["P_COMMUNE"], None, r) for i, r in enumerate(rows)], grid
    )
    margins = synthetic.assumed_margins(communes)
    t_weigh, outcome = best_of(
        3, lambda: pipeline.weigh(arrays, grid, margins, pipeline.WeightingSettings())
    )
    t_est, estimates = best_of(REPEATS, lambda: pipeline.estimate_all(arrays, grid, outcome))
    boot_outcome = pipeline.weigh(arrays, grid, margins, pipeline.WeightingSettings(min_cell=20))
    t_rep, replicate = best_of(
        3, lambda: pipeline.replicate_weights(boot_outcome, replicates=REPLICATES, seed=1)
    )
    t_boot, _ = best_of(
        3, lambda: pipeline.estimate_all(arrays, grid, boot_outcome, replicate=replicate)
    )
    y = evaluate(grid.indicator("knows_place").when, arrays.answers)
    domains = [arrays.communes == c for c in sorted(set(arrays.communes.tolist()))][:SINGLE_CALLS]

    def one_by_one():
        for d in domains:
            mean_ci(
                y,
                outcome.weights,
                strata=arrays.communes,
                calibration=outcome.calibration,
                domain=d,
            )

    t_single, _ = best_of(1, one_by_one)
    per_call = t_single / len(domains)
    figures = {
        "respondents": quantity(arrays.n, "respondents"),
        "estimates": quantity(len(estimates), "estimates"),
        "generate": quantity(round(t_gen, 4), "s"),
        "rake": quantity(round(t_weigh, 4), "s"),
        "rake_sweeps": quantity(outcome.iterations, "sweeps"),
        "taylor_batched": quantity(round(t_est, 4), "s"),
        "replicates_raked": quantity(round(t_rep, 4), "s"),
        "bootstrap_estimates": quantity(round(t_boot, 4), "s"),
        "mean_ci_per_call": quantity(round(per_call * 1000, 2), "ms"),
        "mean_ci_one_at_a_time": quantity(round(per_call * len(estimates), 2), "s"),
    }
    for name, figure in figures.items():
        print(f"{name:24s} {figure['value']:>10} {figure['unit']}")
    run.write(
        parameters={
            "grid": "1",
            "communes": "data/communes/bordeaux-metropole-communes.csv",
            "best_of": REPEATS,
            "replicates": REPLICATES,
            "mean_ci_calls_timed": len(domains),
        },
        figures=figures,
        versions=versions(),
    )


if __name__ == "__main__":
    main()
