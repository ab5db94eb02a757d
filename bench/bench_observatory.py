"""The observatory's pipeline on the demo survey (5,000 respondents, 28 communes, 14
indicators × 44 domains): weighting, Taylor estimates, bootstrap replicates. Prints figures
and the machine; asserts nothing. Run: `.venv/bin/python bench/bench_observatory.py`."""

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
from bench.machine import describe  # noqa: E402
from maillage.observatory import pipeline, synthetic  # noqa: E402
from maillage.observatory.grid import evaluate, load_grid  # noqa: E402


def best_of(n: int, fn):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    grid = load_grid("1")
    with open(ROOT / "data/communes/bordeaux-metropole-communes.csv", encoding="utf-8") as f:
        communes = [
            synthetic.Commune(r["code_insee"], int(r["population_municipale"]))
            for r in csv.DictReader(f)
        ]
    t_gen, rows = best_of(3, lambda: synthetic.generate(communes))
    arrays = pipeline.survey_arrays(
        [(i, r["P_COMMUNE"], None, r) for i, r in enumerate(rows)], grid
    )
    margins = synthetic.assumed_margins(communes)
    t_weigh, outcome = best_of(
        3, lambda: pipeline.weigh(arrays, grid, margins, pipeline.WeightingSettings())
    )
    t_est, estimates = best_of(3, lambda: pipeline.estimate_all(arrays, grid, outcome))
    boot_outcome = pipeline.weigh(arrays, grid, margins, pipeline.WeightingSettings(min_cell=20))
    t_rep, replicate = best_of(
        3, lambda: pipeline.replicate_weights(boot_outcome, replicates=200, seed=1)
    )
    t_boot, _ = best_of(
        3, lambda: pipeline.estimate_all(arrays, grid, boot_outcome, replicate=replicate)
    )
    y = evaluate(grid.indicator("knows_place").when, arrays.answers)
    domains = [arrays.communes == c for c in sorted(set(arrays.communes.tolist()))][:20]

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
    print(f"machine: {describe()}")
    print(f"respondents: {arrays.n}, estimates: {len(estimates)}")
    print(f"generate synthetic survey     {t_gen:8.3f} s")
    print(f"rake to commune margins       {t_weigh:8.3f} s ({outcome.iterations} sweeps)")
    print(f"Taylor estimates (batched)    {t_est:8.3f} s")
    print(f"200 Rao-Wu replicates, raked  {t_rep:8.3f} s")
    print(f"bootstrap estimates           {t_boot:8.3f} s")
    per_call = t_single / len(domains)
    print(
        f"mean_ci one estimate at a time {per_call * len(estimates):7.3f} s "
        f"(extrapolated from {len(domains)} calls: {per_call * 1000:.1f} ms each)"
    )


if __name__ == "__main__":
    main()
