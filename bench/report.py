"""Rewrite the tables of docs/benchmarks.md from the results files in bench/results/.

The page keeps its prose by hand; each table sits between two marker comments,
`<!-- bench:NAME -->` and `<!-- /bench -->`, and is built here from the results files only
(figures, goals met or not, machine, load, versions). `make bench` runs this last;
tests/test_benchmarks_doc.py fails when the page differs from what the files give.

Usage: python bench/report.py          (rewrites docs/benchmarks.md)
       python bench/report.py --check  (exit 1 when the page is out of date)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
BLOCK = re.compile(r"(<!-- bench:([a-z-]+) -->\n)(.*?)(<!-- /bench -->)", re.DOTALL)

Result = dict[str, Any]


def load_results(directory: Path = RESULTS) -> dict[str, Result]:
    """Every results file, by name (`search-sqlite`, `raking`…)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


# --- formatting ---------------------------------------------------------------------------------


def value(figure: dict[str, Any] | None) -> Any:
    return None if figure is None else figure["value"]


def fixed(figure: dict[str, Any] | None, digits: int) -> str:
    """A figure with `digits` decimals and thousands separators; "—" when absent."""
    x = value(figure)
    return "—" if x is None else f"{x:,.{digits}f}"


def scientific(figure: dict[str, Any] | None) -> str:
    x = value(figure)
    return "—" if x is None else f"{x:.1e}"


def met(condition: bool) -> str:
    return "met" if condition else "**not met**"


def table(header: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A Markdown table; `align` has one letter per column, l(eft) or r(ight)."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def load_average(result: Result) -> str:
    """Load average (1 minute) at start → at end of the run."""
    load = result["load_average"]
    return f"{load['start'][0]:.1f} → {load['end'][0]:.1f}"


def _minutes(stamp: str) -> str:
    return datetime.fromisoformat(stamp).strftime("%H:%M")


def run_line(result: Result) -> str:
    """When, where and with what a results file was measured, in one paragraph."""
    machine = result["machine"]
    git = result["git"]
    commit = "unknown commit" if git["commit"] is None else f"commit `{git['commit'][:10]}`"
    # Rewritten results files are outputs, not code (bench/record.py no longer lists them).
    changed = [f for f in git.get("changed_files") or [] if not f.startswith("bench/results/")]
    if git["dirty"] and (changed or "changed_files" not in git):
        commit += " with uncommitted changes" + (
            f" to {', '.join(f'`{name}`' for name in changed)}" if changed else ""
        )
    versions = [
        f"{version} (subprocess)" if name.endswith("_subprocess") else f"{name} {version}"
        for name, version in result["versions"].items()
        if isinstance(version, str) and name != "OPENBLAS_CORETYPE"
    ]
    if result.get("database"):
        database = result["database"]
        versions.append(f"{database['vendor']} {database['version']}")
    for pool in result["versions"].get("blas") or []:
        versions.append(
            f"{pool['internal_api']} {pool['version']} ({pool['threading_layer']}, "
            f"{pool['num_threads']} threads, {pool['architecture']} kernel)"
        )
    started = result["started"]
    return (
        f"*Run:* `bench/{result['benchmark']}` on {started[:10]}, "
        f"{_minutes(started)}–{_minutes(result['finished'])} UTC, {commit}. "
        f"*Machine:* {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; "
        f"load average {load_average(result)} (start → end, 1 minute). "
        f"*Versions:* {', '.join(versions)}."
    )


def busy(*results: Result) -> str:
    """A warning when the machine had fewer free cores than it has (goals are for a quiet one)."""
    loads = [max(r["load_average"]["start"][0], r["load_average"]["end"][0]) for r in results]
    cores = results[0]["machine"]["cores"] or 1
    if max(loads) <= cores:
        return ""
    return (
        f" (the machine was busy: load average up to {max(loads):.1f} on {cores} cores; "
        "the goals are for a quiet machine)"
    )


def notes(result: Result) -> list[str]:
    return [f"Note from the run: {note}" for note in result.get("notes", [])]


# --- one function per block -----------------------------------------------------------------------


def search(results: dict[str, Result]) -> list[str]:
    runs = [results["search-sqlite"], results["search-postgresql"]]
    rows = []
    for run in runs:
        f = run["figures"]
        rows.append(
            [
                {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[run["database"]["vendor"]],
                fixed(f["p50"], 1),
                fixed(f["p95"], 1),
                fixed(f["p99"], 1),
                fixed(f["mean_matches"], 0),
                fixed(f["index_build"], 0),
                fixed(f["load"], 1),
                load_average(run),
            ]
        )
    header = [
        "database",
        "p50 (ms)",
        "p95 (ms)",
        "p99 (ms)",
        "places matching (mean)",
        "index build (ms)",
        "data load (s)",
        "machine load",
    ]
    data = runs[0]["figures"]
    goal = ", ".join(
        f"{row[0]} {met(value(run['figures']['p95']) < 50)}"
        for row, run in zip(rows, runs, strict=True)
    )
    return [
        *table(header, "lrrrrrrl", rows),
        "",
        f"Data: {fixed(data['places'], 0)} places, {fixed(data['services'], 0)} services, "
        f"{fixed(data['distinct_opening_hours'], 0)} distinct opening-hours texts. "
        f"Goal p95 under 50 ms: {goal}{busy(*runs)}.",
        "",
        *[f"- {run_line(run)}" for run in runs],
    ]


def import_(results: dict[str, Result]) -> list[str]:
    run = results["import"]
    f = run["figures"]
    rows = [
        ["file", f"{fixed(f['file_size'], 1)} MB"],
        [
            "first import (wall, CPU)",
            f"**{fixed(f['first_import'], 1)} s**, {fixed(f['first_import_cpu'], 1)} s",
        ],
        [
            "same file again (wall, CPU)",
            f"{fixed(f['reimport_unchanged'], 1)} s, {fixed(f['reimport_unchanged_cpu'], 1)} s",
        ],
        ["places created, rows rejected", f"{fixed(f['created'], 0)}, {fixed(f['rejected'], 0)}"],
        ["places unchanged on the second import", fixed(f["unchanged"], 0)],
        ["place history rows after both", fixed(f["history_rows"], 0)],
        ["machine load (start → end)", load_average(run)],
    ]
    stages = ", ".join(
        f"{stage} {fixed(end, 1)} s" for stage, end in f["first_import_stages_end"].items()
    )
    return [
        *table(["figure", "value"], "lr", rows),
        "",
        f"First import, time since the start when each stage ended: {stages}.",
        f"Goal first import under 20 s: {met(value(f['first_import']) < 20)}{busy(run)}.",
        "",
        run_line(run),
    ]


def tasks(results: dict[str, Result]) -> list[str]:
    run = results["tasks"]
    f = run["figures"]
    rows = []
    for key, what, done in (
        ("places", "places file", "places_created"),
        ("survey", "survey file", "survey_imported"),
    ):
        rows.append(
            [
                f"{what}, {fixed(f[f'{key}_file_size'], 1)} MB",
                fixed(f[f"{key}_request"], 3),
                fixed(f[f"{key}_task"], 1),
                fixed(f[f"{key}_worker_peak_rss"], 0),
                f"{f[f'{key}_status']}, {fixed(f[done], 0)}",
            ]
        )
    request = max(value(f["places_request"]), value(f["survey_request"]))
    memory = "; ".join(
        f"{what} {met(value(f[f'{key}_worker_peak_rss']) < 500)}"
        for key, what in (("places", "places"), ("survey", "survey"))
    )
    return [
        *table(
            ["file", "request (s)", "task (s)", "worker peak memory (MB)", "outcome, rows"],
            "lrrrl",
            rows,
        ),
        "",
        f"Goals: the request under 1 s {met(request < 1)}{busy(run)}. The worker's peak memory "
        f"under 500 MB (whatever the load): {memory}.",
        "",
        run_line(run),
    ]


def observatory(results: dict[str, Result]) -> list[str]:
    run = results["observatory"]
    f = run["figures"]
    p = run["parameters"]
    rows = [
        ["generate the synthetic survey", fixed(f["generate"], 3)],
        [f"rake to the commune margins ({value(f['rake_sweeps'])} sweeps)", fixed(f["rake"], 3)],
        [f"{value(f['estimates'])} Taylor estimates, batched", fixed(f["taylor_batched"], 3)],
        [
            f"{p['replicates']} Rao-Wu bootstrap replicates, re-raked",
            fixed(f["replicates_raked"], 3),
        ],
        ["bootstrap estimates", fixed(f["bootstrap_estimates"], 3)],
        [
            f"one `mean_ci` call per estimate (extrapolated from {p['mean_ci_calls_timed']} calls "
            f"of {fixed(f['mean_ci_per_call'], 1)} ms)",
            fixed(f["mean_ci_one_at_a_time"], 1),
        ],
    ]
    return [
        *table(["step", f"best of {p['best_of']} (s)"], "lr", rows),
        "",
        f"{fixed(f['respondents'], 0)} respondents. " + run_line(run),
    ]


RAKING_TOOLS = {
    "maillage": "**Maillage**",
    "naive numpy loop": "unit-level numpy loop",
    "ipfn (table)": "ipfn (table mode)",
    "weightipy": "weightipy ¹",
}


def raking(results: dict[str, Result]) -> list[str]:
    run = results["raking"]
    rows = run["figures"]["rows"]

    def seconds(problem: str, tool: str = "maillage") -> float | None:
        found = [r for r in rows if r["problem"] == problem and r["tool"] == tool]
        return value(found[0]["best_time"]) if found else None

    def ratio(problem: str, tool: str) -> float | None:
        theirs, ours = seconds(problem, tool), seconds(problem)
        return None if theirs is None or not ours else theirs / ours

    body = [
        [
            row["problem"],
            (
                f"**Maillage** `{'calibrate_linear' if row['problem'] == 'greg' else 'rake_weights'}`"
                if row["tool"] == "maillage"
                else RAKING_TOOLS.get(row["tool"], row["tool"])
            ),
            fixed(row["best_time"], 4),
            f"{ratio(row['problem'], row['tool']):.1f}",
            scientific(row["max_relative_weight_difference"]),
        ]
        for row in rows
    ]

    def goal_ratio(tool: str, at_least: float) -> str:
        measured = [ratio(p, tool) for p in ("oneway", "crossed")]
        if None in measured:
            return f"{tool} not run | —"
        shown = " / ".join(f"{m:.1f}×" for m in measured)
        return f"{shown} | {met(min(measured) >= at_least)}"

    differences = [
        value(r["max_relative_weight_difference"])
        for r in rows
        if value(r["max_relative_weight_difference"]) is not None
    ]
    ipfn = [ratio(p, "ipfn (table)") for p in ("oneway", "crossed")]
    goals = [
        "| goal (issue 5) | measured (one-way / crossed) | |",
        "|---|---|---|",
        f"| unit-level raking under 0.05 s | {seconds('oneway'):.4f} s / {seconds('crossed'):.4f} s "
        f"| {met(max(seconds('oneway'), seconds('crossed')) < 0.05)} |",
        f"| at least 20× faster than svy | {goal_ratio('svy', 20)} |",
        f"| at least 20× faster than balance | {goal_ratio('balance (subprocess)', 20)} |",
        f"| at least 100× faster than samplics | {goal_ratio('samplics', 100)} |",
        "| within 2× of ipfn's table mode | "
        + (
            " / ".join(f"{1 / r:.1f}×" for r in ipfn) + f" | {met(max(1 / r for r in ipfn) <= 2)}"
            if None not in ipfn and 0 not in ipfn
            else "ipfn not run | —"
        )
        + " |",
        f"| GREG under 0.3 s | {seconds('greg'):.4f} s | {met(seconds('greg') < 0.3)} |",
        f"| weights equal to every peer's within 1e-9 | largest {max(differences):.1e} "
        f"| {met(max(differences) <= 1e-9)} |",
    ]
    return [
        *table(
            ["problem", "tool", "best time (s)", "ratio to Maillage", "max rel. weight diff"],
            "llrrr",
            body,
        ),
        "",
        *goals,
        "",
        f"Goals measured{busy(run) or ' on a quiet machine'}. Ratios are the peer's time over "
        "Maillage's (in the ipfn goal: Maillage's over ipfn's).",
        "",
        run_line(run),
    ]


ACCESS_NAMES = {
    "maillage": "**Maillage** `e2sfca`",
    "plain": "plain cKDTree + sparse (one shot)",
    "plain-chunked": "plain cKDTree + sparse, by 100,000-row slices",
    "access": "PySAL access `enhanced_two_stage_fca`",
}


def accessibility(results: dict[str, Result]) -> list[str]:
    run = results["accessibility"]
    cases = run["parameters"]["cases"]
    rows = []
    for case, implementations in run["figures"].items():
        size = cases[case]
        pairs = value(implementations["maillage"].get("pairs"))
        label = f"{size['demand']:,} × {size['places']:,} ({pairs / 1e6:,.2f} M pairs)"
        for name, fig in implementations.items():
            if "error" in fig:
                cells = ["failed: " + fig["error"], "—", "—", "—"]
            else:
                compared = ""
                if "points_compared" in fig:
                    compared = f" ({fixed(fig['points_compared'], 0)} points compared)"
                cells = [
                    fixed(fig["best"], 3),
                    fixed(fig.get("ratio_to_maillage"), 1),
                    fixed(fig["peak_rss"], 2),
                    scientific(fig.get("max_relative_difference")) + compared,
                ]
            rows.append([label, ACCESS_NAMES.get(name, name), *cells])
            label = ""
    regional = run["figures"].get("regional", {})
    national = run["figures"].get("national", {})
    lines = table(
        [
            "case",
            "implementation",
            "best time (s)",
            "× Maillage",
            "peak RSS (GB)",
            "max rel. diff vs Maillage",
        ],
        "llrrrl",
        rows,
    )
    goals = []
    if "maillage" in regional and "best" in regional["maillage"]:
        best = value(regional["maillage"]["best"])
        goals.append(f"regional under 0.25 s: {met(best < 0.25)} ({best:.3f} s)")
    if "ratio_to_maillage" in regional.get("access", {}):
        r = value(regional["access"]["ratio_to_maillage"])
        goals.append(f"at least 50× faster than access in the same run: {met(r >= 50)} ({r:.1f}×)")
    if "maillage" in national and "best" in national["maillage"]:
        best = value(national["maillage"]["best"])
        rss = value(national["maillage"]["peak_rss"])
        goals.append(
            f"national under 15 s and 4 GB: {met(best < 15 and rss < 4)} ({best:.1f} s, {rss:.2f} GB)"
        )
    tables = [
        fig["pairs_table_not_counted"]
        for implementations in run["figures"].values()
        for fig in implementations.values()
        if "pairs_table_not_counted" in fig
    ]
    return [
        *lines,
        "",
        f"Maillage and plain: best of {run['parameters']['repeats']}; access: best of "
        f"{run['parameters']['peer_repeats']}"
        + (
            f", given the table of pairs within 10 km (built by Maillage's `pairs_within` in "
            f"{fixed(tables[0], 1)} s, not counted)"
            if tables
            else ""
        )
        + "; plain by slices: 1 run.",
        "",
        f"Goals of issue 7{busy(run)}: " + "; ".join(goals) + ".",
        *notes(run),
        "",
        run_line(run),
    ]


def siting(results: dict[str, Result]) -> list[str]:
    run = results["siting"]
    rows = []
    configurations = run["figures"]["configurations"]
    for c in configurations:
        spopt = (
            f"{fixed(c['spopt_build'], 3)} + {fixed(c['spopt_solve'], 3)} = "
            f"{fixed(c['spopt_total'], 3)}"
            if "spopt_total" in c
            else "not run"
        )
        same = "—" if "same_optimum" not in c else ("yes" if c["same_optimum"] else "**no**")
        rows.append(
            [
                f"{c['radius_km']:g} km, {c['k']}",
                fixed(c["maillage_exact"], 3),
                fixed(c["maillage_greedy"], 4),
                spopt,
                fixed(c.get("ratio_spopt_to_maillage_exact"), 0) + "×",
                f"{same} ({fixed(c['maillage_objective'], 0)})",
                fixed(c["greedy_over_optimum"], 4),
            ]
        )
    goal = all(
        c.get("same_optimum") and value(c["ratio_spopt_to_maillage_exact"]) >= 10
        for c in configurations
    )
    return [
        *table(
            [
                "radius, k",
                "Maillage exact (s)",
                "Maillage greedy (s)",
                "spopt build + solve (s)",
                "spopt / Maillage exact",
                "same optimum (weight covered)",
                "greedy / optimum",
            ],
            "lrrrrlr",
            rows,
        ),
        "",
        f'Best of {run["parameters"]["repeats"]}. Goal "same optimal objective, at least 10× '
        f'faster end to end": {met(goal)} on all {len(configurations)} configurations'
        f"{busy(run)}.",
        *notes(run),
        "",
        run_line(run),
    ]


def _short(commit: str) -> str:
    return f"`{commit[:7]}`" if commit else "—"


def _ms(x: float | None, digits: int = 0) -> str:
    return "—" if x is None or x < 0 else f"{x:,.{digits}f}"


def load(results: dict[str, Result]) -> list[str]:
    """Public pages under load through gunicorn: one row per run (and its cold start)."""
    result = results["load"]
    rows = []
    for run in result["figures"]["runs"]:
        f = run["figures"]
        before, after = run["load_average_before"][0], run["load_average_after"][0]
        if run.get("cold_start"):
            cold = run["cold_start"]
            rows.append(
                [
                    f"{run['label']} ({_short(run['git_commit'])}), cold start",
                    f"{before:.1f}",
                    f"{cold['requests']:,}",
                    f"{cold['requests_per_s']:,.1f}",
                    _ms(cold["latency_ms"]["p50"]),
                    _ms(cold["latency_ms"]["p95"]),
                    _ms(cold["latency_ms"]["p99"]),
                    f"{sum(cold['errors'].values()):,}",
                    "—",
                    "—",
                ]
            )
        rows.append(
            [
                f"{run['label']} ({_short(run['git_commit'])})",
                f"{before:.1f} → {after:.1f}",
                f"{f['requests']:,}",
                f"**{f['requests_per_s']:,.1f}**",
                _ms(f["latency_ms"]["p50"]),
                f"**{_ms(f['latency_ms']['p95'])}**",
                _ms(f["latency_ms"]["p99"]),
                f"{f['errors']:,}",
                _ms(f["server_cpu_ms_per_request"], 2),
                _ms(f["database_cpu_ms_per_request"], 2),
            ]
        )
    last = result["figures"]["runs"][-1]["figures"]
    goal = (
        last["errors"] == 0 and last["requests_per_s"] >= 160 and last["latency_ms"]["p95"] < 1000
    )
    best = max(
        result["figures"]["runs"],
        key=lambda run: run["figures"]["requests_per_s"] if run["figures"]["errors"] == 0 else 0,
    )
    return [
        *table(
            [
                "run (commit)",
                "load avg",
                "requests",
                "req/s",
                "p50 (ms)",
                "p95 (ms)",
                "p99 (ms)",
                "errors",
                "server CPU / req (ms)",
                "PostgreSQL CPU / req (ms)",
            ],
            "llrrrrrrrr",
            rows,
        ),
        "",
        f'Goal "0 errors, at least 160 requests/s (4× the 40 of the issue) and p95 under 1 s" '
        f"on the last run: {met(goal)}{busy(result)}. Best run without error: "
        f"{best['label']}, {best['figures']['requests_per_s']:,.1f} requests/s, "
        f"p95 {_ms(best['figures']['latency_ms']['p95'])} ms, load average "
        f"{best['load_average_before'][0]:.1f}.",
        *notes(result),
        "",
        run_line(result),
    ]


PROFILED_PAGES = ("search", "search_all", "place")


def profile(results: dict[str, Result]) -> list[str]:
    """CPU per request of the search and place pages at each step of the work."""
    result = results["profile"]
    rows = []
    for step in result["figures"]["steps"]:
        pages = step["pages"]
        for mode in ("no page cache", "miss", "hit"):
            found = [pages.get(f"{page} ({mode})") for page in PROFILED_PAGES]
            if not any(found):
                continue
            cookies = sorted({c for page in found if page for c in page["set_cookie"]})
            rows.append(
                [
                    f"{step['label']} ({_short(step['git_commit'])}), {mode}",
                    *[_ms(page["cpu_ms_per_request"], 1) if page else "—" for page in found],
                    " / ".join(str(page["queries"]) if page else "—" for page in found),
                    ", ".join(cookies) or "none",
                ]
            )
    return [
        *table(
            [
                "step (commit), page cache",
                "search with a commune and a service: CPU / req (ms)",
                "search, all places (ms)",
                "place page (ms)",
                "queries",
                "cookies set",
            ],
            "lrrrll",
            rows,
        ),
        "",
        run_line(result),
    ]


BLOCKS: dict[str, Callable[[dict[str, Result]], list[str]]] = {
    "search": search,
    "import": import_,
    "observatory": observatory,
    "tasks": tasks,
    "raking": raking,
    "accessibility": accessibility,
    "siting": siting,
    "load": load,
    "profile": profile,
}


def render(text: str, results: dict[str, Result]) -> str:
    """`text` with every block between markers rebuilt from `results`."""

    def block(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in BLOCKS:
            raise KeyError(
                f"docs/benchmarks.md has a block {name!r} that bench/report.py does not build"
            )
        try:
            lines = BLOCKS[name](results)
        except KeyError as missing:
            raise LookupError(
                f"block {name!r} needs bench/results/{missing.args[0]}.json, or a figure the "
                f"file lacks ({missing.args[0]!r}): run the benchmark again"
            ) from missing
        return match.group(1) + "\n".join(lines) + "\n" + match.group(4)

    return BLOCK.sub(block, text)


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    updated = render(current, load_results())
    if "--check" in argv:
        if updated != current:
            print("docs/benchmarks.md differs from bench/results/: run python bench/report.py")
            return 1
        return 0
    DOC.write_text(updated, encoding="utf-8")
    print(f"{DOC.relative_to(ROOT)} rebuilt from {RESULTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
