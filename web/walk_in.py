"""Filing for a citizen (issue 14 part 4): the inbox's form with which an officer enters a complaint
that came to the counter, by the 1567 hotline, by letter or by e-mail, and the receipt printed for the
citizen. The form files through the one front desk (`intake.desk`) like every other door: the door is
the channel with the officer as its caller, the idempotency key is the form's own token (a double
submit is the same case, and shows the same receipt), and the dispatcher starts the same workflow.
The citizen's consent to processing (who gave it, how; the officer and the time are added) travels
with the filing (`IntakeConsent`) and is kept with the case; the contact details go to personal data
as every door's do. Officers file for their own center, supervisors for any center they oversee.

The PIN is printed only on the receipt answered to the filing itself (and to a resubmission of the
same form, which is the same filing). It is not stored, only its hash, so a reprint from the case page
(`/cases/{n}/receipt`) has no PIN and says so; a citizen who lost it asks the center, which checks who
they are."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

import geothai
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from db import queries
from db.models import Center, StaffIntake
from intake import desk, uploads
from intake.filing import ComplaintFiling, Door, complaint_input
from web.auth import CurrentStaff, StaffUser
from web.cases import visible_case
from web.deps import DbSession
from web.i18n import add_texts
from web.pages import WebRoute, render
from web.receipt import receipt_values
from web.scope import scope_of
from workflows.contracts import Contact, IntakeConsent
from workflows.domain.identity import valid_national_id, valid_thai_phone
from workflows.errors import InvalidInput

router = APIRouter(route_class=WebRoute)
PATH = "/inbox/file-for-citizen"
CHANNELS = ("counter", "1567", "letter", "email")
CONSENT_METHODS = ("spoken", "signed_form", "by_phone", "in_writing")
GIVERS = ("citizen", "representative")
PAPERS = ("a5", "a4")
FORM_USED = (
    "ฟอร์มนี้ใช้ยื่นเรื่องอื่นไปแล้ว ตรวจข้อมูลแล้วกดยื่นอีกครั้งเพื่อยื่นเป็นเรื่องใหม่"
    " / this form already filed another complaint; check the details and submit again to file a new one"
)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
FIELD_LIMITS = {
    "text": 5000,
    "name": 200,
    "phone": 40,
    "national_id": 40,
    "email": 200,
    "province": 60,
    "district": 60,
    "subdistrict": 60,
    "postal_code": 5,
    "category": 32,
    "center": 16,
}

add_texts(
    {
        "walk_in": ("รับเรื่องแทนประชาชน", "File for a citizen"),
        "walk_in_hint": (
            "เรื่องที่มาที่เคาน์เตอร์ สายด่วน 1567 จดหมาย หรืออีเมล: ยื่นในนามผู้ร้อง แล้วพิมพ์ใบรับเรื่องให้",
            "A complaint brought to the counter, by the 1567 hotline, by letter or by e-mail: file it on the"
            " citizen's behalf, then print their receipt",
        ),
        "walk_in_channel": ("ช่องทางที่รับเรื่อง", "Channel"),
        "walk_in_text": ("รายละเอียดเรื่องร้องเรียน", "The complaint"),
        "walk_in_contact": ("ข้อมูลติดต่อผู้ร้อง", "The citizen's contact details"),
        "contact_name": ("ชื่อ-นามสกุล", "Name"),
        "contact_phone": ("โทรศัพท์", "Phone"),
        "contact_national_id": ("เลขประจำตัวประชาชน", "National ID"),
        "contact_email": ("อีเมล", "E-mail"),
        "walk_in_anonymous": ("ไม่ประสงค์ออกนาม (ไม่บันทึกข้อมูลติดต่อ)", "Anonymous (no contact details kept)"),
        "walk_in_area": ("พื้นที่เกิดเหตุ", "Where it happened"),
        "area_province": ("จังหวัด", "Province"),
        "area_district": ("อำเภอ / เขต", "District"),
        "area_subdistrict": ("ตำบล / แขวง", "Sub-district (tambon)"),
        "area_postal_code": ("รหัสไปรษณีย์", "Postal code"),
        "walk_in_category": ("หมวดเรื่อง (ไม่บังคับ)", "Category (optional)"),
        "walk_in_center": ("ศูนย์ที่รับเรื่อง", "Center filing it"),
        "walk_in_photos": ("รูปถ่าย / หนังสือที่สแกน (JPEG, PNG)", "Photos / the scanned letter (JPEG, PNG)"),
        "walk_in_consent": ("ความยินยอมของผู้ร้อง", "The citizen's consent"),
        "consent_given": (
            "ผู้ร้องยินยอมให้ศูนย์ดำรงธรรมเก็บและใช้ข้อมูลส่วนบุคคลเพื่อดำเนินการเรื่องนี้",
            "The citizen consents to the Damrongdham center keeping and using their personal data to handle"
            " this complaint",
        ),
        "consent_given_by": ("ผู้ให้ความยินยอม", "Given by"),
        "giver_citizen": ("ผู้ร้องเอง", "The citizen themself"),
        "giver_representative": ("ผู้แทน / ผู้รับมอบอำนาจ", "A representative"),
        "consent_method": ("วิธีให้ความยินยอม", "How"),
        "consent_spoken": ("แจ้งด้วยวาจาต่อเจ้าหน้าที่", "Said so to the officer"),
        "consent_signed_form": ("ลงนามในแบบฟอร์ม", "Signed the form"),
        "consent_by_phone": ("แจ้งทางโทรศัพท์", "Said so on the phone"),
        "consent_in_writing": ("ระบุไว้ในจดหมาย / อีเมล", "Wrote it in the letter or e-mail"),
        "consent_recorded": ("บันทึกความยินยอม", "Consent recorded"),
        "walk_in_submit": ("ยื่นเรื่องและพิมพ์ใบรับเรื่อง", "File and print the receipt"),
    }
)


@dataclass(frozen=True)
class FormInput:
    """The form as posted, every field a stripped string within its limit."""

    values: dict[str, str]
    photos: list

    def get(self, name: str) -> str:
        return self.values.get(name, "")


async def _read(request: Request) -> FormInput:
    """The posted form, multipart (with photos, read within the door's limits) or urlencoded."""
    settings = request.app.state.settings
    kind = request.headers.get("content-type", "")
    if uploads.is_multipart(kind):
        limits = uploads.PartLimits("photos", settings.max_photos, settings.max_photo_bytes)
        form = await uploads.read_form(kind, request.stream(), limits, strict=True)
        fields, photos = form.fields, form.photos
    elif kind.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
        try:
            body = (await request.body()).decode()
        except UnicodeDecodeError as err:
            raise InvalidInput("ฟอร์มไม่ใช่ UTF-8 / the form is not UTF-8") from err
        fields, photos = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}, []
    else:
        raise uploads.unsupported(kind)
    return FormInput({k: str(v).strip() for k, v in fields.items()}, photos)


def _check_csrf(form: FormInput, user: StaffUser, request: Request) -> None:
    # The multipart body is read by our own streaming reader, so the token is checked here, not by ActingStaff.
    given = request.headers.get("X-CSRF-Token", "") or form.get("csrf_token")
    if not given or not hmac.compare_digest(given.encode("utf-8", "replace"), user.csrf_token.encode()):
        raise HTTPException(403, "CSRF token ไม่ถูกต้อง / missing or wrong CSRF token")


def _one_of(form: FormInput, name: str, allowed: tuple[str, ...], th: str, en: str) -> str:
    value = form.get(name)
    if value not in allowed:
        raise InvalidInput(f"กรุณาเลือก{th} / choose {en}")
    return value


def _contact(form: FormInput) -> Contact:
    """The contact details, checked as the API checks them (a Thai phone, a national ID's check digit)."""
    email = form.get("email")
    if email and not EMAIL.fullmatch(email):
        raise InvalidInput("อีเมลไม่ถูกต้อง / not a valid e-mail address")
    try:
        phone = valid_thai_phone(form.get("phone")) if form.get("phone") else ""
        national_id = valid_national_id(form.get("national_id")) if form.get("national_id") else ""
    except ValueError as err:
        raise InvalidInput(str(err)) from err
    return Contact(name=form.get("name"), phone=phone, national_id=national_id, email=email)


def _filing(form: FormInput, user: StaffUser) -> tuple[str, ComplaintFiling]:
    """The channel and the filing, or InvalidInput naming what is missing or wrong."""
    for name, limit in FIELD_LIMITS.items():
        if len(form.get(name)) > limit:
            raise InvalidInput(f"ช่อง {name} ยาวเกิน {limit} ตัวอักษร / field '{name}' is longer than {limit}")
    channel = _one_of(form, "channel", CHANNELS, "ช่องทางที่รับเรื่อง", "the channel the complaint came by")
    if not form.get("text"):
        raise InvalidInput("กรุณากรอกรายละเอียดเรื่อง / the complaint's text is required")
    anonymous = form.get("anonymous") in ("1", "on", "true")
    contact = None
    if not anonymous:
        contact = _contact(form)
        if not (contact.phone or contact.email or contact.name):
            raise InvalidInput(
                "กรุณากรอกชื่อ โทรศัพท์ หรืออีเมลของผู้ร้อง หรือเลือกไม่ประสงค์ออกนาม"
                " / give the citizen's name, phone or e-mail, or mark the complaint anonymous"
            )
    consent = None
    if contact is not None:  # personal data is kept only with the citizen's recorded consent
        if form.get("consent") not in ("1", "on", "true"):
            raise InvalidInput(
                "ต้องได้รับความยินยอมจากผู้ร้องก่อนบันทึกข้อมูลส่วนบุคคล หรือเลือกไม่ประสงค์ออกนาม"
                " / the citizen's consent is needed before their personal data is kept; or file anonymously"
            )
        consent = IntakeConsent(
            given_by=_one_of(form, "consent_given_by", GIVERS, "ผู้ให้ความยินยอม", "who gave the consent"),
            method=_one_of(form, "consent_method", CONSENT_METHODS, "วิธีให้ความยินยอม", "how consent was given"),
            recorded_by=user.username,
            recorded_center=user.center_code,
        )
    filing = ComplaintFiling(
        text=form.get("text"),
        province=form.get("province") or None,
        district=form.get("district") or None,
        subdistrict=form.get("subdistrict") or None,
        postal_code=form.get("postal_code") or None,
        category=form.get("category") or None,
        center=(form.get("center") or user.center_code).upper(),
        contact=contact,
        anonymous=anonymous,
        consent=consent,
    )
    return channel, filing


def may_file_for(s, user: StaffUser, center: str) -> bool:
    """Officers file for their own center; supervisors (and administrators) for any center they oversee."""
    if center == user.center_code:
        return True
    return user.supervises and scope_of(s, user).covers(center)


def _checked(s, user: StaffUser, form: FormInput) -> tuple[Door, ComplaintFiling]:
    """The door and filing, validated against the directory and the user's scope before anything is stored."""
    channel, filing = _filing(form, user)
    if not may_file_for(s, user, filing.center):
        raise HTTPException(
            403,
            f"ยื่นเรื่องในนามศูนย์ {filing.center} ไม่ได้ (เจ้าหน้าที่ยื่นได้เฉพาะศูนย์ของตน)"
            f" / you cannot file for center {filing.center} (officers file for their own center only)",
        )
    door = Door(channel, caller=f"staff:{user.username}")
    complaint_input(s, filing, door)  # the directory's checks, before the photos are written
    return door, filing


def _file(state, door: Door, filing: ComplaintFiling, key: str, secret: str) -> desk.Receipt:
    with state.sessions() as directory, state.filing_sessions() as queue:
        return desk.file(directory, queue, filing, door, key, secret)


def _form_values(s, user: StaffUser) -> dict:
    center = s.get(Center, user.center_code)
    scope = scope_of(s, user)
    centers = [user.center_code] if not user.supervises or scope.everything else list(scope.codes)
    province = center.province_code if center else ""
    return dict(
        categories=queries.categories(s),
        provinces=geothai.provinces(),
        districts=geothai.districts(province) if province else [],
        default_province=province or "",
        default_district=(center.district_code or "") if center else "",
        centers=centers,
        free_center=user.supervises and scope.everything,
        channels=CHANNELS,
        consent_methods=CONSENT_METHODS,
        givers=GIVERS,
    )


def _form_page(request: Request, s, user: StaffUser, values: dict, error: str = "", status_code: int = 200):
    return render(
        request,
        "walk_in.html",
        status_code=status_code,
        nav="inbox",
        v=values,
        error=error,
        **_form_values(s, user),
    )


@router.get(PATH, response_class=HTMLResponse)
async def walk_in_form(request: Request, s: DbSession, user: CurrentStaff):
    """The form, with a fresh token: submitting it twice files one case."""
    values = {"form_token": secrets.token_urlsafe(24), "channel": "counter", "center": user.center_code}
    return await run_in_threadpool(_form_page, request, s, user, values)


# The form the route reads itself, published so that the OpenAPI fuzz (tests/test_openapi_fuzz.py) sends it.
_TEXT = {"type": "string", "maxLength": 200}
FILING_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **{name: {"type": "string", "maxLength": limit} for name, limit in FIELD_LIMITS.items()},
                        "channel": {"type": "string", "enum": list(CHANNELS)},
                        "anonymous": _TEXT,
                        "consent": _TEXT,
                        "consent_given_by": {"type": "string", "enum": list(GIVERS)},
                        "consent_method": {"type": "string", "enum": list(CONSENT_METHODS)},
                        "form_token": {"type": "string", "minLength": 16, "maxLength": 64},
                        "paper": {"type": "string", "enum": list(PAPERS)},
                        "csrf_token": _TEXT,
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            }
        },
    }
}


@router.post(PATH, response_class=HTMLResponse, openapi_extra=FILING_FORM)
async def walk_in_file(request: Request, s: DbSession, user: CurrentStaff):
    """File the complaint and answer its receipt, with the PIN; bad input answers the form again with
    the reason and the values typed (the photos must be chosen again), and nothing is written."""
    form = await _read(request)
    _check_csrf(form, user, request)
    key = form.get("form_token")
    if not (16 <= len(key) <= 64):
        raise InvalidInput("ฟอร์มหมดอายุ กรุณาเปิดฟอร์มใหม่ / the form has no valid token; open it again")
    state, settings = request.app.state, request.app.state.settings
    try:
        door, filing = await run_in_threadpool(_checked, s, user, form)
        refs = await uploads.store(state.sessions, settings.upload_dir, form.photos, f"staff:{user.username}")
        filing = ComplaintFiling(**{**filing.__dict__, "attachments": tuple(refs)})
        receipt = await run_in_threadpool(_file, state, door, filing, key, settings.secret)
    except desk.KeyReused:
        # The form was sent before with another complaint (edited after filing): a new form, said plainly.
        again = {**form.values, "form_token": secrets.token_urlsafe(24)}
        return await run_in_threadpool(_form_page, request, s, user, again, FORM_USED, 422)
    except InvalidInput as err:
        return await run_in_threadpool(_form_page, request, s, user, form.values, err.message, err.status_code)
    if state.dispatcher is not None:
        state.dispatcher.nudge.set()
    values = await run_in_threadpool(
        receipt_values, s, request, receipt.tracking_number, filing.center, door.channel, filing.text, filing.category
    )
    return render(
        request,
        "receipt.html",
        status_code=201 if receipt.created else 200,
        headers={"Cache-Control": "no-store"},  # the PIN is on this page: no copy in a cache
        pin=receipt.pin,
        paper=form.get("paper") if form.get("paper") in PAPERS else "a5",
        **values,
    )


def _reprint(s, request: Request, user: StaffUser, number: str) -> dict:
    case = visible_case(s, user, number)
    consent = s.get(StaffIntake, case.tracking_number)
    center = case.filed_with if consent is None else consent.recorded_center
    if queries.center(s, center or "") is None:
        center = case.center_code or user.center_code
    return receipt_values(
        s, request, case.tracking_number, center, case.channel, case.text, case.category, case.filed_at
    )


@router.get("/cases/{number}/receipt", response_class=HTMLResponse)
async def reprint_receipt(number: str, request: Request, s: DbSession, user: CurrentStaff, paper: str = "a5"):
    """The receipt again, without the PIN (it is not stored)."""
    values = await run_in_threadpool(_reprint, s, request, user, number)
    return render(request, "receipt.html", pin=None, reprint=True, paper=paper if paper in PAPERS else "a5", **values)
