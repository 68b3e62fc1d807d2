"""The forwarding letter as a document, checked the way its reader sees it: the PDF's text extracted
(pypdf) holds the reference under the issuing center's own prefix (Trang's ตง, the ministry's มท),
the date in the Buddhist era (Thai digits when asked), the addressee, the complaint and Thai words
that read back exactly as written (สระอำ and stacked tone marks included); the complainant's name only
when the caller logged a reveal; photos as pages and the status link's QR code as images. The e-mail
goes through `send_letter_email` to a real SMTP server on loopback (aiosmtpd), with STARTTLS and a
login, and each refusal comes back as its typed error. The reference prefixes cover all 77 provinces
of the seeded directory."""

from __future__ import annotations

import datetime as dt
import email
import io
import socket
import ssl
import uuid
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from db.letters import letter_for_case
from db.models import Agency, Attachment, Case, Center, PersonalData
from db.photos import store_photo
from db.session import make_engine, make_sessions
from letters import (
    PROVINCE_PREFIXES,
    MailAttachment,
    MailAuthRefused,
    MailRefused,
    MailUnreachable,
    SmtpSettings,
    official_reference,
    qr_png,
    render_letter_pdf,
    send_letter_email,
)
from workflows.domain import tracking

TEXT = "ถนนหน้าบ้านเป็นหลุมใหญ่ น้ำท่วมขังทุกครั้งที่ฝนตก ผู้สูงอายุเดินไม่ได้ รถจักรยานยนต์ล้มบ่อย"
NAME = "สมชาย ใจดี"
UPLOADS: dict = {}  # tracking number -> the folder its photo was stored in


def png(colour=(200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def sessions(sqlite_url):
    engine = make_engine(sqlite_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def case_number(sessions, tmp_path_factory) -> str:
    """A case in Sikao (Trang), routed to an agency, with a named complainant and one photo."""
    uploads = tmp_path_factory.mktemp("uploads")
    number = tracking.tracking_number("letter-test", uuid.uuid4().hex, 0, 2026)
    ref = store_photo(uploads, "หลุม.png", png(), 5 * 1024 * 1024)
    with sessions.begin() as s:
        agency = s.scalars(select(Agency).where(Agency.province_code == "92").order_by(Agency.code)).first()
        at = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
        s.add(
            Case(
                tracking_number=number,
                workflow_id=tracking.workflow_id(number),
                pin_hash="x",
                status="FORWARDED",
                text=TEXT,
                category="infrastructure",
                agency_code=agency.code,
                center_code="D9205",
                province_code="92",
                district_code="9205",
                filed_at=at,
                updated_at=at,
            )
        )
        s.flush()  # the case row first: attachments name it
        s.add(PersonalData(tracking_number=number, name=NAME, phone="0812345678"))
        s.add(
            Attachment(
                tracking_number=number,
                sha256=ref.sha256,
                filename=ref.filename,
                content_type=ref.content_type,
                size=ref.size,
                added_at=at,
            )
        )
    UPLOADS[number] = uploads
    return number


def letter(sessions, number: str, issuer: str = "D9205", **kw):
    with sessions() as s:
        case = s.get(Case, number)
        agency = s.get(Agency, case.agency_code)
        data = letter_for_case(s, case, issuer, sent_on=dt.date(2026, 11, 24), **kw)
        return data, agency


def text_of(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_a_trang_center_letter_reads_back_with_its_prefix_date_addressee_and_thai_words(sessions, case_number):
    data, agency = letter(sessions, case_number, reference="0017.1/123")
    text, reader = text_of(render_letter_pdf(data))
    assert "ที่ ตง 0017.1/123" in text and "มท" not in text.split("\n")[0]
    assert "24 พฤศจิกายน 2569" in text  # Buddhist era: 2026 + 543
    assert f"เรียน ผู้อำนวยการ / หัวหน้า{agency.name_th}" in text
    assert "ศูนย์ดำรงธรรมอำเภอสิเกา" in text and "อำเภอสิเกา จังหวัดตรัง" in text
    # Thai words come back exactly: สระอำ (split in two glyphs by the shaper) and stacked marks
    for word in ("ผู้อำนวยการ", "น้ำท่วมขัง", "ผู้สูงอายุ", "ถนนหน้าบ้านเป็นหลุมใหญ่", "ขอแสดงความนับถือ"):
        assert word in text.replace("\n", ""), word
    assert "$" not in text
    assert case_number in text
    assert "สม*** ใจ***" in text and NAME not in text  # masked: no reveal was logged for this letter
    assert reader.metadata.title.endswith(case_number)


def test_the_ministry_writes_mt_and_a_typed_prefix_is_kept(sessions, case_number):
    data, _ = letter(sessions, case_number, issuer="MOI", reference="0206.4/77")
    assert data.reference == "มท 0206.4/77"
    assert "ที่ มท 0206.4/77" in text_of(render_letter_pdf(data))[0]
    assert letter(sessions, case_number, reference="มท 0212.9205/1234")[0].reference == "มท 0212.9205/1234"
    assert letter(sessions, case_number, issuer="P50", reference="5/1")[0].reference == "ชม 5/1"
    assert official_reference("ตง", "กบ0017/9") == "กบ 0017/9"
    assert official_reference("ตง", "") == ""


def test_thai_digits_are_an_option_for_the_letters_own_numbers(sessions, case_number):
    data, _ = letter(sessions, case_number, reference="0017.1/123", thai_digits=True)
    text = text_of(render_letter_pdf(data))[0]
    assert "ที่ ตง ๐๐๑๗.๑/๑๒๓" in text and "๒๔ พฤศจิกายน ๒๕๖๙" in text and "ภายใน ๑๕ วัน" in text
    assert case_number in text  # the tracking number stays as the system knows it


def test_the_name_only_after_a_reveal_and_photos_and_the_qr_code_as_images(sessions, case_number):
    url = f"https://damrongdham.example/agency-link/{case_number}/abc.def"
    data, _ = letter(sessions, case_number, named=True, status_url=url, upload_dir=UPLOADS[case_number])
    text, reader = text_of(render_letter_pdf(data))
    assert f"จาก {NAME}" in text
    assert "ภาพถ่าย จำนวน 1 ภาพ" in text and "ภาพถ่ายที่ 1 จาก 1" in text
    assert url in text.replace("\n", "")
    first, last = reader.pages[0], reader.pages[-1]
    assert len(reader.pages) >= 2 and len(last.images) == 1  # the photo on a page of its own
    # The emblem is drawn as vector paths; the images are the QR code and the photo. The QR code is
    # the one segno makes for the link, pixel for pixel.
    assert sum(len(p.images) for p in reader.pages) == 2
    qr = next(p for p in reader.pages if p.images).images[0].image.convert("L")
    expected = Image.open(io.BytesIO(qr_png(url))).convert("L")
    assert qr.size == expected.size and qr.tobytes() == expected.tobytes()
    assert first.images or reader.pages[1].images


def test_an_anonymous_complainant_is_never_named(sessions, case_number):
    with sessions.begin() as s:
        s.get(Case, case_number).anonymous = True
    try:
        data, _ = letter(sessions, case_number, named=True)
        assert data.complainant == "" and "ผู้ร้องขอปกปิดชื่อ" in text_of(render_letter_pdf(data))[0].replace("\n", "")
    finally:
        with sessions.begin() as s:
            s.get(Case, case_number).anonymous = False


def test_every_province_of_the_directory_has_its_reference_prefix(sessions):
    with sessions() as s:
        provinces = {c.province_code for c in s.scalars(select(Center).where(Center.level == "province"))}
    assert len(provinces) == 77 and provinces == set(PROVINCE_PREFIXES)
    assert PROVINCE_PREFIXES["92"] == "ตง" and PROVINCE_PREFIXES["81"] == "กบ" and PROVINCE_PREFIXES["50"] == "ชม"


# --- e-mail -------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it accepted and refuses the recipients it is told to."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"


def tls_context(tmp_path) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1, made here (cryptography is pinned)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(tmp_path):
    inbox = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"center" and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=tls_context(tmp_path),
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def settings(inbox, **kw) -> SmtpSettings:
    values = dict(
        host="127.0.0.1",
        port=inbox.port,
        security="starttls",
        username="center",
        password="s3cret",
        sender="sikao@damrongdham.example",
        timeout=10,
        verify_tls=False,
    )
    values.update(kw)
    return SmtpSettings(**values)


def test_the_letter_is_e_mailed_as_a_pdf_with_its_photos_over_starttls(sessions, case_number, smtp_server):
    data, _ = letter(sessions, case_number, reference="0017.1/123")
    pdf = render_letter_pdf(data)
    photo = MailAttachment("หลุม.png", "image/png", png((10, 20, 30)))
    subject = f"ขอส่งเรื่องร้องเรียนเลขที่ {case_number}"
    message_id = send_letter_email(
        settings(smtp_server), "saraban@sikao.example", subject, "เรียน ผู้อำนวยการ\nตามหนังสือที่แนบ", pdf, [photo]
    )
    ((mail_from, rcpts, content),) = smtp_server.messages
    assert mail_from == "sikao@damrongdham.example" and rcpts == ["saraban@sikao.example"]
    msg = email.message_from_bytes(content, policy=policy.default)
    assert msg["Message-ID"] == message_id and message_id.endswith("@damrongdham.example>")
    assert msg["Subject"] == subject
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    assert parts["letter.pdf"].get_content() == pdf and parts["letter.pdf"].get_content_type() == "application/pdf"
    assert parts["หลุม.png"].get_content() == photo.data
    assert "ตามหนังสือที่แนบ" in msg.get_body(("plain",)).get_content()


def test_refusals_come_back_typed(sessions, case_number, smtp_server):
    pdf = b"%PDF-1.4 test"
    smtp_server.refuse = {"gone@x.example": "550 5.1.1 no such mailbox", "busy@x.example": "451 4.3.0 try later"}
    with pytest.raises(MailRefused) as refused:
        send_letter_email(settings(smtp_server), "gone@x.example", "s", "b", pdf)
    assert refused.value.code == 550 and not refused.value.retryable
    with pytest.raises(MailRefused) as later:
        send_letter_email(settings(smtp_server), "busy@x.example", "s", "b", pdf)
    assert later.value.code == 451 and later.value.retryable
    with pytest.raises(MailAuthRefused):
        send_letter_email(settings(smtp_server, password="wrong"), "a@x.example", "s", "b", pdf)
    with pytest.raises(MailUnreachable) as down:
        send_letter_email(settings(smtp_server, port=free_port()), "a@x.example", "s", "b", pdf)
    assert down.value.retryable
    assert smtp_server.messages == []
