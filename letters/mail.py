"""Sending a forwarding letter by e-mail over SMTP (the standard library's smtplib): the settings
(host, port, plain/STARTTLS/SSL, credentials, sender) from the environment, one message with the
letter's PDF and the photos attached, and typed errors that say whether the server refused the
message or could not be reached, so the caller (the e-mail connector) can record the refusal and fall
back to manual forwarding. Returns the Message-ID we gave the message: the outgoing reference."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    security: str = "starttls"  # none | starttls | ssl
    username: str = ""
    password: str = ""
    sender: str = "damrongdham@localhost"
    timeout: float = 30.0
    verify_tls: bool = True  # False only for a test server with a self-signed certificate

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SmtpSettings:
        """`SMTP_HOST`, `SMTP_PORT`, `SMTP_SECURITY` (none|starttls|ssl), `SMTP_USERNAME`,
        `SMTP_PASSWORD`, `SMTP_SENDER`, `SMTP_TIMEOUT`."""
        env = os.environ if env is None else env
        security = env.get("SMTP_SECURITY", "starttls").lower()
        if security not in SECURITY:
            raise MailSettingsError(f"SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
        return cls(
            host=env.get("SMTP_HOST", "localhost"),
            port=int(env.get("SMTP_PORT", default_port)),
            security=security,
            username=env.get("SMTP_USERNAME", ""),
            password=env.get("SMTP_PASSWORD", ""),
            sender=env.get("SMTP_SENDER", "damrongdham@localhost"),
            timeout=float(env.get("SMTP_TIMEOUT", "30")),
        )


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str  # "image/jpeg"
    data: bytes


class MailError(Exception):
    """Sending failed; `retryable` tells a passing trouble (a server down, a 4xx reply) from a final
    refusal (5xx, a recipient refused, bad credentials, bad settings)."""

    retryable = False

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message, self.code = message, code


class MailSettingsError(MailError):
    """The settings cannot work (an unknown security mode, no recipient)."""


class MailUnreachable(MailError):
    """The server could not be reached or dropped the connection."""

    retryable = True


class MailAuthRefused(MailError):
    """The server refused our credentials."""


class MailRefused(MailError):
    """The server refused the sender, the recipient or the message; retryable on a 4xx reply."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message, code)
        self.retryable = code is not None and 400 <= code < 500


def letter_message(
    settings: SmtpSettings, to: str, subject: str, body: str, pdf: bytes, attachments=(), pdf_name: str = "letter.pdf"
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(body)
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    for a in attachments:
        maintype, _, subtype = a.content_type.partition("/")
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype or "octet-stream", filename=a.filename)
    return msg


def send_letter_email(
    settings: SmtpSettings,
    to: str,
    subject: str,
    body: str,
    pdf: bytes,
    attachments: list[MailAttachment] | tuple[MailAttachment, ...] = (),
    pdf_name: str = "letter.pdf",
) -> str:
    """Send the letter (blocking: run it in a thread or an activity); the Message-ID once the server
    accepted the message for its recipient. Raises a `MailError` subclass otherwise."""
    if not to or "@" not in to:
        raise MailSettingsError("no e-mail address for the agency")
    msg = letter_message(settings, to, subject, body, pdf, attachments, pdf_name)
    context = ssl.create_default_context()
    if not settings.verify_tls:
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        if settings.security == "ssl":
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=context)
            if settings.username:
                server.login(settings.username, settings.password)
            refused = server.send_message(msg)
    except smtplib.SMTPAuthenticationError as err:
        raise MailAuthRefused(f"SMTP login refused: {err.smtp_code}", err.smtp_code) from err
    except smtplib.SMTPNotSupportedError as err:
        raise MailRefused(f"the SMTP server does not offer what the settings ask: {err}") from err
    except smtplib.SMTPRecipientsRefused as err:
        code = next(iter(err.recipients.values()))[0] if err.recipients else None
        raise MailRefused(f"recipient refused by the SMTP server ({code})", code) from err
    except smtplib.SMTPSenderRefused as err:
        raise MailRefused(f"sender refused by the SMTP server ({err.smtp_code})", err.smtp_code) from err
    except smtplib.SMTPResponseException as err:
        raise MailRefused(f"message refused by the SMTP server ({err.smtp_code})", err.smtp_code) from err
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as err:
        raise MailUnreachable(f"SMTP server {settings.host}:{settings.port} unreachable: {type(err).__name__}") from err
    if refused:
        code = next(iter(refused.values()))[0]
        raise MailRefused(f"recipient refused by the SMTP server ({code})", code)
    return msg["Message-ID"]
