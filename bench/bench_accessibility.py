"""Benchmark: E2SFCA accessibility, Maillage against PySAL ``access`` in the same run.

Run from the repository root, with the peers' environment so that ``access`` is importable::

    bash scripts/test-peers-diagnostic.sh    # creates .venv-peers-diag once
    PYTHONPATH=. .venv-peers-diag/bin/python bench/bench_accessibility.py

Inputs are seeded synthetic points in a France-like bounding box, clustered around 4,000
"towns" of Zipf-distributed sizes (5 % scattered uniformly), which gives about 130 places
within 10 km of an average population cell, as in the national data the issue describes.
Catchment 10 km, three equal zones weighted 1, 0.68, 0.22 (Maillage's default).

Implementations compared on the same inputs:

* ``maillage``: :func:`analysis.accessibility.e2sfca`, end to end from coordinates;
* ``plain``: a straightforward cKDTree + scipy.sparse implementation (whole-set
  ``sparse_distance_matrix``, COO → CSR, two sparse products), as a reference point; at
  national scale it would need ~13 GB, so ``plain-chunked`` runs it by slices of 100,000
  demand points, searching the pairs twice (an independent check of the result);
* ``access``: PySAL ``access`` ``Access(...).enhanced_two_stage_fca`` given the table of
  pairs within 10 km (computing that table is not counted in its time).

Each measurement runs in a fresh subprocess, so its peak resident memory
(``resource.getrusage(...).ru_maxrss``) is its own; peak memory includes the inputs. Times
are best of ``--repeats`` (Maillage and plain) or ``--peer-repeats`` (access). The script
prints figures, writes them with the machine to bench/results/accessibility.json and never
asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.accessibility import StepDecay, e2sfca, supply_capacity  # noqa: E402
from analysis.geo import (  # noqa: E402
    chord_from_km,
    km_from_chord,
    pairs_within,
    unit_vectors,
)
from bench.record import Run, quantity, versions  # noqa: E402

FRANCE_BOX = (42.3, 51.1, -4.8, 8.2)  # lat min, lat max, lon min, lon max
RADIUS_KM = 10.0
CASES = {
    "regional": (50_000, 25_000),  # demand points × places
    "national": (2_000_000, 25_000),
}


def france_like_points(
    n: int, *, seed: int, n_towns: int = 4_000, scattered: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` seeded points clustered like population in a France-like box.

    Town centres are uniform in the box (fixed seed, shared by every call); town ``t`` has
    weight ∝ 1/t (Zipf) and a Gaussian spread of 2 + 10·√(weight/max) km; a share
    ``scattered`` of points is uniform over the box.
    """
    lat0, lat1, lon0, lon1 = FRANCE_BOX
    towns = np.random.default_rng(7)
    town_lat = towns.uniform(lat0, lat1, n_towns)
    town_lon = towns.uniform(lon0, lon1, n_towns)
    size = 1.0 / np.arange(1, n_towns + 1)
    spread_km = 2.0 + 10.0 * np.sqrt(size / size.max())
    rng = np.random.default_rng(seed)
    n_scattered = int(n * scattered)
    t = rng.choice(n_towns, size=n - n_scattered, p=size / size.sum())
    lat = town_lat[t] + rng.normal(0.0, 1.0, t.size) * spread_km[t] / 111.2
    lon = town_lon[t] + rng.normal(0.0, 1.0, t.size) * spread_km[t] / (
        111.2 * np.cos(np.radians(town_lat[t]))
    )
    lat = np.concatenate([lat, rng.uniform(lat0, lat1, n_scattered)])
    lon = np.concatenate([lon, rng.uniform(lon0, lon1, n_scattered)])
    return lat, lon


def synthetic_inputs(n_demand: int, n_supply: int) -> dict[str, np.ndarray]:
    """Seeded demand cells (population) and places (capacity from hours and stars)."""
    demand_lat, demand_lon = france_like_points(n_demand, seed=1)
    supply_lat, supply_lon = france_like_points(n_supply, seed=2)
    rng = np.random.default_rng(3)
    population = rng.gamma(0.8, 60.0, n_demand)
    capacity = supply_capacity(
        weekly_hours=rng.uniform(4.0, 50.0, n_supply),
        service_stars=rng.integers(0, 4, (n_supply, 3)),
    )
    return {
        "supply_lat": supply_lat,
        "supply_lon": supply_lon,
        "capacity": capacity,
        "demand_lat": demand_lat,
        "demand_lon": demand_lon,
        "population": population,
    }


def run_maillage(inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    result = e2sfca(**inputs, radius_km=RADIUS_KM)
    return result.score, result.n_pairs


def run_plain(inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    """The straightforward cKDTree + sparse-matrix E2SFCA (the issue's reference point)."""
    from scipy import sparse
    from scipy.spatial import cKDTree

    demand = cKDTree(unit_vectors(lat=inputs["demand_lat"], lon=inputs["demand_lon"]))
    supply = cKDTree(unit_vectors(lat=inputs["supply_lat"], lon=inputs["supply_lon"]))
    chord = demand.sparse_distance_matrix(
        supply, float(chord_from_km(RADIUS_KM)), output_type="coo_matrix"
    ).tocsr()
    weight = sparse.csr_matrix(
        (
            StepDecay.equal_zones(radius=RADIUS_KM)(km_from_chord(chord.data)),
            chord.indices,
            chord.indptr,
        ),
        shape=chord.shape,
    )
    catchment = weight.T @ inputs["population"]
    ratio = np.divide(
        inputs["capacity"], catchment, out=np.zeros_like(catchment), where=catchment > 0
    )
    return weight @ ratio, chord.nnz


def run_plain_chunked(inputs: dict[str, np.ndarray], rows_per_slice: int = 100_000):
    """The plain implementation by slices of demand points, searching pairs twice.

    At national scale the one-shot version needs ~13 GB here; this one stays small and is an
    independent check of Maillage's result (distances in km through arcsin, zones in km).
    """
    from scipy import sparse
    from scipy.spatial import cKDTree

    demand_xyz = unit_vectors(lat=inputs["demand_lat"], lon=inputs["demand_lon"])
    supply = cKDTree(unit_vectors(lat=inputs["supply_lat"], lon=inputs["supply_lon"]))
    decay = StepDecay.equal_zones(radius=RADIUS_KM)
    chord_radius = float(chord_from_km(RADIUS_KM))
    slices = [slice(a, a + rows_per_slice) for a in range(0, len(demand_xyz), rows_per_slice)]

    def weights(part):
        chord = (
            cKDTree(demand_xyz[part])
            .sparse_distance_matrix(supply, chord_radius, output_type="coo_matrix")
            .tocsr()
        )
        w = decay(km_from_chord(chord.data))
        return sparse.csr_matrix((w, chord.indices, chord.indptr), shape=chord.shape)

    catchment = np.zeros(len(inputs["capacity"]))
    n_pairs = 0
    for part in slices:
        w = weights(part)
        catchment += w.T @ inputs["population"][part]
        n_pairs += w.nnz
    ratio = np.divide(
        inputs["capacity"], catchment, out=np.zeros_like(catchment), where=catchment > 0
    )
    score = np.concatenate([weights(part) @ ratio for part in slices])
    return score, n_pairs


def run_access(inputs: dict[str, np.ndarray], pairs) -> np.ndarray:
    import pandas as pd
    from access import Access, weights

    decay = StepDecay.equal_zones(radius=RADIUS_KM)
    coo = pairs.tocoo()
    n = len(inputs["population"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the peer's pandas deprecation warnings
        model = Access(
            demand_df=pd.DataFrame({"geoid": np.arange(n), "pop": inputs["population"]}),
            demand_index="geoid",
            demand_value="pop",
            supply_df=pd.DataFrame(
                {"geoid": np.arange(len(inputs["capacity"])), "capacity": inputs["capacity"]}
            ),
            supply_index="geoid",
            supply_value="capacity",
            cost_df=pd.DataFrame({"origin": coo.row, "dest": coo.col, "cost": coo.data}),
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        out = model.enhanced_two_stage_fca(
            name="e2sfca",
            max_cost=RADIUS_KM,
            weight_fn=weights.step_fn(dict(zip(decay.breaks, decay.weights, strict=True))),
        )
    # access leaves demand points without any place within reach out: NaN here.
    return out["e2sfca_capacity"].reindex(np.arange(n)).to_numpy(dtype=float)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def measure(case: str, implementation: str, repeats: int, out_path: str) -> dict:
    """One implementation on one case, in this (fresh) process."""
    inputs = synthetic_inputs(*CASES[case])
    report: dict = {"inputs_rss_mb": peak_rss_mb()}
    times = []
    if implementation == "access":
        t0 = time.perf_counter()
        pairs = pairs_within(
            lat1=inputs["demand_lat"],
            lon1=inputs["demand_lon"],
            lat2=inputs["supply_lat"],
            lon2=inputs["supply_lon"],
            radius_km=RADIUS_KM,
        )
        report["cost_table_s"] = time.perf_counter() - t0
        report["inputs_rss_mb"] = peak_rss_mb()
        report["n_pairs"] = int(pairs.nnz)
    for _ in range(repeats):
        t0 = time.perf_counter()
        if implementation == "maillage":
            score, n_pairs = run_maillage(inputs)
            report["n_pairs"] = n_pairs
        elif implementation == "plain":
            score, n_pairs = run_plain(inputs)
            report["n_pairs"] = n_pairs
        elif implementation == "plain-chunked":
            score, n_pairs = run_plain_chunked(inputs)
            report["n_pairs"] = n_pairs
        else:
            score = run_access(inputs, pairs)
        times.append(time.perf_counter() - t0)
    report |= {"times_s": times, "best_s": min(times), "peak_rss_mb": peak_rss_mb()}
    np.save(out_path, score)
    return report


def in_subprocess(case: str, implementation: str, repeats: int, workdir: str) -> dict:
    out_path = os.path.join(workdir, f"{case}-{implementation}.npy")
    command = [sys.executable, __file__, "--measure", case, implementation, str(repeats), out_path]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["exit " + str(done.returncode)])[-1]}
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["score"] = np.load(out_path)
    return report


def max_relative_difference(ours: np.ndarray, theirs: np.ndarray) -> tuple[float, int]:
    """Max |ours − theirs| / |theirs| where the peer gives a value, and points compared."""
    given = ~np.isnan(theirs)
    a, b = ours[given], theirs[given]
    scale = np.where(b != 0, np.abs(b), 1.0)
    extra = float(np.abs(ours[~given]).max()) if (~given).any() else 0.0
    return max(float(np.max(np.abs(a - b) / scale)) if a.size else 0.0, extra), int(given.sum())


def peer_available() -> str | None:
    try:
        import access  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as error:
        return str(error)
    from importlib.metadata import version

    return f"access {version('access')}, pandas {version('pandas')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="regional,national")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-repeats", type=int, default=1)
    parser.add_argument("--national-plain", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        case, implementation, repeats, out_path = args.measure
        print(json.dumps(measure(case, implementation, int(repeats), out_path)))
        return

    run = Run("accessibility", benchmark=__file__)
    print(f"E2SFCA benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"Load average before: {os.getloadavg()[0]:.2f}")
    peer = peer_available()
    print(f"Peer: {peer}" if peer and "access" in peer else f"Peer: not importable ({peer})")
    print(f"Catchment {RADIUS_KM:g} km, zones {StepDecay.equal_zones(radius=RADIUS_KM)}")
    figures: dict[str, dict] = {}
    notes = []
    with tempfile.TemporaryDirectory() as workdir:
        for case in args.cases.split(","):
            n_demand, n_supply = CASES[case]
            print(f"\n## {case}: {n_demand:,} demand × {n_supply:,} places")
            runs = {"maillage": in_subprocess(case, "maillage", args.repeats, workdir)}
            if case != "national":
                runs["plain"] = in_subprocess(case, "plain", args.repeats, workdir)
            elif args.national_plain:
                # The one-shot plain version needs ~13 GB at this scale: run it by slices.
                runs["plain-chunked"] = in_subprocess(case, "plain-chunked", 1, workdir)
            if case == "national":
                notes.append(
                    "access: not run at national scale; it needs about 21 GB (out of memory "
                    "on a 24 GiB machine, per issue 7's measurement)."
                )
                print(notes[-1])
            elif peer and "access" in peer:
                runs["access"] = in_subprocess(case, "access", args.peer_repeats, workdir)
            else:
                notes.append(f"access: not run in {case}, not importable in this environment")
                print(notes[-1])
            ours = runs["maillage"]
            figures[case] = {}
            for name, run_ in runs.items():
                if "error" in run_:
                    print(f"{name:13s} failed: {run_['error']}")
                    figures[case][name] = {"error": run_["error"]}
                    continue
                row = {
                    "best": quantity(round(run_["best_s"], 4), "s"),
                    "times": quantity([round(t, 4) for t in run_["times_s"]], "s"),
                    "peak_rss": quantity(round(run_["peak_rss_mb"] / 1024, 3), "GB"),
                    "inputs_rss": quantity(round(run_["inputs_rss_mb"] / 1024, 3), "GB"),
                    "pairs": quantity(run_["n_pairs"], "pairs"),
                }
                diff = ""
                if name != "maillage" and "score" in ours:
                    rel, compared = max_relative_difference(ours["score"], run_["score"])
                    diff = f"max rel diff vs maillage {rel:.1e} over {compared:,} points"
                    row["max_relative_difference"] = quantity(float(f"{rel:.2e}"), "1")
                    row["points_compared"] = quantity(compared, "points")
                if "best_s" in ours:
                    row["ratio_to_maillage"] = quantity(
                        round(run_["best_s"] / ours["best_s"], 2), "×"
                    )
                if "cost_table_s" in run_:
                    row["pairs_table_not_counted"] = quantity(round(run_["cost_table_s"], 3), "s")
                figures[case][name] = row
                times = ", ".join(f"{t:.3f}" for t in run_["times_s"])
                ratio = run_["best_s"] / ours["best_s"] if "best_s" in ours else float("nan")
                print(
                    f"{name:13s} best {run_['best_s']:8.3f} s ({times})  ×{ratio:6.1f}  "
                    f"peak RSS {run_['peak_rss_mb'] / 1024:5.2f} GB (inputs "
                    f"{run_['inputs_rss_mb'] / 1024:4.2f} GB)  pairs {run_['n_pairs']:,}  {diff}"
                )
                if "cost_table_s" in run_:
                    print(
                        f"          (pairs table for access built in {run_['cost_table_s']:.2f} s, not counted)"
                    )
    print(f"\nLoad average after: {os.getloadavg()[0]:.2f}")
    print("Ratios are time / Maillage's time (higher = slower than Maillage).")
    run.write(
        parameters={
            "cases": {
                case: dict(zip(("demand", "places"), CASES[case], strict=True)) for case in figures
            },
            "radius_km": RADIUS_KM,
            "zone_weights": [float(w) for w in StepDecay.equal_zones(radius=RADIUS_KM).weights],
            "repeats": args.repeats,
            "peer_repeats": args.peer_repeats,
            "plain_chunked_rows_per_slice": 100_000,
        },
        figures=figures,
        versions=versions("access", "pandas"),
        notes=notes,
    )


if __name__ == "__main__":
    main()
