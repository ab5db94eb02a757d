"""Exports: an action plan in the URBACT Integrated Action Plan structure, and CSV tables.

The URBACT structure followed (sections of URBACT's IAP template, see docs/roadmap.md):
1. `context` — the plan, its territory, period and vision;
2. `overall_logic` — strategic objectives → expected results → the actions serving each;
3. `actions` — one sheet per action: description, actor in charge (lead), stakeholders and their
   role, target publics, timescale, funding (source, amount, status), success indicators;
4. `implementation_framework` — risks of each action (type, probability, impact, mitigation,
   owner) and the governance bodies that steer the plan;
5. `activity_log` — activities done, upcoming and future, with results, "keep" and "change".
Counts of participants below 5 are not shown (small-cell suppression); example data carries
`is_example: true`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy

from maillage.roadmap.models import (
    Action,
    ActionPlan,
    Body,
    IndicatorDefinition,
    InventoryEntry,
    Meeting,
)
from maillage.roadmap.selectors import action_queryset, indicator_progress, people_count
from maillage.web import spreadsheets

URBACT_VERSION = "urbact-iap-1"


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _action_sheet(action: Action) -> dict:
    return {
        "code": action.code,
        "title": action.title,
        "status": action.status,
        "expected_result": action.result.title if action.result_id else None,
        "description": action.description,
        "lead": action.lead.name if action.lead_id else None,
        "partners": [
            {
                "organisation": p.organisation.name,
                "role": p.role,
                "is_example": p.is_example,
            }
            for p in action.partners.all()
        ],
        "target_publics": action.target_publics,
        "start_date": _date(action.start_date),
        "end_date": _date(action.end_date),
        "calendar": action.calendar,
        "funding": [
            {
                "source": f.source,
                "amount": float(f.amount) if f.amount is not None else None,
                "status": f.status,
                "is_example": f.is_example,
            }
            for f in action.funding.all()
        ],
        "success_indicators": action.success_indicators,
        "indicators": [i.code for i in action.indicators.all()],
        "is_example": action.is_example,
        "source_note": action.source_note,
    }


def urbact_plan(plan: ActionPlan, *, governance: Iterable[Body] = ()) -> dict:
    """The plan as a dictionary in the URBACT Integrated Action Plan structure (JSON-ready)."""
    actions = list(action_queryset().filter(plan=plan))
    by_result: dict[int | None, list[Action]] = {}
    for action in actions:
        by_result.setdefault(action.result_id, []).append(action)
    objectives = [
        {
            "order": objective.order,
            "title": objective.title,
            "description": objective.description,
            "expected_results": [
                {
                    "order": result.order,
                    "title": result.title,
                    "actions": [a.code or a.title for a in by_result.get(result.pk, [])],
                }
                for result in objective.results.all()
            ],
        }
        for objective in plan.objectives.prefetch_related("results")
    ]
    return {
        "format": URBACT_VERSION,
        "context": {
            "title": plan.title,
            "territory": plan.territory.name,
            "framework": plan.framework,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "context": plan.context,
            "is_example": plan.is_example,
            "source_note": plan.source_note,
        },
        "overall_logic": {
            "strategic_objectives": objectives,
            "actions_without_expected_result": [a.code or a.title for a in by_result.get(None, [])],
        },
        "actions": [_action_sheet(a) for a in actions],
        "implementation_framework": {
            "risks": [
                {
                    "action": a.code or a.title,
                    "description": r.description,
                    "kind": r.kind,
                    "probability": r.probability,
                    "impact": r.impact,
                    "mitigation": r.mitigation,
                    "owner": r.owner,
                    "is_example": r.is_example,
                }
                for a in actions
                for r in a.risks.all()
            ],
            "governance": [
                {
                    "body": b.name,
                    "level": b.level,
                    "chair": b.chair,
                    "meetings_per_year": b.meetings_per_year,
                    "is_example": b.is_example,
                }
                for b in governance
            ],
        },
        "activity_log": [
            {
                "action": a.code or a.title,
                "date": _date(act.date),
                "state": act.state,
                "what": act.what,
                "participants": people_count(act.participants),
                "results": act.results,
                "keep": act.keep,
                "change": act.change,
                "is_example": act.is_example,
            }
            for a in actions
            for act in a.activities.all()
        ],
    }


# --- CSV -------------------------------------------------------------------------------------


def _actions_rows(territory, today):
    yield [
        "plan", "code", "title", "status", "lead", "partners", "target_publics", "start_date",
        "end_date", "calendar", "funding_total_eur", "success_indicators", "is_example",
    ]  # fmt: skip
    for a in action_queryset().filter(plan__territory=territory).order_by("plan__title", "code"):
        funding = [f.amount for f in a.funding.all() if f.amount is not None]
        yield [
            a.plan.title,
            a.code,
            a.title,
            a.status,
            a.lead.name if a.lead_id else "",
            "; ".join(f"{p.organisation.name} ({p.role})" for p in a.partners.all()),
            a.target_publics,
            _date(a.start_date) or "",
            _date(a.end_date) or "",
            a.calendar,
            f"{sum(funding):.2f}" if funding else "",
            a.success_indicators,
            a.is_example or any(f.is_example for f in a.funding.all()),
        ]


def _indicators_rows(territory, today):
    yield [
        "code", "name", "unit", "scope", "programme", "source", "computed_key", "target",
        "target_year", "current", "current_date", "percent_of_target", "is_example",
    ]  # fmt: skip
    for indicator in IndicatorDefinition.objects.filter(territory=territory).prefetch_related(
        "targets", "values"
    ):
        p = indicator_progress(indicator, on=today)
        yield [
            indicator.code,
            indicator.name,
            indicator.unit,
            indicator.scope,
            indicator.programme,
            indicator.source,
            indicator.computed_key,
            "" if p.target is None else p.target,
            p.target_year or "",
            "" if p.current is None else p.current,
            _date(p.current_date) or "",
            "" if p.ratio is None else f"{p.ratio:.1f}",
            p.is_example,
        ]


def _meetings_rows(territory, today):
    yield ["body", "date", "place", "agenda", "decisions", "is_example"]
    for m in (
        Meeting.objects.filter(body__territory=territory)
        .select_related("body")
        .prefetch_related("decisions")
    ):
        yield [
            m.body.name,
            m.date.isoformat(),
            m.place,
            m.agenda,
            " | ".join(d.text for d in m.decisions.all()),
            m.is_example,
        ]


def _inventory_rows(territory, today):
    yield ["organisation", "carrier", "title", "audience", "category", "commune", "is_example"]
    for e in InventoryEntry.objects.filter(territory=territory).select_related(
        "organisation", "area"
    ):
        yield [
            e.organisation.name,
            e.carrier,
            e.title,
            e.audience,
            e.category,
            e.area.name if e.area_id else "",
            e.is_example,
        ]


def _ical_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def meetings_ical(meetings: Iterable[Meeting], *, host: str, example_label: str) -> str:
    """The meetings as an iCalendar file (RFC 5545), one all-day event each, so that a
    coordinator can subscribe to the calendar or import it. Example meetings say so."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Maillage//roadmap//FR"]
    for m in meetings:
        summary = m.body.name + (f" ({example_label})" if m.is_example else "")
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{m.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{m.date.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(m.date + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_ical_text(summary)}",
            f"LOCATION:{_ical_text(m.place)}",
            f"DESCRIPTION:{_ical_text(m.agenda)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


CSV_EXPORTS: dict[str, Callable] = {
    "actions": _actions_rows,
    "indicators": _indicators_rows,
    "meetings": _meetings_rows,
    "inventory": _inventory_rows,
}
CSV_LABELS = {
    "actions": gettext_lazy("Actions"),
    "indicators": gettext_lazy("Indicators"),
    "meetings": gettext_lazy("Meetings"),
    "inventory": gettext_lazy("Inventory of actions"),
}


def _cell(value):
    if value is True or value is False:
        return "true" if value else "false"
    return value


def csv_text(kind: str, *, territory, today: dt.date) -> str:
    """One of `CSV_EXPORTS` as UTF-8 CSV text (booleans as true/false; text that a spreadsheet
    would run as a formula is neutralised)."""
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    for row in CSV_EXPORTS[kind](territory, today):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
