"""What a citizen may know about a Damrongdham center: its names, where it is, how to reach it and
when it is open, as the directory holds them (seeded names and areas; contact details from a feed or
an administrator, never invented: a value nobody has given is None). `GET /api/centers/{code}` and
the chat's answers about a center read this one function."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from db.models import Center

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CenterFacts:
    code: str
    level: str
    name_th: str
    name_en: str
    parent: str | None
    province_code: str | None
    district_code: str | None
    address: str | None
    phone: str | None
    email: str | None
    # {"mon": {"open": "08:30", "close": "16:30"}, ..., "text_th": ..., "text_en": ...}; a missing day is closed
    office_hours: dict[str, Any] | None
    line_official_account: str | None
    latitude: float | None
    longitude: float | None
    active: bool
    demo: bool  # not a real center's details: show it as such

    def opening(self, weekday: int) -> tuple[str, str] | None:
        """(open, close) on a weekday (0 = Monday), or None when closed or not known."""
        day = (self.office_hours or {}).get(WEEKDAYS[weekday])
        return (day["open"], day["close"]) if day else None

    def to_json(self) -> dict[str, Any]:
        facts = asdict(self)
        lat, lon = facts.pop("latitude"), facts.pop("longitude")
        facts["map"] = {"lat": lat, "lon": lon} if lat is not None and lon is not None else None
        return facts


def facts_of(c: Center) -> CenterFacts:
    return CenterFacts(
        code=c.code,
        level=c.level,
        name_th=c.name_th,
        name_en=c.name_en,
        parent=c.parent_code,
        province_code=c.province_code,
        district_code=c.district_code,
        address=c.address,
        phone=c.phone,
        email=c.email,
        office_hours=c.office_hours or None,
        line_official_account=c.line_official_account,
        latitude=c.latitude,
        longitude=c.longitude,
        active=c.active is not False,
        demo=bool(c.demo),
    )


def center_facts(session: Session, code: str) -> CenterFacts | None:
    """The facts of one center by its code (e.g. "D9205"), or None for an unknown code."""
    c = session.get(Center, code)
    return facts_of(c) if c is not None else None
