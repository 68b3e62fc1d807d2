"""The forwarding letter an `email` connector sends: the same letter the print page shows, built by
`db.letters.letter_for_case` from the case's center to its agency and rendered as a PDF by
`letters.render_letter_pdf` (photos embedded), with a short covering note in Thai and English as the
e-mail's body. The complainant is named in the letter, and reachable through the note, only when they
consented to share their contact details with the agency (`Parcel.contact`); otherwise the letter
masks the name as the print page does. The letter's ที่ is the case's tracking number under the
center's prefix: a system-sent letter has no number an officer typed. It carries the case's signed
status link and QR code (db/status_links.py, the same link a printed letter gets), signed with the
app secret: the worker reads `APP_SECRET`, or in development the app's `var/secret`; a production
worker without `APP_SECRET` sends the letter without a link, and says so in its log."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import REJECTED, AgencyLink, ConnectorError, Parcel
from connectors.email import Letter, LetterWriter
from db.credentials import production
from db.letters import letter_for_case
from db.models import Case
from db.status_links import letter_link
from letters import render_letter_pdf
from workflows import contracts as c

log = logging.getLogger("agency_letters")


def app_secret(var_dir: Path) -> str:
    """The secret the app signs status links with (api/settings.py reads it the same way)."""
    if os.environ.get("APP_SECRET"):
        return os.environ["APP_SECRET"]
    if production():
        return ""
    path = var_dir / "secret"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}")
        tmp.write_text(secrets.token_hex(32))
        os.replace(tmp, path)  # the app and the worker, starting at once, agree on one secret
    return path.read_text().strip()


def covering_note(case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> tuple[str, str]:
    subject = f"ส่งเรื่องร้องเรียนเลขที่ {case.tracking_number} / Complaint {case.tracking_number} for your action"
    lines = [
        f"เรียน {agency.name_th}",
        "",
        f"ศูนย์ดำรงธรรมขอส่งเรื่องร้องเรียนเลขที่ {case.tracking_number} เพื่อโปรดพิจารณาดำเนินการ รายละเอียดตามหนังสือที่แนบ (PDF)",
    ]
    if parcel.photos:
        lines.append(f"ภาพประกอบ {len(parcel.photos)} ภาพแนบมาด้วย")
    contact = parcel.contact
    if contact is not None:  # the complainant agreed that the agency may reach them
        reach = ", ".join(v for v in (contact.phone, contact.email) if v)
        lines.append(f"ผู้ร้องยินยอมให้หน่วยงานติดต่อได้: {contact.name} {reach}".rstrip())
    lines += [
        "",
        f"Dear {agency.name_en},",
        "",
        f"Please find attached the forwarding letter (PDF) for complaint {case.tracking_number}, for your action.",
    ]
    if contact is not None:
        lines.append("The complainant agreed that you may contact them (details above).")
    return subject, "\n".join(lines) + "\n"


def forwarding_letter(sessions: sessionmaker[Session], photos_root: Path, base_url: str, secret: str) -> LetterWriter:
    if not secret or not base_url:
        log.warning("e-mailed letters go without a status link: APP_SECRET or PUBLIC_BASE_URL is not set")

    def write(case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> Letter:
        with sessions.begin() as s:
            row = s.get(Case, case.tracking_number)
            if row is None:  # the projection writes the case before it is routed: this is a fault
                raise ConnectorError(REJECTED, f"case {case.tracking_number} is not in the read model")
            link, expires = "", None
            if secret and base_url:  # the same link on every retry: current_or_issue
                now = datetime.now(UTC)
                link, expires = letter_link(s, secret, base_url, row.tracking_number, agency.code, "system", now)
            letter = letter_for_case(
                s,
                row,
                row.center_code,
                reference=case.tracking_number,
                named=parcel.contact is not None,
                status_url=link,
                status_expires=expires,
                upload_dir=photos_root,
            )
        subject, body = covering_note(case, agency, parcel)
        return Letter(subject, body, render_letter_pdf(letter), f"{case.tracking_number}.pdf")

    return write
