"""Writes of the interop app: imports and their conflicts. Each is one transaction.

Duplicates are written by `duplicates.py`, freshness campaigns by `freshness.py`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core import background, uploads
from maillage.core.actors import Actor, require, system_only, user_of
from maillage.core.uploads import RowReport
from maillage.directory import bulk
from maillage.directory import services as directory_services
from maillage.directory.models import Organisation, Place
from maillage.directory.text import fold
from maillage.interop import datainclusion, legacy, permissions, standard
from maillage.interop.models import (
    FieldConflict,
    Format,
    ImportRun,
    SourceRecord,
)
from maillage.interop.records import IMPORTED_FIELDS, Record, report_as_dict
from maillage.territories.models import Area, Territory

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class _Refused(Exception):
    """Raised inside the import's transaction to undo it when the file has errors."""


class _Read(NamedTuple):
    records: list[Record]
    issues: list[RowReport]
    rows: int
    encoding: str
    delimiter: str
    notes: list[RowReport]
    converted: int  # rows written before v1.0 of the standard, upgraded to v1.0.2


def _standard_rows(
    rows: list[tuple[int, Any]],
) -> tuple[list[Record], list[RowReport], list[RowReport], int]:
    """Rows of the standard (number, row): pre-1.0 rows are upgraded first (`legacy`)."""
    records, issues, notes, converted = [], [], [], 0
    for number, row in rows:
        if not isinstance(row, dict):
            issues.append(
                RowReport(row=number, column="", value="", message=_("Expected an object."))
            )
            continue
        upgraded = legacy.upgrade(row, number)
        if upgraded is not None:
            converted += 1
            notes.extend(upgraded.notes)
            row = upgraded.row
        record, row_issues = standard.record_from_row(row, number)
        if upgraded is not None and upgraded.issues:
            record, row_issues = None, [*upgraded.issues, *row_issues]
        issues.extend(row_issues)
        if record:
            records.append(record)
    return records, issues, notes, converted


def _read(data: bytes, file_format: str) -> _Read:
    if file_format == Format.LIEUX_CSV:
        table = uploads.read_table(data)
        records, issues, notes, converted = _standard_rows(list(table.rows))
        return _Read(
            records, issues, len(table.rows), table.encoding, table.delimiter, notes, converted
        )
    if file_format == Format.LIEUX_JSON:
        document, encoding = uploads.read_json(data)
        if not isinstance(document, list):
            raise uploads.UnreadableFile(
                uploads.RowReport(0, "", _("The file must hold a JSON array of places."))
            )
        records, issues, notes, converted = _standard_rows(list(enumerate(document, start=1)))
        return _Read(records, issues, len(document), encoding, "", notes, converted)
    if file_format == Format.DATA_INCLUSION:
        document, encoding = uploads.read_json(data)
        records, issues, count = datainclusion.records_from_document(document)
        return _Read(records, issues, count, encoding, "", [], 0)
    raise ValueError(f"unknown format {file_format!r}")


def _column(file_format: str, name: str) -> str:
    if file_format == Format.DATA_INCLUSION:
        return {
            "name": "nom",
            "address": "adresse",
            "postal_code": "code_postal",
            "area": "code_insee",
            "opening_hours": "horaires_accueil",
            "phone": "telephone",
            "email": "courriel",
            "website": "site_web",
            "siret": "siret",
        }.get(name, name)
    return standard.COLUMN_OF_FIELD.get(name, name)


def place_import_values(place: Place) -> dict[str, Any]:
    """A place's values in the form records use (`area` as its INSEE code)."""
    values = {
        name: getattr(place, name) for name in IMPORTED_FIELDS if name not in ("area", "services")
    }
    values["area"] = place.area.code
    values["services"] = sorted(s["service"] for s in place.services_snapshot)
    return values


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-7)
    return bool(a == b)


def _offers(
    keys: list[str], current: list[dict[str, Any]] | None = None
) -> list[directory_services.ServiceOffer]:
    """Services to write; stars and notes already set at the place are kept."""
    known = {s["service"]: s for s in current or []}
    return [
        directory_services.ServiceOffer(
            key, known.get(key, {}).get("stars", 1), known.get(key, {}).get("note", "")
        )
        for key in keys
    ]


def _resolve_area(
    record: Record, areas: dict[str, Area], by_name: dict[tuple[str, str], Area]
) -> Area | None:
    code = record.place["area"]
    if code:
        return areas.get(code)
    return by_name.get((fold(record.commune_name), record.place["postal_code"]))


def _organisation_for(
    record: Record,
    territory: Territory,
    by_siret: dict[str, Organisation],
    by_name: dict[str, Organisation],
) -> Organisation:
    key_name = fold(record.organisation_name)
    if record.organisation_siret and record.organisation_siret in by_siret:
        return by_siret[record.organisation_siret]
    if not record.organisation_siret and key_name in by_name:
        return by_name[key_name]
    organisation = Organisation(
        territory=territory,
        name=record.organisation_name[:200],
        siret=record.organisation_siret,
        kind=record.organisation_kind,
        labels=record.organisation_labels,
        source_note=_("Created by an import."),
    )
    if record.organisation_siret:
        by_siret[record.organisation_siret] = organisation
    else:
        by_name[key_name] = organisation
    return organisation


def import_places(
    *,
    territory: Territory,
    data: bytes,
    filename: str,
    file_format: str,
    source: str,
    by: Actor,
    valid_rows_only: bool = False,
    publish: bool = False,
    is_example: bool = False,
    progress: Progress | None = None,
    run: ImportRun | None = None,
    owned: Callable[[], None] | None = None,
) -> ImportRun:
    """Import a file of places into `territory` (upsert by `source` and each row's id).

    Every rejected row is reported with its row number, field and reason. When any row is
    rejected nothing is written, unless `valid_rows_only`. A field of an existing place that
    someone edited by hand since the last import from `source` is kept and reported as a
    `FieldConflict` for the coordinator. Raises `core.uploads.UnreadableFile` for a file that
    cannot be read at all; returns the run (status refused, partial or imported).

    The background task passes its queued `run` (filled in and saved, rather than a new one)
    and `owned`, called inside the transaction before any write, which raises
    `core.background.WorkLost` to undo everything when the worker lost the run meanwhile.
    """
    require(by, lambda user: permissions.can_import(user, territory))
    source = source.strip()
    if not source:
        raise ValidationError({"source": _("Name the source of the file.")})
    report = progress or (lambda stage, done, total: None)
    records, issues, row_count, encoding, delimiter, notes, converted = _read(data, file_format)
    report("read", row_count, row_count)

    areas = {a.code: a for a in territory.areas.all()}
    areas_by_name = {
        (fold(a.name), postal): a for a in areas.values() for postal in (a.postal_codes or [])
    }
    seen_ids: set[str] = set()
    kept: list[tuple[Record, Any]] = []
    for record in records:
        if record.source_id in seen_ids:
            issues.append(
                RowReport(
                    row=record.row,
                    column="id",
                    value=record.source_id,
                    message=_("This id is already used above."),
                )
            )
            continue
        seen_ids.add(record.source_id)
        area = _resolve_area(record, areas, areas_by_name)
        if area is None:
            issues.append(
                RowReport(
                    row=record.row,
                    column=_column(file_format, "area"),
                    value=record.place["area"] or record.commune_name,
                    message=_("Unknown commune: it is not one of the communes of %(territory)s.")
                    % {"territory": territory.name},
                )
            )
            continue
        kept.append((record, area))

    existing = {
        r.source_id: r
        for r in SourceRecord.objects.filter(
            territory=territory, source=source, source_id__in=[r.source_id for r, _a in kept]
        ).select_related("place__area", "place__organisation")
    }
    by_siret = {
        o.siret: o for o in Organisation.objects.filter(territory=territory).exclude(siret="")
    }
    by_name = {fold(o.name): o for o in Organisation.objects.filter(territory=territory, siret="")}
    writes: list[bulk.PlaceWrite] = []
    write_records: list[tuple[Record, dict[str, Any]]] = []
    conflicts: list[tuple[Record, str, Any, Any]] = []
    unchanged: list[tuple[Record, dict[str, Any]]] = []
    for record, area in kept:
        incoming = dict(record.place)
        if incoming["latitude"] is None:
            incoming["latitude"], incoming["longitude"] = area.latitude, area.longitude
        incoming["area"] = area.code
        provenance = existing.get(record.source_id)
        values = {k: v for k, v in incoming.items() if k not in ("services",)}
        values["area"] = area
        if provenance is None:
            writes.append(
                bulk.PlaceWrite(
                    data=values,
                    services=_offers(incoming["services"]),
                    organisation=_organisation_for(record, territory, by_siret, by_name),
                )
            )
            write_records.append((record, incoming))
            continue
        place = provenance.place
        current = place_import_values(place)
        changed: dict[str, Any] = {}
        for name in IMPORTED_FIELDS:
            new, now, last = incoming[name], current[name], provenance.values.get(name)
            if _same(new, now) or (last is not None and _same(new, last)):
                continue
            if last is None or _same(now, last):
                changed[name] = new
            else:
                conflicts.append((record, name, now, new))
        if not changed:
            unchanged.append((record, incoming))
            continue
        update = {k: (area if k == "area" else v) for k, v in changed.items() if k != "services"}
        services = (
            _offers(changed["services"], place.services_snapshot) if "services" in changed else None
        )
        writes.append(bulk.PlaceWrite(data=update, services=services, place_id=place.pk))
        write_records.append((record, incoming))
    report("checked", len(kept), len(kept))

    if run is None:
        run = ImportRun(
            territory=territory,
            source=source,
            format=file_format,
            filename=filename[:255],
            by=user_of(by),
        )
    run.encoding, run.delimiter, run.rows = encoding, delimiter, row_count
    run.converted, run.notes = converted, [report_as_dict(n) for n in notes]
    try:
        with transaction.atomic():
            if owned is not None:
                owned()
            result = bulk.places_bulk_write(
                territory=territory,
                writes=writes,
                by=by,
                reason=_("Imported from %(source)s") % {"source": source},
                status=Place.Status.PUBLISHED if publish else Place.Status.DRAFT,
                is_example=is_example,
                skip_invalid=True,
            )
            for index, errors in sorted(result.errors.items()):
                record = write_records[index][0]
                for name, messages in errors.items():
                    for message in messages:
                        issues.append(
                            RowReport(
                                row=record.row,
                                column=_column(file_format, name),
                                value=_offending_value(record, name),
                                message=message,
                            )
                        )
            if issues and not valid_rows_only:
                raise _Refused
            run.status = ImportRun.Status.PARTIAL if issues else ImportRun.Status.IMPORTED
            run.created, run.updated = len(result.created), len(result.updated)
            run.unchanged = len(unchanged)
            _save_run(run, issues)
            _write_provenance(
                run=run,
                territory=territory,
                existing=existing,
                created=[
                    (write_records[i], p)
                    for i, p in zip(result.created_index, result.created, strict=True)
                ],
                touched=[write_records[i] for i in result.updated_index] + unchanged,
                source=source,
            )
            run.conflicts = _write_conflicts(
                run,
                existing,
                conflicts,
                skipped={write_records[i][0].source_id for i in result.errors},
            )
            run.save(update_fields=["conflicts"])
            report("written", len(writes), len(writes))
    except _Refused:
        with transaction.atomic():
            if owned is not None:
                owned()
            run.status = ImportRun.Status.REFUSED
            _save_run(run, issues)
    return run


def _offending_value(record: Record, name: str) -> str:
    if name == "siret":
        return record.organisation_siret
    if name == "labels":
        return "|".join(record.organisation_labels)
    return str(record.place.get(name, "") or "")


def _save_run(run: ImportRun, issues: list[RowReport]) -> None:
    run.issues = [report_as_dict(i) for i in sorted(issues, key=lambda i: (i.row, i.column))]
    run.rejected = len({i.row for i in issues})
    run.progress, run.step, run.finished_at = 100, "done", timezone.now()
    run.heartbeat_at = run.finished_at
    run.save()


def _write_provenance(
    *,
    run: ImportRun,
    territory: Territory,
    existing: dict[str, SourceRecord],
    created: list[tuple[tuple[Record, dict[str, Any]], Place]],
    touched: list[tuple[Record, dict[str, Any]]],
    source: str,
) -> None:
    now = timezone.now()
    SourceRecord.objects.bulk_create(
        [
            SourceRecord(
                territory=territory,
                place=place,
                source=source,
                source_id=record.source_id,
                values=values,
                source_updated_on=record.updated_on,
                first_run=run,
                last_run=run,
                imported_at=now,
            )
            for (record, values), place in created
        ],
        batch_size=bulk.BATCH_SIZE,
    )
    changed, same = [], []
    for record, values in touched:
        provenance = existing[record.source_id]
        if provenance.values == values and provenance.source_updated_on == record.updated_on:
            same.append(provenance.pk)
            continue
        provenance.values = values
        provenance.source_updated_on = record.updated_on
        provenance.last_run = run
        provenance.imported_at = now
        changed.append(provenance)
    SourceRecord.objects.bulk_update(
        changed,
        ["values", "source_updated_on", "last_run", "imported_at"],
        batch_size=bulk.BATCH_SIZE,
    )
    for start in range(0, len(same), bulk.BATCH_SIZE):  # one UPDATE per batch, not per row
        SourceRecord.objects.filter(pk__in=same[start : start + bulk.BATCH_SIZE]).update(
            last_run=run, imported_at=now
        )


def _json_value(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | list | type(None)) else str(value)


def _write_conflicts(
    run: ImportRun,
    existing: dict[str, SourceRecord],
    conflicts: list[tuple[Record, str, Any, Any]],
    *,
    skipped: set[str],
) -> int:
    rows = [
        FieldConflict(
            record=existing[record.source_id],
            run=run,
            field=name,
            current=_json_value(now),
            incoming=_json_value(new),
        )
        for record, name, now, new in conflicts
        if record.source_id not in skipped
    ]
    FieldConflict.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def conflict_decide(*, conflict: FieldConflict, take_source: bool, by: Actor) -> FieldConflict:
    """Keep the hand-made value, or take the source's (through the directory's place_update).

    A conflict is decided once: a decided one raises ValidationError, nothing written (its
    values may have been erased since, rule `interop.source_contacts`)."""
    place = conflict.record.place
    require(by, lambda user: permissions.can_import(user, place.territory))
    conflict = FieldConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.status != FieldConflict.Status.OPEN:
        raise ValidationError(_("This conflict was already decided."))
    if take_source:
        if conflict.field == "services":
            offers = _offers(conflict.incoming or [], place.services_snapshot)
            directory_services.place_update(
                place_id=place.pk, data={}, services=offers, expected_version=place.version, by=by
            )
        else:
            value = conflict.incoming
            if conflict.field == "area":
                value = place.territory.areas.get(code=value)
            directory_services.place_update(
                place_id=place.pk,
                data={conflict.field: value},
                services=None,
                expected_version=place.version,
                by=by,
            )
    conflict.status = FieldConflict.Status.TAKEN if take_source else FieldConflict.Status.KEPT
    conflict.decided_by = user_of(by)
    conflict.decided_at = timezone.now()
    conflict.save()
    return conflict


#: The kind of background work of imports (registered with its task by `InteropConfig`).
IMPORT_RUNS = "interop.import_runs"
#: Percent done when a stage of an import ends (the bar of the run's page); after the last one,
#: "written", the run already holds its report.
STAGE_PERCENT = {"read": 40, "checked": 70}


@transaction.atomic
def import_run_create(
    *,
    territory: Territory,
    data: bytes,
    filename: str,
    file_format: str,
    source: str,
    by: Actor,
    valid_rows_only: bool = False,
    publish: bool = False,
) -> ImportRun:
    """Store an uploaded file and queue its import (the page returns at once; the worker
    imports it: `interop.tasks.import_run_task`). Returns the run, status queued."""
    require(by, lambda user: permissions.can_import(user, territory))
    source = source.strip()
    if not source:
        raise ValidationError({"source": _("Name the source of the file.")})
    if file_format not in Format.values:
        raise ValidationError({"file_format": _("Choose one of the formats.")})
    run = ImportRun(
        territory=territory,
        source=source,
        format=file_format,
        filename=filename[:255],
        status=ImportRun.Status.QUEUED,
        valid_rows_only=valid_rows_only,
        publish=publish,
        by=user_of(by),
    )
    run.upload.save(filename[:100] or "upload", ContentFile(data), save=False)
    run.save()
    background.work_enqueue(kind=background.kind(IMPORT_RUNS), record=run)
    return run


def import_run_execute(*, run_id: int, by: Actor) -> None:
    """The background task's work: claim the queued run, import its stored file with progress
    on the run, and save the report (or a refusal naming the row or the limit). Nothing is
    written when the file is refused or the work fails; the worker records a failure's reason.
    The import acts as the person who uploaded the file (their rights are checked again)."""
    require(by, system_only)

    def work(attempt: int, progress: Callable[[int, str], None]) -> None:
        run = ImportRun.objects.select_related("territory", "by").get(pk=run_id)
        actor: Actor = run.by if run.by is not None else by

        def owned() -> None:
            background.work_still_owned(model=ImportRun, pk=run_id, attempt=attempt)

        progress(5, "read")
        background.with_stored_upload(
            run,
            read=uploads.read_upload,
            work=lambda data: _import_stored(run, data, actor, progress, owned),
        )

    background.run_claimed(model=ImportRun, pk=run_id, by=by, work=work)


def _import_stored(
    run: ImportRun,
    data: bytes,
    actor: Actor,
    progress: Callable[[int, str], None],
    owned: Callable[[], None],
) -> None:
    try:
        import_places(
            territory=run.territory,
            data=data,
            filename=run.filename,
            file_format=run.format,
            source=run.source,
            by=actor,
            valid_rows_only=run.valid_rows_only,
            publish=run.publish,
            progress=lambda stage, done, total: (
                progress(STAGE_PERCENT[stage], stage) if stage in STAGE_PERCENT else None
            ),
            run=run,
            owned=owned,
        )
    except uploads.UnreadableFile as error:
        with transaction.atomic():
            owned()
            run.status = ImportRun.Status.REFUSED
            run.error = str(error)  # the reader's sentence, naming the row or the limit
            _save_run(run, [error.report])
