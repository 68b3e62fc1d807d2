"""Turns a validated filing into the workflow's input: names of provinces and districts resolved to
DOPA codes, the chosen center, agency and category checked against the directory. Anything that does
not resolve is an `InvalidInput` naming the field, in Thai and English, before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from api.schemas import ComplaintIn
from db import queries
from db.directory import UnknownArea, resolve_area
from workflows.contracts import AttachmentRef, ComplaintInput, Contact
from workflows.errors import InvalidInput


def build_draft(
    s: Session, form: ComplaintIn, photos: list[AttachmentRef], channel: str = "api", channel_ref: str = ""
) -> ComplaintInput:
    try:
        province, district = resolve_area(form.province, form.district)
    except UnknownArea as err:
        label = {"province": "จังหวัด / province", "district": "อำเภอ / district"}[err.field]
        raise InvalidInput(f"ไม่พบ{label} '{err.value}' / unknown {err.field} '{err.value}'") from err
    if form.category and queries.category(s, form.category) is None:
        raise InvalidInput(f"ไม่รู้จักหมวดเรื่อง / unknown category '{form.category}'")
    if form.center and queries.center(s, form.center) is None:
        raise InvalidInput(f"ไม่พบศูนย์ดำรงธรรม / unknown center '{form.center}'")
    if form.agency and queries.agency(s, form.agency) is None:
        raise InvalidInput(f"ไม่พบหน่วยงาน / unknown agency '{form.agency}'")
    contact = None
    if form.contact is not None:
        contact = Contact(
            name=form.contact.name,
            phone=form.contact.phone or "",
            national_id=form.contact.national_id or "",
            email=form.contact.email or "",
        )
    return ComplaintInput(
        tracking_number="",
        pin_hash="",
        text=form.text,
        filed_at=datetime.now(UTC).isoformat(),
        channel=channel,
        channel_ref=channel_ref,
        province_code=province,
        district_code=district,
        category=form.category,
        center_code=form.center,
        agency_code=form.agency,
        contact=contact,
        anonymous=form.anonymous,
        attachments=photos,
    )
