"""Long imports as background tasks: 100,000 places and 100,000 survey respondents.

Each file is sent through its page (Django's test client, in this process) — the request only
stores the file and queues the work — then the worker, `manage.py run_tasks --once`, runs in a
separate process on the database backend of Django's task API (django-tasks-db), exactly as in
production, and reports its own peak memory (resident set size, `getrusage` ru_maxrss). The
places file is bench_import.py's territory and rows (seeded), without their optional texts so
that 100,000 rows fit the upload limit; the survey is the
observatory's synthetic generator (grid version 1) at 100,000 respondents.

Usage: python bench/bench_tasks.py (SQLite file var/bench-tasks.sqlite3, emptied first; the
files go to a temporary MEDIA_ROOT). Prints figures and writes them with the machine to
bench/results/tasks.json; never asserts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.test")
os.environ.setdefault("MAILLAGE_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-tasks.sqlite3'}")
MEDIA = os.environ.setdefault("BENCH_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-tasks-"))

import django  # noqa: E402
from django.test import override_settings  # noqa: E402

django.setup()
# The production set-up: tasks queued in the database, files on disk (the test settings run
# tasks at once and keep files in memory).
override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    MEDIA_ROOT=MEDIA,
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
).enable()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.record import Run, quantity, versions  # noqa: E402

N_ROWS = int(os.environ.get("BENCH_TASK_ROWS", 100_000))
SEED = 20261203


def worker() -> None:
    """The worker process: run what is queued, then print its peak memory (MB)."""
    call_command("run_tasks", "--once", verbosity=0)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_rss_mb": round(peak_kb / 1024, 1)}))


def _run_worker() -> tuple[float, float]:
    """Seconds the worker took and its peak resident memory (MB)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "worker"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_MEDIA_ROOT": MEDIA},
    )
    seconds = time.perf_counter() - start
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"]


def _post(client: Client, url: str, fields: dict) -> tuple[float, str]:
    start = time.perf_counter()
    response = client.post(url, fields)
    seconds = time.perf_counter() - start
    assert response.status_code == 302, response.content[:500]
    return seconds, response["Location"]


def lean_places_csv(rng, lat, lon, field_names: list[str], services: list[str]) -> bytes:
    """100,000 places within the upload limit (30 MB): bench_import's rows without their
    optional texts (presentation, e-mail, website, access modes), about 250 bytes a row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=field_names)
    writer.writeheader()
    area = rng.integers(0, len(lat), N_ROWS)
    for i in range(N_ROWS):
        a = int(area[i])
        writer.writerow(
            {
                "id": f"b{i}",
                "pivot": "00000000000000",
                "nom": f"Espace numérique {i}",
                "commune": f"Commune {a}",
                "code_postal": f"{20000 + a:05d}",
                "code_insee": f"{10 + a // 1000:02d}{a % 1000:03d}",
                "adresse": f"{i % 200 + 1} rue de la République",
                "latitude": f"{lat[a] + rng.normal(0, 0.02):.5f}",
                "longitude": f"{lon[a] + rng.normal(0, 0.02):.5f}",
                "horaires": "Mo-Fr 09:00-12:00,14:00-17:00",
                "date_maj": "2026-01-15",
                "services": services[i % len(services)],
            }
        )
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    os.environ["BENCH_PLACES"] = str(N_ROWS)
    from bench import bench_import  # the seeded generator of places (reads BENCH_PLACES)
    from maillage.core.actors import SystemActor
    from maillage.interop import standard
    from maillage.interop.models import ImportRun
    from maillage.observatory import services as observatory_services
    from maillage.observatory import synthetic
    from maillage.observatory.models import ImportReport
    from maillage.territories.models import Area, Membership
    from tests import factories

    run = Run("tasks", benchmark=__file__)
    rng = np.random.default_rng(SEED)
    bench_import._reset_database()
    territory, lat, lon = bench_import.make_territory(rng)
    places = lean_places_csv(rng, lat, lon, standard.field_names(), bench_import.SERVICES)
    client = Client()
    client.force_login(factories.user(territory=territory, role=Membership.Role.COORDINATOR))
    client.get(f"/en/{territory.slug}/open-data/imports/")  # warm: URL and template loading

    place_request, _place_url = _post(
        client,
        f"/en/{territory.slug}/open-data/imports/",
        {
            "file": SimpleUploadedFile("places.csv", places, "text/csv"),
            "file_format": "lieux-csv",
            "source": "bench",
            "publish": "on",
        },
    )
    place_seconds, place_rss = _run_worker()
    place_run = ImportRun.objects.get()

    actor = SystemActor("tasks benchmark")
    communes = list(
        Area.objects.filter(territory=territory).order_by("code")[: min(50, N_ROWS // 100)]
    )
    Area.objects.filter(pk__in=[a.pk for a in communes]).update(population=20_000)
    grid = observatory_services.grid_adopt(territory=territory, version="1", by=actor)
    wave = observatory_services.wave_create(
        territory=territory, grid=grid, name="Bench", is_synthetic=True, by=actor
    )
    rows = synthetic.generate(
        [synthetic.Commune(a.code, 20_000) for a in communes], n=N_ROWS, seed=SEED
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    survey = buffer.getvalue().encode()
    del rows, buffer
    client.get(f"/en/{territory.slug}/observatory/manage/waves/{wave.pk}/import/")
    survey_request, _url = _post(
        client,
        f"/en/{territory.slug}/observatory/manage/waves/{wave.pk}/import/",
        {"file": SimpleUploadedFile("survey.csv", survey, "text/csv")},
    )
    survey_seconds, survey_rss = _run_worker()
    report = ImportReport.objects.get()

    figures = {
        "places_file_size": quantity(round(len(places) / 1e6, 2), "MB"),
        "places_request": quantity(round(place_request, 3), "s"),
        "places_task": quantity(round(place_seconds, 1), "s"),
        "places_worker_peak_rss": quantity(place_rss, "MB"),
        "places_status": place_run.status,
        "places_created": quantity(place_run.created, "places"),
        "survey_file_size": quantity(round(len(survey) / 1e6, 2), "MB"),
        "survey_request": quantity(round(survey_request, 3), "s"),
        "survey_task": quantity(round(survey_seconds, 1), "s"),
        "survey_worker_peak_rss": quantity(survey_rss, "MB"),
        "survey_status": report.status,
        "survey_imported": quantity(report.rows_imported, "respondents"),
    }
    print(json.dumps(figures, indent=1))
    run.write(
        parameters={"rows": N_ROWS, "seed": SEED, "worker": "manage.py run_tasks --once"},
        figures=figures,
        versions=versions("django-tasks", "django-tasks-db"),
        database={"vendor": connection.vendor, "version": bench_import._database_version()},
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["worker"]:
        worker()
    else:
        main()
