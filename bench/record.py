"""The one writer of a benchmark's results file, `bench/results/<name>.json`.

Every benchmark in `bench/` opens a `Run` when it starts and calls `Run.write` at the end with
its parameters and figures; `bench/report.py` builds the tables of docs/benchmarks.md from these
files only. A file records when and where the figures were measured: date, git commit, machine
(CPU model, cores, memory), load average at start and end, and the versions of Python, numpy,
scipy, Django, the database and the peer libraries.

Figures carry their unit: `quantity(16.3, "ms")` gives `{"value": 16.3, "unit": "ms"}`.
Standard library only: the benchmarks run in the main venv and in the peers' venvs.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = "bench/results"
RESULTS = ROOT / RESULTS_PATH
# Always recorded when installed, whichever venv runs the benchmark.
BASE_DISTRIBUTIONS = ("numpy", "scipy", "Django")


def quantity(value: float | int, unit: str) -> dict[str, Any]:
    """A measured figure with its unit ("s", "ms", "GB", "×" for a ratio, "1" for none)."""
    return {"value": value, "unit": unit}


def machine() -> dict[str, Any]:
    """CPU model, logical cores, memory (GB) and operating system of this machine."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_gb = None
    with contextlib.suppress(OSError, ValueError):
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "system": platform.platform(),
    }


def versions(*distributions: str) -> dict[str, str | None]:
    """Python and the installed version of each distribution (None when not installed)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in (*BASE_DISTRIBUTIONS, *distributions):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit() -> dict[str, Any]:
    """The commit the benchmark ran from, and the tracked files that differed from it."""

    def git(*args: str) -> str:
        # Not stripped: a status line starts with a meaningful space (" M file").
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        # Results files are outputs, not code: rewriting them does not make a run "dirty".
        changed = git(
            "status", "--porcelain", "--untracked-files=no", "--", ".", f":!{RESULTS_PATH}"
        ).splitlines()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None, "changed_files": []}
    files = sorted(line[3:] for line in changed)
    return {"commit": commit, "dirty": bool(files), "changed_files": files}


class Run:
    """One run of one benchmark: opened at the start (date, load), written at the end.

    `name` is the results file's stem (`search-sqlite` → bench/results/search-sqlite.json);
    `benchmark` is the script's file name, so that a test can check that every script has a file.
    """

    def __init__(self, name: str, *, benchmark: str) -> None:
        self.name = name
        self.benchmark = Path(benchmark).name
        self.started = datetime.now(UTC)
        self.load_start = list(os.getloadavg())

    def write(
        self,
        *,
        parameters: dict[str, Any],
        figures: dict[str, Any],
        versions: dict[str, Any],
        database: dict[str, str] | None = None,
        notes: list[str] | None = None,
    ) -> Path:
        """Write the results file (atomically) and return its path."""
        result = {
            "benchmark": self.benchmark,
            "name": self.name,
            "started": self.started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "git": git_commit(),
            "machine": machine(),
            "load_average": {"start": self.load_start, "end": list(os.getloadavg())},
            "versions": versions,
            "database": database,
            "parameters": parameters,
            "figures": figures,
            "notes": notes or [],
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.name}.json"
        partial = path.with_suffix(".json.tmp")
        partial.write_text(
            json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        partial.replace(path)
        print(f"results written to {path.relative_to(ROOT)}")
        return path
