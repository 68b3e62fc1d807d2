"""The one way in, at the desk and the dispatcher, on SQLite and PostgreSQL: 200 filings racing from
every door get 200 distinct numbers from the one table; an idempotency key is scoped to its door and
caller (another door's key names nothing, an anonymous replay shows no PIN), the same key with another
complaint is refused, a key expires after a day; a number a case already holds is never handed out
again; and a poisoned filing does not stop the queue: it is retried, then dead-lettered with its
personal data wiped, while the others start."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from db import filings
from db.models import Filing
from db.session import filings_url, make_engine, make_sessions
from intake import desk, dispatcher
from intake.desk import KeyReused
from intake.dispatcher import FilingDispatcher
from intake.filing import ComplaintFiling, Door, complaint_input
from tests.conftest import ready_database, running_worker
from tests.support import add_case_row
from workflows.client import ComplaintGateway
from workflows.contracts import Contact
from workflows.domain import tracking
from workflows.errors import InvalidInput

SECRET = "intake-test-secret"
ROAD = ComplaintFiling(
    "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว",
    province="ตรัง",
    district="สิเกา",
    contact=Contact(name="สมหญิง ใจดี", phone="0812345678"),
)


class Desk:
    """The read model and the filings queue of one database, as the app opens them."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        queue_url = filings_url(url)
        self.queue_engine = make_engine(queue_url) if queue_url != url else self.engine
        if self.queue_engine is not self.engine:
            filings.ensure_schema(self.queue_engine)
        self.directory, self.queue = make_sessions(self.engine), make_sessions(self.queue_engine)

    def file(self, filing: ComplaintFiling, door: Door, key: str | None = None) -> desk.Receipt:
        with self.directory() as directory, self.queue() as queue:
            return desk.file(directory, queue, filing, door, key, SECRET)

    def row(self, number: str) -> Filing:
        with self.queue() as s:
            return s.get(Filing, number)

    def close(self) -> None:
        self.engine.dispose()
        self.queue_engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def front(request):
    d = Desk(request.getfixturevalue(f"{request.param}_url"))
    yield d
    d.close()


def test_200_filings_racing_from_every_door_get_200_distinct_numbers(front):
    doors = [
        Door("api"),
        Door("api", "partner.system"),
        Door("web", "web-session-1", "web-session-1"),
        Door("line", "U0123456789abcdef", "U0123456789abcdef"),
    ]

    def one(i: int) -> desk.Receipt:
        filing = ComplaintFiling(f"{ROAD.text} ซอย {i}", "92", "9205", anonymous=True)
        return front.file(filing, doors[i % len(doors)], key=f"race-{i}" if i % 3 else None)

    with ThreadPoolExecutor(16) as pool:
        receipts = list(pool.map(one, range(200)))
    numbers = {r.tracking_number for r in receipts}
    assert len(numbers) == 200 and all(r.created for r in receipts)
    assert all(tracking.PATTERN.match(n) for n in numbers)
    with front.queue() as s:
        stored = set(s.scalars(select(Filing.tracking_number).where(Filing.tracking_number.in_(numbers))))
    assert stored == numbers


def test_a_key_from_another_door_names_nothing_and_an_anonymous_replay_shows_no_pin(front):
    chat = Door("web", "session-of-somchai", "session-of-somchai")
    mine = front.file(ROAD, chat, key="msg-1")
    assert mine.pin and mine.created

    # Another door using the same key, or the key as the old code composed it, files its own case.
    for key in ("msg-1", "chat:web:msg-1"):
        other = front.file(ROAD, Door("api"), key=key)
        assert other.tracking_number != mine.tracking_number and other.created
        assert other.pin != mine.pin
    # Another chat session with the same message id too.
    assert front.file(ROAD, Door("web", "session-of-somsri"), key="msg-1").tracking_number != mine.tracking_number

    # The same chat again: the same case, number and PIN.
    again = front.file(ROAD, chat, key="msg-1")
    assert (again.tracking_number, again.pin, again.created) == (mine.tracking_number, mine.pin, False)

    # An anonymous API caller replaying its own key gets the number and status, never the PIN.
    first = front.file(ROAD, Door("api"), key="anon-1")
    replay = front.file(ROAD, Door("api"), key="anon-1")
    assert replay.tracking_number == first.tracking_number and replay.pin is None and replay.status == "RECEIVED"


def test_the_same_key_with_another_complaint_is_refused_and_writes_nothing(front):
    door = Door("api", "partner.system")
    first = front.file(ROAD, door, key="double-use")
    with front.queue() as s:
        before = s.query(Filing).count()
    other = ComplaintFiling("ไฟถนนดับทั้งซอยมาสองสัปดาห์แล้ว มืดมากตอนกลางคืน", "92", "9205", anonymous=True)
    with pytest.raises(KeyReused) as refused:
        front.file(other, door, key="double-use")
    assert "Idempotency-Key" in refused.value.message and "/" in refused.value.message
    with front.queue() as s:
        assert s.query(Filing).count() == before
    assert front.file(ROAD, door, key="double-use").tracking_number == first.tracking_number


def test_a_key_expires_after_a_day_and_then_files_a_new_complaint(front):
    door = Door("line", "Uexpiry", "Uexpiry")
    first = front.file(ROAD, door, key="evt-1")
    with front.queue.begin() as s:
        s.execute(
            update(Filing)
            .where(Filing.tracking_number == first.tracking_number)
            .values(accepted_at=datetime.now(UTC) - filings.KEY_TTL - timedelta(minutes=1))
        )
    later = front.file(ROAD, door, key="evt-1")
    assert later.created and later.tracking_number != first.tracking_number
    assert front.row(first.tracking_number).key_fingerprint.startswith("released:")
    assert front.file(ROAD, door, key="evt-1").tracking_number == later.tracking_number


@pytest.fixture
def a_case_in_the_read_model(front):
    """A case row as the projection writes it, so the desk has a number to avoid."""
    number = "2569-ZZZZZ3"
    add_case_row(front.directory, number, channel="web")
    return number


def test_numbers_of_cases_filed_before_the_one_table_are_skipped(front, a_case_in_the_read_model, monkeypatch):
    fresh = iter([a_case_in_the_read_model, "2569-ZZZZZ4"])
    monkeypatch.setattr(desk, "_new_number", lambda year: next(fresh))
    assert front.file(ROAD, Door("api", "partner.system")).tracking_number == "2569-ZZZZZ4"


@pytest.fixture
def own_sqlite(tmp_path, fake_agency):
    """A read model and queue no other test's dispatcher works on (the chat stack's runs all session)."""
    with ready_database("sqlite", tmp_path, fake_agency.base_url) as url:
        yield url


async def test_a_poisoned_filing_is_dead_lettered_and_the_queue_goes_on(dev_env, own_sqlite):
    sqlite_url = own_sqlite
    front = Desk(sqlite_url)
    try:
        with front.queue.begin() as s:
            filings.accept(s, "2569-P2P2P2", "poisoned-key", "x", {"text": ["not", "a", "complaint"]}, "api", "")
        good = front.file(ROAD, Door("api", "partner.system"))
        async with running_worker(dev_env.client, sqlite_url) as queue:
            gateway = ComplaintGateway(dev_env.client, SECRET, queue)
            runner = FilingDispatcher(front.queue, gateway, read_model=front.directory)
            await runner.dispatch_once()
            assert front.row(good.tracking_number).started_at is not None, "the good filing waited behind a bad one"
            bad = front.row("2569-P2P2P2")
            assert bad.attempts == 1 and bad.next_attempt_at is not None and bad.dead_at is None
            assert "ValidationError" in bad.last_error

            for _ in range(dispatcher.MAX_ATTEMPTS):  # time passes: each retry falls due
                with front.queue.begin() as s:
                    s.execute(
                        update(Filing).where(Filing.tracking_number == "2569-P2P2P2").values(next_attempt_at=None)
                    )
                await runner.dispatch_once()
        bad = front.row("2569-P2P2P2")
        assert bad.dead_at is not None and bad.attempts == dispatcher.MAX_ATTEMPTS
        assert bad.payload == {}, "a given-up filing kept its personal data"
        with front.queue() as s:
            assert "2569-P2P2P2" in [f.tracking_number for f in filings.dead_letters(s)]
            assert "2569-P2P2P2" not in [f.tracking_number for f in filings.pending(s, 1000)]
    finally:
        front.close()


async def test_a_number_held_by_another_workflow_is_dead_lettered_not_silently_merged(dev_env, own_sqlite):
    sqlite_url = own_sqlite
    front = Desk(sqlite_url)
    try:
        async with running_worker(dev_env.client, sqlite_url) as queue:
            gateway = ComplaintGateway(dev_env.client, SECRET, queue)
            first = front.file(ROAD, Door("api", "partner.system"))
            runner = FilingDispatcher(front.queue, gateway, read_model=front.directory)
            await runner.dispatch_once()
            # A filing whose number another workflow already holds (as one drawn before this table
            # held every number could): its start must not be mistaken for its own.
            with front.directory() as s:
                draft = complaint_input(s, ROAD, Door("api"))
            clash = first.tracking_number[:5] + "ZZZZZ5"
            payload = asdict(draft) | {"tracking_number": clash}
            assert await gateway.start(dispatcher.INPUT.validate_python(payload), "someone-else")
            with front.queue.begin() as s:
                filings.accept(s, clash, "clash-key", "x", payload, "api", "")
            await runner.dispatch_once()
            row = front.row(clash)
            assert row.dead_at is not None and "belongs to another case" in row.last_error
    finally:
        front.close()


def test_a_nul_byte_from_any_door_is_refused_before_anything_is_written(front):
    with front.queue() as s:
        before = s.query(Filing).count()
    for filing in (
        ComplaintFiling("ถนนเป็นหลุม\x00 รถล้มบ่อยมากครับ", "92", "9205", anonymous=True),
        ComplaintFiling(ROAD.text, "92", "9205", contact=Contact(name="สม\x00ชาย", phone="0812345678")),
    ):
        with pytest.raises(InvalidInput) as refused:
            front.file(filing, Door("line", "Unul", "Unul"), key="nul")
        assert "/" in refused.value.message
    with front.queue() as s:
        assert s.query(Filing).count() == before


def test_a_body_hashes_as_before_the_fields_added_later_while_they_hold_their_defaults():
    """A retry across the deploy that added tambon, consents and map point matches the stored hash."""
    import hashlib
    import json

    filing = ComplaintFiling(text="ถนนเป็นหลุม", province="ตรัง", district="สิเกา")
    first_release = {
        "text": "ถนนเป็นหลุม", "province": "ตรัง", "district": "สิเกา", "category": None, "center": None,
        "agency": None, "contact": None, "anonymous": False, "attachments": (), "language": "th",
    }  # fmt: skip
    stored = hashlib.sha256(
        json.dumps(first_release, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    assert filing.body_hash() == stored
    assert ComplaintFiling(text="ถนนเป็นหลุม", province="ตรัง", district="สิเกา", publish=True).body_hash() != stored
