"""The one builder of a forwarding letter from a case (`letter_for_case`): the print page, the PDF and
the e-mailed letter all take their `letters.LetterData` from here, so they say the same thing. It
reads the case, its agency, the issuing center, the category, the place, the photos and the last
recorded forwarding (reference and date); the complainant's name comes in full only when the caller
says it has logged a reveal for this letter (`named`), masked otherwise. The caller owns the
transaction."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency, Attachment, Case, CaseEvent, Category, Center, PersonalData
from db.photos import photo_path
from db.queries import aware
from letters.data import LetterData, LetterPhoto
from letters.provinces import official_reference, prefix_for
from workflows.domain import calendar

CENTER_PREFIX = "ศูนย์ดำรงธรรม"
MINISTRY_ADDRESS = "กระทรวงมหาดไทย ถนนอัษฎางค์ กรุงเทพมหานคร ๑๐๒๐๐"


def mask_name(name: str) -> str:
    """Each word's first two letters: "สมชาย ใจดี" is "สม*** ใจ***", enough to tell two callers apart."""
    return " ".join(word[:2] + "***" for word in name.split())


def letter_complainant(personal: PersonalData | None, revealed: bool) -> str:
    """The complainant as the forwarding letter names them: in full only after a logged reveal for the
    letter, masked otherwise, nothing for an anonymous or erased complainant."""
    if personal is None or personal.anonymous or personal.erased_at is not None or not personal.name:
        return ""
    return personal.name if revealed else mask_name(personal.name)


def office_address(s: Session, center: Center | None) -> str:
    """The sender's office line of an official letter: the district office, the provincial hall, or
    the ministry."""
    if center is None or center.level in ("ministry", "dopa"):
        return MINISTRY_ADDRESS
    place = center.name_th.removeprefix(CENTER_PREFIX)
    if center.level == "district":
        parent = s.get(Center, center.parent_code) if center.parent_code else None
        province = parent.name_th.removeprefix(CENTER_PREFIX) if parent else ""
        return f"ที่ว่าการ{place} {province}".strip()
    return f"ศาลากลาง{place}" if place.startswith("จังหวัด") else f"ศาลาว่าการ{place}"


def recorded_forwarding(s: Session, number: str) -> dict:
    """The recorded letter (reference, date, method) of the case's last forwarding, if any."""
    q = (
        select(CaseEvent.data)
        .where(CaseEvent.tracking_number == number, CaseEvent.kind == "forwarded")
        .order_by(CaseEvent.seq.desc())
    )
    data = next((dict(data) for data in s.scalars(q) if data), {})
    if data.get("via"):
        # A connector's forwarding records the agency's number or the e-mail's Message-ID, not a
        # letter's ที่: the e-mailed letter is numbered with the case's own number (activities/agency_letters).
        data["reference"] = number if data["via"] == "email" else ""
    return data


def place_of(s: Session, case: Case) -> str:
    """ "อำเภอสิเกา จังหวัดตรัง", from the directory's centers for the case's area."""
    names = []
    for code in (
        f"D{case.district_code}" if case.district_code else None,
        f"P{case.province_code}" if case.province_code else None,
    ):
        center = s.get(Center, code) if code else None
        if center is not None:
            names.append(center.name_th.removeprefix(CENTER_PREFIX))
    return " ".join(names)


def letter_for_case(
    s: Session,
    case: Case,
    issuer_code: str | None,
    *,
    reference: str = "",
    sent_on: date | None = None,
    named: bool = False,
    signer: str = "",
    status_url: str = "",
    status_expires: datetime | None = None,
    thai_digits: bool = False,
    upload_dir: Path | None = None,
) -> LetterData:
    """The letter from center `issuer_code` (the officer's own, or the case's center when no officer
    sends it) to the case's agency. `reference` is the number the officer typed (the office's prefix
    is added unless one is written); without one, the recorded forwarding's. With `upload_dir` the
    photos' bytes are loaded (for the PDF)."""
    issuer = s.get(Center, issuer_code) if issuer_code else None
    agency = s.get(Agency, case.agency_code) if case.agency_code else None
    category = s.get(Category, case.category) if case.category else None
    recorded = recorded_forwarding(s, case.tracking_number)
    prefix = prefix_for(issuer.level if issuer else None, issuer.province_code if issuer else None)
    if sent_on is None:
        try:
            sent_on = date.fromisoformat(recorded.get("sent_on", ""))
        except ValueError:
            sent_on = datetime.now(calendar.BANGKOK).date()
    personal = s.get(PersonalData, case.tracking_number)
    rows = s.scalars(
        select(Attachment).where(Attachment.tracking_number == case.tracking_number).order_by(Attachment.id)
    )
    photos = tuple(
        LetterPhoto(
            a.sha256, a.filename, a.content_type, _read(photo_path(upload_dir, a.sha256)) if upload_dir else b""
        )
        for a in rows
    )
    return LetterData(
        tracking_number=case.tracking_number,
        issuer=issuer.name_th if issuer else CENTER_PREFIX,
        issuer_address=office_address(s, issuer),
        reference_prefix=prefix,
        reference=official_reference(prefix, reference or recorded.get("reference", "")),
        sent_on=sent_on,
        filed_on=_bangkok(case.filed_at),
        agency_name=agency.name_th if agency else "",
        complainant="" if case.anonymous else letter_complainant(personal, named),
        named=named and not case.anonymous,
        category=category.name_th if category else "",
        place=place_of(s, case),
        summary=case.text,
        photos=photos,
        signer=signer,
        status_url=status_url,
        status_expires_on=_bangkok(status_expires) if status_expires else None,
        thai_digits=thai_digits,
    )


def _bangkok(t: datetime) -> date:
    return aware(t).astimezone(calendar.BANGKOK).date()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # a photo whose file is gone (erased on retention): named, not shown
