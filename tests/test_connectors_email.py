"""The `email` connector end to end on the time-skipping server against a real SMTP server on loopback
(aiosmtpd, with a login): the forwarding letter goes as a PDF (its text extracted and checked) with the
photos attached, the Message-ID the server accepted becomes the case's outgoing reference, contact
details are in the message only with the citizen's consent, and a refused recipient or an unreachable
server falls back to manual forwarding with the reason, the case never marked forwarded."""

from __future__ import annotations

import io
import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pypdf import PdfReader
from sqlalchemy import select

from activities.agency_letters import app_secret
from db import status_links
from db.letters import letter_for_case
from db.models import Case, CaseEvent
from letters.mail import SmtpSettings
from tests.conftest import ready_database
from tests.connectors_world import PNG, connector_world
from tests.test_complaint_lifecycle import case_row, draft, read, status_is, until
from workflows import contracts as c

AGENCY = "PH-92"  # Trang's provincial hall: by letter until linked here
TEXT = "โรงงานปล่อยน้ำเสียลงคลอง ปลาตายเป็นจำนวนมาก กลิ่นเหม็นทั้งหมู่บ้าน"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the SMTP server accepted; an address starting with "nobody" is refused (550)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's naming)
        if address.startswith("nobody"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def only_ours(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login == b"center" and auth_data.password == b"smtp-password"
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def smtp():
    box = Mailbox()
    controller = Controller(
        box, hostname="127.0.0.1", port=free_port(), authenticator=only_ours, auth_require_tls=False
    )
    controller.start()
    box.settings = SmtpSettings(host="127.0.0.1", port=controller.port, security="none", username="center",
                                password="smtp-password", sender="center@damrongdham.test", timeout=5.0)  # fmt: skip
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    with ready_database("sqlite", tmp_path_factory.mktemp("email"), "http://127.0.0.1:9") as url:
        yield url


@pytest.fixture
async def world(time_env, db_url, tmp_path, smtp):
    async with connector_world(time_env, db_url, tmp_path, smtp=smtp.settings) as w:
        w.link_agency(AGENCY, "email", {"to": "saraban@trang.example.go.th"})
        yield w


def water_case(**kw) -> c.ComplaintInput:
    base = dict(category="environment", agency_code=AGENCY, contact=c.Contact(name="สมศักดิ์ รักน้ำ", phone="0861112222"))
    base.update(kw)
    return draft(TEXT, **base)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_the_letter_goes_as_a_pdf_with_the_photos_and_its_message_id_is_the_reference(world, smtp):
    photo = world.photo("drain.png")
    filed = await world.gw.file(water_case(share_contact_with_agency=True, attachments=[photo]), None)
    n = filed.tracking_number
    await until(status_is(world.url, n, c.FORWARDED))
    (msg,) = smtp.to("saraban@trang.example.go.th")
    assert n in msg["Subject"]
    forwarded = read(
        world.url,
        lambda s: s.scalars(
            select(CaseEvent).where(CaseEvent.tracking_number == n, CaseEvent.kind == "forwarded")
        ).one(),
    )
    assert forwarded.data == {"agency": AGENCY, "reference": msg["Message-ID"], "via": "email"}
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    letter = parts[f"{n}.pdf"]
    assert letter.get_content_type() == "application/pdf"
    text = pdf_text(letter.get_content())
    assert "ศาลากลางจังหวัดตรัง" in text, "addressed to the agency"
    assert "ตง" in text and n in text, "the reference under Trang's own prefix"
    assert "สมศักดิ์ รักน้ำ" in text, "named in full: the complainant consented"
    assert parts["drain.png"].get_content() == PNG
    # The letter carries the case's status link (the one a printed letter gets), and it opens the case.
    secret = app_secret(world.var_dir)
    link = read(world.url, lambda s: status_links.current(s, n, datetime.now(UTC), AGENCY))
    path = f"/agency-link/{n}/{status_links.token_for(secret, link)}"
    assert link.issued_by == "system" and path in "".join(text.split())
    async with world.app() as app:
        assert (await app.get(path)).status_code == 200
    # Reprinted, the letter has the same ที่ as the e-mailed one, never the Message-ID.
    reprint = read(world.url, lambda s: letter_for_case(s, s.get(Case, n), s.get(Case, n).center_code))
    assert reprint.reference.endswith(n) and reprint.reference.split()[0] in text
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "0861112222" in body and "สมศักดิ์" in body


async def test_without_consent_the_message_holds_no_contact_details(world, smtp):
    filed = await world.gw.file(water_case(), None)
    await until(status_is(world.url, filed.tracking_number, c.FORWARDED))
    msg = next(m for m in smtp.to("saraban@trang.example.go.th") if filed.tracking_number in m["Subject"])
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "0861112222" not in body and "สมศักดิ์" not in body
    letter = next(p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf")
    text = pdf_text(letter.get_content())
    assert "สมศักดิ์ รักน้ำ" not in text and "0861112222" not in text


async def test_a_refused_recipient_falls_back_to_manual_forwarding_at_once(world, smtp):
    world.link_agency(AGENCY, "email", {"to": "nobody@trang.example.go.th"})
    filed = await world.gw.file(water_case(), None)
    n = filed.tracking_number
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(n)
    row = case_row(world.url, n)
    assert row.status != c.FORWARDED and "550" in row.forward_failure
    assert not smtp.to("nobody@trang.example.go.th")


async def test_an_unreachable_smtp_server_is_retried_then_falls_back(time_env, db_url, tmp_path, smtp):
    down = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", sender="center@damrongdham.test",
                        timeout=2.0)  # fmt: skip
    async with connector_world(time_env, db_url, tmp_path, smtp=down) as w:
        w.link_agency(AGENCY, "email", {"to": "saraban@trang.example.go.th"})
        filed = await w.gw.file(water_case(policy=c.ClockPolicy(agency_send_budget_seconds=120)), None)
        assert c.TASK_FORWARD_MANUAL in await w.fall_back(filed.tracking_number, minutes=30)
        row = case_row(w.url, filed.tracking_number)
        assert row.status != c.FORWARDED and "unreachable" in row.forward_failure


async def test_an_agency_without_an_address_is_a_configuration_fault(world):
    world.link_agency(AGENCY, "email", {}, email=None)
    filed = await world.gw.file(water_case(), None)
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(filed.tracking_number)
    assert "no e-mail address" in case_row(world.url, filed.tracking_number).forward_failure
