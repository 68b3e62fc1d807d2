"""The sends to agencies and the polling of them, over the connectors the directory names
(connectors/). `send` gathers what the case's connector needs beyond the workflow's `AgencySend`: the
contact details from personal_data when the citizen consented (never through Temporal), each photo
with a signed, expiring link the agency can fetch (db/photo_links.py), the category's and area's names.
A connector's failure becomes the workflow's typed error: unreachable and unavailable are retried
within the send's budget, a refusal or an unusable configuration is final, and either way the workflow
opens the manual forwarding task with the reason. `poll` asks the agencies whose connector polls
(Open311) about their open cases, one page at a time, and returns what changed as agency events."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import geothai
import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.agency_letters import app_secret, forwarding_letter
from connectors.base import MISCONFIGURED, REJECTED, ConnectorError, Parcel, Photo
from connectors.damrongdham_json import DamrongdhamJson
from connectors.email import Email, LetterWriter
from connectors.open311 import Open311
from connectors.registry import Registry, link
from db.credentials import production
from db.models import Agency, Case, CaseEvent, Category, PersonalData
from db.photo_links import PhotoGrant, link_keys, sign
from db.photos import photo_path
from letters.mail import SmtpSettings
from workflows import codec
from workflows import contracts as c

log = logging.getLogger("agency_links")
ROOT = Path(__file__).resolve().parents[1]
DEV_PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # `make run`'s app
POLLED_STATUSES = (c.FORWARDED, c.IN_PROGRESS)


@dataclass
class PhotoLinks:
    """How photo links are made: the app's public address, the signing key, how long a link lives."""

    base_url: str
    key: bytes
    ttl_seconds: int = 14 * 86400  # two weeks for the agency to open its mail or fetch the case
    root: Path = field(default_factory=lambda: Path(os.environ.get("VAR_DIR", ROOT / "var")) / "uploads")

    @classmethod
    def from_env(cls, key: bytes) -> PhotoLinks:
        base = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
        if not base and not production():
            base = DEV_PUBLIC_BASE_URL
        days = int(os.environ.get("AGENCY_PHOTO_LINK_DAYS", "14") or 14)
        return cls(base_url=base, key=key, ttl_seconds=days * 86400)

    def photo(self, agency_code: str, number: str, ref: c.AttachmentRef, now: float) -> Photo:
        if not self.base_url:
            raise ConnectorError(MISCONFIGURED, "PUBLIC_BASE_URL is not set: no photo link can be made")
        path = photo_path(self.root, ref.sha256)
        expires = int(now) + self.ttl_seconds
        token = sign(self.key, PhotoGrant(agency_code, number, ref.sha256, expires))
        return Photo(
            sha256=ref.sha256,
            filename=ref.filename,
            content_type=ref.content_type,
            size=ref.size,
            url=f"{self.base_url}/api/agency-photos/{token}",
            expires_at=datetime.fromtimestamp(expires, UTC).isoformat(),
            read=lambda: path.read_bytes() if path.exists() else b"",  # erased meanwhile: nothing to attach
        )


@lru_cache(maxsize=4096)
def area_name(province_code: str | None, district_code: str | None) -> str:
    """ "อำเภอเมืองตรัง จังหวัดตรัง" (Bangkok: "เขตพระนคร กรุงเทพมหานคร"), or "" for an unknown area."""
    if not province_code:
        return ""
    province = next((p for p in geothai.provinces() if p.code == province_code), None)
    if province is None:
        return ""
    bangkok = province_code == "10"
    names = [province.name_th if bangkok else f"จังหวัด{province.name_th}"]
    district = next((d for d in geothai.districts(province_code) if d.code == district_code), None)
    if district is not None:
        names.insert(0, district.name_th if bangkok else f"อำเภอ{district.name_th}")
    return " ".join(names)


def _fail(err: ConnectorError) -> ApplicationError:
    return ApplicationError(err.message, type=err.kind, non_retryable=not err.retryable)


class AgencyLinks:
    def __init__(self, sessions: sessionmaker[Session], registry: Registry, photos: PhotoLinks) -> None:
        self.sessions = sessions
        self.registry = registry
        self.photos = photos

    def parcel(self, s: Session, send: c.AgencySend) -> Parcel:
        contact = None
        if send.share_contact and not send.anonymous:
            row = s.get(PersonalData, send.personal_data_ref or send.tracking_number)
            if row is not None and row.erased_at is None:
                contact = c.Contact(name=row.name or "", phone=row.phone or "", email=row.email or "")
        category = s.get(Category, send.category) if send.category else None
        now = time.time()
        return Parcel(
            contact=contact,
            photos=tuple(self.photos.photo(send.agency_code, send.tracking_number, a, now) for a in send.attachments),
            category_name_th=category.name_th if category else "",
            category_name_en=category.name_en if category else "",
            area_name=area_name(send.province_code, send.district_code),
        )

    def send(self, send: c.AgencySend) -> c.AgencyReceipt:
        try:
            with self.sessions() as s:
                agency = s.get(Agency, send.agency_code)
                if agency is None:
                    raise ConnectorError(REJECTED, f"agency {send.agency_code} is not in the directory")
                target = link(agency)
                if not target.connector:
                    raise ConnectorError(REJECTED, f"agency {send.agency_code} has no connector (it takes letters)")
                connector = self.registry.get(target.connector)
                parcel = self.parcel(s, send)
            receipt = connector.send(send, target, parcel)
        except ConnectorError as err:
            raise _fail(err) from err
        return c.AgencyReceipt(agency_code=target.code, reference=receipt.reference, connector=target.connector)

    def poll(self, req: c.AgencyPollRequest) -> c.AgencyPollResult:
        with self.sessions() as s:
            rows = s.execute(
                select(Case.tracking_number, Case.workflow_id, Case.status, Agency)
                .join(Agency, Agency.code == Case.agency_code)
                .where(
                    Agency.connector.in_(self.registry.polling),
                    Case.status.in_(POLLED_STATUSES),
                    Case.tracking_number > req.after,
                )
                .order_by(Case.tracking_number)
                .limit(req.batch)
            ).all()
            cases = [(number, wf, status, link(agency)) for number, wf, status, agency in rows]
            references = _sent_references(s, [r[0] for r in cases])
        result = c.AgencyPollResult(next_after=cases[-1][0] if len(cases) >= req.batch else "")
        for number, workflow_id, status, target in cases:
            reference = references.get((number, target.code))
            if not reference:
                continue  # forwarded by hand (a letter): nothing to ask the agency's system about
            if activity.in_activity():
                activity.heartbeat(number)
            try:
                found = self.registry.get(target.connector).poll(reference, target)
            except ConnectorError as err:
                log.warning("polling %s for %s failed: %s", target.code, number, err.message)
                result.failed += 1
                continue
            result.polled += 1
            for news in found:
                kind = news.kind
                if kind == "acknowledged" and status != c.FORWARDED:
                    kind = "progress"  # the agency already took it: this is news on its work
                event = c.AgencyEvent(
                    event_id=news.event_id,
                    kind=kind,
                    note=news.note or "รับเรื่องแล้ว / acknowledged",
                    reference=news.reference or reference,
                    agency_code=target.code,
                )
                result.events.append(c.PolledEvent(workflow_id=workflow_id, event=event))
        return result


def _sent_references(s: Session, numbers: list[str]) -> dict[tuple[str, str], str]:
    """Each case's reference from its connector, by (case, agency): the last forward the system made
    (an officer's manual forward names a letter, which no agency system knows)."""
    if not numbers:
        return {}
    found: dict[tuple[str, str], str] = {}
    events = s.execute(
        select(CaseEvent.tracking_number, CaseEvent.data)
        .where(CaseEvent.tracking_number.in_(numbers), CaseEvent.kind == "forwarded", CaseEvent.actor == "system")
        .order_by(CaseEvent.tracking_number, CaseEvent.seq)
    ).all()
    for number, data in events:
        data = data or {}
        if data.get("agency") and data.get("reference"):
            found[(number, data["agency"])] = data["reference"]
    return found


def build_agency_links(
    sessions: sessionmaker[Session],
    http: httpx.Client,
    smtp: SmtpSettings | None = None,  # None: the environment's, read at each send
    writer: LetterWriter | None = None,
    photos: PhotoLinks | None = None,
) -> AgencyLinks:
    """The connectors the worker offers, over its one HTTP client, and how photo links are signed."""
    if photos is None:
        photos = PhotoLinks.from_env(link_keys(codec.configured_keys().values())[0])
    if writer is None:
        writer = forwarding_letter(sessions, photos.root, photos.base_url, app_secret(photos.root.parent))
    registry = Registry([DamrongdhamJson(http), Open311(http), Email(writer, smtp)])
    return AgencyLinks(sessions, registry, photos)
