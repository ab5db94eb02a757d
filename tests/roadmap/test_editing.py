"""Edit and delete every record the roadmap's forms add: the change shows on its page, the
confirmation page says what a deletion also deletes (and it is what goes), bad input writes
nothing, and the permission matrix is the one of the add forms."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from maillage.roadmap import editing, services
from maillage.roadmap.models import (
    Action,
    ActionPartner,
    Activity,
    Attendance,
    Body,
    BodyMember,
    FundingLine,
    InventoryEntry,
)
from tests.factories import SYSTEM


@pytest.fixture
def records(world, bordeaux):
    """One record of every kind, in the world's territory."""
    territory, plan, led = world["territory"], world["plan"], world["led"]
    body = services.body_create(
        territory=territory,
        name="Comité",
        level=Body.Level.STRATEGIC,
        meetings_per_year=2,
        by=SYSTEM,
    )
    member = services.body_member_add(body=body, organisation=world["own"], by=SYSTEM)
    services.body_member_add(body=body, name="Les maires", seats=28, by=SYSTEM)
    meeting = services.meeting_create(
        body=body, date=dt.date(2025, 6, 1), place="Mairie", by=SYSTEM
    )
    (attendance,) = services.attendance_record(
        meeting=meeting, statuses={member.pk: Attendance.Status.PRESENT}, by=SYSTEM
    )
    decision = services.decision_add(
        meeting=meeting, text="Lancer l'appel", is_example=True, by=SYSTEM
    )
    follow_up = services.follow_up_add(
        decision=decision, description="Écrire", action=led, by=SYSTEM
    )
    objective = services.objective_add(plan=plan, title="Objectif A", by=SYSTEM)
    result = services.expected_result_add(objective=objective, title="Résultat A", by=SYSTEM)
    action = services.action_create(
        plan=plan,
        title="Ateliers",
        status=Action.Status.PLANNED,
        result=result,
        lead=world["own"],
        by=SYSTEM,
    )
    partner = services.action_partner_add(
        action=action,
        organisation=world["partner_org"],
        role=ActionPartner.Role.CO_FUNDER,
        by=SYSTEM,
    )
    funding = services.funding_line_add(
        action=action, source="FEDER", status=FundingLine.Status.REQUESTED, by=SYSTEM
    )
    risk = services.risk_add(
        action=action,
        description="Peu de public",
        kind="public",
        probability="low",
        impact="high",
        by=SYSTEM,
    )
    activity = services.activity_add(
        action=action,
        what="Atelier 1",
        state=Activity.State.DONE,
        date=dt.date(2025, 3, 1),
        by=SYSTEM,
    )
    services.follow_up_add(decision=decision, description="Suivre", action=action, by=SYSTEM)
    foreign = world["foreign"]
    foreign_parts = {
        "foreign_funding": services.funding_line_add(
            action=foreign, source="État", status="granted", by=SYSTEM
        ),
        "foreign_risk": services.risk_add(
            action=foreign,
            description="Retard",
            kind="legal",
            probability="low",
            impact="low",
            by=SYSTEM,
        ),
        "foreign_activity": services.activity_add(
            action=foreign, what="Réunion", state="future", by=SYSTEM
        ),
    }
    indicator = services.indicator_define(
        territory=territory,
        code="ppl",
        name="Personnes",
        unit="personnes",
        scope="local",
        by=SYSTEM,
    )
    target = services.indicator_target_set(indicator=indicator, value=300, year=2027, by=SYSTEM)
    value = services.indicator_value_record(
        indicator=indicator, date=dt.date(2025, 1, 1), value=40, by=SYSTEM
    )
    entry = services.inventory_entry_submit(
        territory=territory,
        organisation=world["own"],
        title="Café numérique",
        audience=InventoryEntry.Audience.PUBLIC,
        category=InventoryEntry.Category.TRAINING,
        area=bordeaux,
        by=SYSTEM,
    )
    other_entry = services.inventory_entry_submit(
        territory=territory,
        organisation=world["partner_org"],
        title="Permanence",
        audience=InventoryEntry.Audience.PUBLIC,
        category=InventoryEntry.Category.RIGHTS,
        by=SYSTEM,
    )
    return {
        "body": body,
        "member": member,
        "meeting": meeting,
        "attendance": attendance,
        "decision": decision,
        "follow_up": follow_up,
        "plan": plan,
        "objective": objective,
        "result": result,
        "action": action,
        "partner": partner,
        "funding": funding,
        "risk": risk,
        "activity": activity,
        "indicator": indicator,
        "target": target,
        "value": value,
        "inventory": entry,
        "other_entry": other_entry,
        **foreign_parts,
    }


# For each kind: the form's data, the field it changes and the text then shown on its page.
EDITS = {
    "body": (
        {"name": "Comité stratégique", "level": "strategic", "meetings_per_year": "1"},
        "name",
        "Comité stratégique",
    ),
    "member": (
        {"role": "chair", "college": "Élus"},
        "college",
        "Élus",
    ),
    "meeting": ({"date": "2025-06-02", "place": "Hôtel de ville"}, "place", "Hôtel de ville"),
    "attendance": ({"status": "excused"}, "status", "excused"),
    "decision": ({"text": "Lancer la consultation"}, "text", "Lancer la consultation"),
    "follow_up": ({"description": "Écrire aux mairies", "done": "on"}, "done", True),
    "plan": (
        {
            "title": "Feuille de route",
            "framework": "roadmap",
            "start_year": "2024",
            "end_year": "2028",
        },
        "title",
        "Feuille de route",
    ),
    "objective": ({"title": "Objectif A bis"}, "title", "Objectif A bis"),
    "result": ({"title": "Résultat A bis"}, "title", "Résultat A bis"),
    "action": (
        {"title": "Ateliers du samedi", "status": "in_progress"},
        "title",
        "Ateliers du samedi",
    ),
    "partner": ({"role": "pilot"}, "role", "pilot"),
    "funding": (
        {"source": "Département", "amount": "1200", "status": "granted"},
        "source",
        "Département",
    ),
    "risk": (
        {
            "description": "Locaux indisponibles",
            "kind": "technical",
            "probability": "medium",
            "impact": "low",
        },
        "description",
        "Locaux indisponibles",
    ),
    "activity": (
        {"what": "Atelier 1 (bilan)", "state": "done", "date": "2025-03-02"},
        "what",
        "Atelier 1 (bilan)",
    ),
    "indicator": (
        {
            "name": "Personnes accompagnées",
            "unit": "personnes",
            "scope": "local",
            "direction": "up",
        },
        "name",
        "Personnes accompagnées",
    ),
    "target": ({"value": "450", "year": "2027"}, "value", 450),
    "value": ({"date": "2025-01-01", "value": "55", "note": "bilan"}, "note", "bilan"),
    "inventory": (
        {"title": "Café numérique du mardi", "audience": "public", "category": "training"},
        "title",
        "Café numérique du mardi",
    ),
}
KINDS = list(editing.KINDS)


def test_every_kind_is_tested():
    assert set(EDITS) == set(editing.KINDS)


def _url(world, name, **kwargs):
    return reverse(f"roadmap:{name}", kwargs={"territory": world["territory"].slug, **kwargs})


def _form_data(kind, record, user, changes):
    """The form as the page shows it (its current values), with `changes` typed in."""
    form = editing.KINDS[kind].form(None, record, user)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("kind", KINDS)
def test_edit_changes_the_record_and_it_shows_on_its_page(client, world, records, kind):
    user = world["users"]["coordinator"]
    client.force_login(user)
    record = records[kind]
    changes, field, expected = EDITS[kind]
    data = _form_data(kind, record, user, changes)
    response = client.post(_url(world, f"{kind}_edit", pk=record.pk), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    page = editing.KINDS[kind].page(record)
    assert response["Location"] == page.url(world["territory"])
    record.refresh_from_db()
    assert getattr(record, field) == expected
    if isinstance(expected, str) and field not in ("status", "role"):
        html = client.get(response["Location"]).content.decode()
        assert expected in html


def test_example_data_stays_editable_and_stays_example(client, world, records):
    client.force_login(world["users"]["coordinator"])
    decision = records["decision"]
    assert decision.is_example
    client.post(_url(world, "decision_edit", pk=decision.pk), {"text": "Corrigée"})
    decision.refresh_from_db()
    assert decision.text == "Corrigée" and decision.is_example


def _row_counts():
    models = apps.get_app_config("roadmap").get_models()
    return {model: model.objects.count() for model in models}


@pytest.mark.parametrize("kind", KINDS)
def test_delete_confirms_then_deletes_what_it_announced(client, world, records, kind):
    client.force_login(world["users"]["coordinator"])
    record = records[kind]
    url = _url(world, f"{kind}_delete", pk=record.pk)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post"' in html and "<script" not in html.split("<main")[-1]
    summary = editing.deletion_summary(record)
    for count in summary.deletes + summary.detaches:
        assert count.label in html
    before = _row_counts()
    assert type(record).objects.filter(pk=record.pk).exists()  # GET deleted nothing
    response = client.post(url)
    assert response.status_code == 302
    kind_ = editing.KINDS[kind]
    assert response["Location"] == kind_.return_page(record).url(world["territory"])
    after = _row_counts()
    gone = {
        model: before[model] - after[model] for model in before if before[model] != after[model]
    }
    expected = {c.model: c.count for c in summary.deletes}
    expected[type(record)] = expected.get(type(record), 0) + 1
    assert gone == expected


def test_deleting_a_plan_lists_its_actions_and_their_parts(client, world, records):
    client.force_login(world["users"]["coordinator"])
    html = client.get(_url(world, "plan_delete", pk=records["plan"].pk)).content.decode()
    # Led, Partnered, Foreign and Ateliers; their activities, risks, partners, funding.
    for text in ("4 actions", "1 objectif stratégique", "1 résultat attendu", "2 activités"):
        assert text in html, text
    assert "2 partenaires" in html and "2 risques" in html


def test_deleting_an_action_detaches_the_follow_ups_that_point_to_it(world, records):
    summary = editing.deletion_summary(records["action"])
    assert {c.model: c.count for c in summary.detaches} == {
        apps.get_model("roadmap", "FollowUp"): 1
    }
    follow_ups = apps.get_model("roadmap", "FollowUp").objects.count()
    services_user = world["users"]["coordinator"]
    editing.roadmap_object_delete(obj=records["action"], by=services_user)
    assert apps.get_model("roadmap", "FollowUp").objects.count() == follow_ups


def test_deleting_an_expected_result_keeps_its_actions_unattached(world, records):
    action = records["action"]
    summary = editing.deletion_summary(records["result"])
    assert [(c.model, c.count) for c in summary.detaches] == [(Action, 1)]
    editing.roadmap_object_delete(obj=records["result"], by=world["users"]["coordinator"])
    action.refresh_from_db()
    assert action.result is None


def test_a_protected_record_is_refused_with_what_protects_it(world, records):
    """The collector reports PROTECT relations; an organisation leading actions is one."""
    summary = editing.deletion_summary(world["own"])
    assert not summary.allowed
    assert {c.model for c in summary.protected_by} >= {Action, BodyMember, InventoryEntry}


# --- Bad input ---------------------------------------------------------------------------------

BAD = [
    (
        "plan",
        {"title": "P", "framework": "roadmap", "start_year": "2026", "end_year": "2024"},
        "end_year",
    ),
    ("activity", {"what": "Atelier", "state": "done", "date": ""}, "date"),
    (
        "risk",
        {"description": "", "kind": "public", "probability": "low", "impact": "low"},
        "description",
    ),
    ("member", {"organisation": "", "name": " ", "role": "member", "seats": "1"}, "name"),
    ("funding", {"source": "FEDER", "amount": "-5", "status": "granted"}, "amount"),
    (
        "body",
        {"name": "Comité", "level": "strategic", "meetings_per_year": "99"},
        "meetings_per_year",
    ),
    (
        "action",
        {"title": "A", "status": "planned", "start_date": "2025-05-01", "end_date": "2025-01-01"},
        "end_date",
    ),
]


@pytest.mark.parametrize(("kind", "data", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_shows_the_error_on_its_field_and_writes_nothing(
    client, world, records, kind, data, field
):
    client.force_login(world["users"]["coordinator"])
    record = records[kind]
    before = {f.attname: getattr(record, f.attname) for f in type(record)._meta.concrete_fields}
    response = client.post(_url(world, f"{kind}_edit", pk=record.pk), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    assert 'class="error-summary"' in response.content.decode()
    record.refresh_from_db()
    after = {f.attname: getattr(record, f.attname) for f in type(record)._meta.concrete_fields}
    assert after == before


def test_a_value_on_a_date_already_entered_is_refused(client, world, records):
    client.force_login(world["users"]["coordinator"])
    other = services.indicator_value_record(
        indicator=records["indicator"], date=dt.date(2025, 2, 1), value=50, by=SYSTEM
    )
    response = client.post(
        _url(world, "value_edit", pk=other.pk), {"date": "2025-01-01", "value": "60"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    other.refresh_from_db()
    assert other.date == dt.date(2025, 2, 1) and other.value == 50


# --- Who may -------------------------------------------------------------------------------------

WHO = [
    "anonymous",
    "coordinator",
    "structure",
    "structure_partner",
    "prescriber",
    "partner",
    "coordinator_elsewhere",
    "no_role",
]
# Records only coordinators change (as only they add them).
COORDINATORS = [
    "body",
    "member",
    "meeting",
    "attendance",
    "decision",
    "follow_up",
    "plan",
    "objective",
    "result",
    "partner",
    "indicator",
    "target",
    "value",
]
NOBODY_ELSE = {"anonymous": 302, "coordinator": 200} | {
    who: 403 for who in WHO if who not in ("anonymous", "coordinator")
}
# Records of an action led by the "structure" user's organisation ("own"), of which the
# "structure_partner" user's organisation is a partner.
ACTION_PARTS = ["funding", "risk", "activity"]
THEIRS = NOBODY_ELSE | {"structure": 200, "structure_partner": 200}


def _status(client, user, url, method="get"):
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url).status_code


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("kind", COORDINATORS)
def test_coordinator_records_matrix(client, world, records, kind, who):
    user = world["users"][who]
    for view in ("edit", "delete"):
        url = _url(world, f"{kind}_{view}", pk=records[kind].pk)
        assert _status(client, user, url) == NOBODY_ELSE[who], (view, url)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("kind", ACTION_PARTS)
def test_action_parts_matrix(client, world, records, kind, who):
    user = world["users"][who]
    for view in ("edit", "delete"):
        url = _url(world, f"{kind}_{view}", pk=records[kind].pk)
        assert _status(client, user, url) == THEIRS[who], (view, url)
        # The same part of an action their organisations have nothing to do with.
        url = _url(world, f"{kind}_{view}", pk=records[f"foreign_{kind}"].pk)
        assert _status(client, user, url) == NOBODY_ELSE[who], (view, url)


@pytest.mark.parametrize("who", WHO)
def test_action_matrix(client, world, records, who):
    """Its lead and partners edit their part of it; only coordinators delete it."""
    user = world["users"][who]
    action = records["action"]  # led by "own", "partner_org" is a partner
    edit = NOBODY_ELSE | {"structure": 200, "structure_partner": 200}
    assert _status(client, user, _url(world, "action_edit", pk=action.pk)) == edit[who]
    assert _status(client, user, _url(world, "action_delete", pk=action.pk)) == NOBODY_ELSE[who]


@pytest.mark.parametrize("who", WHO)
def test_inventory_matrix(client, world, records, who):
    """Structures change their organisations' entries only, as they add them."""
    user = world["users"][who]
    own, other = records["inventory"], records["other_entry"]  # of "own", of "partner_org"
    for view in ("edit", "delete"):
        expected = NOBODY_ELSE | {"structure": 200}
        assert _status(client, user, _url(world, f"inventory_{view}", pk=own.pk)) == expected[who]
        expected = NOBODY_ELSE | {"structure_partner": 200}
        assert _status(client, user, _url(world, f"inventory_{view}", pk=other.pk)) == expected[who]


@pytest.mark.parametrize("who", ["structure", "partner", "prescriber", "coordinator_elsewhere"])
def test_a_refused_post_deletes_nothing(client, world, records, who):
    client.force_login(world["users"][who])
    for kind in ("plan", "partner", "action"):
        assert client.post(_url(world, f"{kind}_delete", pk=records[kind].pk)).status_code == 403
    assert type(records["plan"]).objects.filter(pk=records["plan"].pk).exists()
    assert Action.objects.filter(pk=records["action"].pk).exists()


def test_structure_member_edits_their_part_and_not_the_title(client, world, records):
    user = world["users"]["structure"]
    action = records["action"]
    saved = editing.roadmap_object_update(
        obj=action, data={"title": "Autre", "description": "Nouveau"}, by=user
    )
    assert saved.title == "Ateliers" and saved.description == "Nouveau"
    form = editing.KINDS["action"].form(None, action, user)
    assert "title" not in form.fields and "lead" not in form.fields


@pytest.mark.parametrize("who", ["partner", "prescriber", "structure", "no_role"])
def test_services_refuse_the_same_people(world, records, who):
    user = world["users"][who]
    with pytest.raises(PermissionDenied):
        editing.roadmap_object_update(obj=records["body"], data={"name": "X"}, by=user)
    with pytest.raises(PermissionDenied):
        editing.roadmap_object_delete(obj=records["plan"], by=user)
    assert Body.objects.get(pk=records["body"].pk).name == "Comité"


def test_the_service_refuses_an_organisation_of_another_territory(world, records):
    from django.core.exceptions import ValidationError

    from tests import factories

    elsewhere = factories.organisation(factories.territory(slug="ailleurs", name="Ailleurs"))
    with pytest.raises(ValidationError):
        editing.roadmap_object_update(
            obj=records["partner"],
            data={"organisation": elsewhere},
            by=world["users"]["coordinator"],
        )


def test_pages_show_edit_and_delete_links_to_those_who_may(client, world, records):
    action_url = _url(world, "action", pk=records["action"].pk)
    client.force_login(world["users"]["coordinator"])
    html = client.get(action_url).content.decode()
    for kind in ("action_delete", "partner_edit", "funding_delete", "risk_edit", "activity_edit"):
        pk = records[kind.rsplit("_", 1)[0]].pk
        assert _url(world, kind, pk=pk) in html, kind
    client.force_login(world["users"]["structure"])
    html = client.get(action_url).content.decode()
    assert _url(world, "risk_edit", pk=records["risk"].pk) in html
    assert _url(world, "action_delete", pk=records["action"].pk) not in html
    assert _url(world, "partner_edit", pk=records["partner"].pk) not in html
    client.force_login(world["users"]["partner"])
    html = client.get(action_url).content.decode()
    assert "/edit/" not in html and "/delete/" not in html
    client.force_login(world["users"]["coordinator"])
    for page, kinds in [
        (_url(world, "body", pk=records["body"].pk), ["body", "member"]),
        (
            _url(world, "meeting", pk=records["meeting"].pk),
            ["meeting", "attendance", "decision", "follow_up"],
        ),
        (_url(world, "plan", pk=records["plan"].pk), ["plan", "objective", "result"]),
        (_url(world, "indicators"), ["indicator", "target", "value"]),
        (_url(world, "inventory"), ["inventory"]),
    ]:
        html = client.get(page).content.decode()
        for kind in kinds:
            assert _url(world, f"{kind}_edit", pk=records[kind].pk) in html, kind
            assert _url(world, f"{kind}_delete", pk=records[kind].pk) in html, kind
