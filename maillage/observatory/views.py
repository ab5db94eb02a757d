"""Observatory pages: the public panorama of a published run, and the coordinator's workspace.

Views validate input with a form and call one selector or service; `presenters` shapes figures.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis.estimation import Estimate as AnalysisEstimate
from analysis.estimation import domain_difference, wave_difference
from maillage.core import uploads
from maillage.core.forms import follows
from maillage.core.lookup import territory_for
from maillage.observatory import permissions, presenters, selectors, services
from maillage.observatory.forms import (
    CompareForm,
    ImportForm,
    IndicatorChoiceForm,
    MarginsForm,
    RunChoiceForm,
    RunForm,
    RunStatusForm,
    WaveForm,
)
from maillage.observatory.grid import evaluate, load_grid, localised
from maillage.observatory.models import ImportReport, Wave, WeightingRun
from maillage.territories.models import Territory

#: Seconds between two refreshes of an import's page while it is queued or running.
REFRESH_SECONDS = 3


def _run(request, territory: Territory) -> WeightingRun | None:
    """The run a page shows: `?run=<id>` (a draft only for coordinators) or the latest
    published one."""
    form = RunChoiceForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form.errors.as_text())
    run_id = form.cleaned_data["run"]
    if run_id:
        run = get_object_or_404(selectors.runs(territory).select_related("wave__grid"), pk=run_id)
        if not permissions.can_view_run(request.user, run):
            raise Http404
        return run
    return selectors.latest_published_run(territory)


def _context(request, territory: Territory, run: WeightingRun | None) -> dict:
    context = {
        "territory": territory,
        "run": run,
        "perms_manage": permissions.can_manage(request.user, territory),
    }
    if run is not None:
        grid = selectors.wave_grid(run.wave)
        context.update(
            {
                "grid": grid,
                "labels": presenters.domain_labels(grid, territory.areas.all()),
                "population": localised(grid.population),
                "run_query": f"?run={run.pk}"
                if run.status != WeightingRun.Status.PUBLISHED
                else "",
            }
        )
    return context


def panorama(request, territory):
    territory = territory_for(request, territory)
    run = _run(request, territory)
    context = _context(request, territory, run)
    if run is None:
        return render(request, "observatory/panorama.html", context)
    grid = context["grid"]
    form = IndicatorChoiceForm(
        request.GET if "indicator" in request.GET else {"indicator": "been_to_place"}, grid=grid
    )
    chosen = form.cleaned_data["indicator"] if form.is_valid() else grid.indicators[0].code
    estimates = list(
        selectors.run_estimates(run).filter(indicator__in=[i.code for i in grid.indicators])
    )
    figures = presenters.figures(estimates, grid, context["labels"])
    territory_figures = [f for f in figures if f.domain_kind == "territory"]
    axes = []
    for axis in ("equipment", "connection", "usages", "feelings"):
        items = [f for f in territory_figures if grid.indicator(f.indicator).axis == axis]
        if items:
            title = grid.axis_label(axis)
            axes.append(
                {
                    "title": title,
                    "figures": items,
                    "chart": presenters.bar_chart(items, title=title),
                }
            )
    indicator = grid.indicator(chosen)
    communes = sorted(
        (f for f in figures if f.domain_kind == "commune" and f.indicator == chosen),
        key=lambda f: f.domain_label,
    )
    areas = list(territory.areas.order_by("name"))
    map_title = _("%(indicator)s, by commune") % {"indicator": indicator.text}
    subgroups = []
    for subgroup in grid.subgroups:
        items = [f for f in figures if f.domain_kind == subgroup.code and f.indicator == chosen]
        # The group comes first: chart ids are made from the start of the title.
        title = _("By %(subgroup)s: %(indicator)s") % {
            "indicator": indicator.text,
            "subgroup": subgroup.text.lower(),
        }
        subgroups.append(
            {
                "title": title,
                "figures": items,
                "chart": presenters.bar_chart(items, title=title, by="domain_label"),
            }
        )
    context.update(
        {
            "form": form,
            "indicator": indicator,
            "axes": axes,
            "communes": communes,
            "map": presenters.commune_map(communes, areas, title=map_title),
            "map_title": map_title,
            "subgroups": subgroups,
        }
    )
    return render(request, "observatory/panorama.html", context)


def commune(request, territory, code):
    territory = territory_for(request, territory)
    area = get_object_or_404(territory.areas, code=code)
    run = _run(request, territory)
    if run is None:
        raise Http404
    context = _context(request, territory, run)
    grid = context["grid"]
    estimates = selectors.run_estimates(run).filter(
        domain_kind__in=("territory", "commune"), domain_code__in=("", area.code)
    )
    figures = presenters.figures(estimates, grid, context["labels"])
    whole = {f.indicator: f for f in figures if f.domain_kind == "territory"}
    local = [f for f in figures if f.domain_kind == "commune"]
    title = _("Indicators in %(commune)s") % {"commune": area.name}
    context.update(
        {
            "area": area,
            "rows": [(f, whole.get(f.indicator)) for f in local],
            "chart": presenters.bar_chart(local, title=title),
            "chart_title": title,
            "small": any(f.small_sample for f in local),
        }
    )
    return render(request, "observatory/commune.html", context)


def methodology(request, territory):
    territory = territory_for(request, territory)
    run = _run(request, territory)
    if run is None:
        raise Http404
    context = _context(request, territory, run)
    sizes = run.diagnostics.get("respondents_by_commune", {})
    names = {a.code: a.name for a in territory.areas.all()}
    context.update(
        {
            "sizes": sorted(
                ((names.get(code, code), n) for code, n in sizes.items()), key=lambda r: r[0]
            ),
            "d": run.diagnostics,
            "respondents": sum(sizes.values()),
        }
    )
    return render(request, "observatory/methodology.html", context)


def estimates_csv(request, territory):
    territory = territory_for(request, territory)
    run = _run(request, territory)
    if run is None:
        raise Http404
    grid = selectors.wave_grid(run.wave)
    labels = presenters.domain_labels(grid, territory.areas.all())
    body = presenters.estimates_csv(
        run, presenters.figures(selectors.run_estimates(run), grid, labels)
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    suffix = "-synthetic" if run.wave.is_synthetic else ""
    response["Content-Disposition"] = (
        f'attachment; filename="observatory-{territory.slug}-run{run.pk}{suffix}.csv"'
    )
    return response


def compare(request, territory):
    territory = territory_for(request, territory)
    run = _run(request, territory)
    if run is None:
        raise Http404
    context = _context(request, territory, run)
    grid = context["grid"]
    areas = list(territory.areas.order_by("name"))
    # The page opens with an empty form; once a choice is sent, the form checks all three.
    chosen = not request.GET.keys().isdisjoint(CompareForm.base_fields)
    form = CompareForm(
        request.GET if chosen else None,
        grid=grid,
        communes=areas,
    )
    result = None
    if form.is_bound and form.is_valid():
        result = _commune_difference(run, grid, form.cleaned_data)
    context.update({"form": form, "result": result, "waves": _wave_differences(run, grid)})
    return render(request, "observatory/compare.html", context)


def _commune_difference(run: WeightingRun, grid, data: dict) -> dict:
    arrays, outcome = selectors.run_outcome(run)
    indicator = grid.indicator(data["indicator"])
    y = evaluate(indicator.when, arrays.answers)
    difference = domain_difference(
        y,
        outcome.weights,
        first=arrays.communes == data["first"],
        second=arrays.communes == data["second"],
        strata=arrays.communes,
        calibration=outcome.calibration,
    )
    names = {a.code: a.name for a in run.wave.territory.areas.all()}
    return {
        "indicator": indicator,
        "first": names[data["first"]],
        "second": names[data["second"]],
        "d": difference,
        "points": None if difference.suppressed else 100 * difference.difference,
        "lower": None if difference.suppressed else 100 * difference.lower,
        "upper": None if difference.suppressed else 100 * difference.upper,
    }


def _wave_differences(run: WeightingRun, grid) -> list[dict]:
    """Territory figures of this run against the latest published run of each other wave."""
    out = []
    others = selectors.published_runs(run.wave.territory).exclude(wave=run.wave)
    mine = {e.indicator: e for e in selectors.run_estimates(run, domain_kind="territory")}
    for other in others:
        if other.wave.grid.grid_version != run.wave.grid.grid_version:
            continue
        for e in selectors.run_estimates(other, domain_kind="territory"):
            if e.indicator not in mine or e.suppressed or mine[e.indicator].suppressed:
                continue
            d = wave_difference(_as_analysis(mine[e.indicator]), _as_analysis(e))
            out.append(
                {
                    "wave": other.wave,
                    "label": grid.indicator(e.indicator).text,
                    "points": 100 * d.difference,
                    "lower": 100 * d.lower,
                    "upper": 100 * d.upper,
                    "p_value": d.p_value,
                }
            )
    return out


def _as_analysis(e) -> AnalysisEstimate:
    return AnalysisEstimate(
        e.estimate, e.standard_error, e.lower, e.upper, e.n, e.df, 0.95, e.small_sample, False
    )


def grid_page(request, territory):
    territory = territory_for(request, territory)
    adoption = territory.observatory_grids.order_by("-adopted_at").first()
    grid = load_grid(adoption.grid_version if adoption else "1")
    if adoption:
        grid = grid.with_extra_questions(adoption.extra_questions)
    axes = [
        {"title": grid.axis_label(code), "questions": [q for q in grid.questions if q.axis == code]}
        for code in grid.axes
    ]
    return render(
        request,
        "observatory/grid.html",
        {"territory": territory, "grid": grid, "axes": axes, "adoption": adoption},
    )


# --- Coordinators -------------------------------------------------------------------------


@login_required
def manage(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    return render(
        request,
        "observatory/manage.html",
        {
            "territory": territory,
            "waves": selectors.waves(territory),
            "runs": selectors.runs(territory).order_by("-created_at"),
            "margin_sets": territory.observatory_margins.order_by("name"),
            "reports": ImportReport.objects.filter(wave__territory=territory)[:20],
        },
    )


@login_required
def wave_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    form = WaveForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        services.wave_start(
            territory=territory, grid_version="1", by=request.user, **form.cleaned_data
        )
        messages.success(request, _("The wave was created."))
        return redirect("observatory:manage", territory=territory.slug)
    return render(
        request,
        "observatory/form.html",
        {"territory": territory, "form": form, "title": _("New survey wave"), "multipart": False},
    )


@login_required
def wave_import(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    wave = get_object_or_404(Wave, pk=pk, territory=territory)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.responses_import_queue(
                wave=wave,
                data=uploads.read_upload(upload),
                filename=upload.name,
                codebook=form.cleaned_data["codebook"],
                import_valid_rows=form.cleaned_data["import_valid_rows"],
                by=request.user,
            )
        except uploads.UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            return redirect("observatory:report", territory=territory.slug, pk=report.pk)
    title = _("Import responses into %(wave)s") % {"wave": wave.name}
    return render(
        request,
        "observatory/form.html",
        {"territory": territory, "form": form, "title": title, "multipart": True},
    )


@login_required
def report(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    report = get_object_or_404(ImportReport, pk=pk, wave__territory=territory)
    return render(
        request,
        "observatory/report.html",
        {
            "territory": territory,
            "report": report,
            "refresh_seconds": REFRESH_SECONDS,
            "follow": follows(request),
            "errors": [p for p in report.problems if p["severity"] == "error"],
            "warnings": [p for p in report.problems if p["severity"] != "error"],
        },
    )


@login_required
def report_csv(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    report = get_object_or_404(ImportReport, pk=pk, wave__territory=territory)
    response = HttpResponse(
        presenters.report_csv(report.problems), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-report-{report.pk}.csv"'
    return response


@login_required
def margins_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    form = MarginsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.margin_set_create(
                territory=territory,
                name=form.cleaned_data["name"],
                margins=services.margins_from_csv(uploads.read_upload(form.cleaned_data["file"])),
                source=form.cleaned_data["source"],
                is_assumed=form.cleaned_data["is_assumed"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        except uploads.UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("The margins were saved."))
            return redirect("observatory:manage", territory=territory.slug)
    return render(
        request,
        "observatory/form.html",
        {
            "territory": territory,
            "form": form,
            "title": _("Load population margins"),
            "multipart": True,
        },
    )


@login_required
def run_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    form = RunForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.weighting_run_queue(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("observatory:run_progress", territory=territory.slug, pk=run.pk)
    return render(
        request,
        "observatory/form.html",
        {"territory": territory, "form": form, "title": _("Run the weighting"), "multipart": False},
    )


def _url(name: str, territory: Territory) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"territory": territory.slug})


@login_required
def run_progress(request, territory, pk):
    """A queued or running weighting, refreshing itself; then the run's methodology page."""
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    run = get_object_or_404(WeightingRun, pk=pk, wave__territory=territory)
    if run.status in WeightingRun.COMPUTED:
        messages.success(request, _("The weighting was run. Check it, then publish it."))
        return redirect(f"{_url('observatory:methodology', territory)}?run={run.pk}")
    return render(
        request,
        "observatory/run_progress.html",
        {
            "territory": territory,
            "run": run,
            "refresh_seconds": REFRESH_SECONDS,
            "follow": follows(request),
        },
    )


@login_required
@require_POST
def run_status(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    run = get_object_or_404(WeightingRun, pk=pk, wave__territory=territory)
    form = RunStatusForm(request.POST)
    if not form.is_valid():  # the buttons send known statuses: this request was made by hand
        raise BadRequest(form.errors.as_text())
    try:
        if form.cleaned_data["status"] == WeightingRun.Status.PUBLISHED:
            services.weighting_run_publish(run=run, by=request.user)
            messages.success(request, _("The run is published."))
        else:
            services.weighting_run_unpublish(run=run, by=request.user)
            messages.success(request, _("The run is back to draft."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("observatory:manage", territory=territory.slug)
