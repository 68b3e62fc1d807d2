"""The forwarding letter as a document and its delivery by e-mail: `LetterData` (what the letter says,
built from a case by `db.letters.letter_for_case`), `wording` (its sentences, shared by the print page
and the PDF), `render_letter_pdf` (the PDF), `send_letter_email` (SMTP) and the reference prefixes of
the 77 provinces. No database and no network but the SMTP connection the sender opens."""

from letters.data import LetterData, LetterPhoto, numerals
from letters.mail import (
    MailAttachment,
    MailAuthRefused,
    MailError,
    MailRefused,
    MailSettingsError,
    MailUnreachable,
    SmtpSettings,
    send_letter_email,
)
from letters.pdf import qr_png, render_letter_pdf
from letters.provinces import PROVINCE_PREFIXES, official_reference, prefix_for
from letters.wording import Wording, wording

__all__ = [
    "PROVINCE_PREFIXES",
    "LetterData",
    "LetterPhoto",
    "MailAttachment",
    "MailAuthRefused",
    "MailError",
    "MailRefused",
    "MailSettingsError",
    "MailUnreachable",
    "SmtpSettings",
    "Wording",
    "numerals",
    "official_reference",
    "prefix_for",
    "qr_png",
    "render_letter_pdf",
    "send_letter_email",
    "wording",
]
