"""Benchmark: raking and linear calibration of 1,000,000 respondents, Maillage against peers.

Same seeded synthetic input for everybody: 28 communes, 6 age bands, 2 sexes, 4 education
levels, unequal design weights. Three problems:

- one-way margins (commune, age, sex, education);
- crossed margins (commune × age × sex cells, plus education);
- linear calibration (GREG) on the one-way margins.

Each tool is timed best of ``--repeat`` at ``--tolerance`` (1e-6), then run once more at a tight
tolerance (1e-12) to report the largest relative weight difference from Maillage's weights.
Timings are printed and written with the machine to bench/results/raking.json, never
asserted. Run it in the peers venv (it has svy, samplics, weightipy
and ipfn); balance needs numpy < 2 and runs as a subprocess in ``.venv-peers-balance``:

    scripts/test-peers-observatory.sh   # builds both venvs once
    PYTHONPATH=. .venv-peers-obs/bin/python bench/bench_raking.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.record import Run, quantity, versions  # noqa: E402

SIZES = {"commune": 28, "age": 6, "sex": 2, "education": 4}
TIGHT = 1e-12


def synthetic_survey(n: int, seed: int) -> dict[str, np.ndarray]:
    """Respondents with codes, design weights and population margins (one-way and crossed)."""
    rng = np.random.default_rng(seed)
    commune = rng.choice(28, n, p=(p := rng.uniform(0.5, 2.0, 28)) / p.sum())
    age = rng.choice(6, n, p=[0.12, 0.15, 0.18, 0.2, 0.2, 0.15])
    sex = rng.integers(0, 2, n)
    education = np.minimum(rng.poisson(0.6 + 0.25 * (5 - age)), 3)
    design = rng.lognormal(np.log(400.0), 0.3, n)
    population = 800_000.0
    # Population cells commune × age × sex, then education shares: margins differ from the sample.
    cells = rng.uniform(0.5, 1.5, (28, 6, 2))
    cells = cells / cells.sum() * population
    edu = np.array([0.3, 0.3, 0.25, 0.15]) * population
    return {
        "commune": commune,
        "age": age,
        "sex": sex,
        "education": education,
        "design": design,
        "t_commune": cells.sum(axis=(1, 2)),
        "t_age": cells.sum(axis=(0, 2)),
        "t_sex": cells.sum(axis=(0, 1)),
        "t_education": edu,
        "t_cells": cells.reshape(-1),
        "cells": (commune * 6 + age) * 2 + sex,
    }


def margins_of(data: dict[str, np.ndarray], problem: str) -> tuple[list[str], list[np.ndarray]]:
    """Column names and targets of a problem ("oneway" or "crossed")."""
    if problem == "crossed":
        return ["cells", "education"], [data["t_cells"], data["t_education"]]
    names = list(SIZES)
    return names, [data[f"t_{name}"] for name in names]


def best_of(repeat: int, run: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


# --- the tools --------------------------------------------------------------------------------


def maillage_rake(data, problem, tolerance):
    from analysis.weighting import rake_weights

    names, targets = margins_of(data, problem)
    return rake_weights(
        data["design"],
        categories=[data[c] for c in names],
        targets=targets,
        tolerance=tolerance,
        max_iterations=10_000,
    ).weights


def maillage_greg(data, problem, tolerance):
    from analysis.calibration import calibrate_linear

    names, targets = margins_of(data, problem)
    return calibrate_linear(
        data["design"], categories=[data[c] for c in names], targets=targets
    ).weights


def naive_numpy_rake(data, problem, tolerance):
    """Unit-level numpy raking: a bincount and a gather over all respondents per margin."""
    names, targets = margins_of(data, problem)
    w = data["design"].copy()
    codes = [data[c] for c in names]
    for _ in range(10_000):
        for c, t in zip(codes, targets, strict=True):
            w *= (t / np.bincount(c, weights=w, minlength=t.size))[c]
        error = max(
            np.max(np.abs(np.bincount(c, weights=w, minlength=t.size) / t - 1))
            for c, t in zip(codes, targets, strict=True)
        )
        if error <= tolerance:
            return w
    raise RuntimeError("naive raking did not converge")


def ipfn_table_rake(data, problem, tolerance):
    """ipfn on the dense cross-table of design weights, factors broadcast back to respondents."""
    from ipfn import ipfn

    if problem == "crossed":
        shape, key = (28 * 6 * 2, 4), data["cells"] * 4 + data["education"]
        aggregates, dims = [data["t_cells"], data["t_education"]], [[0], [1]]
    else:
        shape = tuple(SIZES.values())
        key = np.ravel_multi_index(tuple(data[c] for c in SIZES), shape)
        aggregates, dims = [data[f"t_{c}"] for c in SIZES], [[0], [1], [2], [3]]
    table = np.bincount(key, weights=data["design"], minlength=int(np.prod(shape))).reshape(shape)
    fitted = ipfn.ipfn(
        table.copy(),
        aggregates,
        dims,
        convergence_rate=tolerance,
        max_iteration=10_000,
        rate_tolerance=0.0,
    ).iteration()
    factors = np.divide(fitted, table, out=np.zeros_like(table), where=table > 0).reshape(-1)
    return data["design"] * factors[key]


def _polars_frame(data, names):
    import polars as pl

    return pl.DataFrame({"w": data["design"], **{c: data[c] for c in names}})


def svy_rake(data, problem, tolerance):
    import svy

    names, targets = margins_of(data, problem)
    sample = svy.Sample(_polars_frame(data, names), svy.Design(wgt="w"))
    controls = {c: dict(enumerate(t.tolist())) for c, t in zip(names, targets, strict=True)}
    raked = sample.weighting.rake(controls=controls, tol=tolerance, max_iter=10_000)
    return raked.data["rk_wgt"].to_numpy()


def svy_greg(data, problem, tolerance):
    import svy

    names, targets = margins_of(data, problem)
    sample = svy.Sample(_polars_frame(data, names), svy.Design(wgt="w"))
    controls = {
        svy.Cat(c): dict(enumerate(t.tolist())) for c, t in zip(names, targets, strict=True)
    }
    return sample.weighting.calibrate(controls=controls).data["calib_wgt"].to_numpy()


def samplics_rake(data, problem, tolerance):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from samplics.weighting import SampleWeight

    names, targets = margins_of(data, problem)
    controls = {c: dict(enumerate(t.tolist())) for c, t in zip(names, targets, strict=True)}
    return np.asarray(
        SampleWeight().rake(
            data["design"],
            margins={c: data[c] for c in names},
            control=controls,
            tol=tolerance,
            ctrl_tol=tolerance,
            max_iter=10_000,
        )
    )


def weightipy_rake(data, problem, tolerance):
    """weightipy rakes from equal starting weights (it takes no design weights) and returns
    weights of mean 1; its own criterion (weights moving < 1% less than the sweep before)
    ignores ``tolerance``. Compared with Maillage on unit design weights, rescaled."""
    import pandas as pd
    import weightipy

    names, targets = margins_of(data, problem)
    frame = pd.DataFrame({c: data[c] for c in names})
    scheme = weightipy.scheme_from_dict(
        {
            c: {k: 100 * v / t.sum() for k, v in enumerate(t)}
            for c, t in zip(names, targets, strict=True)
        },
        rim_params={"max_iterations": 10_000},
    )
    with contextlib.redirect_stdout(io.StringIO()):
        return weightipy.weight(frame, scheme).to_numpy()


def maillage_rake_unit_design(data, problem, tolerance):
    from analysis.weighting import rake_weights

    names, targets = margins_of(data, problem)
    w = rake_weights(
        np.ones(data["design"].size),
        categories=[data[c] for c in names],
        targets=targets,
        tolerance=tolerance,
    ).weights
    return w / w.mean()


def balance_rake(data, problem, tolerance):
    """balance's rake with transformations=None (no lumping) and rate_tolerance=0; the target is
    a population table whose margins are the targets (target_margins= would round them)."""
    import pandas as pd
    from balance.weighting_methods.rake import rake

    names, targets = margins_of(data, problem)
    combos = np.array(list(itertools.product(*[range(t.size) for t in targets])))
    total = targets[0].sum()
    target_weights = total * np.prod(
        [t[combos[:, j]] / total for j, t in enumerate(targets)], axis=0
    )
    result = rake(
        pd.DataFrame({c: data[c] for c in names}),
        pd.Series(data["design"]),
        pd.DataFrame({c: combos[:, j] for j, c in enumerate(names)}),
        pd.Series(target_weights),
        transformations=None,
        max_iteration=10_000,
        convergence_rate=tolerance,
        rate_tolerance=0.0,
    )
    return result["weight"].to_numpy()


# --- running ------------------------------------------------------------------------------------


def balance_worker(inp: str, out: str, repeat: int, tolerance: float) -> None:
    """Entry point inside .venv-peers-balance: time balance and save its tight weights."""
    import logging

    logging.disable(logging.INFO)
    data = dict(np.load(inp))
    results = {}
    for problem in ("oneway", "crossed"):
        seconds, _ = best_of(repeat, lambda p=problem: balance_rake(data, p, tolerance))
        results[f"{problem}_seconds"] = np.array(seconds)
        results[f"{problem}_tight"] = balance_rake(data, problem, TIGHT)
    np.savez(out, **results)
    import balance

    print(f"balance {balance.__version__}, numpy {np.__version__}", flush=True)


def blas() -> list[dict]:
    """The BLAS numpy uses here (library, version, threads, kernel), as threadpoolctl sees it."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "version", "threading_layer", "num_threads", "architecture")
    return [{key: pool.get(key) for key in keys} for pool in threadpool_info()]


def max_relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a / b - 1)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=1e-6)
    parser.add_argument("--skip", nargs="*", default=[], help="tools to leave out, e.g. samplics")
    parser.add_argument("--balance-python", default=str(ROOT / ".venv-peers-balance/bin/python"))
    parser.add_argument("--balance-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.balance_worker:
        balance_worker(*args.balance_worker, args.repeat, args.tolerance)
        return

    record = Run("raking", benchmark=__file__)
    print(f"BLAS: {blas()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(
        f"n = {args.n:,} respondents, seed {args.seed}, timing tolerance {args.tolerance:g}, "
        f"best of {args.repeat}; weight differences at tolerance {TIGHT:g}\n"
    )
    data = synthetic_survey(args.n, args.seed)
    tools: dict[str, dict[str, Callable]] = {
        "oneway": {
            "maillage": maillage_rake,
            "naive numpy loop": naive_numpy_rake,
            "ipfn (table)": ipfn_table_rake,
            "svy": svy_rake,
            "samplics": samplics_rake,
            "weightipy": weightipy_rake,
        },
        "greg": {"maillage": maillage_greg, "svy": svy_greg},
    }
    tools["crossed"] = dict(tools["oneway"])
    rows: list[tuple[str, str, float, float]] = []
    balance_versions = None
    for problem in ("oneway", "crossed", "greg"):
        shape = "oneway" if problem == "greg" else problem
        reference = (maillage_greg if problem == "greg" else maillage_rake)(data, shape, TIGHT)
        for name, run in tools[problem].items():
            if name in args.skip:
                continue
            seconds, _ = best_of(args.repeat, lambda r=run, s=shape: r(data, s, args.tolerance))
            tight = run(data, shape, TIGHT)
            ref = (
                maillage_rake_unit_design(data, shape, TIGHT) if name == "weightipy" else reference
            )
            rows.append((problem, name, seconds, max_relative_difference(tight, ref)))
            print(
                f"  {problem:8s} {name:18s} {seconds:9.4f} s   max rel. diff {rows[-1][3]:.1e}",
                flush=True,
            )
    if "balance" not in args.skip:
        if Path(args.balance_python).exists():
            with tempfile.TemporaryDirectory() as tmp:
                inp, out = Path(tmp, "in.npz"), Path(tmp, "out.npz")
                np.savez(inp, **data)
                note = subprocess.run(
                    [
                        args.balance_python,
                        __file__,
                        "--balance-worker",
                        str(inp),
                        str(out),
                        "--repeat",
                        str(args.repeat),
                        "--tolerance",
                        str(args.tolerance),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                ).stdout.strip()
                res = np.load(out)
                for problem in ("oneway", "crossed"):
                    diff = max_relative_difference(
                        res[f"{problem}_tight"], maillage_rake(data, problem, TIGHT)
                    )
                    rows.append(
                        (problem, "balance (subprocess)", float(res[f"{problem}_seconds"]), diff)
                    )
                print(f"  balance ran in a subprocess of {args.balance_python} ({note})")
                balance_versions = note
        else:
            print(
                f"  balance skipped: {args.balance_python} missing (run scripts/test-peers-observatory.sh)"
            )

    print("\n| problem | tool | best time (s) | Maillage is N× faster | max rel. weight diff |")
    print("|---|---|---:|---:|---:|")
    ours = {p: s for p, name, s, _ in rows if name == "maillage"}
    for problem, name, seconds, diff in rows:
        print(
            f"| {problem} | {name} | {seconds:.4f} | {seconds / ours[problem]:.1f} | {diff:.1e} |"
        )
    record.write(
        parameters={
            "respondents": args.n,
            "seed": args.seed,
            "best_of": args.repeat,
            "timing_tolerance": args.tolerance,
            "comparison_tolerance": TIGHT,
            "skipped": args.skip,
        },
        figures={
            "rows": [
                {
                    "problem": problem,
                    "tool": name,
                    "best_time": quantity(round(seconds, 5), "s"),
                    "ratio_to_maillage": quantity(round(seconds / ours[problem], 1), "×"),
                    "max_relative_weight_difference": quantity(
                        None if name == "maillage" else float(f"{diff:.2e}"), "1"
                    ),
                }
                for problem, name, seconds, diff in rows
            ]
        },
        versions={
            **versions("svy", "samplics", "weightipy", "ipfn", "polars", "pandas"),
            "balance_subprocess": balance_versions,
            "blas": blas(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        },
    )


if __name__ == "__main__":
    sys.exit(main())
