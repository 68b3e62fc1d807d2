"""What every door hands the intake, and the one builder of the workflow's input. A `Door` says where a
filing came in and who is behind it (an API client, a chat session, a LINE user, an officer at the
counter); a `ComplaintFiling` is the complaint as any door gives it, before anything is resolved.
`complaint_input` cleans the words (`intake.text`), resolves the area (names or DOPA codes, down to the
tambon, or a postal code: `db.subdistricts.resolve_place`), checks the chosen category, center and
agency against the directory, and builds the `ComplaintInput`: anything that does not resolve is an
`InvalidInput` naming the field, in Thai and English, before anything is written."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from db import queries
from db.directory import UnknownArea
from db.subdistricts import AmbiguousArea, label, resolve_place
from intake.text import clean
from workflows.contracts import AttachmentRef, ComplaintInput, Contact, IntakeConsent
from workflows.errors import InvalidInput

AREA_LABELS = {"province": "จังหวัด / province", "district": "อำเภอ / district"}
PLACE_LABELS = {"subdistrict": ("ตำบล", "sub-district"), "postal_code": ("รหัสไปรษณีย์", "postal code")}


def _area_refusal(err: UnknownArea) -> str:
    """Why an area does not resolve, in Thai and English; an ambiguous tambon lists a few that fit."""
    if err.field not in PLACE_LABELS:
        label_ = AREA_LABELS[err.field]
        return f"ไม่พบ{label_} '{err.value}' / unknown {err.field} '{err.value}'"
    th, en = PLACE_LABELS[err.field]
    if isinstance(err, AmbiguousArea):
        shown = err.options[:5]
        more = " ..." if len(err.options) > len(shown) else ""
        return (
            f"{th} '{err.value}' ตรงกับหลายตำบล ({', '.join(label(t) for t in shown)}{more}) กรุณาระบุอำเภอหรือตำบล"
            f" / {en} '{err.value}' fits several sub-districts ({'; '.join(label(t, 'en') for t in shown)}{more}):"
            " give the district or the sub-district"
        )
    if str(err).startswith("not in"):
        return f"{th} '{err.value}' ไม่อยู่ในพื้นที่ที่ระบุ / {en} '{err.value}' is not in the area given with it"
    return f"ไม่พบ{th} '{err.value}' / unknown {en} '{err.value}'"


@dataclass(frozen=True)
class Door:
    """Where a filing came in (`channel`: api, web, line, ...) and who is behind it (`caller`: the API
    client's name, the chat session, the LINE user; "" for an anonymous caller). Idempotency keys are
    scoped to both, so one door's key never names another door's filing."""

    channel: str
    caller: str = ""
    channel_ref: str = ""  # where the case's messages go back to (a chat identity), if anywhere

    @property
    def scope(self) -> str:
        return f"{self.channel}\x1f{self.caller}"

    @property
    def proven(self) -> bool:
        """Whether a replay may show the PIN again: only to a caller the door identified."""
        return bool(self.caller)


@dataclass(frozen=True)
class ComplaintFiling:
    text: str
    province: str | None = None  # a name in Thai or English, or a DOPA code
    district: str | None = None
    category: str | None = None
    center: str | None = None
    agency: str | None = None
    contact: Contact | None = None
    anonymous: bool = False
    attachments: tuple[AttachmentRef, ...] = field(default_factory=tuple)
    language: str = "th"
    publish: bool = False  # consent to the public Open311 listing (public categories only, redacted)
    coarse_lat: float | None = None  # a map point the door already rounded to about 1 km
    coarse_long: float | None = None
    subdistrict: str | None = None  # a tambon's name (Thai or English) or its 6-digit DOPA code
    postal_code: str | None = None  # resolves to its tambon, or its district when it covers several
    # Consent that the agency acting on the case may have the contact details (connectors read them then).
    share_contact_with_agency: bool = False
    # An officer filing for a citizen (web.walk_in) records the citizen's consent; its time is the filing's.
    consent: IntakeConsent | None = None

    def body_hash(self) -> str:
        """The filing's fingerprint: the same key with another body is another complaint. A field added
        after the first release is left out while it holds its default, so a client's retry across a
        deploy that added it still matches the body it sent before."""
        fields = asdict(self)
        for name in _LATER_FIELDS:
            if fields[name] == ComplaintFiling.__dataclass_fields__[name].default:
                del fields[name]
        body = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


# Fields ComplaintFiling gained after idempotency keys were first stored (2026-12-05).
_LATER_FIELDS = (
    "publish",
    "coarse_lat",
    "coarse_long",
    "subdistrict",
    "postal_code",
    "share_contact_with_agency",
    "consent",
)


def complaint_input(s: Session, filing: ComplaintFiling, door: Door) -> ComplaintInput:
    """The workflow's input for a filing, checked against the directory; number and PIN still empty."""
    try:
        province, district, subdistrict = resolve_place(
            filing.province, filing.district, filing.subdistrict, filing.postal_code
        )
    except UnknownArea as err:
        raise InvalidInput(_area_refusal(err)) from err
    if filing.category and queries.category(s, filing.category) is None:
        raise InvalidInput(f"ไม่รู้จักหมวดเรื่อง / unknown category '{filing.category}'")
    if filing.center and queries.center(s, filing.center) is None:
        raise InvalidInput(f"ไม่พบศูนย์ดำรงธรรม / unknown center '{filing.center}'")
    if filing.agency and queries.agency(s, filing.agency) is None:
        raise InvalidInput(f"ไม่พบหน่วยงาน / unknown agency '{filing.agency}'")
    contact = filing.contact
    if contact is not None:  # whatever the door checked, nothing PostgreSQL cannot store gets in
        contact = replace(contact, **{k: clean(v, "name" if k == "name" else k) for k, v in asdict(contact).items()})
    filed_at = datetime.now(UTC).isoformat()
    return ComplaintInput(
        tracking_number="",
        pin_hash="",
        text=clean(filing.text, "text"),
        filed_at=filed_at,
        channel=door.channel,
        channel_ref=door.channel_ref,
        province_code=province,
        district_code=district,
        category=filing.category or None,
        center_code=filing.center or None,
        agency_code=filing.agency or None,
        contact=contact,
        anonymous=filing.anonymous,
        attachments=list(filing.attachments),
        language=filing.language,
        publish=filing.publish,
        coarse_lat=filing.coarse_lat,
        coarse_long=filing.coarse_long,
        subdistrict_code=subdistrict,
        share_contact_with_agency=filing.share_contact_with_agency and not filing.anonymous,
        consent=replace(filing.consent, at=filed_at) if filing.consent else None,
    )
