"""The annual report (HTML and PDF), the URBACT export and the CSV exports of the demo."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from maillage.roadmap import exports, selectors
from maillage.roadmap.models import (
    Action,
    ActionPartner,
    ActionPlan,
    Activity,
    ExpectedResult,
    FundingLine,
    Risk,
    StrategicObjective,
)
from tests.factories import SYSTEM

SECTIONS = (
    "1. Gouvernance",
    "2. Actions et leur avancement",
    "3. Indicateurs",
    "4. Inventaire",
)


@pytest.fixture
def coordinator_client(client, demo_territory):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="coordination"))
    return client


def test_demo_pdf_report_renders_with_its_sections(coordinator_client, demo_territory):
    import pypdfium2 as pdfium

    url = reverse("roadmap:report_pdf", kwargs={"territory": demo_territory.slug, "year": 2025})
    response = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pdfium.PdfDocument(io.BytesIO(response.content))
    text = ""
    try:
        assert len(pdf) >= 2
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=0.5).to_pil()  # the page turns into an image
            assert image.width > 100 and image.height > 100
            low, high = image.convert("L").getextrema()
            assert high - low > 100  # ink on paper: not a blank page
            textpage = page.get_textpage()
            text += textpage.get_text_range() + "\n"
            textpage.close()
            page.close()
    finally:
        pdf.close()
    for section in SECTIONS:
        assert section in text, section
    assert "Comité stratégique" in text
    assert "ALADDIN" in text
    assert "Donnée d'exemple" in text or "Données d'exemple" in text


def test_computed_indicator_flows_into_the_report_without_manual_entry(
    coordinator_client, demo_territory
):
    from maillage.directory.models import Place
    from maillage.roadmap.models import IndicatorDefinition

    indicator = IndicatorDefinition.objects.get(territory=demo_territory, code="lieux-publies")
    assert indicator.source == "computed" and not indicator.values.exists()
    published = Place.objects.filter(territory=demo_territory, status="published").count()
    assert published > 5
    report = selectors.annual_report(demo_territory, year=2025, today=dt.date(2026, 1, 15))
    progress = next(p for p in report.indicators if p.indicator.pk == indicator.pk)
    assert progress.current == published
    url = reverse("roadmap:report", kwargs={"territory": demo_territory.slug, "year": 2025})
    html = coordinator_client.get(url).content.decode()
    assert "Lieux publiés dans l&#x27;annuaire" in html or "Lieux publiés dans l'annuaire" in html
    # One more place is published: the report follows, nobody typed anything.
    place = Place.objects.filter(territory=demo_territory).first()
    from tests import factories

    factories.place(place.organisation, place.area, name="Nouveau lieu")
    again = selectors.annual_report(demo_territory, year=2025, today=dt.date(2026, 1, 15))
    assert next(p for p in again.indicators if p.indicator.pk == indicator.pk).current == (
        published + 1
    )


def _model_fields(model, skip=()):
    return {f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip}


def _keys(value, found=None):
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def test_urbact_export_contains_every_field_of_the_action_plan(world):
    from maillage.roadmap import services

    plan = world["plan"]
    objective = services.objective_add(
        plan=plan, title="Objectif", description="Pourquoi", by=SYSTEM
    )
    result = services.expected_result_add(objective=objective, title="Résultat", by=SYSTEM)
    action = services.action_create(
        plan=plan,
        title="Action",
        status="planned",
        lead=world["own"],
        result=result,
        code="A1",
        by=SYSTEM,
    )
    services.action_partner_add(
        action=action, organisation=world["partner_org"], role="co_funder", by=SYSTEM
    )
    services.funding_line_add(action=action, source="FSE", status="granted", amount=1000, by=SYSTEM)
    services.risk_add(
        action=action,
        description="R",
        kind="financial",
        probability="low",
        impact="high",
        by=SYSTEM,
    )
    services.activity_add(
        action=action,
        what="Atelier",
        state="done",
        date=dt.date(2025, 2, 1),
        participants=12,
        by=SYSTEM,
    )
    data = exports.urbact_plan(plan)
    keys = _keys(data)
    parent = {"plan", "objective", "action", "territory", "created_by", "updated_at"}
    expected = {
        "plan": _model_fields(ActionPlan, {"territory"}),
        "objective": _model_fields(StrategicObjective, {"plan"}),
        "result": _model_fields(ExpectedResult, {"objective"}),
        "action": _model_fields(Action, parent) | {"indicators"},
        "partner": _model_fields(ActionPartner, {"action"}),
        "funding": _model_fields(FundingLine, {"action"}),
        "risk": _model_fields(Risk, {"action"}) - {"kind"} | {"kind"},
        "activity": _model_fields(Activity, parent),
    }
    # Fields exported under a clearer URBACT name.
    renamed = {"result": "expected_result", "lead": "lead", "framework": "framework"}
    for entity, fields in expected.items():
        missing = {f for f in fields if renamed.get(f, f) not in keys}
        assert not missing, f"{entity}: {missing}"
    sheet = next(a for a in data["actions"] if a["code"] == "A1")
    assert sheet["lead"] == "Own" and sheet["expected_result"] == "Résultat"
    assert sheet["funding"][0]["amount"] == 1000.0
    assert data["overall_logic"]["strategic_objectives"][0]["expected_results"][0]["actions"] == [
        "A1"
    ]
    assert data["activity_log"][-1]["participants"] == 12
    json.dumps(data)  # serialisable as is


def test_urbact_export_hides_counts_below_five(world):
    from maillage.roadmap import services

    services.activity_add(
        action=world["led"], what="Petit groupe", state="done", date=dt.date(2025, 1, 1),
        participants=3, by=SYSTEM
    )  # fmt: skip
    log = exports.urbact_plan(world["plan"])["activity_log"]
    assert log[0]["participants"] is None


@pytest.mark.parametrize("kind", sorted(exports.CSV_EXPORTS))
def test_csv_exports_carry_the_example_flag(coordinator_client, demo_territory, kind):
    url = reverse("roadmap:export_csv", kwargs={"territory": demo_territory.slug, "kind": kind})
    response = coordinator_client.get(url)
    assert response.status_code == 200
    header, *rows = response.content.decode().splitlines()
    assert "is_example" in header
    assert rows


def test_demo_pages_render(coordinator_client, demo_territory):
    from maillage.roadmap.models import Body, Meeting

    slug = demo_territory.slug
    plan = ActionPlan.objects.get(territory=demo_territory)
    action = plan.actions.get(code="1")
    body = Body.objects.get(territory=demo_territory, name="Comité stratégique")
    meeting = Meeting.objects.filter(body=body).first()
    for name, kwargs in [
        ("roadmap:home", {}),
        ("roadmap:body", {"pk": body.pk}),
        ("roadmap:meeting", {"pk": meeting.pk}),
        ("roadmap:calendar", {}),
        ("roadmap:plan", {"pk": plan.pk}),
        ("roadmap:plan_urbact", {"pk": plan.pk}),
        ("roadmap:action", {"pk": action.pk}),
        ("roadmap:action_edit", {"pk": action.pk}),
        ("roadmap:activity_new", {"pk": action.pk}),
        ("roadmap:indicators", {}),
        ("roadmap:inventory", {}),
        ("roadmap:inventory_new", {}),
        ("roadmap:report", {"year": 2025}),
        ("roadmap:decision_new", {"pk": meeting.pk}),
        ("roadmap:meeting_new", {"pk": body.pk}),
    ]:
        response = coordinator_client.get(reverse(name, kwargs={"territory": slug, **kwargs}))
        assert response.status_code == 200, name
    html = coordinator_client.get(
        reverse("roadmap:meeting", kwargs={"territory": slug, "pk": meeting.pk})
    ).content.decode()
    assert "badge example" in html


def test_calendar_file_lists_the_meetings_and_flags_examples(coordinator_client, demo_territory):
    from maillage.roadmap.models import Meeting

    url = reverse("roadmap:calendar_ical", kwargs={"territory": demo_territory.slug})
    response = coordinator_client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == Meeting.objects.count()
    summary = next(line for line in text.splitlines() if "Comité stratégique" in line)
    assert "exemple" in summary  # example meetings say so in their title
    assert "DTSTART;VALUE=DATE:20250619" in text


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_exports_neutralise_spreadsheet_formulas(territory, start):
    from maillage.roadmap import services

    plan = services.action_plan_create(
        territory=territory, title="Plan", start_year=2024, end_year=2027, by=SYSTEM
    )
    services.action_create(
        plan=plan,
        title=f'{start}HYPERLINK("http://x","clic")',
        status=Action.Status.PLANNED,
        by=SYSTEM,
    )
    text = exports.csv_text("actions", territory=territory, today=dt.date(2026, 11, 23))
    assert f"'{start}HYPERLINK" in text
    assert f",{start}HYPERLINK" not in text and f'"{start}HYPERLINK' not in text
