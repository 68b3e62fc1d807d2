"""The Open311 GeoReport v2 door at `/open311/v2/` (JSON; the GETs in XML too): our categories as services, filing a service
request with a key an administrator issued to the client (through the same front desk as every other
door, `intake.desk`, as the door `open311`), and the public listing of requests with the spec's
filters, one request and a token's request. Privacy first: only cases in public categories whose filer
agreed to publish are listed (a client also sees the ones it filed), their text stripped of names and
numbers and the place coarsened (`api.open311_format`); contact details given with a request go to the
personal-data store like any filing's and are never shown. Errors are the spec's
`[{"code", "description"}]`."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import SettingsDep, TrackingClient, WithinFilingRate
from api.door import is_json
from api.open311_format import (
    Open311Route,
    ServiceRequestIn,
    area_in,
    codes,
    language,
    number_of_token,
    parse_date,
    public_request,
    statuses,
    token_for,
    window,
    xml,
)
from db import open311, queries
from intake import desk
from intake.filing import ComplaintFiling, Door
from intake.text import load_json
from workflows.contracts import Contact
from workflows.domain import tracking

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)
SPEC = "http://wiki.open311.org/GeoReport_v2"
NOTICE = (
    "เจ้าหน้าที่ศูนย์ดำรงธรรมจะคัดกรองเรื่องภายใน 1 วันทำการ / a Damrongdham Center officer screens the request "
    "within one business day"
)
Locale = Annotated[str | None, Query(max_length=20, description="th or en (e.g. en_US); else Accept-Language")]
AcceptLanguage = Annotated[str | None, Header(max_length=200)]
ApiKey = Annotated[str | None, Query(max_length=200, description="the client's key (shows its own requests too)")]
FIELD_TYPES = {"lat": "number", "long": "number", "publish": "boolean"}  # every other field is a string
REQUEST_FIELDS = {name: {"type": FIELD_TYPES.get(name, "string")} for name in ServiceRequestIn.model_fields}
REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": {"type": "object", "properties": REQUEST_FIELDS, "required": ["api_key", "service_code"]}}
            for media in ("application/x-www-form-urlencoded", "application/json")
        },
    }
}


def both(path: str, root: str, item: str | None):
    """The route in JSON (`<path>.json`) and, the same answer, in the spec's XML (`<path>.xml`).
    Errors stay JSON either way."""

    def register(handler):
        @functools.wraps(handler)  # FastAPI reads the parameters through __wrapped__
        async def as_xml(*args, **kwargs) -> Response:
            return xml(root, item, await handler(*args, **kwargs))

        as_xml.__name__ = handler.__name__ + "_xml"
        router.get(path + ".xml", response_class=Response, response_model=None)(as_xml)
        return router.get(path + ".json")(handler)

    return register


@router.get("/discovery.json")
async def discovery(request: Request) -> dict:
    """Where this endpoint is and what it speaks."""
    base = str(request.base_url).rstrip("/") + "/open311/v2"
    return {
        "changeset": "2026-12-05T00:00:00Z",
        "contact": "ศูนย์ดำรงธรรม กระทรวงมหาดไทย / Damrongdham Center, Ministry of Interior",
        "key_service": "keys are issued by the ministry's administrators",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": "2026-12-05T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def _service(category, lang: str) -> dict:
    name = category.name_en if lang == "en" else category.name_th
    return {
        "service_code": category.code,
        "service_name": name,
        "description": f"{category.name_th} / {category.name_en}",
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([category.code, category.name_en.lower(), category.name_th])),
        "group": "public" if category.public else "private",
    }


@both("/services", "services", "service")
async def services(request: Request, locale: Locale = None, accept_language: AcceptLanguage = None) -> list[dict]:
    """Our complaint categories as services. `group` says whether its cases can ever be listed publicly."""
    lang = language(locale, accept_language)
    with request.app.state.sessions() as s:
        return [_service(c, lang) for c in await run_in_threadpool(queries.categories, s)]


@both("/services/{service_code}", "service_definition", None)
async def service_definition(service_code: str, request: Request) -> dict:
    """A service's definition: we ask for no attributes beyond the spec's own fields."""
    with request.app.state.sessions() as s:
        found = await run_in_threadpool(queries.category, s, service_code.strip()[:40])
    if found is None:
        raise HTTPException(404, f"ไม่พบบริการ / service_code '{service_code[:40]}' not found")
    return {"service_code": found.code, "attributes": []}


async def _read_request(request: Request) -> ServiceRequestIn:
    kind = request.headers.get("content-type", "")
    if kind.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
        form = await request.form(max_files=0, max_fields=100)
        data = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        if "publish" in data:
            data["publish"] = data["publish"].strip().lower() in ("1", "true", "yes", "on")
        return ServiceRequestIn.model_validate({k: v for k, v in data.items() if v != "" or k == "publish"})
    if not is_json(kind):
        raise HTTPException(415, "ส่งแบบ form-urlencoded หรือ JSON / send form-urlencoded or JSON")
    data = load_json(await request.body())
    if not isinstance(data, dict):
        raise HTTPException(400, "ต้องเป็นออบเจกต์ JSON / the body must be a JSON object")
    return ServiceRequestIn.model_validate(data)


def _file(state, form: ServiceRequestIn, client: open311.Client, key: str | None, lang: str, secret: str):
    name = form.contact_name()
    contact = Contact(name=name, phone=form.phone or "", email=form.email or "") if (form.phone or form.email) else None
    if contact is None and name:
        contact = Contact(name=name)
    lat, long = form.coarse_point()
    province, district = form.province, form.district
    if not (province or district) and form.address_string:  # a client that only has an address
        province, district = area_in(form.address_string)
    filing = ComplaintFiling(
        text=form.complaint_text(),
        province=province,
        district=district,
        category=form.service_code,
        contact=contact,
        anonymous=contact is None,  # nobody to reach: the case goes on without a name
        language=lang,
        publish=form.publish,
        coarse_lat=lat,
        coarse_long=long,
    )
    door = Door("open311", caller=client.channel_ref, channel_ref=client.channel_ref)
    with state.sessions() as directory, state.filing_sessions() as queue:
        return desk.file(directory, queue, filing, door, key, secret)


def _client(state, key: str | None, production: bool) -> open311.Client | None:
    with state.sessions() as s:
        return open311.client_for_key(s, (key or "").strip(), production)


@router.post("/requests.json", openapi_extra=REQUEST_BODY, dependencies=[WithinFilingRate])
async def create_request(
    request: Request,
    settings: SettingsDep,
    locale: Locale = None,
    accept_language: AcceptLanguage = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """File a service request (form-encoded or JSON) with the client's `api_key`. The same
    `Idempotency-Key` from the same client is the same request. Answers
    `[{"service_request_id", "token", "service_notice", "account_id"}]`."""
    form = await _read_request(request)
    state = request.app.state
    client = await run_in_threadpool(_client, state, form.api_key, settings.production)
    if client is None:
        raise HTTPException(403, "api_key ไม่ถูกต้องหรือถูกเพิกถอน / api_key missing, unknown or revoked")
    problem = form.problem()
    if problem is not None:
        raise HTTPException(*problem)
    with state.sessions() as s:
        if await run_in_threadpool(queries.category, s, form.service_code) is None:
            raise HTTPException(404, f"ไม่พบบริการ / service_code '{form.service_code}' not found")
    lang = language(locale, accept_language)
    receipt = await run_in_threadpool(_file, state, form, client, idempotency_key, lang, settings.secret)
    if state.dispatcher is not None:
        state.dispatcher.nudge.set()
    number = receipt.tracking_number
    body = [
        {
            "service_request_id": number,
            "token": token_for(settings.secret, number),
            "service_notice": NOTICE,
            "account_id": None,
        }
    ]
    return JSONResponse(body, status_code=201 if receipt.created else 200)


def _listing(state, client_key: str | None, production: bool, **filters) -> list:
    with state.sessions() as s:
        client = open311.client_for_key(s, (client_key or "").strip(), production) if client_key else None
        return open311.requests(s, client=client, **filters)


@both("/requests", "service_requests", "request")
async def list_requests(
    request: Request,
    settings: SettingsDep,
    _: TrackingClient,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=2000)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    api_key: ApiKey = None,
    jurisdiction_id: Annotated[str | None, Query(max_length=100)] = None,
    locale: Locale = None,
    accept_language: AcceptLanguage = None,
) -> list[dict]:
    """Public requests, newest first (1,000 at most): `service_request_id` (comma-separated, overrides
    the other filters), `service_code` (comma-separated), `start_date`/`end_date` (W3C, 90 days at
    most, the last 90 days by default) and `status` (open, closed)."""
    lang = language(locale, accept_language)
    if service_request_id:
        numbers = [tracking.normalise(n) for n in codes(service_request_id)]
        filters = {"numbers": numbers}
    else:
        start, end = window(parse_date(start_date, "start_date"), parse_date(end_date, "end_date"), datetime.now(UTC))
        filters = {"categories": codes(service_code), "start": start, "end": end, "closed": statuses(status)}
    rows = await run_in_threadpool(_listing, request.app.state, api_key, settings.production, **filters)
    return [public_request(row, lang) for row in rows]


def _one(state, number: str, client_key: str | None, production: bool):
    with state.sessions() as s:
        client = open311.client_for_key(s, (client_key or "").strip(), production) if client_key else None
        return open311.request(s, number, client)


@both("/requests/{service_request_id}", "service_requests", "request")
async def get_request(
    service_request_id: str,
    request: Request,
    settings: SettingsDep,
    _: TrackingClient,
    api_key: ApiKey = None,
    locale: Locale = None,
    accept_language: AcceptLanguage = None,
) -> list[dict]:
    """One request, if the public may see it (or the client that filed it asks with its key)."""
    number = tracking.normalise(service_request_id[:40])
    row = await run_in_threadpool(_one, request.app.state, number, api_key, settings.production)
    if row is None:
        raise HTTPException(404, "ไม่พบคำร้อง หรือไม่เปิดเผยต่อสาธารณะ / service request not found or not public")
    return [public_request(row, language(locale, accept_language))]


@both("/tokens/{token}", "service_requests", "request")
async def get_token(token: Annotated[str, Path(max_length=100)], settings: SettingsDep) -> list[dict]:
    """The service request a token (from a POST) stands for."""
    number = number_of_token(settings.secret, token)
    if number is None:
        raise HTTPException(404, "ไม่พบ token / token not found")
    return [{"service_request_id": number, "token": token}]
