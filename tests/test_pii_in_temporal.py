"""Personal data never in Temporal in the clear (issue 15, item 1): a complaint filed over the JSON API
(SQLite and PostgreSQL) and one filed through the web chat's whole dialogue, each with a name, a mobile
number and a national ID, are routed with the payload codec on; then their raw histories, as the
server stores and serves them to anyone with its UI or CLI, hold none of the name, phone, national ID or
chat session, and even opened with the key the workflow's input holds only a reference. The cases still
work: the chat gets its acknowledgement pushed, officers see the phone masked. The dispatcher keeps the
person in the read model before the start, and drops a given-up filing's. A payload sealed with an
old key opens after a new key is put first; the codec server decodes for administrators only, and
answers the configured Temporal UI origin's preflight."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf import json_format
from sqlalchemy import select
from temporalio.api.common.v1 import Payload, Payloads, WorkflowExecution
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest
from temporalio.client import Client

from db import filings, retention, staff
from db.models import Case, OutboxMessage, PersonalData
from db.session import make_engine, make_sessions
from intake.dispatcher import FilingDispatcher
from intake.filing import Door, complaint_input
from tests.chatbot.conftest import Chat, chat, chat_stack, fake_line, http  # noqa: F401  (fixtures)
from tests.test_intake import ROAD, Desk
from web import case_view
from workflows import codec
from workflows import contracts as c
from workflows.client import ComplaintGateway
from workflows.domain import tracking

NAME = "สมหญิง ใจดี"
PHONE = "0812345678"
NUMBER = re.compile(r"25\d\d-[23456789A-HJKMNP-Z]{6}")


def national_id(first12: str) -> str:
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


NATIONAL_ID = national_id("110170020345")


async def raw_history(client: Client, number: str) -> bytes:
    """The case's whole history as the server stores it: no codec, no SDK decoding in between."""
    chunks, token = [], b""
    while True:
        page = await client.workflow_service.get_workflow_execution_history(
            GetWorkflowExecutionHistoryRequest(
                namespace=client.namespace,
                execution=WorkflowExecution(workflow_id=tracking.workflow_id(number)),
                next_page_token=token,
            )
        )
        chunks.append(page.history.SerializeToString())
        token = page.next_page_token
        if not token:
            return b"".join(chunks)


def spellings(secret: str) -> list[bytes]:
    """The ways a value can sit in a payload: as UTF-8 and as JSON with non-ASCII escaped."""
    return [secret.encode(), json.dumps(secret).strip('"').encode()]


async def assert_nothing_personal(client: Client, number: str, *secrets: str) -> None:
    raw = await raw_history(client, number)
    for secret in secrets:
        for spelled in spellings(secret):
            assert spelled not in raw, f"{secret!r} is readable in case {number}'s history"
    # Opened with the key, the start event's input carries a reference, not the person.
    history = await client.get_workflow_handle(tracking.workflow_id(number)).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.input.payloads[0].metadata["encoding"] == codec.ENCODING
    [inp] = await client.data_converter.decode(started.input.payloads, [c.ComplaintInput])
    assert inp.contact is None and inp.channel_ref == "" and inp.personal_data_ref == number


async def wait_routed(database_url: str, number: str, timeout: float = 30.0) -> Case:
    engine = make_engine(database_url)
    try:
        for _ in range(int(timeout / 0.2)):
            with make_sessions(engine)() as s:
                case = s.get(Case, number)
                if case is not None and case.routed_at is not None:
                    return case
            await asyncio.sleep(0.2)
        raise AssertionError(f"case {number} was never routed")
    finally:
        engine.dispose()


async def test_a_complaint_filed_over_the_api_leaves_no_personal_data_in_its_history(api, dev_env):
    body = {
        "text": "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว",
        "province": "ตรัง",
        "district": "สิเกา",
        "contact": {"name": NAME, "phone": PHONE, "national_id": NATIONAL_ID, "email": "somying@example.org"},
    }
    r = await api.post("/api/complaints", json=body)
    assert r.status_code == 201, r.text
    number = r.json()["tracking_number"]
    await wait_routed(api.database_url, number)

    await assert_nothing_personal(dev_env.client, number, NAME, PHONE, NATIONAL_ID, "somying@example.org")

    # The case works as before: officers see the phone masked, from the read model.
    engine = make_engine(api.database_url)
    try:
        with make_sessions(engine)() as s:
            person = s.get(PersonalData, number)
            assert (person.name, person.phone, person.national_id) == (NAME, PHONE, NATIONAL_ID)
            sheet = case_view.case_sheet(s, s.get(Case, number), None)
            assert sheet.personal["phone"].endswith("5678") and PHONE not in sheet.personal["phone"]
    finally:
        engine.dispose()


async def test_a_complaint_filed_in_the_web_chat_leaves_no_chat_session_in_its_history(  # noqa: F811
    chat: Chat,  # noqa: F811
    chat_stack,  # noqa: F811
    dev_env,
):
    await chat.say("อยากร้องเรียนค่ะ")
    await chat.say(action="consent:yes")
    await chat.say("เพื่อนบ้านบุกรุกที่ดินของผมและสร้างรั้วทับแนวเขตโฉนด")
    await chat.say("ถัดไป")
    await chat.say("ตรัง")
    await chat.say("สิเกา")
    await chat.say(action="office:accept")
    await chat.say(action="contact:give")
    await chat.say(NAME)
    await chat.say("081-234-5678")
    await chat.say(NATIONAL_ID)
    assert "สรุปเรื่องร้องเรียน" in chat.text
    await chat.say(action="confirm", message_id="confirm-pii-1")
    number = NUMBER.search(chat.text).group(0)

    # The acknowledgement still reaches this chat: its address came from the read model, not the workflow.
    pushed = await chat.pushed("ได้รับเรื่องของท่านแล้ว")
    assert any(number in m["text"] for m in pushed)
    await wait_routed(chat_stack.database_url, number)
    with chat_stack.sessions()() as s:
        assert s.get(Case, number).channel_ref == chat.session_id
        assert s.scalar(select(OutboxMessage.channel_ref).where(OutboxMessage.tracking_number == number)) == (
            chat.session_id
        )

    await assert_nothing_personal(dev_env.client, number, NAME, PHONE, NATIONAL_ID, chat.session_id)


def sealed_with(keys: dict[str, bytes], text: str) -> Payload:
    return codec.EncryptionCodec(keys).seal(Payload(metadata={"encoding": b"json/plain"}, data=text.encode()))


def test_a_payload_sealed_with_an_old_key_opens_after_a_new_key_is_put_first():
    old = codec.parse_keys(codec.new_key_line("2026a"))
    new = codec.parse_keys(codec.new_key_line("2026b"))
    sealed = sealed_with(old, f'"{PHONE}"')
    assert PHONE.encode() not in sealed.SerializeToString() and sealed.metadata[codec.KEY_ID] == b"2026a"

    rotated = codec.EncryptionCodec(new | old)  # the new key first: it seals, both open
    assert rotated.open(sealed).data == f'"{PHONE}"'.encode()
    assert rotated.seal(Payload(data=b"x")).metadata[codec.KEY_ID] == b"2026b"
    # A payload from before the codec replays as it was; one whose key was dropped is refused.
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"old"')
    assert rotated.open(plain) == plain
    with pytest.raises(codec.PayloadKeyError):
        codec.EncryptionCodec(new).open(sealed)
    tampered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    with pytest.raises(codec.PayloadKeyError):
        rotated.open(tampered)


def test_payload_keys_that_cannot_be_used_are_named():
    for raw, words in (("", "no key"), ("k1", "kid:base64"), ("k1:!!!", "base64"), ("k1:" + "QUJD", "32 bytes")):
        with pytest.raises(codec.PayloadKeyError, match=words):
            codec.parse_keys(raw)


def staff_cookie(database_url: str, username: str, role: str) -> dict[str, str]:
    engine = make_engine(database_url)
    try:
        with make_sessions(engine).begin() as s:
            if staff.account(s, username) is None:
                staff.add_account(s, username, username, role, "D9205", "codec-test-password-1")
            return {"staff_session": staff.open_session(s, username).token}
    finally:
        engine.dispose()


def as_json(payloads: list[Payload]) -> str:
    return json_format.MessageToJson(Payloads(payloads=payloads))


async def test_the_codec_server_decodes_for_administrators_only(api, monkeypatch):
    monkeypatch.setenv("TEMPORAL_UI_ORIGIN", "http://127.0.0.1:8233")
    sealed = codec.EncryptionCodec(codec.configured_keys()).seal(
        Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(PHONE).encode())
    )
    body = as_json([sealed])
    headers = {"Content-Type": "application/json", "Origin": "http://127.0.0.1:8233", "X-Namespace": "default"}

    nobody = await api.post("/codec/decode", content=body, headers=headers)
    assert nobody.status_code == 401 and PHONE not in nobody.text
    officer = await api.post(
        "/codec/decode",
        content=body,
        headers=headers,
        cookies=staff_cookie(api.database_url, "codec.officer", "officer"),
    )
    assert officer.status_code == 403 and PHONE not in officer.text

    admin = staff_cookie(api.database_url, "codec.admin", "admin")
    opened = await api.post("/codec/decode", content=body, headers=headers, cookies=admin)
    assert opened.status_code == 200, opened.text
    assert opened.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
    [payload] = json_format.Parse(opened.text, Payloads()).payloads
    assert json.loads(payload.data) == PHONE
    resealed = await api.post("/codec/encode", content=opened.text, headers=headers, cookies=admin)
    [again] = json_format.Parse(resealed.text, Payloads()).payloads
    assert again.metadata["encoding"] == codec.ENCODING and PHONE.encode() not in again.data

    preflight = {"Origin": "http://127.0.0.1:8233", "Access-Control-Request-Method": "POST"}
    allowed = await api.options("/codec/decode", headers=preflight)
    assert allowed.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
    assert "x-namespace" in allowed.headers["access-control-allow-headers"].lower()
    elsewhere = await api.options("/codec/decode", headers=preflight | {"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in elsewhere.headers
    garbage = await api.post("/codec/decode", content=b'{"payloads": 3}', headers=headers, cookies=admin)
    assert garbage.status_code == 400


async def test_the_dispatcher_keeps_the_person_in_the_read_model_and_drops_a_given_up_filings(dev_env, sqlite_url):
    """No worker polls this queue: what the read model holds was written by the dispatcher alone."""
    front = Desk(sqlite_url)
    try:
        gateway = ComplaintGateway(dev_env.client, "pii-test-secret", f"idle-{uuid.uuid4().hex[:8]}")
        runner = FilingDispatcher(front.queue, gateway, read_model=front.directory)
        session = f"web-{uuid.uuid4().hex}"
        kept = front.file(ROAD, Door("web", session, session))
        # A filing whose number another workflow holds is given up on at once (see test_intake).
        with front.directory() as s:
            draft = complaint_input(s, ROAD, Door("api"))
        clash = kept.tracking_number[:5] + "ZZZZZ7"
        payload = asdict(draft) | {"tracking_number": clash}
        assert await gateway.start(replace(draft, tracking_number=clash, contact=None), "someone-else")
        with front.queue.begin() as s:
            filings.accept(s, clash, f"clash-{uuid.uuid4().hex}", "x", payload, "api", "")
        for _ in range(10):  # other tests' filings wait in this queue too
            if await runner.dispatch_once() == 0:
                break

        with front.directory() as s:
            person = s.get(PersonalData, kept.tracking_number)
            assert (person.name, person.phone, person.channel_ref) == (ROAD.contact.name, ROAD.contact.phone, session)
            assert s.get(PersonalData, clash) is None, "a given-up filing's contact details stayed"
        assert front.row(clash).dead_at is not None
        await assert_nothing_personal(dev_env.client, kept.tracking_number, ROAD.contact.phone, session)
    finally:
        front.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_erasing_a_person_erases_the_chat_address_the_intake_kept(kind, request):
    engine = make_engine(request.getfixturevalue(f"{kind}_url"))
    number = f"2569-E{uuid.uuid4().hex[:5].upper()}"
    past = datetime.now(UTC) - timedelta(days=1)
    try:
        with make_sessions(engine).begin() as s:
            s.add(PersonalData(tracking_number=number, name=NAME, phone=PHONE, channel_ref="U0123", erase_after=past))
        with make_sessions(engine).begin() as s:
            while retention.erase_expired(s, datetime.now(UTC)) == 500:
                pass
        with make_sessions(engine)() as s:
            person = s.get(PersonalData, number)
            assert (person.name, person.phone, person.channel_ref) == (None, None, None) and person.erased_at
    finally:
        engine.dispose()
