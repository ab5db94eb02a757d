"""What bench/bench_load.py asks the server for: the weighted mix of public pages, a first
request of each, and how the static files are served."""

from __future__ import annotations

import random
import re
import sys
import urllib.parse
import urllib.request

SLUG = "bordeaux-metropole"
SEED = 20261203


def paths(database_url: str) -> tuple[list[str], dict]:
    """The weighted sequence of paths wrk walks through, and what it is made of.

    Popularity follows a Zipf law (weight 1/rank) inside each kind of page, as on a real
    directory where a few searches and places get most visits; the order is shuffled with a
    fixed seed. Half the visits are searches, a quarter place pages.
    """
    import psycopg

    with psycopg.connect(database_url) as connection:
        territory_id = connection.execute(
            "SELECT id FROM territories_territory WHERE slug = %s", [SLUG]
        ).fetchone()[0]
        areas = connection.execute(
            "SELECT name, code, postal_codes FROM territories_area WHERE territory_id = %s "
            "ORDER BY population DESC NULLS LAST, name",
            [territory_id],
        ).fetchall()
        places = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM directory_place WHERE territory_id = %s AND status = 'published' "
                "ORDER BY id",
                [territory_id],
            )
        ]
    rng = random.Random(SEED)
    services = [
        "AideAuxDemarchesAdministratives",
        "MaitriseDesOutilsNumeriquesDuQuotidien",
        "LoisirsEtCreationsNumeriques",
        "AccesInternetEtMaterielInformatique",
    ]
    categories = ["access", "first_steps", "procedures", "culture"]
    searches: list[dict] = [{}]
    for name, code, postal_codes in areas:
        searches.append({"where": name})
        searches.append({"where": name, "open_now": "on"})
        searches.append({"where": name, "service": rng.choice(services)})
        if postal_codes:
            searches.append({"where": postal_codes[0]})
        searches.append({"commune": code})
    for service in services:
        searches.append({"service": service})
        searches.append({"service": service, "open_now": "on"})
    for category in categories:
        searches.append({"category": category})
    searches += [
        {"q": "mairie"},
        {"q": "france services"},
        {"q": "bibliotheque"},
        {"open_now": "on"},
        {"free": "on"},
        {"step_free": "on", "where": areas[0][0]},
        {"page": "2"},
        {"simple": "1", "where": areas[1][0]},
    ]
    # Popular first: the general searches and the biggest communes.
    kinds = {
        "search": (
            0.50,
            [f"/{SLUG}/places/?{urllib.parse.urlencode(s)}".rstrip("?") for s in searches],
        ),
        "place": (0.25, [f"/{SLUG}/places/{pk}/" for pk in rng.sample(places, len(places))]),
        "print": (0.10, [f"/{SLUG}/places/{pk}/print/" for pk in rng.sample(places, len(places))]),
        "home": (0.15, [f"/{SLUG}/", f"/{SLUG}/?simple=1"]),
    }
    sequence: list[str] = []
    length = 20_000
    for share, paths in kinds.values():
        weights = [1 / (rank + 1) for rank in range(len(paths))]
        chosen = rng.choices(paths, weights=weights, k=round(share * length))
        # Two French visits for one English one.
        sequence += [("/en" + p) if rng.random() < 1 / 3 else p for p in chosen]
    rng.shuffle(sequence)
    mix = {
        kind: {"share": share, "distinct_paths": len(paths)}
        for kind, (share, paths) in kinds.items()
    }
    return sequence, {"mix": mix, "sequence_length": len(sequence), "places": len(places)}


def warm_up(base: str, paths: list[str]) -> dict[str, float]:
    """Each distinct path once (all must answer 200); mean size of each kind of page, in KB."""
    sizes: dict[str, list[int]] = {}
    for path in sorted(set(paths)):
        request = urllib.request.Request(base + path, headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200:
                sys.exit(f"{path} answered {response.status}")
            body = response.read()
        kind = "print" if path.endswith("/print/") else "search" if "/places/?" in path else ""
        kind = kind or ("place" if "/places/" in path else "home")
        sizes.setdefault(kind, []).append(len(body))
    return {kind: round(sum(s) / len(s) / 1024, 1) for kind, s in sizes.items()}


def static_files(base: str) -> dict:
    """How the stylesheet named by the home page is served: compression and cache headers."""
    request = urllib.request.Request(f"{base}/{SLUG}/", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    path = re.search(r'href="(/static/css/[^"]+)"', page).group(1)
    served = {"path": path}
    for encoding in ("br", "gzip"):
        request = urllib.request.Request(
            base + path, headers={"X-Forwarded-Proto": "https", "Accept-Encoding": encoding}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            served[encoding] = {
                "content_encoding": response.headers.get("Content-Encoding"),
                "cache_control": response.headers.get("Cache-Control"),
                "bytes": len(response.read()),
            }
    return served
