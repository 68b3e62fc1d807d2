"""The business calendar of a Damrongdham center: when the office is open (Mon-Fri 08:30-16:30 Bangkok
time, minus the days off the caller hands in), how far a deadline moves when it is counted in office
time, how much office time lies between two instants, and how dates are shown to people in the
Buddhist era. Pure standard-library code: it runs inside Temporal workflows, so it reads no clock, no
time-zone database and no holiday package; the days off arrive as data (see activities/days_off.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

# Thailand has had no daylight saving time since 1920, so a fixed offset is exact and needs no tzdata.
BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")

OPENS = time(8, 30)
CLOSES = time(16, 30)
OFFICE_DAY_SECONDS = 8 * 3600

BUDDHIST_ERA_OFFSET = 543

_MONTHS_TH = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
_MONTHS_TH_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS_TH = ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _local(t: datetime) -> datetime:
    # A naive datetime would silently mean "the worker's local zone": refuse it instead.
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware: {t!r}")
    return t.astimezone(BANGKOK)


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _at(d: date, clock: time) -> datetime:
    return datetime.combine(d, clock, tzinfo=BANGKOK)


def opening_hours(spans: list[str] | tuple[str, ...]) -> tuple[tuple[time, time] | None, ...] | None:
    """A center's week from seven "HH:MM-HH:MM" strings (Monday first; "" = closed), as the directory's
    record gives it; None (the government week) when the list is not exactly seven valid spans or has
    no open day, so a bad record never leaves a center with no office time at all."""
    if len(spans) != 7:
        return None
    week: list[tuple[time, time] | None] = []
    for span in spans:
        if not span:
            week.append(None)
            continue
        try:
            a, b = (time.fromisoformat(part.strip()) for part in span.split("-", 1))
        except ValueError:
            return None
        if b <= a:
            return None
        week.append((a, b))
    return tuple(week) if any(week) else None


@dataclass(frozen=True)
class BusinessCalendar:
    """Office time of a center; `days_off` are whole Bangkok dates when it is closed on a weekday.
    `week` is the center's own opening hours per weekday (Monday first, None = closed; see
    `opening_hours`); without it, the government week Mon-Fri 08:30-16:30."""

    days_off: frozenset[date] = frozenset()
    week: tuple[tuple[time, time] | None, ...] | None = None

    def _hours(self, d: date) -> tuple[time, time] | None:
        if self.week is None:
            return (OPENS, CLOSES) if d.weekday() < 5 else None
        return self.week[d.weekday()]

    def is_business_day(self, d: date) -> bool:
        return self._hours(d) is not None and d not in self.days_off

    def is_open(self, t: datetime) -> bool:
        local = _local(t)
        hours = self._hours(local.date())
        return self.is_business_day(local.date()) and hours[0] <= local.time() < hours[1]

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after `d`."""
        d += timedelta(days=1)
        while not self.is_business_day(d):
            d += timedelta(days=1)
        return d

    def next_opening(self, t: datetime) -> datetime:
        """`t` itself when the office is open, else the moment it next opens (in UTC)."""
        local = _local(t)
        d = local.date()
        if self.is_business_day(d):
            opens, closes = self._hours(d)
            if local.time() < opens:
                return _utc(_at(d, opens))
            if local.time() < closes:
                return _utc(t)
        nxt = self.next_business_day(d)
        return _utc(_at(nxt, self._hours(nxt)[0]))

    def add_office_seconds(self, t: datetime, seconds: int) -> datetime:
        """The instant after `seconds` of office time, counted from the next opening at or after `t`.

        A deadline that uses up a day exactly lands on that day's closing time (16:30), not on the
        next morning, so "one business day" from a Friday evening is Monday 16:30."""
        if seconds < 0:
            raise ValueError("office time to add must not be negative")
        cursor = _local(self.next_opening(t))
        remaining = int(seconds)
        while True:
            closing = _at(cursor.date(), self._hours(cursor.date())[1])
            left_today = int((closing - cursor).total_seconds())
            if remaining <= left_today:
                return _utc(cursor + timedelta(seconds=remaining))
            remaining -= left_today
            nxt = self.next_business_day(cursor.date())
            cursor = _at(nxt, self._hours(nxt)[0])

    def add_business_days(self, t: datetime, n: int) -> datetime:
        """`n` full office days (8 hours each) after `t`: Monday 10:00 + 1 is Tuesday 10:00."""
        return self.add_office_seconds(t, n * OFFICE_DAY_SECONDS)

    def office_seconds_between(self, a: datetime, b: datetime) -> int:
        """Office time in [a, b); negative when `b` is before `a` (time already overdue)."""
        start, end = _local(a), _local(b)
        if end < start:
            return -self.office_seconds_between(b, a)
        total = 0
        d = start.date()
        while d <= end.date():
            if self.is_business_day(d):
                opens, closes = self._hours(d)
                lo = max(start, _at(d, opens))
                hi = min(end, _at(d, closes))
                if hi > lo:
                    total += int((hi - lo).total_seconds())
            d += timedelta(days=1)
        return total


def buddhist_year(d: date) -> int:
    return d.year + BUDDHIST_ERA_OFFSET


def _day(t: datetime | date) -> date:
    return _local(t).date() if isinstance(t, datetime) else t


def format_date_th(t: datetime | date) -> str:
    """ "24 พ.ย. 2569": day, abbreviated Thai month, Buddhist year, in Bangkok time."""
    d = _day(t)
    return f"{d.day} {_MONTHS_TH[d.month - 1]} {buddhist_year(d)}"


def format_date(t: datetime | date, lang: str = "th") -> str:
    """ "24 พ.ย. 2569" / "24 Nov 2569": English keeps the Buddhist year too (DESIGN §5)."""
    if lang != "en":
        return format_date_th(t)
    d = _day(t)
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {buddhist_year(d)}"


def format_date_time(t: datetime, lang: str = "th") -> str:
    """ "24 พ.ย. 2569 16:30" / "24 Nov 2569 16:30" in Bangkok time: for lists and tables."""
    return f"{format_date(t, lang)} {_local(t):%H:%M}"


def format_date_long_th(t: datetime | date) -> str:
    """ "24 พฤศจิกายน 2569": the month in full, as official letters date themselves."""
    d = _day(t)
    return f"{d.day} {_MONTHS_TH_FULL[d.month - 1]} {buddhist_year(d)}"


def format_day_en(t: datetime | date) -> str:
    """ "Tue 24 Nov 2569" in Bangkok time."""
    d = _day(t)
    return f"{_WEEKDAYS_EN[d.weekday()]} {format_date(d, 'en')}"


def format_datetime_th(t: datetime) -> str:
    """ "อ. 24 พ.ย. 2569 16:30 น." in Bangkok time."""
    local = _local(t)
    weekday = _WEEKDAYS_TH[local.weekday()]
    return f"{weekday} {format_date_th(local.date())} {local:%H:%M} น."


def format_datetime_en(t: datetime) -> str:
    """ "Tue 24 Nov 2569, 16:30" in Bangkok time; English keeps the Buddhist year (DESIGN §5)."""
    return f"{format_day_en(t)}, {_local(t):%H:%M}"
