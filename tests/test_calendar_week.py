"""A center's own week on the business calendar (the question clock of a center's door): a center open
mornings only counts 3.5 office hours a day, one open on Saturday counts Saturday, a bad record falls
back to the government week, and no week at all is the government week exactly."""

from __future__ import annotations

from datetime import datetime, time

from workflows.domain.calendar import BANGKOK, BusinessCalendar, opening_hours

MORNINGS = ["08:30-12:00"] * 5 + ["", ""]


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 12, day, hh, mm, tzinfo=BANGKOK)  # 7 Dec 2026 is a Monday


def test_a_mornings_only_center_spreads_one_office_day_over_three_mornings():
    cal = BusinessCalendar(week=opening_hours(MORNINGS))
    due = cal.add_business_days(at(7, 9), 1).astimezone(BANGKOK)  # 8 hours from Mon 09:00
    assert (due.day, due.time()) == (9, time(10, 0))  # Mon 3h + Tue 3.5h + Wed 08:30 + 1.5h
    assert not cal.is_open(at(7, 13)) and cal.is_open(at(7, 11, 59))
    assert cal.next_opening(at(11, 12, 30)).astimezone(BANGKOK) == at(14, 8, 30)  # Fri noon -> Mon


def test_a_center_open_on_saturday_counts_saturday():
    week = ["08:30-16:30"] * 5 + ["09:00-12:00", ""]
    cal = BusinessCalendar(week=opening_hours(week))
    assert cal.is_business_day(at(12, 10).date()) and cal.is_open(at(12, 10))
    assert cal.add_business_days(at(11, 16), 1).astimezone(BANGKOK) == at(
        14, 13, 0
    )  # Fri 0.5h + Sat 3h + Mon 08:30 + 4.5h


def test_a_bad_week_is_the_government_week():
    assert opening_hours(["08:30-16:30"] * 6) is None  # not seven days
    assert opening_hours(["16:30-08:30"] * 7) is None  # closes before it opens
    assert opening_hours(["soon"] * 7) is None
    assert opening_hours([""] * 7) is None  # never open: no clock could ever run
    plain, given = BusinessCalendar(), BusinessCalendar(week=opening_hours(["08:30-16:30"] * 5 + ["", ""]))
    for start in (at(7, 9), at(11, 17), at(12, 10)):
        assert plain.add_business_days(start, 1) == given.add_business_days(start, 1)
