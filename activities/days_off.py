"""The days a government office is closed on a weekday: Thai public holidays from the `holidays`
package (with their substitution days) plus the extra days an administrator declares in the
`days_off` table. The result feeds `workflows.domain.calendar.BusinessCalendar`, which cannot read
either source itself because it runs inside workflows.

What counts as a day off for government offices: the package's PUBLIC category (which also carries
cabinet-declared bridge days and substitution days, named "ชดเชย...") plus its GOVERNMENT category
(the Royal Ploughing Ceremony), minus the entries that offices stay open for: National Children's Day
(an observance, always on a Saturday) and National Labour Day (a holiday for the private and financial
sectors only, as the package itself notes), together with any substitution day for them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import DayOff

# Thai names exactly as `holidays.TH(language="th")` spells them.
OFFICES_STAY_OPEN = frozenset({"วันเด็กแห่งชาติ", "วันแรงงานแห่งชาติ"})
_IN_LIEU_PREFIX = "ชดเชย"
_NAME_SEPARATOR = "; "


def _is_day_off(name: str) -> bool:
    base = name.removeprefix(_IN_LIEU_PREFIX)
    return base not in OFFICES_STAY_OPEN


def thai_public_days_off(years: Iterable[int]) -> dict[date, str]:
    """Government days off in `years`, each with its Thai name(s) joined by "; "."""
    wanted = sorted(set(years))
    if not wanted:
        return {}
    calendar = holidays.TH(
        years=wanted,
        categories=(holidays.PUBLIC, holidays.GOVERNMENT),
        language="th",
    )
    days: dict[date, str] = {}
    for day, joined in sorted(calendar.items()):
        # One date can hold several holidays (5 Dec); drop only the names offices ignore.
        kept = [n for n in joined.split(_NAME_SEPARATOR) if _is_day_off(n)]
        if kept:
            days[day] = _NAME_SEPARATOR.join(kept)
    return days


def load_days_off(session: Session, years: Iterable[int]) -> dict[date, str]:
    """Public days off plus the declared ones from the `days_off` table, for `years`."""
    wanted = sorted(set(years))
    days = thai_public_days_off(wanted)
    if not wanted:
        return days
    rows = session.execute(
        select(DayOff.day, DayOff.name)
        .where(DayOff.day >= date(wanted[0], 1, 1), DayOff.day <= date(wanted[-1], 12, 31))
        .order_by(DayOff.day)
    ).all()
    for day, name in rows:
        if day.year not in wanted:
            continue
        existing = days.get(day)
        if existing is None:
            days[day] = name
        elif name not in existing.split(_NAME_SEPARATOR):
            days[day] = f"{existing}{_NAME_SEPARATOR}{name}"
    return dict(sorted(days.items()))
