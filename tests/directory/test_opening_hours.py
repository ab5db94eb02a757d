import datetime as dt

from django.utils import translation

from maillage.directory import opening_hours as oh


def test_validate_points_at_the_error_and_gives_an_example():
    assert oh.validate("Mo-Fr 09:00-12:00,14:00-17:30; Sa 10:00-12:00") is None
    assert oh.validate("") is None
    message = oh.validate("Mo-Fr 25:00-12:00")
    assert "7" in message
    assert "Mo-Fr 09:00-12:00" in message


def test_public_holidays_follow_the_country():
    christmas = dt.datetime(2026, 12, 25, 10, 0)
    assert not oh.is_open("Mo-Fr 09:00-17:00; PH off", christmas, country="FR")
    assert oh.is_open("Mo-Fr 09:00-17:00; PH off", christmas - dt.timedelta(days=1), country="FR")


def test_plain_words_in_french_and_english():
    monday = dt.datetime(2026, 11, 23, 10, 30)
    with translation.override("fr"):
        week = oh.week_in_words("Mo-Fr 09:00-12:00", today=monday.date())
        assert week[0].name == "lundi"
        assert week[0].intervals == [("09:00", "12:00")]
        assert week[5].intervals == []
    with translation.override("en"):
        assert oh.week_in_words("Mo-Fr 09:00-12:00", today=monday.date())[0].name == "Monday"
        assert oh.status_in_words("Mo-Fr 09:00-12:00", now=monday).startswith("Open now")
        closed = oh.status_in_words("Mo-Fr 09:00-12:00", now=monday.replace(hour=13))
        assert closed.startswith("Closed now") and "Tuesday" in closed
