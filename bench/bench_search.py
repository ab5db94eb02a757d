"""Latency of the public search API at national scale: 25,000 places, 100,000 services.

Query: "near a point + one service + open at a given time", first page of 20, through the
whole Django stack (URL routing, middleware, form validation, database, JSON) with the
in-process test client, so the figure excludes only the HTTP server and the network.

Usage: MAILLAGE_DATABASE_URL=sqlite:///var/bench.sqlite3 python bench/bench_search.py
       MAILLAGE_DATABASE_URL=postgres://postgres@127.0.0.1/maillage_bench python ...
The database is emptied and filled again. Prints figures and writes them with the machine to
bench/results/search-<database>.json; never asserts timings.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.test")
os.environ.setdefault("MAILLAGE_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench.record import Run, quantity, versions  # noqa: E402
from maillage.directory import search_index  # noqa: E402
from maillage.directory import vocabularies as voc  # noqa: E402
from maillage.directory.models import Organisation, Place, PlaceService  # noqa: E402
from maillage.directory.services import directory_changed  # noqa: E402
from maillage.directory.text import fold  # noqa: E402
from maillage.territories.models import Area, Territory  # noqa: E402

N_PLACES = 25_000
N_AREAS = 1_000
N_QUERIES = 300
WARM_UP = 20
SEED = 20261123
HOURS = [
    "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    "Mo-Fr 08:30-12:00,13:30-17:30",
    "Tu,Th,Fr 13:00-18:00; We,Sa 10:00-18:00",
    "Mo-Th 09:00-12:30,14:00-17:30; Fr 09:00-12:30",
    "Tu-Sa 10:00-12:30,14:00-18:00",
    "Mo,We,Fr 09:00-12:00",
    "Mo-Sa 09:00-19:00",
    "We 14:00-18:00; Sa 09:00-12:00",
    "Mo-Fr 10:00-12:00,14:00-16:00; PH off",
    "",
]
DAYS = ["Mo-Fr", "Mo-Th", "Tu-Sa", "Mo,We,Fr", "Tu,Th", "Mo-Sa", "We,Sa", "Mo-We"]
MORNINGS = [
    "08:30-12:00",
    "09:00-12:00",
    "09:00-12:30",
    "09:30-12:30",
    "10:00-12:00",
    "08:00-11:30",
]
AFTERNOONS = [
    "13:30-17:00",
    "14:00-17:00",
    "14:00-18:00",
    "13:00-16:30",
    "14:00-17:30",
    "15:00-19:00",
]
SERVICE_KEYS = [t.key for t in voc.SERVICES]
AT = "2026-11-24T10:30"  # a Tuesday morning, local time


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


def _points(rng, n):
    # Places cluster around towns: 400 centres in mainland France, normal spread of ~8 km.
    centres = np.column_stack([rng.uniform(43.0, 50.5, 400), rng.uniform(-1.5, 7.5, 400)])
    which = rng.integers(0, 400, n)
    return (centres[which, 0] + rng.normal(0, 0.07, n), centres[which, 1] + rng.normal(0, 0.1, n))


@transaction.atomic
def load(rng) -> float:
    start = time.perf_counter()
    territory = Territory.objects.create(slug="bench", name="Bench", kind="other")
    lat, lon = _points(rng, N_AREAS)
    areas = Area.objects.bulk_create(
        Area(
            territory=territory,
            code=f"B{i:05d}",
            name=f"Commune {i}",
            latitude=lat[i],
            longitude=lon[i],
            postal_codes=[f"{10000 + i:05d}"],
        )
        for i in range(N_AREAS)
    )
    orgs = Organisation.objects.bulk_create(
        Organisation(territory=territory, name=f"Structure {i}", kind="association")
        for i in range(5_000)
    )
    plat, plon = _points(rng, N_PLACES)
    hours = [
        f"{DAYS[d]} {MORNINGS[m]},{AFTERNOONS[a]}" + ("; PH off" if ph else "")
        if kind
        else HOURS[h]
        for d, m, a, ph, kind, h in zip(
            rng.integers(0, len(DAYS), N_PLACES),
            rng.integers(0, len(MORNINGS), N_PLACES),
            rng.integers(0, len(AFTERNOONS), N_PLACES),
            rng.integers(0, 2, N_PLACES),
            rng.random(N_PLACES) < 0.8,
            rng.integers(0, len(HOURS), N_PLACES),
            strict=True,
        )
    ]
    places = []
    services = []
    for i in range(N_PLACES):
        chosen = rng.choice(len(SERVICE_KEYS), size=4, replace=False)
        snapshot = [
            {"service": SERVICE_KEYS[k], "stars": int(rng.integers(1, 4)), "note": ""}
            for k in sorted(chosen)
        ]
        name = f"Lieu numérique {i}"
        places.append(
            Place(
                territory=territory,
                organisation=orgs[i % len(orgs)],
                area=areas[i % N_AREAS],
                name=name,
                latitude=float(plat[i]),
                longitude=float(plon[i]),
                opening_hours=hours[i],
                status=Place.Status.PUBLISHED,
                services_snapshot=snapshot,
                fees=["Gratuit"],
                is_example=True,
                search_text=f" {fold(name)} ",
            )
        )
        services.append(snapshot)
    places = Place.objects.bulk_create(places, batch_size=2_000)
    PlaceService.objects.bulk_create(
        (
            PlaceService(
                place=p,
                service=s["service"],
                category=voc.SERVICE_BY_KEY[s["service"]].category,
                stars=s["stars"],
            )
            for p, snapshot in zip(places, services, strict=True)
            for s in snapshot
        ),
        batch_size=5_000,
    )
    directory_changed(territory.pk)
    return time.perf_counter() - start


def measure(rng) -> dict:
    client = Client()
    lat, lon = _points(rng, N_QUERIES)
    services = rng.choice(SERVICE_KEYS, N_QUERIES)
    url = "/api/v1/territories/bench/places"
    timings = []
    counts = []
    for i in range(N_QUERIES + WARM_UP):
        j = i % N_QUERIES
        params = {
            "lat": f"{lat[j]:.5f}",
            "lon": f"{lon[j]:.5f}",
            "service": services[j],
            "open_now": "true",
            "at": AT,
            "page_size": 20,
        }
        t0 = time.perf_counter()
        response = client.get(url, params)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise SystemExit(f"search answered {response.status_code}: {response.content[:500]}")
        if i >= WARM_UP:  # the first queries warm caches and connections
            timings.append(elapsed * 1000)
            counts.append(response.json()["count"])
    t = np.array(timings)
    return {
        "p50": quantity(round(float(np.percentile(t, 50)), 2), "ms"),
        "p95": quantity(round(float(np.percentile(t, 95)), 2), "ms"),
        "p99": quantity(round(float(np.percentile(t, 99)), 2), "ms"),
        "mean": quantity(round(float(t.mean()), 2), "ms"),
        "mean_matches": quantity(round(float(np.mean(counts)), 1), "places"),
    }


def _database_version() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def main() -> None:
    run = Run(f"search-{connection.vendor}", benchmark=__file__)
    rng = np.random.default_rng(SEED)
    _reset_database()
    load_seconds = load(rng)
    counts = {
        "places": quantity(Place.objects.count(), "places"),
        "services": quantity(PlaceService.objects.count(), "services"),
        "distinct_opening_hours": quantity(
            Place.objects.values("opening_hours").distinct().count(), "texts"
        ),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    territory = Territory.objects.get(slug="bench")
    t0 = time.perf_counter()
    search_index.build(territory, version="bench")
    build_ms = (time.perf_counter() - t0) * 1000
    figures = {
        **counts,
        "load": quantity(round(load_seconds, 2), "s"),
        "index_build": quantity(round(build_ms, 1), "ms"),
        **measure(rng),
    }
    print(json.dumps(figures, indent=1))
    run.write(
        parameters={
            "places": N_PLACES,
            "areas": N_AREAS,
            "queries": N_QUERIES,
            "warm_up_queries": WARM_UP,
            "page_size": 20,
            "at": AT,
            "seed": SEED,
        },
        figures=figures,
        versions=versions("psycopg"),
        database={"vendor": connection.vendor, "version": _database_version()},
    )


if __name__ == "__main__":
    main()
