"""What a forwarding letter says, as plain values: `LetterData` (built from a case by
`db.letters.letter_for_case`, the one builder the print page, the PDF and the e-mail share) and the
photos it carries. Nothing here reads a database or a file; the builder fills the values and the
caller that needs photo bytes (the PDF) loads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LetterPhoto:
    sha256: str
    filename: str
    content_type: str
    data: bytes = b""  # loaded only for a rendering that embeds the photo (the PDF)


@dataclass(frozen=True)
class LetterData:
    """One forwarding letter (หนังสือภายนอก) from a center to the agency that acts on a case.

    `complainant` is the name in full only when the caller logged a reveal for this letter (`named`),
    masked otherwise, and "" for an anonymous or erased complainant. `reference` is the whole ที่ with
    the issuing office's own prefix ("ตง 0017.1/123"), or "" while the letter has no number yet."""

    tracking_number: str
    issuer: str  # "ศูนย์ดำรงธรรมจังหวัดตรัง"
    issuer_address: str
    reference_prefix: str  # "ตง", "มท"
    reference: str
    sent_on: date
    filed_on: date
    agency_name: str = ""
    complainant: str = ""
    named: bool = False
    category: str = ""
    place: str = ""
    summary: str = ""  # the complaint as the citizen wrote it
    photos: tuple[LetterPhoto, ...] = ()
    signer: str = ""
    status_url: str = ""  # the agency's signed status link, printed with its QR code
    status_expires_on: date | None = None
    thai_digits: bool = False  # ตัวเลขไทย for the letter's own numbers (reference, dates, counts)


THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def numerals(text: str, thai: bool) -> str:
    """The letter's own numbers in Thai digits when asked; what a citizen or a system wrote (the
    complaint, the tracking number, a link) never passes through here."""
    return text.translate(THAI_DIGITS) if thai else text
