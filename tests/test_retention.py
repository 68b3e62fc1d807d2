"""The PDPA retention timer on SQLite and PostgreSQL: personal data past its retention is erased in
batches, the case itself stays, and data still within retention (or of an open case) is untouched;
staff sign-in attempts go after 90 days."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from activities.retention import erase_due_now, prune_due_now
from db.models import Case, PersonalData
from db.session import make_engine, make_sessions
from db.staff import LoginAttempt


@pytest.fixture(params=["sqlite", "postgres"])
def sessions(request):
    url = request.getfixturevalue(f"{request.param}_url")
    engine = make_engine(url)
    yield make_sessions(engine)
    engine.dispose()


def person(sessions, erase_after: datetime | None) -> str:
    number = "T" + uuid.uuid4().hex[:10].upper()
    now = datetime.now(UTC)
    with sessions.begin() as s:
        s.add(
            Case(
                tracking_number=number,
                workflow_id=f"complaint-{number}",
                pin_hash="x",
                status="CLOSED",
                text="ถนนพัง",
                filed_at=now,
                updated_at=now,
                last_seq=1,
                channel="api",
            )
        )
        s.flush()
        s.add(
            PersonalData(
                tracking_number=number,
                name="สมศรี ใจดี",
                phone="0812345678",
                national_id="1101700230705",
                email="somsri@example.com",
                erase_after=erase_after,
            )
        )
    return number


def test_expired_personal_data_is_erased_and_the_case_stays(sessions):
    now = datetime.now(UTC)
    expired = [person(sessions, now - timedelta(days=1)) for _ in range(3)]
    kept = person(sessions, now + timedelta(days=30))
    still_open = person(sessions, None)
    assert erase_due_now(sessions, batch=2) >= 3  # two rounds of the batch
    with sessions() as s:
        for number in expired:
            row = s.get(PersonalData, number)
            assert (row.name, row.phone, row.national_id, row.email) == (None, None, None, None)
            assert row.erased_at is not None
            assert s.get(Case, number).text == "ถนนพัง"
        assert s.get(PersonalData, kept).phone == "0812345678"
        assert s.get(PersonalData, still_open).name == "สมศรี ใจดี"
    assert erase_due_now(sessions) == 0, "erased data is not erased again"


def test_old_sign_in_attempts_are_deleted_and_recent_ones_kept(sessions):
    now = datetime.now(UTC)
    who = "t-" + uuid.uuid4().hex[:8]
    with sessions.begin() as s:
        for age in (timedelta(days=91), timedelta(days=200), timedelta(days=89), timedelta(minutes=5)):
            s.add(LoginAttempt(username=who, client="203.0.113.7", at=now - age, succeeded=False))
    assert prune_due_now(sessions) >= 2
    with sessions() as s:
        left = sorted(
            (now - a.at.replace(tzinfo=a.at.tzinfo or UTC)).days
            for a in s.scalars(select(LoginAttempt).where(LoginAttempt.username == who))
        )
    assert left == [0, 89]
