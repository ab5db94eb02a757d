"""Domain rules of the services: each error names its field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from maillage.roadmap import services
from maillage.roadmap.models import Action, Activity, Body, IndicatorDefinition
from maillage.roadmap.selectors import indicator_progress, people_count
from tests import factories
from tests.factories import SYSTEM


def test_a_computed_indicator_needs_a_registered_key(territory):
    with pytest.raises(ValidationError) as error:
        services.indicator_define(
            territory=territory,
            code="x",
            name="X",
            unit="u",
            scope="local",
            computed_key="nope",
            by=SYSTEM,
        )
    assert "computed_key" in error.value.message_dict


def test_values_of_a_computed_indicator_are_never_entered(territory):
    indicator = services.indicator_define(
        territory=territory,
        code="lieux",
        name="Lieux",
        unit="lieux",
        scope=IndicatorDefinition.Scope.LOCAL,
        computed_key="directory.published_places",
        by=SYSTEM,
    )
    with pytest.raises(ValidationError) as error:
        services.indicator_value_record(
            indicator=indicator, date=dt.date(2025, 1, 1), value=3, by=SYSTEM
        )
    assert "value" in error.value.message_dict


def test_indicator_progress_uses_the_last_value_up_to_the_date_and_the_direction(territory):
    indicator = services.indicator_define(
        territory=territory, code="x", name="X", unit="u", scope="local", by=SYSTEM
    )
    services.indicator_target_set(indicator=indicator, value=200, year=2027, by=SYSTEM)
    for day, value in ((dt.date(2024, 12, 31), 50), (dt.date(2025, 12, 31), 100)):
        services.indicator_value_record(indicator=indicator, date=day, value=value, by=SYSTEM)
    progress = indicator_progress(indicator, on=dt.date(2025, 6, 30))
    assert progress.current == 50 and progress.ratio == 25.0
    assert indicator_progress(indicator, on=dt.date(2026, 1, 1)).ratio == 50.0
    indicator.direction = IndicatorDefinition.Direction.DOWN
    assert indicator_progress(indicator, on=dt.date(2026, 1, 1)).ratio == 200.0


def test_national_targets_preload_is_idempotent(territory):
    services.indicators_preload_national(territory=territory, by=SYSTEM)
    services.indicators_preload_national(territory=territory, by=SYSTEM)
    national = IndicatorDefinition.objects.filter(territory=territory, scope="national")
    assert national.count() == 4
    assert {i.targets.get().value for i in national} == {8e6, 25e3, 2e4, 2e6}


def test_a_done_activity_needs_a_date(territory):
    plan = services.action_plan_create(
        territory=territory, title="P", start_year=2024, end_year=2025, by=SYSTEM
    )
    action = services.action_create(plan=plan, title="A", status=Action.Status.IDEA, by=SYSTEM)
    with pytest.raises(ValidationError) as error:
        services.activity_add(action=action, what="Atelier", state=Activity.State.DONE, by=SYSTEM)
    assert "date" in error.value.message_dict


def test_organisations_of_another_territory_are_refused(territory):
    elsewhere = factories.territory(slug="ailleurs", name="Ailleurs")
    stranger = factories.organisation(elsewhere, name="Étrangère")
    plan = services.action_plan_create(
        territory=territory, title="P", start_year=2024, end_year=2025, by=SYSTEM
    )
    with pytest.raises(ValidationError) as error:
        services.action_create(plan=plan, title="A", status="idea", lead=stranger, by=SYSTEM)
    assert "lead" in error.value.message_dict
    body = services.body_create(
        territory=territory, name="C", level=Body.Level.STRATEGIC, meetings_per_year=1, by=SYSTEM
    )
    with pytest.raises(ValidationError) as error:
        services.body_member_add(body=body, organisation=stranger, by=SYSTEM)
    assert "organisation" in error.value.message_dict


def test_plan_period_and_action_dates_are_checked(territory):
    with pytest.raises(ValidationError) as error:
        services.action_plan_create(
            territory=territory, title="P", start_year=2027, end_year=2024, by=SYSTEM
        )
    assert "end_year" in error.value.message_dict
    plan = services.action_plan_create(
        territory=territory, title="P", start_year=2024, end_year=2027, by=SYSTEM
    )
    with pytest.raises(ValidationError):
        services.action_create(
            plan=plan,
            title="A",
            status="idea",
            data={"start_date": dt.date(2025, 5, 1), "end_date": dt.date(2025, 1, 1)},
            by=SYSTEM,
        )


def test_a_member_is_an_organisation_or_named_people(territory):
    body = services.body_create(
        territory=territory, name="C", level=Body.Level.NETWORK, meetings_per_year=3, by=SYSTEM
    )
    with pytest.raises(ValidationError) as error:
        services.body_member_add(body=body, name="  ", by=SYSTEM)
    assert "name" in error.value.message_dict


@pytest.mark.parametrize(
    ("count", "shown"), [(None, None), (0, None), (4, None), (5, 5), (120, 120)]
)
def test_small_counts_of_people_are_not_shown(count, shown):
    assert people_count(count) == shown


# --- One page, one service, one transaction ---------------------------------------------------


def test_a_decision_and_its_follow_up_are_saved_together(world):
    from maillage.roadmap.models import Body, Decision, FollowUp

    body = services.body_create(
        territory=world["territory"],
        name="Comité",
        level=Body.Level.STRATEGIC,
        meetings_per_year=2,
        by=SYSTEM,
    )
    meeting = services.meeting_create(body=body, date=dt.date(2025, 3, 1), by=SYSTEM)
    decision = services.decision_add(
        meeting=meeting,
        text="Ouvrir un lieu",
        follow_up="Chercher un local",
        follow_up_action=world["led"],
        by=SYSTEM,
    )
    assert [f.description for f in decision.follow_ups.all()] == ["Chercher un local"]
    other_plan = services.action_plan_create(
        territory=factories.territory(slug="other", name="Other"),
        title="Plan",
        start_year=2024,
        end_year=2027,
        by=SYSTEM,
    )
    foreign = services.action_create(plan=other_plan, title="x", status="planned", by=SYSTEM)
    with pytest.raises(ValidationError):  # the follow-up fails: the decision is not kept
        services.decision_add(
            meeting=meeting,
            text="Décision sans suite",
            follow_up="Suite impossible",
            follow_up_action=foreign,
            by=SYSTEM,
        )
    assert list(Decision.objects.values_list("text", flat=True)) == ["Ouvrir un lieu"]
    assert FollowUp.objects.count() == 1


def test_an_indicator_and_its_target_are_saved_together(world):
    from maillage.roadmap.models import IndicatorDefinition, IndicatorTarget

    common = {
        "territory": world["territory"],
        "name": "Lieux",
        "unit": "lieux",
        "scope": IndicatorDefinition.Scope.LOCAL,
        "by": SYSTEM,
    }
    indicator = services.indicator_define(code="a", target=40, target_year=2027, **common)
    assert [(t.year, t.value) for t in indicator.targets.all()] == [(2027, 40)]
    with pytest.raises(ValidationError):  # the target fails: the indicator is not kept
        services.indicator_define(code="b", target=40, target_year=-1, **common)
    assert list(IndicatorDefinition.objects.values_list("code", flat=True)) == ["a"]
    assert IndicatorTarget.objects.count() == 1
