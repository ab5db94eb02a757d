"""Fixtures of the roadmap tests: a small territory with a plan, or the whole demo."""

import pytest

from tests.factories import SYSTEM


@pytest.fixture
def demo_territory(db):
    from maillage.directory.demo import load_demo as load_directory
    from maillage.roadmap.demo import load_demo

    territory = load_directory(with_users=True)
    load_demo(territory, with_users=True)
    return territory


@pytest.fixture
def world(territory, bordeaux):
    """Two organisations, an action led by one of them, and a user of every kind."""
    from maillage.roadmap import services
    from maillage.roadmap.models import Action, ActionPartner
    from tests import factories
    from tests.factories import Role

    own = factories.organisation(territory, name="Own")
    partner_org = factories.organisation(territory, name="Partner org")
    other = factories.organisation(territory, name="Other")
    plan = services.action_plan_create(
        territory=territory, title="Plan", start_year=2024, end_year=2027, by=SYSTEM
    )
    led = services.action_create(
        plan=plan, title="Led", status=Action.Status.PLANNED, lead=own, by=SYSTEM
    )
    partnered = services.action_create(
        plan=plan, title="Partnered", status=Action.Status.PLANNED, lead=other, by=SYSTEM
    )
    services.action_partner_add(
        action=partnered, organisation=partner_org, role=ActionPartner.Role.CO_PILOT, by=SYSTEM
    )
    foreign = services.action_create(
        plan=plan, title="Foreign", status=Action.Status.PLANNED, lead=other, by=SYSTEM
    )
    elsewhere = factories.territory(slug="elsewhere", name="Elsewhere")
    return {
        "territory": territory,
        "plan": plan,
        "led": led,
        "partnered": partnered,
        "foreign": foreign,
        "own": own,
        "partner_org": partner_org,
        "users": {
            "anonymous": None,
            "coordinator": factories.user(territory=territory, role=Role.COORDINATOR),
            "structure": factories.user(
                territory=territory, role=Role.STRUCTURE, organisations=[own]
            ),
            "structure_partner": factories.user(
                territory=territory, role=Role.STRUCTURE, organisations=[partner_org]
            ),
            "prescriber": factories.user(territory=territory, role=Role.PRESCRIBER),
            "partner": factories.user(territory=territory, role=Role.PARTNER),
            "coordinator_elsewhere": factories.user(territory=elsewhere, role=Role.COORDINATOR),
            "no_role": factories.user(),
        },
    }
