"""Agency callbacks that cannot be replayed, on the JSON API with a real worker on the dev server
(SQLite and PostgreSQL): a callback signed over its timestamp, nonce and body with the agency's own
secret moves the case; the very same request sent again is refused and changes nothing; a stale or
future timestamp, a missing header, the old body-only signature, another agency's secret or the old
shared development secret are refused; nonces are swept once their requests could no longer pass."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from api.agency_signing import SKEW, sign, signed_headers
from db import nonces
from db.credentials import DEV_AGENCY_SECRET
from db.models import CallbackNonce, CaseEvent
from db.session import make_engine, make_sessions
from intake.housekeeping import sweep
from tests.test_api import BODY, track
from workflows.errors import Unavailable

OCPB = "ocpb-own-secret-for-replay-tests-0123"
CONSUMER = {**BODY, "text": "ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ ร้านค้าปิดร้านหนี", "category": "consumer"}


@pytest.fixture
def secrets_set(monkeypatch):
    monkeypatch.setenv("AGENCY_SECRET_OCPB", OCPB)
    monkeypatch.setenv("AGENCY_SECRET_LANDS", "lands-own-secret-for-replay-tests-01")
    monkeypatch.delenv("AGENCY_SECRET_DOPA", raising=False)


async def forwarded_case(api) -> tuple[str, str]:
    got = (await api.post("/api/complaints", json=CONSUMER)).json()
    await track(api, got["tracking_number"], got["pin"], want="FORWARDED")
    return got["tracking_number"], got["pin"]


def event(number: str, kind: str = "progress") -> bytes:
    return json.dumps(
        {
            "event_id": f"ocpb-{uuid.uuid4().hex[:8]}",
            "tracking_number": number,
            "kind": kind,
            "note": "เรียกผู้ประกอบการมาชี้แจงแล้ว",
        }
    ).encode()


def progress_events(database_url: str, number: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_sessions(engine)() as s:
            return s.scalar(
                select(func.count()).where(CaseEvent.tracking_number == number, CaseEvent.kind.like("%progress%"))
            )
    finally:
        engine.dispose()


async def test_a_signed_callback_is_taken_once_and_its_replay_refused(api, secrets_set):
    number, pin = await forwarded_case(api)
    body = event(number)
    headers = signed_headers(OCPB, body)
    first = await api.post("/api/agencies/ocpb/callbacks", content=body, headers=headers)
    assert first.status_code == 202, first.text
    await track(api, number, pin, want="IN_PROGRESS")
    before = progress_events(api.database_url, number)
    replayed = await api.post("/api/agencies/ocpb/callbacks", content=body, headers=headers)
    assert replayed.status_code == 409 and " / " in replayed.json()["detail"]
    assert progress_events(api.database_url, number) == before
    # The same event signed anew (a fresh nonce) is taken again: the workflow de-duplicates its event id.
    again = await api.post("/api/agencies/ocpb/callbacks", content=body, headers=signed_headers(OCPB, body))
    assert again.status_code == 202


async def test_stale_future_unsigned_old_style_or_foreign_signatures_are_refused(api, secrets_set):
    number, _ = await forwarded_case(api)
    body = event(number)
    url = "/api/agencies/ocpb/callbacks"
    now = time.time()
    for headers in (
        signed_headers(OCPB, body, now=now - SKEW - 30),  # stale
        signed_headers(OCPB, body, now=now + SKEW + 30),  # from the future
        {k: v for k, v in signed_headers(OCPB, body).items() if k != "X-Nonce"},
        {k: v for k, v in signed_headers(OCPB, body).items() if k != "X-Timestamp"},
        {"X-Signature": sign(OCPB, "", "", body)},  # no timestamp or nonce
        {**signed_headers(OCPB, body), "X-Nonce": "short"},
        signed_headers("lands-own-secret-for-replay-tests-01", body),  # another agency's secret
        signed_headers(DEV_AGENCY_SECRET, body),  # the old shared development secret
        {**signed_headers(OCPB, body), "X-Signature": "sha256=" + "0" * 64},
        {**signed_headers(OCPB, body), "X-Timestamp": "1e9"},
    ):
        r = await api.post(url, content=body, headers=headers)
        assert r.status_code == 401, (headers, r.status_code, r.text)
        assert " / " in r.json()["detail"]
    # The old scheme (HMAC over the body alone) no longer passes.
    old = "sha256=" + hmac.new(OCPB.encode(), body, hashlib.sha256).hexdigest()
    assert (await api.post(url, content=body, headers={"X-Signature": old})).status_code == 401
    # An agency whose secret is unset cannot be signed for by anyone, the development secret included.
    dopa = await api.post("/api/agencies/dopa/callbacks", content=body, headers=signed_headers(DEV_AGENCY_SECRET, body))
    assert dopa.status_code == 401
    # The body is covered: the signature of one body does not carry another.
    headers = signed_headers(OCPB, body)
    assert (await api.post(url, content=event(number, "resolved"), headers=headers)).status_code == 401


async def test_nonces_are_kept_until_their_requests_expire_and_then_swept(api, secrets_set, tmp_path):
    engine = make_engine(api.database_url)
    sessions = make_sessions(engine)
    now = datetime.now(UTC)
    with sessions.begin() as s:
        assert nonces.take(s, "ocpb", "old-nonce-0123456789", now - timedelta(seconds=1))
        assert nonces.take(s, "ocpb", "live-nonce-0123456789", now + timedelta(seconds=SKEW))
        assert not nonces.take(s, "ocpb", "live-nonce-0123456789", now + timedelta(seconds=SKEW))
        assert nonces.take(s, "lands", "live-nonce-0123456789", now + timedelta(seconds=SKEW))  # per agency
    sweep(sessions, sessions, tmp_path / "uploads")
    with sessions() as s:
        left = set(s.execute(select(CallbackNonce.agency_code, CallbackNonce.nonce)).all())
    assert ("ocpb", "old-nonce-0123456789") not in left
    assert {("ocpb", "live-nonce-0123456789"), ("lands", "live-nonce-0123456789")} <= left
    engine.dispose()


async def test_a_callback_we_could_not_act_on_may_be_sent_again_as_it_was(api, secrets_set, monkeypatch):
    number, pin = await forwarded_case(api)
    gateway = api._transport.app.state.gateway  # the app behind the test client
    real_signal = gateway.signal

    async def down(*args, **kwargs):
        raise Unavailable("ระบบขัดข้องชั่วคราว / the case engine is down")

    monkeypatch.setattr(gateway, "signal", down)
    body = event(number)
    headers = signed_headers(OCPB, body)
    refused = await api.post("/api/agencies/ocpb/callbacks", content=body, headers=headers)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    monkeypatch.setattr(gateway, "signal", real_signal)
    taken = await api.post("/api/agencies/ocpb/callbacks", content=body, headers=headers)  # same nonce
    assert taken.status_code == 202, taken.text
    await track(api, number, pin, want="IN_PROGRESS")
    assert (await api.post("/api/agencies/ocpb/callbacks", content=body, headers=headers)).status_code == 409
