"""What the Open311 door reads and writes in the read model: the partner systems allowed to file (keys
kept only as SHA-256 hashes, issued and revoked by an administrator) and the service requests it may
show. The public listing holds a case only when its category is public (`categories.public`), its filer
agreed to publish (`cases.publish`) and it was neither withdrawn nor rejected; a client also sees the
requests it filed itself (`channel_ref` = `open311:<client id>`), whatever their category. The rows
come back raw: the front strips the text (`nlp.redaction`) and never shows contact details, which are
not even read here. The caller owns the transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from db.models import Agency, Case, Category, Open311Client
from workflows.contracts import REJECTED, WITHDRAWN

DEV_KEY = "dev-open311-key"  # `make run` issues it to the demo client; production refuses it
DEV_CLIENT = "demo client (make run)"
CLOSED_STATUSES = ("RESOLVED", "CLOSED", WITHDRAWN, REJECTED)
NEVER_LISTED = (WITHDRAWN, REJECTED)
MAX_ROWS = 1000  # one listing's rows at most, newest first


@dataclass(frozen=True)
class Client:
    id: int
    name: str

    @property
    def channel_ref(self) -> str:
        return f"open311:{self.id}"


@dataclass(frozen=True)
class RequestRow:
    tracking_number: str
    status: str
    text: str
    category: str | None
    category_th: str | None
    category_en: str | None
    agency_th: str | None
    agency_en: str | None
    province_code: str | None
    district_code: str | None
    coarse_lat: float | None
    coarse_long: float | None
    filed_at: datetime
    updated_at: datetime


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def issue(s: Session, name: str, issued_by: str, key: str | None = None) -> tuple[Client, str]:
    """A new client and its key, shown once: only the hash is kept."""
    key = key or "o311_" + secrets.token_urlsafe(32)
    row = Open311Client(name=name, key_hash=key_hash(key), issued_by=issued_by, issued_at=datetime.now(UTC))
    s.add(row)
    s.flush()
    return Client(row.id, row.name), key


def ensure_dev_client(s: Session) -> Client:
    """The demo client `make run` prints the key of (never used in production: `client_for_key`)."""
    row = s.scalar(select(Open311Client).where(Open311Client.key_hash == key_hash(DEV_KEY)))
    if row is None:
        return issue(s, DEV_CLIENT, "make run", DEV_KEY)[0]
    row.revoked_at = None
    return Client(row.id, row.name)


def revoke(s: Session, client_id: int) -> bool:
    done = s.execute(
        update(Open311Client)
        .where(Open311Client.id == client_id, Open311Client.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return bool(done.rowcount)


def clients(s: Session) -> list[Open311Client]:
    return list(s.scalars(select(Open311Client).order_by(Open311Client.id)))


def client_for_key(s: Session, key: str, production: bool) -> Client | None:
    """The live client holding `key`, or None (the development key is never one in production)."""
    if not key or (production and key == DEV_KEY):
        return None
    row = s.scalar(
        select(Open311Client).where(Open311Client.key_hash == key_hash(key), Open311Client.revoked_at.is_(None))
    )
    return Client(row.id, row.name) if row is not None else None


def set_public(s: Session, category: str, public: bool) -> bool:
    done = s.execute(update(Category).where(Category.code == category).values(public=public))
    return bool(done.rowcount)


_COLUMNS = (
    Case.tracking_number,
    Case.status,
    Case.text,
    Case.category,
    Category.name_th,
    Category.name_en,
    Agency.name_th,
    Agency.name_en,
    Case.province_code,
    Case.district_code,
    Case.coarse_lat,
    Case.coarse_long,
    Case.filed_at,
    Case.updated_at,
)


def _visible(client: Client | None):
    listed = and_(Category.public.is_(True), Case.publish.is_(True), Case.status.not_in(NEVER_LISTED))
    if client is None:
        return listed
    return or_(listed, and_(Case.channel == "open311", Case.channel_ref == client.channel_ref))


def _select(client: Client | None):
    return (
        select(*_COLUMNS)
        .join(Category, Category.code == Case.category)
        .outerjoin(Agency, Agency.code == Case.agency_code)
        .where(_visible(client))
    )


def requests(
    s: Session,
    numbers: list[str] | None = None,
    categories: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    closed: bool | None = None,
    client: Client | None = None,
) -> list[RequestRow]:
    """The visible requests matching the filters, newest first, `MAX_ROWS` at most."""
    query = _select(client)
    if numbers:
        query = query.where(Case.tracking_number.in_(numbers))
    if categories:
        query = query.where(Case.category.in_(categories))
    if start is not None:
        query = query.where(Case.filed_at >= start)
    if end is not None:
        query = query.where(Case.filed_at <= end)
    if closed is not None:
        query = query.where(Case.status.in_(CLOSED_STATUSES) if closed else Case.status.not_in(CLOSED_STATUSES))
    rows = s.execute(query.order_by(Case.filed_at.desc()).limit(MAX_ROWS)).all()
    return [RequestRow(*row) for row in rows]


def request(s: Session, number: str, client: Client | None = None) -> RequestRow | None:
    row = s.execute(_select(client).where(Case.tracking_number == number)).first()
    return RequestRow(*row) if row is not None else None
