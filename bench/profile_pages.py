"""Where a search page and a place page spend their CPU: cProfile through Django's test client.

The demo territory in a fresh SQLite file (test settings: DEBUG off, so templates are cached
as in production), anonymous visitors. Each page is requested once to warm the per-process
caches (search index, templates), then N times under the profiler; the CPU time per request
(`time.process_time`) and the queries per request are measured in a separate unprofiled loop.
When the public page cache exists (`maillage.directory.page_cache`), pages are measured twice:
every request a miss (cache cleared before each), and every request a hit.

Usage: .venv/bin/python bench/profile_pages.py [--requests 200] [--label NAME]
Prints figures and the top costs; merges them into bench/results/profile.json under the label.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_work = tempfile.mkdtemp(prefix="maillage-profile-")
atexit.register(shutil.rmtree, _work, ignore_errors=True)
os.environ["DJANGO_SETTINGS_MODULE"] = "maillage.settings.test"
os.environ["MAILLAGE_DATABASE_URL"] = f"sqlite:///{_work}/profile.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from bench.record import Run, versions  # noqa: E402
from maillage.directory.models import Place  # noqa: E402
from maillage.settings.base import CACHES as production_caches  # noqa: E402

try:
    from maillage.directory import page_cache
except ImportError:  # before the page cache existed
    page_cache = None


def _pages() -> dict[str, str]:
    place = Place.objects.filter(status=Place.Status.PUBLISHED).order_by("pk").first()
    slug = place.territory.slug
    return {
        "search": f"/{slug}/places/?where=Bordeaux&service=AideAuxDemarchesAdministratives",
        "search_all": f"/{slug}/places/",
        "place": f"/{slug}/places/{place.pk}/",
    }


def _measure(client: Client, url: str, n: int, *, clear) -> dict:
    client.get(url, HTTP_X_FORWARDED_PROTO="https")  # warm the per-process caches
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
    ):
        clear()
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    started = time.process_time()
    for _ in range(n):
        clear()
        client.get(url)
    cpu_ms = 1000 * (time.process_time() - started) / n
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        clear()
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    top = []
    for (filename, line, function), (_cc, _nc, tottime, cumtime, _callers) in sorted(
        stats.stats.items(), key=lambda item: -item[1][3]
    )[:40]:
        where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        top.append(
            {
                "function": f"{where}:{line}({function})",
                "cumulative_ms": round(1000 * cumtime / n, 3),
                "own_ms": round(1000 * tottime / n, 3),
            }
        )
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    return {
        "url": url,
        "cpu_ms_per_request": round(cpu_ms, 2),
        "queries": len(queries),
        "bytes": len(response.content),
        "set_cookie": sorted(response.cookies),
        "top_cumulative": top,
        "top_own_text": text.getvalue().split("\n", 7)[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--label", default="current")
    args = parser.parse_args()
    record = Run("profile", benchmark="bench/profile_pages.py")
    call_command("migrate", verbosity=0)
    call_command("load_demo")
    client = Client()
    modes = {"no page cache": lambda: None}
    if page_cache is not None:
        modes = {"miss": page_cache.clear, "hit": lambda: None}
    results: dict = {}
    load = os.getloadavg()
    # The test settings turn the page cache off; measure with production's caches.
    override_settings(CACHES=production_caches).enable()
    for name, url in _pages().items():
        for mode, clear in modes.items():
            figures = _measure(client, url, args.requests, clear=clear)
            results[f"{name} ({mode})"] = figures
            print(
                f"== {name} ({mode}) {url}: {figures['cpu_ms_per_request']} ms CPU/request, "
                f"{figures['queries']} queries, {figures['bytes']} bytes, "
                f"cookies set: {figures['set_cookie'] or 'none'}"
            )
            for row in figures["top_cumulative"][:25]:
                print(f"   {row['cumulative_ms']:8.3f} {row['own_ms']:8.3f}  {row['function']}")
    out = ROOT / "bench" / "results" / "profile.json"
    previous = (
        json.loads(out.read_text(encoding="utf-8"))["figures"]["steps"] if out.exists() else []
    )
    step = {
        "label": args.label,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "load_average": [round(x, 2) for x in load],
        "pages": results,
    }
    record.write(
        parameters={
            "requests": args.requests,
            "database": "sqlite",
            "settings": "test, with the production caches",
        },
        figures={"steps": [s for s in previous if s["label"] != args.label] + [step]},
        versions=versions(),
    )


if __name__ == "__main__":
    main()
