"""Signed status links for agencies without an account (issue 16 §3): the links issued for a case
(`status_links`: one case, the agency it was sent to, an expiry, revocable) and every use of one
(`status_link_uses`). A link's token is `<link id>.<HMAC>` where the HMAC, under the app secret, covers
the link id, the tracking number and the expiry, so a token names one case only, cannot be stretched
past its expiry, and stays reproducible (a reprinted letter carries the same QR code) without the
token itself being stored. Revoking or reissuing stamps the row; a case sent on to another agency no
longer answers the old agency's link. The caller owns the transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.models import Base
from db.queries import aware
from workflows.errors import CaseError

Stamp = DateTime(timezone=True)
DEFAULT_DAYS = 90
PATH = "/agency-link"  # the agency's page (web/status_link.py): PATH/{tracking number}/{token}
ACTIONS = ("opened", "acknowledged", "progress", "resolved", "returned")


class StatusLink(Base):
    __tablename__ = "status_links"
    link_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(16), index=True)
    agency_code: Mapped[str | None] = mapped_column(String(40))
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class StatusLinkUse(Base):
    """One use of a link: opening its page or posting an event (which then reached the workflow)."""

    __tablename__ = "status_link_uses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_id: Mapped[str] = mapped_column(String(24), index=True)
    tracking_number: Mapped[str] = mapped_column(String(16), index=True)
    action: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str | None] = mapped_column(String(64))  # the text went to the case's timeline, not here
    client: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(Stamp)


class LinkRefused(CaseError):
    """A token that opens nothing: unknown, forged, or not this case's (the same 404 for each, so a
    guess learns nothing)."""

    status_code = 404

    def __init__(self) -> None:
        super().__init__("ลิงก์นี้ใช้ไม่ได้ / this link is not valid")


class LinkOtherCase(CaseError):
    status_code = 403

    def __init__(self) -> None:
        super().__init__("ลิงก์นี้ใช้ได้กับเรื่องอื่น ไม่ใช่เรื่องนี้ / this link is for another case, not this one")


class LinkGone(CaseError):
    """Expired, revoked, or the case has moved to another agency: 410, with the reason."""

    status_code = 410


@dataclass(frozen=True)
class IssuedLink:
    link: StatusLink
    token: str


def _epoch(t: datetime) -> int:
    return int(aware(t).timestamp())


def sign(secret: str, link_id: str, number: str, expires_at: datetime) -> str:
    message = f"status-link|{link_id}|{number}|{_epoch(expires_at)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def token_for(secret: str, link: StatusLink) -> str:
    return f"{link.link_id}.{sign(secret, link.link_id, link.tracking_number, link.expires_at)}"


def current(s: Session, number: str, now: datetime, agency_code: str | None = None) -> StatusLink | None:
    """The case's live link (not revoked, not expired), for `agency_code` when given."""
    q = select(StatusLink).where(
        StatusLink.tracking_number == number, StatusLink.revoked_at.is_(None), StatusLink.expires_at > now
    )
    links = [link for link in s.scalars(q.order_by(StatusLink.issued_at.desc()))]
    return next((link for link in links if agency_code is None or link.agency_code == agency_code), None)


def revoke(s: Session, number: str, by: str, now: datetime) -> int:
    """Revoke every live link of the case; how many were."""
    result = s.execute(
        update(StatusLink)
        .where(StatusLink.tracking_number == number, StatusLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=by)
    )
    return result.rowcount or 0


def issue(
    s: Session, secret: str, number: str, agency_code: str | None, by: str, now: datetime, days: int = DEFAULT_DAYS
) -> IssuedLink:
    """A new link for the case and its agency; any earlier one stops working."""
    revoke(s, number, by, now)
    # Whole seconds: the signature covers the expiry as epoch seconds, and the row must give them back.
    expires = (now + timedelta(days=days)).replace(microsecond=0)
    link = StatusLink(
        link_id=secrets.token_urlsafe(12),
        tracking_number=number,
        agency_code=agency_code,
        issued_by=by,
        issued_at=now,
        expires_at=expires,
    )
    s.add(link)
    s.flush()
    return IssuedLink(link, token_for(secret, link))


def current_or_issue(
    s: Session, secret: str, number: str, agency_code: str | None, by: str, now: datetime, days: int = DEFAULT_DAYS
) -> IssuedLink:
    """The live link of the case for its agency, or a new one (printing a letter twice gives the
    same QR code)."""
    link = current(s, number, now, agency_code)
    if link is not None:
        return IssuedLink(link, token_for(secret, link))
    return issue(s, secret, number, agency_code, by, now, days)


def letter_link(
    s: Session, secret: str, base_url: str, number: str, agency_code: str | None, by: str, now: datetime
) -> tuple[str, datetime | None]:
    """The status link a forwarding letter prints (URL and expiry), issued at the first letter and the
    same on every reprint; ("", None) for a case with no agency yet. `base_url` is the public address
    of the app (`PUBLIC_BASE_URL`); `secret` the app secret (`APP_SECRET`) the app verifies with."""
    if not agency_code:
        return "", None
    issued = current_or_issue(s, secret, number, agency_code, by, now)
    return f"{base_url.rstrip('/')}{PATH}/{number}/{issued.token}", issued.link.expires_at


def verify(s: Session, secret: str, number: str, token: str, case_agency: str | None, now: datetime) -> StatusLink:
    """The link a token opens for this case, or the refusal: forged or unknown 404, another case's
    403, expired, revoked or moved on to another agency 410."""
    link_id, _, signature = token.partition(".")
    link = s.get(StatusLink, link_id) if link_id and len(link_id) <= 24 else None
    if link is None:
        raise LinkRefused()
    expected = sign(secret, link.link_id, link.tracking_number, link.expires_at)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise LinkRefused()
    if link.tracking_number != number:
        raise LinkOtherCase()
    if link.revoked_at is not None:
        raise LinkGone("ลิงก์นี้ถูกยกเลิกแล้ว กรุณาติดต่อศูนย์ดำรงธรรม / this link has been revoked; contact the center")
    if aware(link.expires_at) <= now:
        raise LinkGone("ลิงก์นี้หมดอายุแล้ว กรุณาติดต่อศูนย์ดำรงธรรม / this link has expired; contact the center")
    if link.agency_code != case_agency:
        raise LinkGone("เรื่องนี้ส่งต่อไปหน่วยงานอื่นแล้ว / this case has been sent on to another agency")
    return link


def log_use(
    s: Session,
    link: StatusLink,
    action: str,
    at: datetime,
    client: str = "",
    event_id: str | None = None,
) -> None:
    s.add(
        StatusLinkUse(
            link_id=link.link_id,
            tracking_number=link.tracking_number,
            action=action,
            event_id=event_id,
            client=client[:64] or None,
            at=at,
        )
    )


def uses(s: Session, number: str, limit: int = 50) -> list[StatusLinkUse]:
    q = select(StatusLinkUse).where(StatusLinkUse.tracking_number == number).order_by(StatusLinkUse.id.desc())
    return list(s.scalars(q.limit(limit)))


def links(s: Session, number: str) -> list[StatusLink]:
    q = select(StatusLink).where(StatusLink.tracking_number == number).order_by(StatusLink.issued_at.desc())
    return list(s.scalars(q))


def utcnow() -> datetime:
    return datetime.now(UTC)
