"""`email`: the forwarding letter by e-mail, for an agency with an address and no system of its own. The
letter is a PDF (made by the `letters` package through the `LetterWriter` the worker gives) with the
case's photos attached; the message goes through our SMTP server (`SmtpSettings`: host, port, TLS,
user, and the password by the name of the environment variable holding it). The case counts as
forwarded only once the server accepted the message, and the Message-ID is the outgoing reference. The
Message-ID comes from the send's idempotency key, so a send retried after a lost answer carries the same
id and the agency's mail system can tell it is the same letter. An agency's `connector_settings` may
name `to` (else its directory e-mail) and `cc`."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

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
from workflows import contracts as c

NAME = "email"
SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # none | starttls | ssl
    user: str = ""
    password_ref: str = ""  # the environment variable that holds the password, never the password
    sender: str = ""  # the From address
    timeout: float = 20.0
    verify_tls: bool = True  # off only for a test server with its own certificate

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        env = os.environ if env is None else env
        return cls(
            host=env.get("SMTP_HOST", ""),
            port=int(env.get("SMTP_PORT", "587") or 587),
            security=env.get("SMTP_SECURITY", "starttls").strip().lower(),
            user=env.get("SMTP_USER", ""),
            password_ref=env.get("SMTP_PASSWORD_REF", "SMTP_PASSWORD"),
            sender=env.get("SMTP_FROM", ""),
            timeout=float(env.get("SMTP_TIMEOUT", "20") or 20),
        )

    def password(self) -> str:
        return os.environ.get(self.password_ref, "") if self.password_ref else ""

    def problem(self) -> str | None:
        if not self.host:
            return "SMTP_HOST is not set"
        if not self.sender or "@" not in self.sender:
            return "SMTP_FROM is not set"
        if self.security not in SECURITY:
            return f"SMTP_SECURITY must be one of {', '.join(SECURITY)}"
        return None


@dataclass(frozen=True)
class Letter:
    """The forwarding letter as the e-mail carries it."""

    subject: str
    body: str
    pdf: bytes
    filename: str


LetterWriter = Callable[[c.AgencySend, AgencyLink, Parcel], Letter]


def message_id(case: c.AgencySend, sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<{hashlib.sha256(case.idempotency_key.encode()).hexdigest()[:32]}@{domain}>"


def compose(case: c.AgencySend, agency: AgencyLink, parcel: Parcel, letter: Letter, sender: str) -> EmailMessage:
    to = str(agency.setting("to") or agency.email or "").strip()
    if "@" not in to:
        raise ConnectorError(MISCONFIGURED, f"{agency.code} has no e-mail address to send the letter to")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if agency.setting("cc"):
        msg["Cc"] = str(agency.setting("cc"))
    msg["Subject"] = letter.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(case, sender)
    msg.set_content(letter.body)
    msg.add_attachment(letter.pdf, maintype="application", subtype="pdf", filename=letter.filename)
    for photo in parcel.photos:
        maintype, _, subtype = photo.content_type.partition("/")
        msg.add_attachment(photo.read(), maintype=maintype or "application", subtype=subtype or "octet-stream",
                           filename=photo.filename)  # fmt: skip
    return msg


def _smtp_failure(code: str, err: Exception) -> ConnectorError:
    """What the SMTP server's answer means: 5xx refuses for good, 4xx is "later", no answer is unreachable."""
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return ConnectorError(MISCONFIGURED, f"the SMTP server refused our credentials: {err.smtp_code}")
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        codes = sorted({answer[0] for answer in err.recipients.values()})
        kind = REJECTED if codes and all(c >= 500 for c in codes) else UNAVAILABLE
        return ConnectorError(kind, f"the SMTP server refused {code}'s address: {codes}")
    if isinstance(err, smtplib.SMTPResponseException):
        kind = REJECTED if err.smtp_code >= 500 else UNAVAILABLE
        detail = err.smtp_error.decode(errors="replace") if isinstance(err.smtp_error, bytes) else str(err.smtp_error)
        return ConnectorError(kind, f"the SMTP server answered {err.smtp_code} {detail[:200]}")
    return ConnectorError(UNREACHABLE, f"the SMTP server is unreachable: {type(err).__name__}: {err}")


class Email:
    name = NAME

    def __init__(self, settings: SmtpSettings, writer: LetterWriter) -> None:
        self.settings = settings
        self.writer = writer

    def send(self, case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> Receipt:
        settings = self.settings
        problem = settings.problem()
        if problem:
            raise ConnectorError(MISCONFIGURED, f"e-mail to {agency.code}: {problem}")
        msg = compose(case, agency, parcel, self.writer(case, agency, parcel), settings.sender)
        context = ssl.create_default_context()
        if not settings.verify_tls:
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        try:
            if settings.security == "ssl":
                smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            with smtp:
                if settings.security == "starttls":
                    smtp.starttls(context=context)
                if settings.user:
                    smtp.login(settings.user, settings.password())
                smtp.send_message(msg)  # returns only once the server accepted the message for delivery
        except (smtplib.SMTPException, OSError) as err:  # OSError covers timeouts and refused connections
            raise _smtp_failure(agency.code, err) from err
        return Receipt(reference=str(msg["Message-ID"]))

    def poll(self, reference: str, agency: AgencyLink) -> list[Status]:
        return []  # the agency answers through its signed status link or by post
