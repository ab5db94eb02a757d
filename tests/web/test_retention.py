"""Retention of personal data: `manage.py purge_personal_data` and the apps' rules."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from maillage.core.extensions import retention_rules
from maillage.interop import freshness
from maillage.interop.models import FreshnessCampaign, FreshnessRequest, ImportRun
from maillage.observatory import services as observatory
from maillage.observatory.models import ImportReport
from maillage.territories.models import Membership
from tests import factories
from tests.factories import SYSTEM

PROBLEMS = [
    {"row": 3, "column": "age", "value": "47 ans, vit seul", "reason": "Not a number."},
    {"row": 9, "column": "commune", "value": "", "reason": "Missing."},
]
ISSUES = [{"row": 2, "field": "telephone", "value": "06 12 34 56 78", "reason": "Bad phone."}]


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def records(territory, bordeaux):
    grid = observatory.grid_adopt(territory=territory, version="1", by=SYSTEM)
    wave = observatory.wave_create(territory=territory, grid=grid, name="Vague 1", by=SYSTEM)
    old_report = ImportReport.objects.create(wave=wave, filename="old.csv", problems=PROBLEMS)
    new_report = ImportReport.objects.create(wave=wave, filename="new.csv", problems=PROBLEMS)
    ImportReport.objects.filter(pk=old_report.pk).update(created_at=days_ago(91))
    ImportReport.objects.filter(pk=new_report.pk).update(created_at=days_ago(89))
    runs = {}
    for name, age in (("old", 91), ("new", 89)):
        runs[name] = ImportRun.objects.create(
            territory=territory, format="csv", status="done", issues=ISSUES
        )
        ImportRun.objects.filter(pk=runs[name].pk).update(started_at=days_ago(age))
    organisation = factories.organisation(territory, name="Association A")
    factories.place(organisation, bordeaux, name="Lieu A", email="contact@example.org")
    coordinator = factories.user(territory=territory, role=factories.Role.COORDINATOR)
    campaigns = {}
    for name, sent_days_ago in (("expired", 30 + 61), ("recent", 30 + 59)):
        campaigns[name] = freshness.campaign_send(
            territory=territory,
            title=name,
            message="",
            valid_days=30,
            by=coordinator,
            link_for=lambda token: f"https://x/{token}/",
        )
        FreshnessCampaign.objects.filter(pk=campaigns[name].pk).update(
            sent_at=days_ago(sent_days_ago)
        )
    return {"reports": (old_report, new_report), "runs": runs, "campaigns": campaigns}


def test_every_app_rule_is_registered_and_described():
    keys = {rule.key for rule in retention_rules()}
    assert keys >= {
        "observatory.import_values",
        "interop.import_values",
        "interop.campaign_emails",
        "territories.unanswered_invitations",
    }
    assert all(str(rule.description) and rule.days > 0 for rule in retention_rules())


def test_purge_erases_only_what_is_past_its_period(records):
    output = purge()
    old_report, new_report = (ImportReport.objects.get(pk=r.pk) for r in records["reports"])
    assert [p["value"] for p in old_report.problems] == ["", ""]
    # Row, column and reason stay: enough to fix the file.
    assert [(p["row"], p["column"], p["reason"]) for p in old_report.problems] == [
        (p["row"], p["column"], p["reason"]) for p in PROBLEMS
    ]
    assert new_report.problems == PROBLEMS
    runs = records["runs"]
    assert ImportRun.objects.get(pk=runs["old"].pk).issues == [{**ISSUES[0], "value": ""}]
    assert ImportRun.objects.get(pk=runs["new"].pk).issues == ISSUES
    campaigns = records["campaigns"]
    expired = FreshnessRequest.objects.get(campaign=campaigns["expired"])
    recent = FreshnessRequest.objects.get(campaign=campaigns["recent"])
    assert (expired.email, recent.email) == ("", "contact@example.org")
    assert expired.place_ids and expired.answer == FreshnessRequest.Answer.WAITING
    assert "observatory.import_values" in output and "erased 1" in output


def test_purge_is_idempotent(records):
    purge()
    second = purge()
    assert all(line.endswith("erased 0") for line in second.strip().splitlines())


def test_dry_run_counts_and_changes_nothing(records):
    counts = {
        line.split(":", 1)[0]: line.rsplit(" ", 1)[1]
        for line in purge("--dry-run").strip().splitlines()
    }
    assert counts == {
        "interop.campaign_emails": "1",
        "interop.import_values": "1",
        "observatory.import_values": "1",
        "territories.failed_sign_ins": "0",
        "territories.invitations": "0",
        "territories.unanswered_invitations": "0",
    }
    assert ImportReport.objects.get(pk=records["reports"][0].pk).problems == PROBLEMS
    assert FreshnessRequest.objects.filter(email="").count() == 0


def test_days_can_be_shortened_per_rule(records):
    purge("--days", "observatory.import_values=10")
    assert all(
        p["value"] == "" for r in ImportReport.objects.all() for p in r.problems
    )  # both reports are older than 10 days
    assert ImportRun.objects.get(pk=records["runs"]["new"].pk).issues == ISSUES


@pytest.mark.parametrize(
    "value",
    [
        "observatory.import_values",
        "nope=3",
        "observatory.import_values=x",
        "interop.import_values=-1",
    ],
)
def test_bad_days_option_says_what_is_expected(db, value):
    with pytest.raises(CommandError, match="--days"):
        purge("--days", value)


def test_unanswered_invitations_lose_their_account_after_their_period(territory):
    User = get_user_model()

    def account(name, *, days, password=None, signed_in=False):
        user = User.objects.create_user(name, f"{name}@example.org", password)
        Membership.objects.create(user=user, territory=territory, role=Membership.Role.PRESCRIBER)
        User.objects.filter(pk=user.pk).update(
            date_joined=days_ago(days), last_login=days_ago(1) if signed_in else None
        )
        return user

    forgotten = account("forgotten", days=91)  # invited, never came: no password
    recent = account("recent", days=89)
    active = account("active", days=400, password="un mot de passe 2026")
    odd = account("odd", days=400, signed_in=True)  # no password but signed in somehow
    output = purge("--days", "observatory.import_values=90")
    assert "territories.unanswered_invitations" in output
    remaining = set(User.objects.values_list("username", flat=True))
    assert forgotten.username not in remaining
    assert {recent.username, active.username, odd.username} <= remaining
    assert not Membership.objects.filter(user_id=forgotten.pk).exists()
