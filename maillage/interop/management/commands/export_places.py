"""python manage.py export_places TERRITORY --format lieux-csv --output FILE"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.interop import exports, selectors
from maillage.territories.models import Territory


class Command(BaseCommand):
    help = "Export a territory's published places (standard CSV/JSON, data·inclusion, GeoJSON…)."

    def add_arguments(self, parser):
        parser.add_argument("territory", help="slug of the territory")
        parser.add_argument("--format", choices=list(exports.DOWNLOAD_BY_KEY), default="lieux-csv")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, **options):
        territory = Territory.objects.filter(slug=options["territory"]).first()
        if territory is None:
            raise CommandError(f"No territory {options['territory']!r}.")
        places = list(selectors.published_places(territory))
        item = exports.DOWNLOAD_BY_KEY[options["format"]]
        if options["verbosity"]:
            self.stderr.write(f"[{'#' * 30}] {len(places)} published places read")
        content = item.build(places, territory=territory)
        if options["output"]:
            options["output"].write_text(content, encoding="utf-8")
            target = str(options["output"])
        else:
            self.stdout.write(content, ending="")
            target = "standard output"
        if options["verbosity"]:
            self.stderr.write(
                f"{item.filename}: {len(places)} published places, {len(content.encode())} bytes "
                f"written to {target}."
            )
