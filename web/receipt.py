"""What the citizen's receipt says (web/templates/receipt.html): the tracking number, the date in the
Buddhist era, the channel, the center's name and contacts from the directory (never invented: a
contact nobody has given is left out), and how to track: the web address and its QR code (the
tracking page of this number, without the PIN, which never goes in a URL), the LINE account of the
center or of the nearest center above it that has one, and the 1567 hotline. The PIN itself is the caller's to add: only the
filing's own answer has it (web.walk_in)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import segno
from fastapi import Request

from db import queries
from db.center_facts import center_facts
from web import i18n
from web.i18n import BANGKOK, add_texts, be_date_long
from web.texts import TEXTS

HOTLINE = "1567"
EXCERPT = 300

add_texts(
    {
        "receipt": ("ใบรับเรื่องร้องเรียน", "Complaint receipt"),
        "receipt_print": ("พิมพ์ใบรับเรื่อง", "Print the receipt"),
        "receipt_paper": ("ขนาดกระดาษ", "Paper"),
        "receipt_reprint": ("พิมพ์ใบรับเรื่องซ้ำ (ไม่มีรหัสติดตาม)", "Reprint the receipt (without the PIN)"),
        "receipt_another": ("รับเรื่องถัดไป", "File another"),
        "channel_counter": ("เคาน์เตอร์ (walk-in)", "Counter (walk-in)"),
        "channel_1567": ("สายด่วน 1567", "1567 hotline"),
        "channel_letter": ("จดหมาย / หนังสือ", "Letter"),
        "channel_email": ("อีเมล", "E-mail"),
    }
)


def track_url(request: Request, number: str) -> str:
    """The citizen's tracking page for this number: the chat opens on it and asks for the PIN."""
    base = request.app.state.settings.public_base_url or str(request.base_url).rstrip("/")
    return f"{base}/chat?track={quote(number)}"


def receipt_values(
    s,
    request: Request,
    number: str,
    center_code: str,
    channel: str,
    text: str,
    category_code: str | None = None,
    filed_at: datetime | None = None,
) -> dict:
    """Everything the receipt shows but the PIN."""
    url = track_url(request, number)
    facts = center_facts(s, center_code) if center_code else None
    category = queries.category(s, category_code) if category_code else None
    hours = (facts.office_hours or {}) if facts else {}
    line_account, up = None, facts
    for _ in range(4):  # the center's LINE account, else its province's, else the ministry's: the nearest given
        if up is None or up.line_official_account:
            line_account = up.line_official_account if up else None
            break
        up = center_facts(s, up.parent) if up.parent else None
    filed = filed_at or datetime.now(UTC)
    filed = filed if filed.tzinfo else filed.replace(tzinfo=UTC)  # SQLite gives UTC back naive
    label = f"channel_{channel}"
    return dict(
        number=number,
        filed_on=f"{be_date_long(filed)} เวลา {filed.astimezone(BANGKOK):%H:%M} น.",
        channel=channel,
        channel_th=i18n.text(label, "th") if label in TEXTS else channel,
        channel_en=i18n.text(label, "en") if label in TEXTS else channel,
        excerpt=text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + "…",
        center=facts,
        hours_th=hours.get("text_th"),
        hours_en=hours.get("text_en"),
        category=category,
        track_url=url,
        qr=segno.make(url, error="m").svg_data_uri(scale=4, border=2),
        line_account=line_account,
        hotline=HOTLINE,
    )
