"""Business-calendar arithmetic (office hours, nights, weekends, Thai days off), the day-off list the
calendar is fed, and Buddhist-era formatting."""

import ast
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from activities.days_off import load_days_off, thai_public_days_off
from db.models import Base, DayOff
from workflows.domain.calendar import (
    BANGKOK,
    OFFICE_DAY_SECONDS,
    BusinessCalendar,
    format_date_th,
    format_datetime_en,
    format_datetime_th,
)

PLAIN = BusinessCalendar()
THAI_2026 = BusinessCalendar(frozenset(thai_public_days_off([2026])))
HOUR = 3600


def bkk(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=BANGKOK)


def test_filed_friday_evening_one_business_day_is_due_monday_closing():
    due = PLAIN.add_business_days(bkk(2026, 11, 20, 20), 1)  # Friday 20:00
    assert due == bkk(2026, 11, 23, 16, 30)


def test_filed_monday_morning_one_business_day_is_due_tuesday_same_time():
    assert PLAIN.add_business_days(bkk(2026, 11, 23, 10), 1) == bkk(2026, 11, 24, 10)


def test_results_are_in_utc():
    due = PLAIN.add_business_days(bkk(2026, 11, 23, 10), 1)
    assert due.utcoffset() == timedelta(0)
    assert due == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def test_utc_input_is_read_as_bangkok_time():
    # 01:00 UTC Monday is 08:00 in Bangkok: not open yet, so counting starts at 08:30.
    t = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert not PLAIN.is_open(t)
    assert PLAIN.add_office_seconds(t, HOUR) == bkk(2026, 11, 23, 9, 30)


def test_office_opens_at_0830_and_closes_at_1630():
    assert PLAIN.is_open(bkk(2026, 11, 23, 8, 30))
    assert not PLAIN.is_open(bkk(2026, 11, 23, 8, 29))
    assert PLAIN.is_open(bkk(2026, 11, 23, 16, 29))
    assert not PLAIN.is_open(bkk(2026, 11, 23, 16, 30))
    assert not PLAIN.is_open(bkk(2026, 11, 21, 10))  # Saturday


def test_next_opening_is_now_when_open_else_next_morning():
    assert PLAIN.next_opening(bkk(2026, 11, 23, 11)) == bkk(2026, 11, 23, 11)
    assert PLAIN.next_opening(bkk(2026, 11, 23, 6)) == bkk(2026, 11, 23, 8, 30)
    assert PLAIN.next_opening(bkk(2026, 11, 23, 16, 30)) == bkk(2026, 11, 24, 8, 30)
    assert PLAIN.next_opening(bkk(2026, 11, 20, 17)) == bkk(2026, 11, 23, 8, 30)


def test_overnight_carry_over():
    # 16:00 + 2 hours: half an hour today, the rest from 08:30 tomorrow.
    assert PLAIN.add_office_seconds(bkk(2026, 11, 23, 16), 2 * HOUR) == bkk(2026, 11, 24, 10)


def test_zero_seconds_waits_for_the_office_to_open():
    assert PLAIN.add_office_seconds(bkk(2026, 11, 21, 12), 0) == bkk(2026, 11, 23, 8, 30)


def test_songkran_2026_is_skipped():
    # Friday 10 April 15:30; Mon-Wed 13-15 April are Songkran, so the rest falls on Thursday.
    filed = bkk(2026, 4, 10, 15, 30)
    assert THAI_2026.add_business_days(filed, 1) == bkk(2026, 4, 16, 15, 30)
    assert PLAIN.add_business_days(filed, 1) == bkk(2026, 4, 13, 15, 30)


def test_substitution_day_for_visakha_bucha_is_skipped():
    # Visakha Bucha falls on Sunday 31 May 2026; Monday 1 June is its substitution day and
    # Wednesday 3 June is the Queen's birthday.
    filed = bkk(2026, 5, 29, 17)
    assert THAI_2026.add_business_days(filed, 1) == bkk(2026, 6, 2, 16, 30)
    assert THAI_2026.add_business_days(filed, 2) == bkk(2026, 6, 4, 16, 30)


def test_fifteen_business_days_span_three_weeks():
    assert PLAIN.add_business_days(bkk(2026, 11, 2, 9), 15) == bkk(2026, 11, 23, 9)


def test_office_seconds_between_skips_nights_and_weekends():
    assert PLAIN.office_seconds_between(bkk(2026, 11, 20, 16), bkk(2026, 11, 23, 9)) == HOUR
    assert PLAIN.office_seconds_between(bkk(2026, 11, 21, 9), bkk(2026, 11, 22, 18)) == 0
    assert PLAIN.office_seconds_between(bkk(2026, 11, 23, 9), bkk(2026, 11, 20, 16)) == -HOUR


def test_office_seconds_between_ignores_days_off():
    a, b = bkk(2026, 4, 10, 8, 30), bkk(2026, 4, 17, 16, 30)
    assert PLAIN.office_seconds_between(a, b) == 6 * OFFICE_DAY_SECONDS
    assert THAI_2026.office_seconds_between(a, b) == 3 * OFFICE_DAY_SECONDS


@pytest.mark.parametrize("seconds", [0, 1, 1800, 7 * HOUR, OFFICE_DAY_SECONDS, 100_000, 10**6])
@pytest.mark.parametrize("start", [bkk(2026, 4, 9, 9, 15), bkk(2026, 5, 29, 16), bkk(2026, 12, 4, 13)])
def test_adding_then_measuring_gives_back_the_same_office_time(start, seconds):
    assert THAI_2026.office_seconds_between(start, THAI_2026.add_office_seconds(start, seconds)) == (seconds)


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError):
        PLAIN.is_open(datetime(2026, 11, 23, 10))
    with pytest.raises(ValueError):
        PLAIN.add_office_seconds(bkk(2026, 11, 23, 10), -1)


def test_dates_are_shown_in_the_buddhist_era():
    t = bkk(2026, 11, 24, 16, 30)
    assert format_date_th(t) == "24 พ.ย. 2569"
    assert format_datetime_th(t) == "อ. 24 พ.ย. 2569 16:30 น."
    assert format_datetime_en(t) == "Tue 24 Nov 2569, 16:30"


def test_formatting_uses_bangkok_time_even_across_new_year():
    t = datetime(2026, 12, 31, 18, 5, tzinfo=UTC)  # 01:05 on 1 Jan 2027 in Bangkok
    assert format_date_th(t) == "1 ม.ค. 2570"
    assert format_datetime_th(t) == "ศ. 1 ม.ค. 2570 01:05 น."
    assert format_datetime_en(t) == "Fri 1 Jan 2570, 01:05"


# --- the day-off list (activities/days_off.py) ---------------------------------------------------


def test_days_off_2026_include_songkran_and_substitution_days_but_not_childrens_day():
    days = thai_public_days_off([2026])
    assert {date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 15)} <= days.keys()
    assert days[date(2026, 4, 13)] == "วันสงกรานต์"
    assert days[date(2026, 6, 1)].startswith("ชดเชย")  # Visakha Bucha in lieu
    assert days[date(2026, 12, 7)].startswith("ชดเชย")  # 5 December in lieu
    assert date(2026, 5, 13) in days  # Royal Ploughing Ceremony: a government day off
    assert date(2026, 1, 10) not in days  # National Children's Day (a Saturday observance)
    assert date(2026, 5, 1) not in days  # Labour Day: private sector only


def test_labour_day_substitution_is_not_a_government_day_off():
    days = thai_public_days_off([2027])  # 1 May 2027 is a Saturday, in lieu on Monday 3 May
    assert date(2027, 5, 3) not in days
    assert date(2027, 12, 6) in days  # while the 5 December substitution still counts


def test_declared_days_off_are_merged_with_public_holidays():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([
            DayOff(day=date(2026, 11, 23), name="วันหยุดราชการพิเศษ"),
            DayOff(day=date(2026, 4, 13), name="วันสงกรานต์"),
            DayOff(day=date(2025, 11, 24), name="ปีอื่น"),
        ])  # fmt: skip
        session.flush()
        days = load_days_off(session, [2026])
    assert days[date(2026, 11, 23)] == "วันหยุดราชการพิเศษ"
    assert days[date(2026, 4, 13)] == "วันสงกรานต์"
    assert date(2025, 11, 24) not in days
    calendar = BusinessCalendar(frozenset(days))
    assert calendar.add_business_days(bkk(2026, 11, 20, 20), 1) == bkk(2026, 11, 24, 16, 30)


@pytest.mark.parametrize("module", ["calendar.py", "routing.py"])
def test_domain_rules_import_only_the_standard_library(module):
    source = Path(__file__).parents[1] / "workflows" / "domain" / module
    names = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert names <= set(sys.stdlib_module_names) | {"__future__"}
