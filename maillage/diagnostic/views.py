"""Diagnostic pages. Views check the permission, validate with a form and call one service or
selector; presenters write what is shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maillage.core.lookup import territory_for
from maillage.diagnostic import exports, permissions, presenters, selectors, services, squares
from maillage.diagnostic.forms import (
    CsvUploadForm,
    IndicatorForm,
    IndicatorValuesForm,
    PopulationSquaresUploadForm,
    RunForm,
    TravelMatrixUploadForm,
)
from maillage.diagnostic.models import DiagnosticRun, FragilityIndicator, IndicatorValue
from maillage.directory.selectors import place_open_data_id
from maillage.territories.models import Territory

REFRESH_SECONDS = 3


def _run_context(run: DiagnosticRun | None) -> dict:
    if run is None or run.status != DiagnosticRun.Status.DONE:
        return {}
    return {
        "areas": presenters.area_rows(run),
        "sites": presenters.site_rows(run),
        "maps": presenters.maps(run),
        "summary": presenters.parameters_summary(run),
        "distance": presenters.distance_summary(run),
        "demand_points": presenters.demand_points_summary(run),
        "indicators_incomplete": presenters.indicators_incomplete(run),
    }


def _run_form(territory: Territory, data=None) -> RunForm:
    return RunForm(
        data,
        matrix=selectors.travel_matrix(territory),
        grid=selectors.population_grid(territory),
    )


@login_required
def home(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    latest = selectors.latest_done_run(territory)
    recent = selectors.recent_runs(territory)
    waiting = next((r for r in recent if not r.is_finished), None)
    can_manage = permissions.can_manage_diagnostic(request.user, territory)
    context = {
        "territory": territory,
        "run": latest,
        "waiting": waiting,
        "recent": recent,
        "can_manage": can_manage,
        "form": _run_form(territory) if can_manage else None,
    }
    context.update(_run_context(latest))
    return render(request, "diagnostic/home.html", context)


@login_required
@require_POST
def run_start(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage_diagnostic)
    form = _run_form(territory, request.POST)
    if not form.is_valid():
        latest = selectors.latest_done_run(territory)
        context = {
            "territory": territory,
            "run": latest,
            "recent": selectors.recent_runs(territory),
            "can_manage": True,
            "form": form,
        }
        context.update(_run_context(latest))
        return render(request, "diagnostic/home.html", context, status=400)
    run = services.diagnostic_run_request(
        territory=territory, by=request.user, parameters=form.parameters()
    )
    return redirect("diagnostic:run", territory=territory.slug, pk=run.pk)


@login_required
def run_detail(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    run = get_object_or_404(selectors.runs(territory), pk=pk)
    context = {
        "territory": territory,
        "run": run,
        "can_manage": permissions.can_manage_diagnostic(request.user, territory),
        "refresh_seconds": REFRESH_SECONDS,
        "error": presenters.error_text(run.result["error"])
        if run.status == DiagnosticRun.Status.FAILED and run.result
        else "",
    }
    context.update(_run_context(run))
    return render(request, "diagnostic/run.html", context)


@login_required
def run_csv(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    run = get_object_or_404(selectors.runs(territory), pk=pk, status=DiagnosticRun.Status.DONE)
    response = HttpResponse(exports.areas_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="diagnostic-{territory.slug}-{run.pk}.csv"'
    )
    return response


@login_required
def run_squares_csv(request, territory, pk):
    """The population squares of a run on squares, with their accessibility (404 for a run
    on the communes)."""
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    run = get_object_or_404(
        DiagnosticRun,
        pk=pk,
        territory=territory,
        status=DiagnosticRun.Status.DONE,
        square_results__isnull=False,
    )
    response = HttpResponse(exports.squares_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="diagnostic-{territory.slug}-{run.pk}-squares.csv"'
    )
    return response


def _upload_errors(error: services.ImportRejected) -> list[str]:
    return [str(report) for report in error.errors]


@login_required
def indicators(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    can_manage = permissions.can_manage_diagnostic(request.user, territory)
    form = IndicatorForm(territory=territory) if can_manage else None
    upload = CsvUploadForm(prefix="values") if can_manage else None
    import_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "values-file" in request.FILES or request.POST.get("action") == "import":
            upload = CsvUploadForm(request.POST, request.FILES, prefix="values")
            if upload.is_valid():
                try:
                    count = services.indicator_values_import(
                        territory=territory, by=request.user, data=upload.cleaned_data["file"]
                    )
                except services.ImportRejected as error:
                    import_errors = _upload_errors(error)
                else:
                    messages.success(request, _("%(count)s lines imported.") % {"count": count})
                    return redirect("diagnostic:indicators", territory=territory.slug)
        else:
            form = IndicatorForm(request.POST, territory=territory)
            if form.is_valid():
                indicator = services.indicator_create(
                    territory=territory, by=request.user, data=form.cleaned_data
                )
                messages.success(request, _("Indicator added. Now enter or import its values."))
                return redirect(
                    "diagnostic:indicator_values", territory=territory.slug, pk=indicator.pk
                )
        status = 400
    columns, rows = selectors.indicator_table(territory)
    return render(
        request,
        "diagnostic/indicators.html",
        {
            "territory": territory,
            "columns": columns,
            "rows": rows,
            "any_example": any(c.is_example for c in columns),
            "can_manage": can_manage,
            "form": form,
            "upload": upload,
            "import_errors": import_errors,
        },
        status=status,
    )


@login_required
def indicator_values(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage_diagnostic)
    indicator = get_object_or_404(FragilityIndicator, pk=pk, territory=territory)
    areas = selectors.territory_areas(territory).order_by("name")
    current = dict(
        IndicatorValue.objects.filter(indicator=indicator).values_list("area_id", "value")
    )
    form = IndicatorValuesForm(request.POST or None, areas=areas, values=current)
    if request.method == "POST" and form.is_valid():
        services.indicator_values_set(indicator=indicator, by=request.user, values=form.values())
        messages.success(request, _("Values saved."))
        return redirect("diagnostic:indicators", territory=territory.slug)
    return render(
        request,
        "diagnostic/indicator_values.html",
        {"territory": territory, "indicator": indicator, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def indicator_delete(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage_diagnostic)
    indicator = get_object_or_404(FragilityIndicator, pk=pk, territory=territory)
    services.indicator_delete(indicator=indicator, by=request.user)
    messages.success(request, _("Indicator deleted."))
    return redirect("diagnostic:indicators", territory=territory.slug)


@dataclass
class _Upload:
    """What an import page's POST came to: the form to show, its errors, the page status;
    `done` is the redirect after a successful import."""

    can_manage: bool
    form: object | None
    errors: list[str]
    status: int = 200
    done: HttpResponse | None = None


def _handle_upload(request, territory, *, form_class, do_import, success, page: str) -> _Upload:
    """The shared flow of the import pages: only managers post; a valid file is imported by
    `do_import(cleaned_data)` (a service that raises ImportRejected with the lines at fault),
    then `success(result)` is flashed and the page reloads; otherwise the form and the
    errors are shown with status 400."""
    can_manage = permissions.can_manage_diagnostic(request.user, territory)
    if request.method != "POST":
        return _Upload(can_manage, form_class() if can_manage else None, [])
    if not can_manage:
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            result = do_import(form.cleaned_data)
        except services.ImportRejected as error:
            errors = _upload_errors(error)
        else:
            messages.success(request, success(result))
            return _Upload(True, form, [], done=redirect(page, territory=territory.slug))
    return _Upload(True, form, errors, status=400)


@login_required
def candidates(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    upload = _handle_upload(
        request,
        territory,
        form_class=CsvUploadForm,
        do_import=lambda data: services.candidate_sites_import(
            territory=territory, by=request.user, data=data["file"]
        ),
        success=lambda count: _("%(count)s candidate sites imported.") % {"count": count},
        page="diagnostic:candidates",
    )
    if upload.done:
        return upload.done
    return render(
        request,
        "diagnostic/candidates.html",
        {
            "territory": territory,
            "sites": selectors.candidate_sites(territory),
            "can_manage": upload.can_manage,
            "upload": upload.form,
            "import_errors": upload.errors,
        },
        status=upload.status,
    )


@login_required
def travel_matrix(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    upload = _handle_upload(
        request,
        territory,
        form_class=TravelMatrixUploadForm,
        do_import=lambda data: services.travel_matrix_import(
            territory=territory, by=request.user, data=data["file"], source=data["source"]
        ),
        success=lambda count: (
            ngettext("%(count)s route imported.", "%(count)s routes imported.", count)
            % {"count": count}
        ),
        page="diagnostic:travel_matrix",
    )
    if upload.done:
        return upload.done
    return render(
        request,
        "diagnostic/travel_matrix.html",
        {
            "territory": territory,
            "summary": selectors.travel_matrix_summary(territory),
            "can_manage": upload.can_manage,
            "upload": upload.form,
            "import_errors": upload.errors,
            "example_place_id": place_open_data_id(territory.slug, 12),
            "example_csv": exports.travel_matrix_example_csv(territory),
        },
        status=upload.status,
    )


@login_required
@require_POST
def travel_matrix_clear(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage_diagnostic)
    services.travel_matrix_clear(territory=territory, by=request.user)
    messages.success(request, _("Matrix deleted: runs use great-circle distances."))
    return redirect("diagnostic:travel_matrix", territory=territory.slug)


@login_required
def travel_matrix_template(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    response = HttpResponse(
        exports.travel_matrix_template_csv(territory), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="routes-{territory.slug}.csv"'
    return response


@login_required
def population_squares(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_view_diagnostic)
    upload = _handle_upload(
        request,
        territory,
        form_class=PopulationSquaresUploadForm,
        do_import=lambda data: squares.population_squares_import(
            territory=territory, by=request.user, data=data["file"], source=data["source"]
        ),
        success=presenters.squares_imported_text,
        page="diagnostic:population_squares",
    )
    if upload.done:
        return upload.done
    summary = selectors.population_grid_summary(territory)
    context = {
        "territory": territory,
        "summary": summary,
        "can_manage": upload.can_manage,
        "upload": upload.form,
        "import_errors": upload.errors,
        "example_csv": exports.population_squares_example_csv(territory),
    }
    context.update(presenters.population_grid_context(summary))
    return render(request, "diagnostic/population_squares.html", context, status=upload.status)


@login_required
@require_POST
def population_squares_clear(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage_diagnostic)
    squares.population_squares_clear(territory=territory, by=request.user)
    messages.success(request, _("Population squares deleted: runs use the communes' centres."))
    return redirect("diagnostic:population_squares", territory=territory.slug)
