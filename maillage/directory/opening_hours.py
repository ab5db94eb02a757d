"""Opening hours in OpenStreetMap `opening_hours` syntax: check, index, say in plain words.

Parsing and evaluation are done by `opening-hours-py` (the Rust `opening-hours` crate);
this module only adapts it to the directory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import opening_hours as oh
from django.utils import formats
from django.utils.translation import gettext as _


class OpeningHoursError(ValueError):
    """The text is not valid `opening_hours` syntax; the message says where."""


@lru_cache(maxsize=65536)
def parse(text: str, country: str | None = "FR") -> oh.OpeningHours:
    """Parse `text` (cached: many places share the same hours).

    `country` (ISO 3166 code of the territory) selects the calendar of public holidays (`PH`).
    """
    try:
        return oh.OpeningHours(text, country=country)
    except oh.ParserError as error:
        raise OpeningHoursError(str(error)) from None


def validate(text: str) -> str | None:
    """Return None when `text` is valid, else a short explanation for the person typing it."""
    if not text.strip():
        return None
    try:
        parse(text.strip())
    except OpeningHoursError as error:
        detail = str(error).splitlines()
        column = next((line for line in detail if "-->" in line), "").split(":")[-1].strip()
        if column.isdigit():
            return _(
                "These opening hours cannot be read (around character %(column)s). "
                "Write them like: Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-12:00"
            ) % {"column": column}
        return _(
            "These opening hours cannot be read. "
            "Write them like: Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-12:00"
        )
    return None


def is_open(text: str, moment: dt.datetime, *, country: str = "FR") -> bool:
    """Whether the place is open at the naive local time `moment`."""
    if not text.strip():
        return False
    return parse(text.strip(), country).is_open(moment)


@dataclass(frozen=True)
class DayHours:
    date: dt.date
    name: str
    intervals: list[tuple[str, str]]
    is_today: bool


def week_in_words(text: str, *, today: dt.date, country: str = "FR") -> list[DayHours]:
    """The next seven days, starting today, with their opening intervals formatted locally."""
    if not text.strip():
        return []
    rules = parse(text.strip(), country)
    days = []
    for offset in range(7):
        day = today + dt.timedelta(days=offset)
        start = dt.datetime.combine(day, dt.time())
        end = start + dt.timedelta(days=1)
        intervals = []
        for begin, finish, state, _comment in rules.intervals(start, end):
            if state == oh.State.OPEN:
                intervals.append(
                    (
                        formats.time_format(begin.time(), "TIME_FORMAT"),
                        formats.time_format(min(finish, end).time(), "TIME_FORMAT")
                        if finish < end
                        else "24:00",
                    )
                )
        days.append(DayHours(day, formats.date_format(day, "l"), intervals, offset == 0))
    return days


def status_in_words(text: str, *, now: dt.datetime, country: str = "FR") -> str:
    """ "Open now, until 12:00" or "Closed now, opens on Monday at 09:00", or ""."""
    if not text.strip():
        return ""
    rules = parse(text.strip(), country)
    change = rules.next_change(now)
    if rules.is_open(now):
        if change is None:
            return _("Open now")
        return _("Open now, until %(time)s") % {
            "time": formats.time_format(change.time(), "TIME_FORMAT")
        }
    if change is None:
        return _("Closed now")
    if change.date() == now.date():
        return _("Closed now, opens today at %(time)s") % {
            "time": formats.time_format(change.time(), "TIME_FORMAT")
        }
    return _("Closed now, opens on %(day)s at %(time)s") % {
        "day": formats.date_format(change.date(), "l j F"),
        "time": formats.time_format(change.time(), "TIME_FORMAT"),
    }
