"""python manage.py import_places TERRITORY FILE --format lieux-csv --source NAME"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core import uploads
from maillage.core.actors import SystemActor
from maillage.interop import selectors, services
from maillage.interop.models import Format, ImportRun
from maillage.territories.models import Territory

STAGES = ("read", "checked", "written")


class ProgressBar:
    """A one-line text bar on the command's stderr: the import's stages (read, checked,
    written). `stream` is a Django OutputWrapper."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width, self.start = stream, width, time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        step = STAGES.index(stage) + 1
        filled = self.width * step // len(STAGES)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.start
        end = "\n" if step == len(STAGES) else ""
        self.stream.write(f"\r[{bar}] {stage:<8} {done:>7}/{total:<7} {elapsed:6.1f} s", ending=end)
        self.stream.flush()


class Command(BaseCommand):
    help = "Import places from a file of the national standard (CSV/JSON) or data·inclusion."

    def add_arguments(self, parser):
        parser.add_argument("territory", help="slug of the territory")
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=Format.values, default=Format.LIEUX_CSV)
        parser.add_argument("--source", required=True, help="who produced the file (upsert key)")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="import the valid rows even when others are rejected",
        )
        parser.add_argument("--publish", action="store_true", help="publish the new places")
        parser.add_argument("--report", type=Path, help="write the rejected rows to this CSV")
        parser.add_argument(
            "--notes", type=Path, help="write the notes (values left out, per row) to this CSV"
        )

    def handle(self, *args, **options):
        territory = Territory.objects.filter(slug=options["territory"]).first()
        if territory is None:
            raise CommandError(f"No territory {options['territory']!r}.")
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from error
        try:
            run = services.import_places(
                territory=territory,
                data=data,
                filename=options["file"].name,
                file_format=options["format"],
                source=options["source"],
                by=SystemActor("import_places command"),
                valid_rows_only=options["valid_rows_only"],
                publish=options["publish"],
                progress=ProgressBar(self.stderr) if options["verbosity"] else None,
            )
        except uploads.UnreadableFile as error:
            raise CommandError(str(error)) from error
        if options["report"]:
            options["report"].write_text(selectors.run_report_csv(run), encoding="utf-8")
        self.stdout.write(
            f"{run.get_status_display()}: {run.rows} rows, {run.created} created, "
            f"{run.updated} updated, {run.unchanged} unchanged, {run.rejected} rejected, "
            f"{run.conflicts} hand edits kept (encoding {run.encoding or '-'}, "
            f"separator {run.delimiter!r})."
        )
        for issue in run.issues[:20]:
            self.stdout.write(f"  row {issue['row']}, {issue['field']}: {issue['reason']}")
        if len(run.issues) > 20:
            self.stdout.write(f"  … {len(run.issues) - 20} more (use --report FILE).")
        if run.converted:
            self.stdout.write(
                f"{run.converted} rows converted from the pre-1.0 vocabulary of the standard; "
                f"{len(run.notes)} notes (values without an equivalent in v1.0.2, left out; "
                "not rejections)."
            )
        for (field, value), count in Counter((n["field"], n["value"]) for n in run.notes).items():
            self.stdout.write(f"  note, {field}: {value!r} left out in {count} rows.")
        if options["notes"]:
            options["notes"].write_text(selectors.run_notes_csv(run), encoding="utf-8")
        if run.status == ImportRun.Status.REFUSED:
            raise CommandError("Nothing imported: the file has errors (or use --valid-rows-only).")
