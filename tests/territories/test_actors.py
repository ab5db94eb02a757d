"""Every write says who does it: a required `by`, checked by the service itself.

The walk below finds every public function of the modules that write, so that a new service
with an optional `by` (or none) fails here, and calls each one without an actor and with a
person who has no role: both are refused and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from maillage.core.actors import SystemActor, require, user_of
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import DiagnosticRun, FragilityIndicator
from maillage.interop.models import (
    DuplicateCandidate,
    FieldConflict,
    FreshnessCampaign,
    FreshnessRequest,
    SourceRecord,
)
from maillage.observatory.models import GridAdoption, MarginSet, Wave, WeightingRun
from maillage.roadmap import services as roadmap
from maillage.territories.models import Invitation, Membership
from tests import factories
from tests.factories import SYSTEM

#: The modules that write: each app's services and the other writing modules.
WRITING_MODULES = [
    *(
        f"maillage.{app}.services"
        for app in ("diagnostic", "directory", "interop", "observatory", "roadmap", "territories")
    ),
    "maillage.diagnostic.jobs",
    "maillage.diagnostic.squares",
    "maillage.directory.bulk",
    "maillage.interop.duplicates",
    "maillage.interop.freshness",
    "maillage.interop.retention",
    "maillage.observatory.retention",
    "maillage.roadmap.editing",
    "maillage.territories.members",
    "maillage.territories.lockouts",
]

#: Public functions of those modules that write nothing (or only bookkeeping of a write
#: checked by its caller), with the reason.
NOT_WRITES = {
    "maillage.directory.services.check_vocabularies": "validates a place",
    "maillage.directory.services.directory_changed": "bookkeeping of a checked write",
    "maillage.directory.services.place_diff": "compares two versions",
    "maillage.directory.services.place_location_warnings": "reads",
    "maillage.directory.services.place_values": "reads",
    "maillage.directory.services.search_text_of": "computes a text",
    "maillage.directory.services.services_snapshot_of": "computes a list",
    "maillage.interop.services.place_import_values": "reads",
    "maillage.observatory.services.margins_from_csv": "parses a file",
    "maillage.roadmap.services.carrier_of": "maps a kind",
    "maillage.roadmap.editing.deletion_summary": "reads what a deletion would delete",
    "maillage.roadmap.editing.kind_of": "reads the registry",
    "maillage.interop.freshness.request_token": "signs a token",
    "maillage.interop.freshness.request_from_token": "checks a token",
    "maillage.territories.members.invitation_open": "reads",
    "maillage.territories.members.token_hash": "computes a hash",
    "maillage.territories.members.register_acceptance_step": "fills a registry at start-up",
    "maillage.territories.lockouts.locked_out_members": "reads",
}


def _public_functions():
    for module_name in WRITING_MODULES:
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module_name and not name.startswith("_"):
                yield f"{module_name}.{name}", function


WRITES = [(name, f) for name, f in _public_functions() if name not in NOT_WRITES]


def test_the_lists_of_writing_functions_are_current():
    names = {name for name, _f in _public_functions()}
    assert set(NOT_WRITES) <= names, set(NOT_WRITES) - names
    assert len(WRITES) >= 70


@pytest.mark.parametrize(("name", "function"), WRITES, ids=[name for name, _f in WRITES])
def test_every_write_takes_a_required_keyword_by(name, function):
    parameter = inspect.signature(function).parameters.get("by")
    assert parameter is not None, f"{name} does not say who acts (`by`)"
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
    assert parameter.default is inspect.Parameter.empty, f"{name}: `by` has a default"


# --- Calling every write without an actor ------------------------------------------------------


@pytest.fixture
def world(territory, bordeaux):
    organisation = factories.organisation(territory)
    place = factories.place(organisation, bordeaux)
    body = roadmap.body_create(
        territory=territory, name="Comité", level="strategic", meetings_per_year=2, by=SYSTEM
    )
    meeting = roadmap.meeting_create(body=body, date=dt.date(2025, 1, 6), by=SYSTEM)
    plan = roadmap.action_plan_create(
        territory=territory, title="Feuille de route", start_year=2025, end_year=2027, by=SYSTEM
    )
    objective = roadmap.objective_add(plan=plan, title="Objectif", by=SYSTEM)
    grid = GridAdoption(territory=territory, grid_version="1")
    wave = Wave(territory=territory, grid=grid, name="Vague")
    margins = MarginSet(territory=territory, name="Marges")
    campaign = FreshnessCampaign(territory=territory, title="t", message="m", valid_days=7)
    nobody = get_user_model().objects.create_user("nobody", "nobody@example.org", "x")
    member = get_user_model().objects.create_user("member", "member@example.org", "x")
    invitation = Invitation.objects.create(
        territory=territory,
        email="invited@example.org",
        role="partner",
        token_hash="0" * 64,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {
        "Territory": territory,
        "Area": bordeaux,
        "Organisation": organisation,
        "Place": place,
        "Body": body,
        "Meeting": meeting,
        "Decision": roadmap.decision_add(meeting=meeting, text="Décision", by=SYSTEM),
        "ActionPlan": plan,
        "StrategicObjective": objective,
        "Action": roadmap.action_create(plan=plan, title="Action", status="planned", by=SYSTEM),
        "IndicatorDefinition": roadmap.indicator_define(
            territory=territory, code="c", name="n", unit="u", scope="local", by=SYSTEM
        ),
        "models.Model": body,
        "FragilityIndicator": FragilityIndicator(territory=territory, key="k", label="l"),
        "DiagnosticRun": DiagnosticRun(territory=territory, parameters={}),
        "GridAdoption": grid,
        "Wave": wave,
        "MarginSet": margins,
        "WeightingRun": WeightingRun(wave=wave, margin_set=margins),
        "FieldConflict": FieldConflict(record=SourceRecord(territory=territory, place=place)),
        "DuplicateCandidate": DuplicateCandidate(territory=territory),
        "FreshnessRequest": FreshnessRequest(campaign=campaign),
        "Membership": Membership(territory=territory, user=member, role="coordinator"),
        "Invitation": invitation,
        "User": nobody,
        "nobody": nobody,
    }


PLAIN = {
    "str": "x",
    "int": 1,
    "float": 1.0,
    "bool": False,
    "bytes": b"",
    "dt.date": dt.date(2025, 1, 1),
    "Path": Path("missing.csv"),
    "computation.RunParameters": RunParameters(),
}


def _value(parameter: inspect.Parameter, world: dict):
    if parameter.name == "place_id":
        return world["Place"].pk
    annotation = parameter.annotation
    if annotation is inspect.Parameter.empty:
        annotation = {"territory": "Territory", "link_for": "LinkFor"}[parameter.name]
    if annotation in world:
        return world[annotation]
    if annotation in PLAIN:
        return PLAIN[annotation]
    if annotation == "dt.datetime":
        return timezone.now()
    if annotation in ("LinkFor", "Callable[[str], str]"):
        return lambda *parts: "https://example.org/"
    if annotation.startswith(("Mapping", "dict")):
        return {}
    if annotation.startswith(("list", "Sequence")):
        return []
    raise AssertionError(f"no test value for {parameter.name}: {annotation}")


def _arguments(function, world: dict) -> dict:
    return {
        p.name: _value(p, world)
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty and p.name != "by"
    }


def _rows() -> dict[str, int]:
    models = [m for m in apps.get_models() if m._meta.app_label in _APPS or m is get_user_model()]
    return {m._meta.label: m.objects.count() for m in models}


_APPS = {"territories", "directory", "interop", "observatory", "diagnostic", "roadmap"}


@pytest.mark.parametrize(("name", "function"), WRITES, ids=[name for name, _f in WRITES])
def test_every_write_refuses_a_call_without_an_actor_and_writes_nothing(world, name, function):
    arguments = _arguments(function, world)
    before = _rows()
    with pytest.raises(TypeError, match="not an actor"):
        function(**arguments, by=None)
    with pytest.raises(PermissionDenied):
        function(**arguments, by=world["nobody"])
    with pytest.raises(PermissionDenied):
        function(**arguments, by=AnonymousUser())
    assert _rows() == before
    assert mail.outbox == []


# --- The one check ----------------------------------------------------------------------------


def test_require_lets_the_system_through_and_asks_the_check_for_a_person():
    asked = []
    require(SystemActor("demo loader"), lambda user: asked.append(user) or False)
    assert asked == []
    person = AnonymousUser()
    require(person, lambda user: asked.append(user) or True)
    assert asked == [person]
    with pytest.raises(PermissionDenied, match="Only coordinators"):
        require(person, lambda user: False, refusal="Only coordinators")


@pytest.mark.parametrize("not_an_actor", [None, "system", 0, object()])
def test_require_refuses_what_is_not_an_actor(not_an_actor):
    with pytest.raises(TypeError, match="not an actor"):
        require(not_an_actor, lambda user: True)


def test_a_write_only_a_person_does_refuses_the_system(world):
    with pytest.raises(TypeError, match="only a person"):
        require(SYSTEM, lambda user: True, people_only=True)
    from maillage.roadmap import editing

    with pytest.raises(TypeError, match="only a person"):
        editing.roadmap_object_delete(obj=world["Body"], by=SYSTEM)
    assert world["Body"].__class__.objects.filter(pk=world["Body"].pk).exists()


def test_a_system_actor_names_who_acts():
    assert str(SystemActor("diagnostic worker")) == "system: diagnostic worker"
    with pytest.raises(ValueError):
        SystemActor(" ")


def test_rows_record_a_person_and_not_the_system(db):
    person = get_user_model().objects.create_user("someone")
    assert user_of(person) == person
    assert user_of(SYSTEM) is None
    assert user_of(AnonymousUser()) is None
