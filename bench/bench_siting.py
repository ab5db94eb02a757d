"""Benchmark: maximal covering location, Maillage against spopt's ``MCLP`` in the same run.

Run from the repository root, with the peers' environment so that spopt is importable::

    bash scripts/test-peers-diagnostic.sh    # creates .venv-peers-diag once
    PYTHONPATH=. .venv-peers-diag/bin/python bench/bench_siting.py

Instance: 2,000 seeded demand points clustered around 40 towns of a département-sized box
(Gironde), weights 1..199 (fragile population), 300 candidate sites uniform in the box;
several service radii and numbers of sites. Timed:

* ``maillage exact``: :func:`analysis.siting.coverage_within_km` from coordinates, then
  :func:`analysis.siting.mclp_exact` (HiGHS through scipy), end to end;
* ``maillage greedy``: the same coverage, then :func:`analysis.siting.mclp_greedy`;
* ``spopt``: ``MCLP.from_cost_matrix`` (build) and ``.solve(PULP_CBC_CMD)`` (solve), given
  the great-circle distance matrix (computing it is not counted).

Best of ``--repeats``. Prints figures and writes them with the machine to
bench/results/siting.json; never asserts them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.geo import haversine_km  # noqa: E402
from analysis.siting import coverage_within_km, mclp_exact, mclp_greedy  # noqa: E402
from bench.record import Run, quantity, versions  # noqa: E402

BOX = (44.2, 45.5, -1.2, 0.3)  # lat min, lat max, lon min, lon max (about Gironde)
CONFIGS = ((5.0, 20), (10.0, 20), (15.0, 10))  # (service radius km, sites to choose)


def instance(n_demand: int = 2_000, n_sites: int = 300, *, seed: int = 5) -> dict[str, np.ndarray]:
    """Seeded demand (clustered, weighted) and candidate sites (uniform) in the box."""
    lat0, lat1, lon0, lon1 = BOX
    rng = np.random.default_rng(seed)
    towns = np.column_stack([rng.uniform(lat0, lat1, 40), rng.uniform(lon0, lon1, 40)])
    t = rng.integers(0, 40, n_demand)
    return {
        "demand_lat": towns[t, 0] + rng.normal(0.0, 0.04, n_demand),
        "demand_lon": towns[t, 1] + rng.normal(0.0, 0.06, n_demand),
        "site_lat": rng.uniform(lat0, lat1, n_sites),
        "site_lon": rng.uniform(lon0, lon1, n_sites),
        "demand": rng.integers(1, 200, n_demand).astype(float),
    }


def best_of(repeats: int, func):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return min(times), times, result


def run_spopt(distance: np.ndarray, demand: np.ndarray, radius: float, k: int):
    import pulp
    from spopt.locate import MCLP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the peer's own deprecation warnings
        t0 = time.perf_counter()
        model = MCLP.from_cost_matrix(distance, demand, service_radius=radius, p_facilities=k)
        t1 = time.perf_counter()
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
        t2 = time.perf_counter()
    return t1 - t0, t2 - t1, float(pulp.value(model.problem.objective))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    run = Run("siting", benchmark=__file__)
    print(f"MCLP benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"Load average before: {os.getloadavg()[0]:.2f}")
    try:
        from importlib.metadata import version

        import spopt  # noqa: F401

        peer = f"spopt {version('spopt')}, PuLP {version('pulp')} (CBC)"
    except ImportError as error:
        peer = None
        print(f"Peer: not importable ({error}); Maillage only")
    if peer:
        print(f"Peer: {peer}")
    data = instance()
    print(f"Instance: {len(data['demand']):,} demand points × {len(data['site_lat'])} candidates")
    distance = haversine_km(
        lat1=data["demand_lat"][:, None],
        lon1=data["demand_lon"][:, None],
        lat2=data["site_lat"],
        lon2=data["site_lon"],
    )
    figures = []
    for radius, k in CONFIGS:

        def coverage(radius=radius):
            return coverage_within_km(
                demand_lat=data["demand_lat"],
                demand_lon=data["demand_lon"],
                site_lat=data["site_lat"],
                site_lon=data["site_lon"],
                radius_km=radius,
            )

        exact_s, exact_times, exact = best_of(
            args.repeats,
            lambda k=k, cov=coverage: mclp_exact(coverage=cov(), demand=data["demand"], k=k),
        )
        greedy_s, _, greedy = best_of(
            args.repeats,
            lambda k=k, cov=coverage: mclp_greedy(coverage=cov(), demand=data["demand"], k=k),
        )
        total = data["demand"].sum()
        print(f"\n## radius {radius:g} km, k = {k} (coverage pairs: {coverage().nnz:,})")
        print(
            f"maillage exact   best {exact_s:7.3f} s ({', '.join(f'{t:.3f}' for t in exact_times)})"
            f"  objective {exact.objective:,.0f} ({exact.objective / total:.1%} of demand), "
            f"optimal={exact.optimal}"
        )
        print(
            f"maillage greedy  best {greedy_s:7.4f} s  objective {greedy.objective:,.0f} "
            f"= {greedy.objective / exact.objective:.4f} × optimum (guarantee ≥ 0.632)"
        )
        row = {
            "radius_km": radius,
            "k": k,
            "coverage_pairs": quantity(int(coverage().nnz), "pairs"),
            "maillage_exact": quantity(round(exact_s, 4), "s"),
            "maillage_exact_optimal": bool(exact.optimal),
            "maillage_objective": quantity(float(exact.objective), "weight covered"),
            "maillage_greedy": quantity(round(greedy_s, 5), "s"),
            "greedy_over_optimum": quantity(round(greedy.objective / exact.objective, 4), "1"),
        }
        figures.append(row)
        if peer:
            runs = [run_spopt(distance, data["demand"], radius, k) for _ in range(args.repeats)]
            build, solve, objective = min(runs, key=lambda r: r[0] + r[1])
            spopt_s = build + solve
            same = abs(objective - exact.objective) <= 1e-9 * max(1.0, abs(objective))
            print(
                f"spopt            best {spopt_s:7.3f} s (build {build:.3f} + solve {solve:.3f})"
                f"  objective {objective:,.0f}  same optimum: {same}  "
                f"ratio spopt / maillage exact: ×{spopt_s / exact_s:.1f}"
            )
            row |= {
                "spopt_build": quantity(round(build, 4), "s"),
                "spopt_solve": quantity(round(solve, 4), "s"),
                "spopt_total": quantity(round(spopt_s, 4), "s"),
                "spopt_objective": quantity(objective, "weight covered"),
                "same_optimum": same,
                "ratio_spopt_to_maillage_exact": quantity(round(spopt_s / exact_s, 1), "×"),
            }
    run.write(
        parameters={
            "demand_points": len(data["demand"]),
            "candidates": len(data["site_lat"]),
            "configurations": [{"radius_km": r, "k": k} for r, k in CONFIGS],
            "repeats": args.repeats,
            "seed": 5,
        },
        figures={"configurations": figures},
        versions=versions("spopt", "pulp", "highspy"),
        notes=[] if peer else ["spopt not importable: Maillage only"],
    )


if __name__ == "__main__":
    main()
