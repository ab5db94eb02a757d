"""The forms that build a plan and a body, end to end, and who reaches them."""

import pytest
from django.urls import reverse

from maillage.roadmap.models import (
    Action,
    ActionPlan,
    Attendance,
    Body,
    ExpectedResult,
    IndicatorDefinition,
    Meeting,
    StrategicObjective,
)


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"territory": world["territory"].slug, **kwargs})


def test_coordinator_builds_a_plan_with_the_forms(client, world):
    client.force_login(world["users"]["coordinator"])
    response = client.post(
        _url("roadmap:plan_new", world),
        {"title": "Plan URBACT", "framework": "urbact", "start_year": 2023, "end_year": 2026},
    )
    assert response.status_code == 302
    plan = ActionPlan.objects.get(title="Plan URBACT")
    client.post(_url("roadmap:objective_new", world, pk=plan.pk), {"title": "Objectif 1"})
    objective = StrategicObjective.objects.get(plan=plan)
    client.post(_url("roadmap:result_new", world, pk=objective.pk), {"title": "Résultat 1"})
    result = ExpectedResult.objects.get(objective=objective)
    response = client.post(
        _url("roadmap:action_new", world, pk=plan.pk),
        {
            "code": "1.1",
            "title": "Ateliers",
            "result": result.pk,
            "lead": world["own"].pk,
            "status": "idea",
            "description": "Des ateliers",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = Action.objects.get(plan=plan)
    assert action.result == result and action.lead == world["own"]
    client.post(
        _url("roadmap:partner_new", world, pk=action.pk),
        {"organisation": world["partner_org"].pk, "role": "co_funder"},
    )
    client.post(
        _url("roadmap:funding_new", world, pk=action.pk),
        {"source": "FEDER", "amount": "15000", "status": "requested"},
    )
    client.post(
        _url("roadmap:risk_new", world, pk=action.pk),
        {
            "description": "Peu de participants",
            "kind": "public",
            "probability": "medium",
            "impact": "high",
        },
    )
    client.post(
        _url("roadmap:activity_new", world, pk=action.pk),
        {"state": "done", "date": "2025-03-01", "what": "Atelier 1", "participants": "8"},
    )
    assert action.partners.get().role == "co_funder"
    assert action.funding.get().amount == 15000
    assert action.risks.get().impact == "high"
    assert action.activities.get().participants == 8


def test_coordinator_builds_a_body_and_records_attendance(client, world):
    client.force_login(world["users"]["coordinator"])
    client.post(
        _url("roadmap:body_new", world),
        {"name": "Comité", "level": "strategic", "meetings_per_year": "1"},
    )
    body = Body.objects.get(name="Comité")
    response = client.post(_url("roadmap:body_member_new", world, pk=body.pk), {"role": "member"})
    assert response.status_code == 200  # neither an organisation nor a name
    assert "Choisissez une organisation" in response.content.decode() or "Choose an" in (
        response.content.decode()
    )
    client.post(
        _url("roadmap:body_member_new", world, pk=body.pk),
        {"name": "L'État", "role": "member", "seats": "1", "must_be_invited": "on"},
    )
    member = body.members.get()
    client.post(_url("roadmap:meeting_new", world, pk=body.pk), {"date": "2025-06-01"})
    meeting = Meeting.objects.get(body=body)
    client.post(
        _url("roadmap:attendance", world, pk=meeting.pk), {f"member-{member.pk}": "present"}
    )
    assert Attendance.objects.get(meeting=meeting).status == "present"
    client.post(
        _url("roadmap:decision_new", world, pk=meeting.pk),
        {
            "text": "Lancer l'action",
            "follow_up": "Écrire aux structures",
            "action": world["led"].pk,
        },
    )
    follow_up = meeting.decisions.get().follow_ups.get()
    assert follow_up.action == world["led"]


def test_coordinator_defines_a_computed_indicator_with_a_target(client, world):
    client.force_login(world["users"]["coordinator"])
    response = client.post(
        _url("roadmap:indicator_new", world),
        {
            "code": "lieux",
            "name": "Lieux publiés",
            "unit": "lieux",
            "scope": "local",
            "direction": "up",
            "computed_key": "directory.published_places",
            "target": "100",
            "target_year": "2027",
        },
    )
    assert response.status_code == 302
    indicator = IndicatorDefinition.objects.get(code="lieux")
    assert indicator.source == "computed" and indicator.targets.get().year == 2027
    # Its values are never typed.
    url = _url("roadmap:indicator_value_new", world, pk=indicator.pk)
    assert client.get(url).status_code == 404


MANAGE = ["body_new", "plan_new", "indicator_new"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", 200),
        ("structure", 403),
        ("prescriber", 403),
        ("partner", 403),
        ("coordinator_elsewhere", 403),
        ("no_role", 403),
        ("anonymous", 302),
    ],
)
def test_management_pages_matrix(client, world, who, expected):
    if world["users"][who] is not None:
        client.force_login(world["users"][who])
    for name in MANAGE:
        assert client.get(_url(f"roadmap:{name}", world)).status_code == expected, name
    for name in ("objective_new", "action_new"):
        url = _url(f"roadmap:{name}", world, pk=world["plan"].pk)
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize(
    ("who", "which", "funding_and_risks", "partners"),
    [
        ("coordinator", "led", 200, 200),
        ("structure", "led", 200, 403),  # their action: its funding and risks, not its team
        ("structure", "foreign", 403, 403),
        ("structure_partner", "partnered", 200, 403),
        ("partner", "led", 403, 403),
    ],
)
def test_action_parts_matrix(client, world, who, which, funding_and_risks, partners):
    client.force_login(world["users"][who])
    pk = world[which].pk
    for name in ("funding_new", "risk_new"):
        assert client.get(_url(f"roadmap:{name}", world, pk=pk)).status_code == funding_and_risks
    assert client.get(_url("roadmap:partner_new", world, pk=pk)).status_code == partners


def test_an_unknown_attendance_answer_is_a_form_error_and_nothing_is_saved(client, world):
    import datetime as dt

    from maillage.roadmap import services
    from tests.factories import SYSTEM

    body = services.body_create(
        territory=world["territory"],
        name="Comité",
        level="strategic",
        meetings_per_year=2,
        by=SYSTEM,
    )
    first = services.body_member_add(body=body, name="L'État", by=SYSTEM)
    second = services.body_member_add(body=body, name="La Région", by=SYSTEM)
    meeting = services.meeting_create(body=body, date=dt.date(2025, 6, 1), by=SYSTEM)
    client.force_login(world["users"]["coordinator"])
    url = _url("roadmap:attendance", world, pk=meeting.pk)
    response = client.post(url, {f"member-{first.pk}": "present", f"member-{second.pk}": "late"})
    assert response.status_code == 200
    assert f'href="#member-{second.pk}"' in response.content.decode()
    assert f'href="#member-{first.pk}"' not in response.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(url, {f"member-{first.pk}": "present"})
    assert response.status_code == 302
    assert [(a.member_id, a.status) for a in Attendance.objects.all()] == [(first.pk, "present")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", 200), ("?year=2031", 200), ("?year=abc", 400), ("?year=1999", 400), ("?year=", 200)],
)
def test_the_calendar_reads_its_year_through_a_form(client, world, query, expected):
    client.force_login(world["users"]["coordinator"])
    response = client.get(_url("roadmap:calendar", world) + query)
    assert response.status_code == expected
    if query == "?year=2031":
        assert response.context["year"] == 2031
