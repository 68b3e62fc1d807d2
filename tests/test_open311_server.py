"""The Open311 GeoReport v2 door, served by uvicorn on loopback with a real worker on the dev server,
on SQLite and PostgreSQL, driven by two Open311 clients other people wrote: `georeport` (services,
definitions, the listing and one request; it has no POST) and `civicbot`'s Open311 client (it files,
form-encoded, and reads tokens), plus our own requests for JSON filing and every refusal the spec
names. What is checked is what a client or the public would see: the case goes through the one intake
(its contact in the personal-data store, not in Temporal's history), the public listing holds only
consenting cases of public categories with names and numbers stripped and the place coarsened, and a
bad request is the spec's `[{"code", "description"}]` with its status, never a 5xx."""

from __future__ import annotations

import asyncio
import json
import string
import uuid

import httpx
import pytest
import requests
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from fastapi import APIRouter, FastAPI
from georeport import GeoReport
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import access_log
from api.open311_format import Open311Route
from api.settings import Settings
from db import open311
from db.models import Case, Category, PersonalData
from db.session import make_engine, make_sessions
from intake.rates import Throttled
from nlp.redaction import redact
from scripts import open311_clients
from scripts.run import issue_demo_open311_key
from tests.conftest import ready_database, running_worker
from tests.live import served
from tests.test_pii_in_temporal import assert_nothing_personal, wait_routed
from workflows.errors import CaseNotFound, InvalidInput, Unavailable

ROAD = "ถนนหน้าบ้านนายสมชาย ใจดี เป็นหลุมใหญ่ รถล้มบ่อย โทร 081-234-5678 ทะเบียน 1กข 1234"
DEBT = "เจ้าหนี้นอกระบบทวงหนี้ข่มขู่ทุกวัน ดอกเบี้ยร้อยละยี่สิบต่อเดือน"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def door(request, dev_env, tmp_path_factory, fake_agency):
    """The app on a read model of its own; yields (base URL, database URL, a client's key)."""
    tmp = tmp_path_factory.mktemp("open311")
    with ready_database(request.param, tmp, fake_agency.base_url) as url:
        engine = make_engine(url)
        with make_sessions(engine).begin() as s:
            _, key = open311.issue(s, "city app", "test admin")
        engine.dispose()
        async with running_worker(dev_env.client, url) as queue:
            settings_ = Settings(
                database_url=url,
                temporal_address=dev_env.client.service_client.config.target_host,
                task_queue=queue,
                var_dir=tmp,
                secret="open311-test-secret",
                dispatch_in_app=True,
                rate_filings="off",  # the fuzzed requests would use up a client's filing rate
            )
            async with served(settings_) as base_url:
                yield base_url + "/open311/v2", url, key


def civicbot(base: str) -> Open311Client:
    endpoint = Endpoint(id="damrongdham", name="Damrongdham", base_url=base, write=True)
    return Open311Client(endpoint, HttpTransport(rate_limiter=RateLimiter(min_interval=0)))


async def wait_case(database_url: str, number: str, timeout: float = 30.0) -> None:
    """Until the case's workflow has projected it (no area given: it waits for triage, not routed)."""
    for _ in range(int(timeout / 0.2)):
        case, _ = case_row(database_url, number)
        if case is not None and case.category is not None:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"case {number} never reached the read model")


def case_row(database_url: str, number: str) -> tuple[Case, PersonalData | None]:
    engine = make_engine(database_url)
    try:
        with make_sessions(engine)() as s:
            return s.get(Case, number), s.get(PersonalData, number)
    finally:
        engine.dispose()


async def post(base: str, **fields) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(f"{base}/requests.json", data=fields)


async def test_georeport_reads_our_categories_as_services_in_thai_and_english(door):
    base, _, _ = door
    services = await asyncio.to_thread(GeoReport(base).get_service_list)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["infrastructure"]["service_name"] == "ถนน ไฟฟ้าสาธารณะ ท่อระบายน้ำ น้ำท่วม ต้นไม้"
    assert by_code["infrastructure"]["group"] == "public" and by_code["debt"]["group"] == "private"
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)
    english = requests.get(f"{base}/services.json", params={"locale": "en_US"}, timeout=30).json()
    assert {s["service_code"]: s["service_name"] for s in english}["traffic"] == "Traffic"
    english = requests.get(f"{base}/services.json", headers={"Accept-Language": "en-GB,en"}, timeout=30).json()
    assert {s["service_code"]: s["service_name"] for s in english}["animals"] == "Animals"
    definition = await asyncio.to_thread(GeoReport(base).get_service_definition, "traffic")
    assert definition == {"service_code": "traffic", "attributes": []}
    with pytest.raises(requests.HTTPError) as err:
        await asyncio.to_thread(GeoReport(base).get_service_definition, "no-such-service")
    assert err.value.response.status_code == 404 and err.value.response.json()[0]["code"] == 404


async def test_a_request_filed_with_civicbot_goes_through_the_one_intake_with_its_contact_kept_out_of_temporal(
    door, dev_env
):
    base, database_url, key = door
    client = civicbot(base)
    sent = await asyncio.to_thread(
        client.create_request,
        "infrastructure",
        dry_run=False,
        confirm="SEND",
        api_key=key,
        lat=7.6123456,
        lng=99.3456789,
        description="ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว",
        first_name="สมหญิง",
        last_name="ใจดี",
        phone="0812345678",
        email="somying@example.com",
    )
    [answer] = sent.response
    number, token = answer["service_request_id"], answer["token"]
    assert number.startswith("25") and token and "1 วันทำการ" in answer["service_notice"]
    assert await asyncio.to_thread(client.get_token, token) == [{"service_request_id": number, "token": token}]
    await wait_case(database_url, number)
    case, person = case_row(database_url, number)
    assert case.channel == "open311" and case.category == "infrastructure" and not case.publish
    assert (case.coarse_lat, case.coarse_long) == (7.61, 99.35)  # only the rounded point is kept
    assert "7.612346, 99.345679" in case.text  # the exact one is in the case's text, for the officers
    assert (person.name, person.phone, person.email) == ("สมหญิง ใจดี", "0812345678", "somying@example.com")
    await assert_nothing_personal(dev_env.client, number, "สมหญิง ใจดี", "0812345678", "somying@example.com")
    # Without consent it is not public, but the client that filed it follows it with its key.
    with pytest.raises(requests.HTTPError) as err:
        await asyncio.to_thread(GeoReport(base).get_service_request, number)
    assert err.value.response.status_code == 404
    own = requests.get(f"{base}/requests/{number}.json", params={"api_key": key}, timeout=30).json()
    assert own[0]["service_request_id"] == number and own[0]["status"] == "open"
    assert "0812345678" not in json.dumps(own, ensure_ascii=False) and "สมหญิง" not in json.dumps(own)


async def test_the_public_listing_holds_only_consenting_cases_of_public_categories_stripped_and_coarsened(door):
    base, database_url, key = door
    filed = {}
    for name, body in {
        "public": {
            "service_code": "infrastructure",
            "description": ROAD,
            "publish": True,
            "lat": 7.61234,
            "long": 99.3,
            "district": "สิเกา",
        },
        "unconsented": {"service_code": "infrastructure", "description": ROAD, "district": "สิเกา", "province": "ตรัง"},
        "private": {"service_code": "debt", "description": DEBT, "publish": True, "address_string": "สิเกา ตรัง"},
    }.items():
        async with httpx.AsyncClient(timeout=30) as http:
            r = await http.post(f"{base}/requests.json", json={**body, "api_key": key})
        assert r.status_code == 201, r.text
        filed[name] = r.json()[0]["service_request_id"]
    for number in filed.values():
        await wait_case(database_url, number)
    await wait_routed(database_url, filed["public"])  # filed with its district: routed to an agency
    report = GeoReport(base)
    listed = await asyncio.to_thread(report.get_service_requests)
    ids = {r["service_request_id"] for r in listed}
    assert filed["public"] in ids and not {filed["unconsented"], filed["private"]} & ids
    [shown] = [r for r in listed if r["service_request_id"] == filed["public"]]
    text = json.dumps(shown, ensure_ascii=False)
    for secret in ("สมชาย", "ใจดี", "081", "234", "5678", "1กข", "1234"):
        assert secret not in text, f"{secret} is in the public listing: {text}"
    assert "หลุมใหญ่" in shown["description"] and shown["status"] == "open"
    assert (shown["lat"], shown["long"]) == (7.61, 99.3) and shown["media_url"] is None
    assert shown["service_name"] and shown["agency_responsible"]
    one = await asyncio.to_thread(report.get_service_request, filed["public"])
    assert one["service_request_id"] == filed["public"] and one["description"] == shown["description"]
    # The spec's filters.
    closed = await asyncio.to_thread(report.get_service_requests, status="closed")
    assert filed["public"] not in {r["service_request_id"] for r in closed}
    assert filed["public"] in {r["service_request_id"] for r in report.get_service_requests(status="open")}
    assert filed["public"] not in {r["service_request_id"] for r in report.get_service_requests(service_code="traffic")}
    both = report.get_service_requests(service_request_id=f"{filed['public']},{filed['private']}")
    assert [r["service_request_id"] for r in both] == [filed["public"]]
    old = report.get_service_requests(start_date="2020-01-01T00:00:00Z", end_date="2020-03-01T00:00:00Z")
    assert old == []
    # A client sees its own requests too, public or not; never another client's.
    mine = requests.get(f"{base}/requests.json", params={"api_key": key}, timeout=30).json()
    assert {filed["unconsented"], filed["private"]} <= {r["service_request_id"] for r in mine}
    assert "[ชื่อ/name]" in json.dumps([r["description"] for r in mine], ensure_ascii=False)
    unconsented = next(r for r in mine if r["service_request_id"] == filed["unconsented"])
    assert unconsented["address"] == "อำเภอสิเกา จังหวัดตรัง" and unconsented["lat"] is None
    private = next(r for r in mine if r["service_request_id"] == filed["private"])
    assert private["address"] == "อำเภอสิเกา จังหวัดตรัง"  # read from its address_string


async def test_the_same_idempotency_key_from_the_same_client_is_the_same_request(door):
    base, _, key = door
    body = {
        "api_key": key,
        "service_code": "nuisance",
        "description": "เสียงดังจากโรงงานทุกคืนจนนอนไม่หลับ",
        "district": "สิเกา",
    }
    async with httpx.AsyncClient(timeout=30) as http:
        first = await http.post(f"{base}/requests.json", data=body, headers={"Idempotency-Key": "city-42"})
        again = await http.post(f"{base}/requests.json", data=body, headers={"Idempotency-Key": "city-42"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]


def _spec_error(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    [problem] = r.json()
    assert problem["code"] == status and " / " in problem["description"], problem
    return problem["description"]


async def test_bad_requests_get_the_specs_errors_with_the_right_status(door):
    base, database_url, key = door
    ok = {"api_key": key, "service_code": "infrastructure", "description": "ไฟถนนดับทั้งซอยมาสามคืนแล้ว", "district": "สิเกา"}
    assert "service_code" in _spec_error(await post(base, **{**ok, "service_code": ""}), 400)
    no_code = {k: v for k, v in ok.items() if k != "service_code"}
    assert "service_code" in _spec_error(await post(base, **no_code), 400)
    _spec_error(await post(base, **{**ok, "api_key": "not-a-key"}), 403)
    _spec_error(await post(base, **{k: v for k, v in ok.items() if k != "api_key"}), 403)
    _spec_error(await post(base, **{**ok, "service_code": "potholes"}), 404)
    _spec_error(await post(base, **{**ok, "lat": "7.6"}), 400)  # lat without long
    _spec_error(await post(base, **{**ok, "lat": "north", "long": "99"}), 400)
    _spec_error(await post(base, **{**ok, "lat": "91", "long": "99"}), 400)
    _spec_error(await post(base, **{k: v for k, v in ok.items() if k != "district"}), 400)  # no location
    _spec_error(await post(base, **{**ok, "description": "ไฟดับ"}), 400)
    _spec_error(await post(base, **{**ok, "phone": "12345"}), 400)
    _spec_error(await post(base, **{**ok, "email": "not-an-address"}), 400)
    _spec_error(await post(base, **{**ok, "media_url": "javascript:alert(1)"}), 400)
    _spec_error(await post(base, **{**ok, "district": "ไม่มีอำเภอนี้"}), 400)
    _spec_error(await post(base, **{**ok, "description": "ไฟถนนดับ\x00ทั้งซอยมาสามคืน"}), 400)
    async with httpx.AsyncClient(timeout=30) as http:
        _spec_error(
            await http.post(f"{base}/requests.json", content=b"<xml/>", headers={"Content-Type": "text/xml"}), 415
        )
        _spec_error(await http.post(f"{base}/requests.json", json=["not", "an", "object"]), 400)
        _spec_error(await http.post(f"{base}/requests.json", json={**ok, "description": {"nested": 1}}), 400)
        big = {**ok, "description": "a" * 70_000}  # over 64 KiB, small enough to be sent whole before the 413
        assert (await http.post(f"{base}/requests.json", data=big)).status_code == 413
        _spec_error(await http.get(f"{base}/requests.json", params={"start_date": "yesterday"}), 400)
        span = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
        _spec_error(await http.get(f"{base}/requests.json", params=span), 400)
        _spec_error(await http.get(f"{base}/requests.json", params={"status": "pending"}), 400)
        _spec_error(await http.get(f"{base}/requests/2569-ZZZZZZ.json"), 404)
        _spec_error(await http.get(f"{base}/tokens/2569-ZZZZZZ.0123456789abcdef0123.json"), 404)
        _spec_error(await http.get(f"{base}/services/nothing.json"), 404)
    # A revoked key files nothing.
    engine = make_engine(database_url)
    with make_sessions(engine).begin() as s:
        client, revoked = open311.issue(s, "former partner", "test admin")
        assert open311.revoke(s, client.id)
    engine.dispose()
    _spec_error(await post(base, **{**ok, "api_key": revoked}), 403)


FIELDS = ["api_key", "service_code", "description", "lat", "long", "address_string", "district", "phone", "email"]


async def test_fuzzed_service_requests_are_refused_in_the_specs_shape_and_never_fail(door):
    base, _, key = door
    junk = st.text(string.printable + "กขคงจ๐๑๒\u00a0\ufeff", max_size=60)

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(fields=st.dictionaries(st.sampled_from(FIELDS), junk, max_size=6), real_key=st.booleans())
    def probe(fields, real_key):
        if real_key:
            fields = {**fields, "api_key": key}
        r = requests.post(f"{base}/requests.json", data=fields, timeout=30)
        assert r.status_code < 500, (fields, r.status_code, r.text)
        if r.status_code >= 400:
            [problem] = r.json()
            assert problem["code"] == r.status_code and problem["description"]

    await asyncio.to_thread(probe)


def test_the_development_key_is_never_a_client_in_production(door):
    _, database_url, _ = door
    engine = make_engine(database_url)
    with make_sessions(engine).begin() as s:
        demo = open311.ensure_dev_client(s)
        assert open311.client_for_key(s, open311.DEV_KEY, production=False) == demo
        assert open311.client_for_key(s, open311.DEV_KEY, production=True) is None
        assert open311.client_for_key(s, uuid.uuid4().hex, production=False) is None
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("บ้านนายสมชาย ใจดี จอดรถขวางทาง", ["สมชาย", "ใจดี"], ["จอดรถขวางทาง", "บ้าน"]),
        ("ป้าแดง ขายของเสียงดัง", ["แดง"], ["ป้า"]),
        ("น.ส.สมใจ รักดี เลขบัตร 1-1037-02071-81-1", ["สมใจ", "รักดี", "1037", "02071"], ["เลขบัตร"]),
        ("ชื่อสมศรี โทร ๐๘๑-๒๓๔-๕๖๗๘", ["สมศรี", "๐๘๑", "๕๖๗๘"], ["โทร"]),
        ("รถทะเบียน 1กข 1234 และ กท-5678 จอดขวาง", ["1กข", "1234", "กท-5678"], ["จอดขวาง"]),
        ("Mr. John Smith (john.smith@mail.com, 081 234 5678) see https://x.test/p?id=1", ["John", "Smith", "john.", "081", "x.test"], ["see"]),
        ("A man named Peter Parker and Khun Somchai block the road", ["Peter", "Parker", "Somchai"], ["block the road"]),
    ],
)  # fmt: skip
def test_the_redactor_strips_names_and_numbers_in_thai_and_english(text, gone, kept):
    out = redact(text)
    for word in gone:
        assert word not in out, (word, out)
    for word in kept:
        assert word in out, (word, out)


def test_the_redactor_leaves_words_that_only_start_like_an_honorific():
    text = "ป้ายจราจรหัก ร้านอาหารเสียงดัง คุณภาพน้ำแย่ ตามที่แจ้ง"
    assert redact(text) == text


async def test_a_json_api_filing_with_consent_to_publish_appears_in_the_public_listing(door):
    base, database_url, _ = door
    body = {"text": "ต้นไม้ใหญ่ล้มขวางถนนหน้าโรงเรียน รถผ่านไม่ได้", "province": "ตรัง", "district": "สิเกา"}
    async with httpx.AsyncClient(timeout=30) as http:
        shown = await http.post(
            base.removesuffix("/open311/v2") + "/api/complaints", json={**body, "anonymous": True, "publish": True}
        )
        hidden = await http.post(base.removesuffix("/open311/v2") + "/api/complaints", json={**body, "anonymous": True})
    numbers = [shown.json()["tracking_number"], hidden.json()["tracking_number"]]
    for number in numbers:
        await wait_case(database_url, number)
    listed = {r["service_request_id"] for r in await asyncio.to_thread(GeoReport(base).get_service_requests)}
    assert numbers[0] in listed and numbers[1] not in listed


def test_an_open311_key_in_a_query_string_is_blanked_in_the_access_log():
    line = access_log.redact("/open311/v2/requests/2569-ABCDEF.json?locale=en&api_key=o311_secret&email=a@b.co")
    assert "o311_secret" not in line and "a@b.co" not in line and "locale=en" in line


@pytest.mark.parametrize(
    ("raised", "status"),
    [
        (Throttled("ช้าลงหน่อย / slow down", 7), 429),
        (Unavailable("ระบบขัดข้อง / down"), 503),
        (InvalidInput("ไม่ถูกต้อง / invalid"), 400),
        (CaseNotFound(), 404),
    ],
)
async def test_every_typed_error_on_an_open311_route_speaks_the_spec(raised, status):
    router = APIRouter(route_class=Open311Route)

    @router.get("/boom.json")
    async def boom() -> list:
        raise raised

    app = FastAPI()
    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        r = await http.get("/boom.json")
    assert r.status_code == status and r.json() == [{"code": status, "description": raised.message}]
    if status in (429, 503):
        assert int(r.headers["Retry-After"]) >= 1


def test_make_runs_demo_key_and_the_administrators_cli(door, monkeypatch, capsys):
    _, database_url, _ = door
    assert issue_demo_open311_key(database_url) == issue_demo_open311_key(database_url) == open311.DEV_KEY
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert open311_clients.main(["issue", "Sikao municipality app", "--by", "moi.admin"]) == 0
    key = capsys.readouterr().out.split(": ", 1)[1].split()[0]
    engine = make_engine(database_url)
    with make_sessions(engine)() as s:
        client = open311.client_for_key(s, key, production=True)
        assert client is not None and client.name == "Sikao municipality app"
        assert len([c for c in open311.clients(s) if c.name == open311.DEV_CLIENT]) == 1
    assert open311_clients.main(["revoke", str(client.id)]) == 0
    assert open311_clients.main(["revoke", str(client.id)]) == 1  # already revoked
    assert open311_clients.main(["public", "debt", "on"]) == 0 and open311_clients.main(["public", "nope", "on"]) == 1
    with make_sessions(engine)() as s:
        assert open311.client_for_key(s, key, production=True) is None
        assert s.get(Category, "debt").public
    assert open311_clients.main(["public", "debt", "off"]) == 0
    engine.dispose()


async def test_georeport_reads_the_same_answers_in_xml(door):
    base, database_url, key = door
    body = {"api_key": key, "service_code": "animals", "description": "สุนัขจรจัดฝูงใหญ่ไล่กัดเด็กหน้าตลาด", "publish": "true"}
    number = (await post(base, **body, district="สิเกา")).json()[0]["service_request_id"]
    await wait_case(database_url, number)
    as_xml = GeoReport(base, output_format="xml")
    services = await asyncio.to_thread(as_xml.get_service_list)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["infrastructure"]["metadata"] == "false" and by_code["debt"]["group"] == "private"
    assert (await asyncio.to_thread(as_xml.get_service_definition, "traffic"))["service_code"] == "traffic"
    listed_json = await asyncio.to_thread(GeoReport(base).get_service_requests)
    listed_xml = await asyncio.to_thread(as_xml.get_service_requests)
    listed_xml = listed_xml if isinstance(listed_xml, list) else [listed_xml]
    assert [r["service_request_id"] for r in listed_xml] == [r["service_request_id"] for r in listed_json]
    assert [r["description"] for r in listed_xml] == [r["description"] for r in listed_json]
    one = await asyncio.to_thread(as_xml.get_service_request, listed_json[0]["service_request_id"])
    assert one["service_request_id"] == listed_json[0]["service_request_id"]
    missing = requests.get(f"{base}/requests/2569-ZZZZZZ.xml", timeout=30)
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
