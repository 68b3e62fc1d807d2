"""`email`: the forwarding letter by e-mail, for an agency with an address and no system of its own. The
letter is the PDF the print page's letter is (`db.letters.letter_for_case` rendered by
`letters.render_letter_pdf`, through the `LetterWriter` the worker gives), the photos are attached,
and the message goes through our SMTP server with `letters.send_letter_email` (settings from the
environment: `SMTP_HOST`, `SMTP_PORT`, `SMTP_SECURITY`, `SMTP_USERNAME`, `SMTP_PASSWORD`,
`SMTP_SENDER`). The case counts as forwarded only once the server accepted the message; its
Message-ID is the outgoing reference. An agency's `connector_settings` may name `to`, else its
directory e-mail is used. The agency answers through its signed status link or by post: nothing to
poll."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from connectors.base import (
    MISCONFIGURED,
    REJECTED,
    UNAVAILABLE,
    UNREACHABLE,
    AgencyLink,
    ConnectorError,
    Parcel,
    Receipt,
    Status,
)
from letters.mail import (
    MailAttachment,
    MailAuthRefused,
    MailError,
    MailSettingsError,
    MailUnreachable,
    SmtpSettings,
    send_letter_email,
)
from workflows import contracts as c

NAME = "email"


@dataclass(frozen=True)
class Letter:
    """The forwarding letter as the e-mail carries it."""

    subject: str
    body: str
    pdf: bytes
    filename: str


LetterWriter = Callable[[c.AgencySend, AgencyLink, Parcel], Letter]


def smtp_from_env() -> SmtpSettings:
    """The deployment's SMTP server; without `SMTP_HOST` there is none, and saying so beats trying
    localhost for the whole of a send's budget."""
    if not os.environ.get("SMTP_HOST", "").strip():
        raise ConnectorError(MISCONFIGURED, "SMTP_HOST is not set: no e-mail can be sent")
    try:
        return SmtpSettings.from_env()
    except (MailSettingsError, ValueError) as err:
        raise ConnectorError(MISCONFIGURED, f"SMTP settings: {err}") from err


def failure(code: str, err: MailError) -> ConnectorError:
    if isinstance(err, MailUnreachable):
        return ConnectorError(UNREACHABLE, f"e-mail to {code}: {err.message}")
    if isinstance(err, MailAuthRefused | MailSettingsError):
        return ConnectorError(MISCONFIGURED, f"e-mail to {code}: {err.message}")
    return ConnectorError(UNAVAILABLE if err.retryable else REJECTED, f"e-mail to {code}: {err.message}")


class Email:
    name = NAME

    def __init__(self, writer: LetterWriter, settings: SmtpSettings | None = None) -> None:
        self.writer = writer
        self.settings = settings  # None: read from the environment at each send

    def send(self, case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> Receipt:
        to = str(agency.setting("to") or agency.email or "").strip()
        if "@" not in to:
            raise ConnectorError(MISCONFIGURED, f"{agency.code} has no e-mail address to send the letter to")
        settings = self.settings or smtp_from_env()
        letter = self.writer(case, agency, parcel)
        photos = [MailAttachment(p.filename, p.content_type, data) for p in parcel.photos if (data := p.read())]
        try:
            message_id = send_letter_email(
                settings, to, letter.subject, letter.body, letter.pdf, photos, pdf_name=letter.filename
            )
        except MailError as err:
            raise failure(agency.code, err) from err
        return Receipt(reference=message_id[:100])

    def poll(self, reference: str, agency: AgencyLink) -> list[Status]:
        return []
