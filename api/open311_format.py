"""The Open311 GeoReport v2 door's language: its errors (`[{"code", "description"}]` with the HTTP
status as the code, whatever went wrong, through `Open311Route`), the service request a client POSTs
(form-encoded or JSON, checked field by field, with our `province`/`district`/`publish` extensions),
the tokens handed back (the tracking number with a MAC under the server secret, so nothing is stored
for them), the dates of the listing's filters, and the public shape of a case: its text stripped of
names and numbers (`nlp.redaction`), the place no finer than the district or a point rounded to about
1 km, and no contact detail at all."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element, SubElement, tostring

import geothai
from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from db.open311 import CLOSED_STATUSES, RequestRow
from intake.rates import Throttled
from intake.text import Clean
from nlp.redaction import redact
from workflows.domain.identity import valid_thai_phone
from workflows.domain.transitions import STATUS_LABELS
from workflows.errors import CaseError, Unavailable

MAX_SPAN = timedelta(days=90)  # the spec's longest window for one listing
COARSE_DIGITS = 2  # 0.01 degree: about 1.1 km


def error(status: int, description: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status, headers=headers)


class Open311Route(APIRoute):
    """Every refusal on an Open311 route in the spec's shape. A typed input error (422 elsewhere in the
    API) is the spec's 400."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def spoken(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as err:
                return error(err.status_code, str(err.detail), getattr(err, "headers", None))
            except (RequestValidationError, ValidationError) as err:
                return error(400, _first_message(err))
            except Throttled as err:
                return error(429, err.message, {"Retry-After": str(err.retry_after)})
            except Unavailable as err:
                return error(503, err.message, {"Retry-After": "5"})
            except CaseError as err:
                return error(400 if err.status_code == 422 else err.status_code, err.message)

        return spoken


def _first_message(err) -> str:
    errors = err.errors()
    if not errors:
        return "ข้อมูลไม่ถูกต้อง / invalid input"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
    message = str(first.get("msg", "")).removeprefix("Value error, ")
    return message if " / " in message else f"ข้อมูลไม่ถูกต้อง: {where} / invalid {where}: {message}"


def language(locale: str | None, accept_language: str | None) -> str:
    """th or en: the `locale` parameter first (e.g. en_US), else the first language the client accepts."""
    wanted = (locale or accept_language or "th").strip().lower()
    return "en" if wanted.startswith("en") else "th"


class ServiceRequestIn(BaseModel):
    """A POSTed service request, as the spec names its fields; our extensions are `province`,
    `district` (names or DOPA codes) and `publish` (the filer's consent to the public listing)."""

    model_config = ConfigDict(extra="ignore")  # attribute[...] and fields we do not use
    api_key: Clean("api_key") | None = None
    jurisdiction_id: Clean("jurisdiction_id") | None = None
    service_code: Clean("service_code") | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: Clean("address_string", 500) | None = None
    address_id: Clean("address_id") | None = None
    description: Clean("text", 4000) | None = None  # the spec's limit
    media_url: Clean("media_url", 1000) | None = None
    email: Clean("email") | None = None
    first_name: Clean("name", 99) | None = None
    last_name: Clean("name", 99) | None = None
    phone: Clean("phone", 40) | None = None
    device_id: Clean("device_id") | None = None
    account_id: Clean("account_id") | None = None
    province: Clean("province") | None = None
    district: Clean("district") | None = None
    publish: bool = False

    @field_validator("lat", "long")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("พิกัดไม่ถูกต้อง / lat and long must be numbers")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return valid_thai_phone(v) if v and v.strip() else None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v.strip()):
            raise ValueError("อีเมลไม่ถูกต้อง / not a valid e-mail address")
        return v.strip() if v and v.strip() else None

    @field_validator("media_url")
    @classmethod
    def _media_url(cls, v: str | None) -> str | None:
        if v and not re.fullmatch(r"https?://\S+", v.strip()):
            raise ValueError("media_url ต้องเป็นลิงก์ http(s) / media_url must be an http(s) link")
        return v.strip() if v and v.strip() else None

    def problem(self) -> tuple[int, str] | None:
        """What the spec requires and is missing: (status, description), or None."""
        if not self.service_code:
            return 400, "ต้องระบุ service_code / service_code is required"
        if (self.lat is None) != (self.long is None):
            return 400, "ต้องระบุ lat และ long คู่กัน / lat and long go together"
        if self.lat is None and not (self.address_string or self.address_id or self.province or self.district):
            return 400, (
                "ต้องระบุตำแหน่ง: lat/long, address_string, address_id หรือ province/district / a location is "
                "required: lat/long, address_string, address_id or province/district"
            )
        if not self.description or len(self.description.strip()) < 10:
            return 400, "กรุณาเล่าปัญหาใน description อย่างน้อย 10 ตัวอักษร / describe the problem in at least 10 characters"
        return None

    def complaint_text(self) -> str:
        """The description, with the place and the photo link written out for the officers."""
        lines = [self.description.strip()]
        if self.address_string:
            lines.append(f"สถานที่ / Location: {self.address_string}")
        if self.lat is not None:
            lines.append(f"พิกัด / Coordinates: {self.lat:.6f}, {self.long:.6f}")
        if self.media_url:
            lines.append(f"รูปภาพ / Photo: {self.media_url}")
        return "\n".join(lines)

    def coarse_point(self) -> tuple[float | None, float | None]:
        if self.lat is None:
            return None, None
        return round(self.lat, COARSE_DIGITS), round(self.long, COARSE_DIGITS)

    def contact_name(self) -> str:
        return " ".join(p.strip() for p in (self.first_name, self.last_name) if p and p.strip())


def xml(root: str, item: str | None, body) -> Response:
    """The spec's XML for what the JSON answer holds: a list of `item` elements under `root`, or one
    object as `root` itself (a service definition)."""
    top = Element(root)
    for row in body if item else [body]:
        node = SubElement(top, item) if item else top
        for name, value in row.items():
            if isinstance(value, list):  # a definition's attributes: none asked for
                SubElement(node, name)
                continue
            text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            SubElement(node, name).text = text
    data = b'<?xml version="1.0" encoding="utf-8"?>' + tostring(top, encoding="utf-8", xml_declaration=False)
    return Response(data, media_type="text/xml; charset=utf-8")


def _key(text: str) -> str:
    return geothai.normalize(text).replace("ฯ", "")


def area_in(address: str) -> tuple[str | None, str | None]:
    """The province and district an address names, as far as they appear ("ต.บ่อหิน อ.สิเกา จ.ตรัง",
    "Sikao, Trang"): longest names first, so that a district is never read inside a longer one."""
    key = _key(address)
    by_length = sorted(geothai.provinces(), key=lambda p: -len(p.name_th))
    province = next((p for p in by_length if _key(p.name_th) in key or _key(p.name_en) in key), None)
    if province is None:
        return None, None
    districts = sorted(geothai.districts(province.code), key=lambda d: -len(d.name_th))
    district = next((d for d in districts if _key(d.name_th) in key or _key(d.name_en) in key), None)
    return province.code, district.code if district else None


def token_for(secret: str, number: str) -> str:
    mac = hmac.new(secret.encode(), f"open311-token:{number}".encode(), hashlib.sha256).hexdigest()[:20]
    return f"{number}.{mac}"


def number_of_token(secret: str, token: str) -> str | None:
    number, _, _ = token.partition(".")
    return number if hmac.compare_digest(token_for(secret, number).encode(), token.encode("utf-8", "replace")) else None


def parse_date(value: str | None, name: str) -> datetime | None:
    """A W3C date-time (2010-01-01T00:00:00Z); naive ones are taken as UTC."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise HTTPException(
            400, f"{name} ต้องเป็นวันเวลาแบบ W3C เช่น 2026-01-01T00:00:00Z / {name} must be a W3C date-time"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def window(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The listing's window: the last 90 days unless asked, and never longer than 90 days."""
    if start is None and end is None:
        return now - MAX_SPAN, now
    start = start or end - MAX_SPAN
    end = end or start + MAX_SPAN
    if end < start or end - start > MAX_SPAN:
        raise HTTPException(400, "ช่วงวันที่ต้องไม่เกิน 90 วัน / start_date to end_date may span 90 days at most")
    return start, end


def statuses(value: str | None) -> bool | None:
    """True: closed only; False: open only; None: both."""
    wanted = {v.strip().lower() for v in (value or "").split(",") if v.strip()}
    if wanted - {"open", "closed"}:
        raise HTTPException(400, "status ต้องเป็น open หรือ closed / status must be open or closed")
    return None if len(wanted) != 1 else wanted == {"closed"}


def codes(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()][:100]


def _place(row: RequestRow, lang: str) -> str | None:
    district = geothai.district(row.district_code) if row.district_code else None
    province = geothai.province(row.province_code) if row.province_code else None
    if lang == "en":
        names = [d.name_en for d in (district, province) if d is not None]
        return ", ".join(names) or None
    names = [f"อำเภอ{district.name_th}" if district else "", f"จังหวัด{province.name_th}" if province else ""]
    return " ".join(n for n in names if n) or None


def _stamp(when: datetime | None) -> str | None:
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="seconds")


def public_request(row: RequestRow, lang: str) -> dict:
    """A case as Open311 shows it to anyone: stripped text, coarse place, no contact detail."""
    th, en = STATUS_LABELS.get(row.status, (row.status, row.status))
    return {
        "service_request_id": row.tracking_number,
        "status": "closed" if row.status in CLOSED_STATUSES else "open",
        "status_notes": en if lang == "en" else th,
        "service_name": (row.category_en if lang == "en" else row.category_th) or row.category,
        "service_code": row.category,
        "description": redact(row.text),
        "agency_responsible": (row.agency_en if lang == "en" else row.agency_th) or None,
        "service_notice": None,
        "requested_datetime": _stamp(row.filed_at),
        "updated_datetime": _stamp(row.updated_at),
        "expected_datetime": None,
        "address": _place(row, lang),
        "address_id": None,
        "zipcode": None,
        "lat": row.coarse_lat,
        "long": row.coarse_long,
        "media_url": None,  # photos may show faces and plates: never published
    }
