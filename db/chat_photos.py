"""Photos in the case conversation, as the citizen's chat shows them: which photos came with a message
pushed to the citizen (the case event the outbox row was written for keeps their hashes, see
db/projection.py), and signed, expiring links to each for the web chat and LINE
(`GET /chat/photos/{token}`, chatbot/case_photos.py). The links reuse the agency links' token format
(db/photo_links.py) with keys derived for this purpose only, so an agency's link never opens a
citizen's photo endpoint or the other way round; the grant's "agency" names the audience `citizen`.
Pure reads and pure signing: the callers bring the keys and the clock."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Attachment, CaseEvent, OutboxMessage
from db.photo_links import BadPhotoLink, PhotoGrant, sign, verify

PURPOSE = b"damrongdham citizen chat photo links v1"
AUDIENCE = "citizen"
LINK_LIFETIME = 7 * 86400  # LINE keeps showing a pushed image by its URL: a week, like the rating window
LINE_SHOWS = ("image/jpeg", "image/png")  # LINE's image messages; other photos go as links


@dataclass(frozen=True)
class ChatPhoto:
    sha256: str
    content_type: str
    token: str

    @property
    def path(self) -> str:
        # LINE wants an image URL that names its type; the suffix is dropped again when it is opened
        suffix = {"image/png": ".png", "application/pdf": ".pdf"}.get(self.content_type, ".jpg")
        return f"/chat/photos/{self.token}{suffix}"


def chat_link_keys(payload_keys: Iterable[bytes]) -> list[bytes]:
    """One signing key per payload key, for the chat's links only (the first signs, all verify)."""
    return [hmac.new(k, PURPOSE, hashlib.sha256).digest() for k in payload_keys]


def grant_of(keys: Iterable[bytes], token: str, now: float) -> PhotoGrant:
    """The grant of a chat photo token (BadPhotoLink when forged, malformed, expired or an agency's)."""
    token = token.removesuffix(".jpg").removesuffix(".png").removesuffix(".pdf")
    grant = verify(keys, token, now)
    if grant.agency_code != AUDIENCE:
        raise BadPhotoLink("wrong audience")
    return grant


def photos_of_messages(
    s: Session, rows: list[OutboxMessage], key: bytes | None, now: float
) -> dict[int, list[ChatPhoto]]:
    """The photos each pushed case message carries (by outbox id), each with a fresh signed link."""
    if key is None:
        return {}
    by_event = {r.message_key: r for r in rows if r.tracking_number}
    if not by_event:
        return {}
    events = s.execute(
        select(CaseEvent.event_key, CaseEvent.tracking_number, CaseEvent.data).where(
            CaseEvent.event_key.in_(list(by_event))
        )
    ).all()
    found: dict[int, list[ChatPhoto]] = {}
    for event_key, number, data in events:
        hashes = (data or {}).get("attachments") or []
        if not hashes:
            continue
        kinds = dict(
            s.execute(
                select(Attachment.sha256, Attachment.content_type).where(
                    Attachment.tracking_number == number, Attachment.sha256.in_(hashes)
                )
            ).all()
        )
        expires = int(now) + LINK_LIFETIME
        found[by_event[event_key].id] = [
            ChatPhoto(h, kinds[h], sign(key, PhotoGrant(AUDIENCE, number, h, expires))) for h in hashes if h in kinds
        ]
    return found


def attachment(s: Session, number: str, sha256: str) -> Attachment | None:
    return s.scalar(select(Attachment).where(Attachment.tracking_number == number, Attachment.sha256 == sha256))
