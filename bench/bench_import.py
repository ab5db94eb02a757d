"""Importing 25,000 places of the national standard (CSV, v1.0.2) into one territory.

The file is synthetic and seeded (places clustered around 400 towns, 1,000 communes, 1 to 4
services each, realistic opening hours, phones, e-mails, SIRET-less organisations); the whole
import runs through `interop.services.import_places` exactly as the command and the page do:
decoding, separator detection, row checks against the standard, commune matching, directory
validation of every row, organisations, places, services, history records, provenance.

Usage: MAILLAGE_DATABASE_URL=sqlite:///var/bench-import.sqlite3 python bench/bench_import.py
The database is emptied and filled again. Prints figures and writes them with the machine to
bench/results/import.json; never asserts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.test")
os.environ.setdefault("MAILLAGE_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-import.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.record import Run, quantity, versions  # noqa: E402
from maillage.core.actors import SystemActor  # noqa: E402
from maillage.directory import vocabularies as voc  # noqa: E402
from maillage.directory.models import Place  # noqa: E402
from maillage.interop import services, standard  # noqa: E402
from maillage.interop.models import Format  # noqa: E402
from maillage.territories.models import Area, Territory  # noqa: E402

N_PLACES = int(os.environ.get("BENCH_PLACES", 25_000))
N_AREAS = 1_000
SEED = 20261123
BENCHMARK = SystemActor("import benchmark")
HOURS = [
    "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    "Mo-Fr 08:30-12:00,13:30-17:30",
    "Tu,Th,Fr 13:00-18:00; We,Sa 10:00-18:00",
    "Mo-Th 09:00-12:30,14:00-17:30; Fr 09:00-12:30",
    "Tu-Sa 10:00-12:30,14:00-18:00",
    "",
]
SERVICES = [t.standard for t in voc.SERVICES]
PUBLICS = [t.standard for t in voc.PUBLICS]
FEES = [t.standard for t in voc.FEES]


def _reset_database() -> None:
    if connection.vendor == "sqlite":
        connection.close()
        path = Path(connection.settings_dict["NAME"])
        if path.exists():
            path.unlink()
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def _code(i: int) -> str:
    return f"{10 + i // 1000:02d}{i % 1000:03d}"  # valid INSEE-like codes 10000, 10001…


def make_territory(rng) -> tuple[Territory, np.ndarray, np.ndarray]:
    territory = Territory.objects.create(slug="bench", name="Bench", kind="other")
    lat = rng.uniform(43.0, 50.5, N_AREAS)
    lon = rng.uniform(-1.5, 7.5, N_AREAS)
    Area.objects.bulk_create(
        Area(
            territory=territory,
            code=_code(i),
            name=f"Commune {i}",
            latitude=lat[i],
            longitude=lon[i],
            postal_codes=[f"{20000 + i:05d}"],
        )
        for i in range(N_AREAS)
    )
    return territory, lat, lon


def make_csv(rng, lat, lon) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=standard.field_names())
    writer.writeheader()
    area = rng.integers(0, N_AREAS, N_PLACES)
    for i in range(N_PLACES):
        a = int(area[i])
        services = rng.choice(len(SERVICES), size=int(rng.integers(1, 5)), replace=False)
        writer.writerow(
            {
                "id": f"bench-{i}",
                "pivot": "00000000000000",
                "nom": f"Espace numérique {i}",
                "commune": f"Commune {a}",
                "code_postal": f"{20000 + a:05d}",
                "code_insee": _code(a),
                "adresse": f"{i % 200 + 1} rue de la République",
                "latitude": f"{lat[a] + rng.normal(0, 0.02):.6f}",
                "longitude": f"{lon[a] + rng.normal(0, 0.02):.6f}",
                "telephone": f"+335{int(rng.integers(10_000_000, 99_999_999))}",
                "courriels": f"contact{i}@example.org",
                "site_web": f"https://example.org/lieu/{i}",
                "horaires": HOURS[i % len(HOURS)],
                "presentation_resume": "Accompagnement au numérique pour tous.",
                "itinerance": "Fixe",
                "date_maj": "2026-01-15",
                "services": "|".join(SERVICES[k] for k in sorted(services)),
                "publics_specifiquement_adresses": PUBLICS[i % len(PUBLICS)],
                "frais_a_charge": FEES[i % len(FEES)],
                "modalites_acces": "Se présenter|Téléphoner",
                "modalites_accompagnement": "Accompagnement individuel",
            }
        )
    return buffer.getvalue().encode("utf-8")


def _database_version() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def main() -> None:
    run = Run("import", benchmark=__file__)
    rng = np.random.default_rng(SEED)
    _reset_database()
    territory, lat, lon = make_territory(rng)
    data = make_csv(rng, lat, lon)
    stages = {}
    start, cpu = time.perf_counter(), time.process_time()

    def progress(stage, done, total):
        stages[stage] = quantity(round(time.perf_counter() - start, 2), "s")

    first = services.import_places(
        progress=progress,
        territory=territory,
        data=data,
        filename="bench.csv",
        file_format=Format.LIEUX_CSV,
        source="bench",
        by=BENCHMARK,
        publish=True,
    )
    first_s, first_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    again = services.import_places(
        territory=territory,
        data=data,
        filename="bench.csv",
        file_format=Format.LIEUX_CSV,
        source="bench",
        by=BENCHMARK,
    )
    again_s, again_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    figures = {
        "file_size": quantity(round(len(data) / 1e6, 2), "MB"),
        "first_import": quantity(round(first_s, 2), "s"),
        "first_import_cpu": quantity(round(first_cpu_s, 2), "s"),
        "first_import_stages_end": stages,
        "created": quantity(first.created, "places"),
        "rejected": quantity(first.rejected, "rows"),
        "reimport_unchanged": quantity(round(again_s, 2), "s"),
        "reimport_unchanged_cpu": quantity(round(again_cpu_s, 2), "s"),
        "unchanged": quantity(again.unchanged, "places"),
        "places_in_db": quantity(Place.objects.count(), "places"),
        "history_rows": quantity(Place.history.count(), "rows"),
    }
    print(json.dumps(figures, indent=1))
    run.write(
        parameters={"places": N_PLACES, "areas": N_AREAS, "seed": SEED, "format": "CSV v1.0.2"},
        figures=figures,
        versions=versions("psycopg", "django-simple-history"),
        database={"vendor": connection.vendor, "version": _database_version()},
    )


if __name__ == "__main__":
    main()
