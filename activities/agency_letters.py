"""The forwarding letter an `email` connector sends: the same letter the print page shows, built by
`db.letters.letter_for_case` and rendered as a PDF by `letters.render_letter_pdf` (both part of the
letters work), with a short bilingual covering note as the e-mail's body. Until those exist in a
deployment, an e-mail send fails as misconfigured, and the case goes to manual forwarding."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import MISCONFIGURED, AgencyLink, ConnectorError, Parcel
from connectors.email import Letter, LetterWriter
from workflows import contracts as c


def covering_note(case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> tuple[str, str]:
    subject = f"ส่งเรื่องร้องเรียนเลขที่ {case.tracking_number} / Complaint {case.tracking_number} for your action"
    photos = (
        f"\nภาพประกอบ {len(parcel.photos)} ภาพแนบมาด้วย / {len(parcel.photos)} photo(s) attached."
        if parcel.photos
        else ""
    )
    body = (
        f"เรียน {agency.name_th}\n\n"
        f"ศูนย์ดำรงธรรมขอส่งเรื่องร้องเรียนเลขที่ {case.tracking_number} เพื่อโปรดพิจารณาดำเนินการ "
        "รายละเอียดตามหนังสือที่แนบ (PDF)"
        f"{photos}\n\n"
        f"Dear {agency.name_en},\n\nPlease find attached the forwarding letter (PDF) for complaint "
        f"{case.tracking_number}, for your action.\n"
    )
    return subject, body


def forwarding_letter(sessions: sessionmaker[Session]) -> LetterWriter:
    def write(case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> Letter:
        try:
            from db.letters import letter_for_case
            from letters import render_letter_pdf
        except ImportError as err:
            raise ConnectorError(MISCONFIGURED, f"the forwarding letter cannot be made: {err}") from err
        with sessions() as s:
            letter = letter_for_case(s, case.tracking_number)
        subject, body = covering_note(case, agency, parcel)
        return Letter(subject=subject, body=body, pdf=render_letter_pdf(letter), filename=f"{case.tracking_number}.pdf")

    return write
