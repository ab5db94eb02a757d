"""Writes of the observatory. Every function is a domain operation run in one transaction; it
checks its permission itself for `by`, a user or a `SystemActor` (required)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core import background, uploads
from maillage.core.actors import Actor, require, system_only, user_of
from maillage.observatory import permissions, pipeline, selectors
from maillage.observatory.grid import grid_versions, load_grid
from maillage.observatory.importing import Codebook, check_responses, problem_as_dict
from maillage.observatory.models import (
    Estimate,
    GridAdoption,
    ImportReport,
    MarginSet,
    Respondent,
    Wave,
    WeightingRun,
)
from maillage.territories.models import Area, Territory


def _check_manager(by: Actor, territory: Territory) -> None:
    require(
        by,
        lambda user: permissions.can_manage(user, territory),
        refusal=_("Only the territory's coordinators manage the observatory."),
    )


@transaction.atomic
def grid_adopt(
    *,
    territory: Territory,
    version: str,
    extra_questions: Sequence[Mapping[str, Any]] = (),
    by: Actor,
) -> GridAdoption:
    """Adopt a version of the common grid, with the territory's own questions (if any)."""
    _check_manager(by, territory)
    if version not in grid_versions():
        raise ValidationError(
            {"grid_version": _("Unknown grid version %(version)s.") % {"version": version}}
        )
    common = load_grid(version)
    try:
        common.with_extra_questions(extra_questions)
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError({"extra_questions": str(error)}) from error
    adoption, _created = GridAdoption.objects.get_or_create(
        territory=territory, grid_version=version, defaults={"extra_questions": []}
    )
    adoption.extra_questions = list(extra_questions)
    adoption.full_clean()
    adoption.save()
    return adoption


@transaction.atomic
def wave_create(
    *,
    territory: Territory,
    grid: GridAdoption,
    name: str,
    fieldwork_start: dt.date | None = None,
    fieldwork_end: dt.date | None = None,
    is_synthetic: bool = False,
    note: str = "",
    by: Actor,
) -> Wave:
    _check_manager(by, territory)
    if grid.territory_id != territory.pk:
        raise ValidationError({"grid": _("This grid is not adopted by the territory.")})
    wave = Wave(
        territory=territory,
        grid=grid,
        name=name,
        fieldwork_start=fieldwork_start,
        fieldwork_end=fieldwork_end,
        is_synthetic=is_synthetic,
        note=note,
    )
    wave.full_clean()
    wave.save()
    return wave


@transaction.atomic
def wave_start(
    *,
    territory: Territory,
    grid_version: str,
    name: str,
    fieldwork_start: dt.date | None = None,
    fieldwork_end: dt.date | None = None,
    note: str = "",
    by: Actor,
) -> Wave:
    """Create a wave on `grid_version` of the common grid, adopting it first if the territory
    has not yet (an adoption keeps its own questions): both or neither (one transaction)."""
    _check_manager(by, territory)
    grid = GridAdoption.objects.filter(territory=territory, grid_version=grid_version).first()
    if grid is None:
        grid = grid_adopt(territory=territory, version=grid_version, by=by)
    return wave_create(
        territory=territory,
        grid=grid,
        name=name,
        fieldwork_start=fieldwork_start,
        fieldwork_end=fieldwork_end,
        note=note,
        by=by,
    )


def responses_import(
    *,
    wave: Wave,
    data: bytes,
    filename: str,
    codebook: Codebook | None = None,
    import_valid_rows: bool = False,
    by: Actor,
    report: ImportReport | None = None,
    progress: Callable[[int, str], None] | None = None,
    owned: Callable[[], None] | None = None,
) -> ImportReport:
    """Check a file of responses and store its rows, all or nothing.

    When any row has an error nothing is stored, unless `import_valid_rows` is set: then the
    rows without errors are stored and the others are listed in the report. The report (rows
    read, stored, rejected, and every problem with its row, column, value and reason) is kept
    either way. Raises `core.uploads.UnreadableFile` when the file cannot be read at all.

    The background task passes its queued `report` (filled in rather than a new one),
    `progress(percent, step)` and `owned`, called in the transaction of the writes, which
    raises `core.background.WorkLost` to undo them when the worker lost the report meanwhile.
    """
    _check_manager(by, wave.territory)
    step = progress or (lambda percent, name: None)
    grid = selectors.wave_grid(wave)
    areas = {a.code: a for a in Area.objects.filter(territory=wave.territory)}
    table = uploads.read_table(data, filename)
    step(40, "read")
    result = check_responses(table, grid=grid, commune_codes=set(areas), codebook=codebook)
    step(70, "checked")
    store = not result.errors or (import_valid_rows and result.valid)
    imported = 0
    with transaction.atomic():
        if owned is not None:
            owned()
        if store:
            start = (wave.respondents.aggregate(last=Max("row_number"))["last"] or 0) + 1
            respondents = []
            for offset, row in enumerate(result.valid):
                respondent = Respondent(
                    wave=wave,
                    area=areas[row.commune],
                    row_number=start + offset,
                    design_weight=row.design_weight,
                    answers=row.answers,
                )
                respondent.full_clean(exclude=["wave", "area"], validate_unique=False)
                respondents.append(respondent)
            Respondent.objects.bulk_create(respondents, batch_size=1000)
            imported = len(respondents)
        if report is None:
            report = ImportReport(wave=wave, filename=filename[:255], created_by=user_of(by))
        report.rows_read = result.rows_read
        report.rows_imported = imported
        report.rows_rejected = result.rows_rejected if store else result.rows_read
        report.problems = [problem_as_dict(p) for p in result.problems]
        report.status = ImportReport.Status.DONE
        report.progress, report.step, report.finished_at = 100, "done", timezone.now()
        report.full_clean(exclude=["wave", "created_by"])
        report.save()
    return report


#: The kind of background work of survey imports (registered with its task by the app).
RESPONSE_IMPORTS = "observatory.response_imports"


@transaction.atomic
def responses_import_queue(
    *,
    wave: Wave,
    data: bytes,
    filename: str,
    codebook: Codebook | None = None,
    import_valid_rows: bool = False,
    by: Actor,
) -> ImportReport:
    """Store a file of responses and queue its import (`responses_import`, by the worker).
    Returns its report, status queued: its page shows the progress, then the report."""
    _check_manager(by, wave.territory)
    report = ImportReport(
        wave=wave,
        filename=filename[:255],
        created_by=user_of(by),
        status=ImportReport.Status.QUEUED,
        codebook=dataclasses.asdict(codebook) if codebook is not None else None,
        import_valid_rows=import_valid_rows,
    )
    report.upload.save(filename[:100] or "responses", ContentFile(data), save=False)
    report.save()
    background.work_enqueue(kind=background.kind(RESPONSE_IMPORTS), record=report)
    return report


def responses_import_execute(*, report_id: int, by: Actor) -> None:
    """The background task's work: claim the queued report and import its stored file, as the
    person who sent it (their rights are checked again). A file that cannot be read fails the
    report with the reader's message (naming the row or the limit); nothing is stored."""
    require(by, system_only)

    def work(attempt: int, progress: Callable[[int, str], None]) -> None:
        report = ImportReport.objects.select_related("wave__territory", "created_by").get(
            pk=report_id
        )
        actor: Actor = report.created_by if report.created_by is not None else by

        def owned() -> None:
            background.work_still_owned(model=ImportReport, pk=report_id, attempt=attempt)

        progress(5, "read")
        background.with_stored_upload(
            report,
            read=lambda stored: stored.read(),
            work=lambda data: _import_stored(report, data, actor, progress, owned),
        )

    background.run_claimed(model=ImportReport, pk=report_id, by=by, work=work)


def _import_stored(
    report: ImportReport,
    data: bytes,
    actor: Actor,
    progress: Callable[[int, str], None],
    owned: Callable[[], None],
) -> None:
    try:
        responses_import(
            wave=report.wave,
            data=data,
            filename=report.filename,
            codebook=Codebook(**report.codebook) if report.codebook else None,
            import_valid_rows=report.import_valid_rows,
            by=actor,
            report=report,
            progress=progress,
            owned=owned,
        )
    except uploads.UnreadableFile as error:
        background.work_fail(
            model=ImportReport, pk=report.pk, attempt=report.attempts, reason=str(error)
        )


@transaction.atomic
def margin_set_create(
    *,
    territory: Territory,
    name: str,
    margins: Mapping[str, Any],
    source: str,
    is_assumed: bool,
    by: Actor,
) -> MarginSet:
    """Store population margins (see `MarginSet`); replaces a set of the same name."""
    _check_manager(by, territory)
    for key in (pipeline.AGE_SEX, pipeline.EDUCATION):
        table = margins.get(key)
        if not isinstance(table, Mapping) or not table:
            raise ValidationError({"margins": _("Margins need “age_sex” and “education”.")})
        for commune, cells in table.items():
            for cell, value in cells.items():
                if not isinstance(value, int | float) or value < 0 or math.isnan(value):
                    raise ValidationError(
                        {
                            "margins": _("%(commune)s, %(cell)s: %(value)s is not a population.")
                            % {"commune": commune, "cell": cell, "value": value}
                        }
                    )
    margin_set = MarginSet.objects.filter(territory=territory, name=name).first() or MarginSet(
        territory=territory, name=name
    )
    if margin_set.pk and margin_set.runs.exists():
        raise ValidationError(
            {
                "name": _(
                    "Margins of this name were used by a weighting run and cannot change: "
                    "give the new margins another name."
                )
            }
        )
    margin_set.margins = dict(margins)
    margin_set.source = source
    margin_set.is_assumed = is_assumed
    margin_set.full_clean()
    margin_set.save()
    return margin_set


def margins_from_csv(data: bytes) -> dict[str, dict[str, dict[str, float]]]:
    """Margins from a CSV with columns commune_code, margin (age_sex or education), category
    (``18_24|f``… or ``none``…) and population. Errors name the line. Raises
    `core.uploads.UnreadableFile` for a file that cannot be read."""
    table = uploads.read_table(data)
    needed = {"commune_code", "margin", "category", "population"}
    if not needed <= set(table.columns):
        raise ValidationError(
            _("The columns must be: %(columns)s.") % {"columns": ", ".join(sorted(needed))}
        )
    margins: dict[str, dict[str, dict[str, float]]] = {pipeline.AGE_SEX: {}, pipeline.EDUCATION: {}}
    for number, row in table.rows:
        if row["margin"] not in margins:
            raise ValidationError(
                _("Line %(line)s: margin must be age_sex or education, not %(value)s.")
                % {"line": number, "value": row["margin"]}
            )
        try:
            population = float(row["population"].replace(",", "."))
        except ValueError:
            raise ValidationError(
                _("Line %(line)s: %(value)s is not a number.")
                % {"line": number, "value": row["population"]}
            ) from None
        margins[row["margin"]].setdefault(row["commune_code"], {})[row["category"]] = population
    return margins


@transaction.atomic
def weighting_run_create(
    *,
    wave: Wave,
    margin_set: MarginSet,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    bound_lower: float | None = None,
    bound_upper: float | None = None,
    trim_ratio: float | None = None,
    variance_method: str = WeightingRun.Variance.TAYLOR,
    replicates: int = 100,
    seed: int = 2024,
    by: Actor,
) -> WeightingRun:
    """Rake the wave to the margins, store the weights, diagnostics and every estimate.

    The run is a draft until a coordinator publishes it. A raking that did not converge is
    stored (to be inspected) but cannot be published. (The page queues the same work for the
    background worker: `weighting_run_queue`.)
    """
    run = _weighting_run_new(
        wave=wave,
        margin_set=margin_set,
        tolerance=tolerance,
        max_iterations=max_iterations,
        bound_lower=bound_lower,
        bound_upper=bound_upper,
        trim_ratio=trim_ratio,
        variance_method=variance_method,
        replicates=replicates,
        seed=seed,
        by=by,
    )
    estimates = _weigh(run)
    run.save()
    _save_estimates(run, estimates)
    return run


def _weighting_run_new(
    *, wave: Wave, margin_set: MarginSet, by: Actor, **settings: Any
) -> WeightingRun:
    _check_manager(by, wave.territory)
    if margin_set.territory_id != wave.territory_id:
        raise ValidationError({"margin_set": _("These margins belong to another territory.")})
    run = WeightingRun(wave=wave, margin_set=margin_set, created_by=user_of(by), **settings)
    run.full_clean(exclude=["created_by"])
    return run


def _weigh(
    run: WeightingRun, progress: Callable[[int, str], None] | None = None
) -> list[pipeline.DomainEstimate]:
    """Rake `run`'s wave with its settings: fills its outcome, returns its estimates."""
    step = progress or (lambda percent, name: None)
    grid = selectors.wave_grid(run.wave)
    arrays = selectors.wave_arrays(run.wave, grid)
    step(20, "read")
    bootstrap = run.variance_method == WeightingRun.Variance.BOOTSTRAP
    bounds = None
    if run.bound_lower is not None and run.bound_upper is not None:
        bounds = (run.bound_lower, run.bound_upper)
    settings = pipeline.WeightingSettings(
        tolerance=run.tolerance,
        max_iterations=run.max_iterations,
        bounds=bounds,
        trim_ratio=run.trim_ratio,
        min_cell=20 if bootstrap else 10,
    )
    try:
        outcome = pipeline.weigh(arrays, grid, run.margin_set.margins, settings)
        step(50, "raked")
        replicate = (
            pipeline.replicate_weights(outcome, replicates=run.replicates, seed=run.seed)
            if bootstrap
            else None
        )
    except ValueError as error:
        raise ValidationError(
            _("The weighting is impossible: %(reason)s") % {"reason": error}
        ) from error
    run.converged = outcome.converged
    run.iterations = outcome.iterations
    run.max_relative_error = outcome.max_relative_error
    run.diagnostics = outcome.diagnostics
    run.respondent_ids = arrays.ids.tolist()
    run.weights = outcome.weights.tolist()
    estimates = list(pipeline.estimate_all(arrays, grid, outcome, replicate=replicate))
    step(90, "estimated")
    return estimates


def _save_estimates(run: WeightingRun, estimates: list[pipeline.DomainEstimate]) -> None:
    Estimate.objects.bulk_create(
        [
            Estimate(
                run=run,
                indicator=e.indicator,
                domain_kind=e.domain_kind,
                domain_code=e.domain_code,
                estimate=_number(e.estimate.estimate),
                standard_error=_number(e.estimate.standard_error),
                lower=_number(e.estimate.lower),
                upper=_number(e.estimate.upper),
                n=e.estimate.n,
                df=e.estimate.df,
                small_sample=e.estimate.small_sample,
                suppressed=e.estimate.suppressed,
            )
            for e in estimates
        ],
        batch_size=1000,
    )


#: The kind of background work of weighting runs (registered with its task by the app).
WEIGHTING_RUNS = "observatory.weighting_runs"


@transaction.atomic
def weighting_run_queue(
    *,
    wave: Wave,
    margin_set: MarginSet,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    bound_lower: float | None = None,
    bound_upper: float | None = None,
    trim_ratio: float | None = None,
    variance_method: str = WeightingRun.Variance.TAYLOR,
    replicates: int = 100,
    seed: int = 2024,
    by: Actor,
) -> WeightingRun:
    """Queue a weighting run (the settings of `weighting_run_create`) for the background
    worker; returns it, status queued. Its page shows the progress, then the run."""
    run = _weighting_run_new(
        wave=wave,
        margin_set=margin_set,
        tolerance=tolerance,
        max_iterations=max_iterations,
        bound_lower=bound_lower,
        bound_upper=bound_upper,
        trim_ratio=trim_ratio,
        variance_method=variance_method,
        replicates=replicates,
        seed=seed,
        by=by,
    )
    run.status = WeightingRun.Status.QUEUED
    run.save()
    background.work_enqueue(kind=background.kind(WEIGHTING_RUNS), record=run)
    return run


def weighting_run_execute(*, run_id: int, by: Actor) -> None:
    """The background task's work: claim the queued run, rake it with progress on the run,
    then store it as a draft with its estimates, in one transaction (undone if the worker lost
    the run meanwhile). An impossible weighting fails the run with the reason."""
    require(by, system_only)

    def work(attempt: int, progress: Callable[[int, str], None]) -> None:
        run = WeightingRun.objects.select_related("wave__territory", "margin_set").get(pk=run_id)
        try:
            estimates = _weigh(run, progress)
        except ValidationError as error:
            background.work_fail(
                model=WeightingRun, pk=run_id, attempt=attempt, reason=" ".join(error.messages)
            )
            return
        with transaction.atomic():
            background.work_still_owned(model=WeightingRun, pk=run_id, attempt=attempt)
            run.status = WeightingRun.Status.DRAFT
            run.progress, run.step, run.finished_at = 100, "done", timezone.now()
            run.heartbeat_at = run.finished_at
            run.save()
            _save_estimates(run, estimates)

    background.run_claimed(model=WeightingRun, pk=run_id, by=by, work=work)


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


@transaction.atomic
def weighting_run_publish(*, run: WeightingRun, by: Actor) -> WeightingRun:
    """Publish a run: its estimates become public; the wave's other runs go back to draft."""
    _check_manager(by, run.wave.territory)
    if not run.converged:
        raise ValidationError(
            _(
                "This weighting did not converge: it cannot be published. Run it again with more "
                "sweeps or looser bounds."
            )
        )
    WeightingRun.objects.filter(wave=run.wave, status=WeightingRun.Status.PUBLISHED).exclude(
        pk=run.pk
    ).update(status=WeightingRun.Status.DRAFT, published_at=None)
    run.status = WeightingRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.full_clean(exclude=["created_by"])
    run.save(update_fields=["status", "published_at"])
    return run


@transaction.atomic
def weighting_run_unpublish(*, run: WeightingRun, by: Actor) -> WeightingRun:
    _check_manager(by, run.wave.territory)
    run.status = WeightingRun.Status.DRAFT
    run.published_at = None
    run.save(update_fields=["status", "published_at"])
    return run
