"""Create a territory from the national commune reference kept in data/communes/."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from maillage.core.actors import SystemActor
from maillage.territories import reference
from maillage.territories.services import TerritoryCreationError, territory_create


class Command(BaseCommand):
    help = (
        "Create a territory (an intercommunality, a département or a list of communes) with "
        "every commune's INSEE code, name, population, postal codes, centre and, where the "
        "repository has it, contour. Example: territory_create boulonnais --epci 246200729"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="short name used in the site's addresses")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--epci", metavar="SIREN", help="SIREN of the intercommunality")
        what.add_argument("--departement", metavar="CODE", help="code of the département")
        what.add_argument(
            "--communes", metavar="CODES", help="INSEE codes of the communes, comma-separated"
        )
        parser.add_argument("--name", help="name shown on the site (default: the official one)")
        parser.add_argument(
            "--centres",
            type=Path,
            metavar="FILE",
            help="CSV (code_insee, latitude, longitude) for communes the reference has no "
            "centre for, or to replace its centres",
        )
        parser.add_argument(
            "--skip-missing-centres",
            action="store_true",
            help="leave out the communes that have no known centre (they are listed)",
        )
        parser.add_argument(
            "--update", action="store_true", help="refresh the communes of an existing territory"
        )

    def handle(self, *args, **options):
        try:
            if options["epci"]:
                selection = reference.epci(options["epci"])
            elif options["departement"]:
                selection = reference.departement(options["departement"])
            else:
                selection = reference.communes(options["communes"].split(","))
        except reference.UnknownCode as error:
            raise CommandError(str(error)) from None
        communes = selection.communes
        if options["centres"]:
            communes = self._with_centres(communes, options["centres"])
        if options["skip_missing_centres"]:
            skipped = [c for c in communes if c.latitude is None]
            communes = [c for c in communes if c.latitude is not None]
            for c in skipped:
                self.stderr.write(f"Left out (no known centre): {c.code} {c.name}")
        name = options["name"] or selection.name
        if not name:
            raise CommandError("Give the territory's name with --name.")
        slug = options["slug"]
        if slugify(slug) != slug:
            raise CommandError(f"The short name must be lower-case letters, digits and -: {slug!r}")
        try:
            territory = territory_create(
                slug=slug,
                name=name,
                kind=selection.kind,
                official_code=selection.official_code,
                communes=communes,
                source=reference.SOURCE,
                update=options["update"],
                by=SystemActor("territory_create command"),
            )
        except TerritoryCreationError as error:
            raise CommandError(str(error)) from None
        population = sum(c.population for c in communes)
        contours = sum(c.contour is not None for c in communes)
        self.stdout.write(
            f"{territory.name} ({territory.slug}): {len(communes)} communes, "
            f"{population:,} inhabitants, {contours} contours."
        )

    def _with_centres(self, communes, path: Path):
        from dataclasses import replace

        centres = {}
        try:
            with open(path, encoding="utf-8-sig") as f:
                for number, row in enumerate(csv.DictReader(f), start=2):
                    try:
                        lat, lon = float(row["latitude"]), float(row["longitude"])
                    except (KeyError, TypeError, ValueError):
                        raise CommandError(
                            f"{path.name}, row {number}: latitude and longitude must be numbers"
                        ) from None
                    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                        raise CommandError(f"{path.name}, row {number}: not a WGS84 position")
                    centres[(row.get("code_insee") or "").strip()] = (lat, lon)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        return [
            replace(c, latitude=centres[c.code][0], longitude=centres[c.code][1])
            if c.code in centres
            else c
            for c in communes
        ]
