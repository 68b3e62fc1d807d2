"""Test doubles at the edges of the world, as real HTTP servers on loopback that record what they
receive: a linked agency's API (can be told to fail or to hang) and the LINE platform (reply, push and
content endpoints; replies or pushes can be told to fail); and a small keyword classifier honouring the
`nlp` classifier interface so workflow tests can choose a category or an unsure result."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from workflows.client import ComplaintGateway
from workflows.domain import tracking


@dataclass(frozen=True)
class Guess:
    category: str
    confidence: float
    unsure: bool
    top: list = field(default_factory=list)
    agency_type: str = ""
    agency_confidence: float = 0.0
    language: str = "th"


class KeywordClassifier:
    RULES = {
        "สินค้า": "consumer",
        "product": "consumer",
        "โฉนด": "land",
        "ที่ดิน": "land",
        "land": "land",
        "ถนน": "infrastructure",
        "road": "infrastructure",
        "หนี้": "debt",
        "debt": "debt",
    }

    def classify(self, text: str, channel: str = "") -> Guess:
        for word, category in self.RULES.items():
            if word in text.lower():
                return Guess(category, 0.9, False, [(category, 0.9)])
        return Guess("other", 0.2, True, [("other", 0.2)])


class _Handler(BaseHTTPRequestHandler):
    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


class _Loopback:
    """A threaded HTTP server on a free loopback port."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeAgency(_Loopback):
    """A linked agency's API: POST /<agency>/complaints answers {"reference": ...}."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.mode = "ok"  # ok | fail | hang
        self.release = threading.Event()
        self.references: dict[str, str] = {}
        agency = self

        class Handler(_Handler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                agency.received.append({"path": self.path, "headers": dict(self.headers), "body": self._body()})
                if agency.mode == "hang":
                    agency.release.wait(timeout=120)
                if agency.mode == "fail":
                    self._answer(503, {"error": "down for maintenance"})
                    return
                key = self.headers.get("Idempotency-Key", "")
                ref = agency.references.setdefault(key, f"AG-{len(agency.references) + 1:05d}")
                self._answer(201, {"reference": ref})

        super().__init__(Handler)

    def stop(self) -> None:
        self.release.set()
        super().stop()

    def for_case(self, number: str) -> list[dict]:
        return [r for r in self.received if r["body"].get("tracking_number") == number]


class FakeLine(_Loopback):
    """The LINE platform's reply, push and content endpoints; `reply_status` makes replies fail and
    `push_status` pushes."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.content: dict[str, bytes] = {}
        self.reply_status = 200
        self.push_status = 200
        self.lock = threading.Lock()
        line = self

        class Handler(_Handler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                with line.lock:
                    line.requests.append({"path": self.path, "headers": dict(self.headers), "body": self._body()})
                failing = {"/v2/bot/message/reply": line.reply_status, "/v2/bot/message/push": line.push_status}.get(
                    self.path, 200
                )
                if failing != 200:
                    self._answer(failing, {"message": "refused by the fake platform"})
                    return
                self._answer(200, {"sentMessages": [{"id": str(uuid.uuid4().int)[:18]}]})

            def do_GET(self) -> None:  # noqa: N802
                found = re.fullmatch(r"/v2/bot/message/(\w+)/content", self.path)
                data = line.content.get(found.group(1)) if found else None
                if data is None:
                    self._answer(404, {"message": "Not found"})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the app stops reading past its size limit

        super().__init__(Handler)

    def sent_to(self, user: str) -> list[dict]:
        """Replies and pushes that reached this user (replies are matched by their token)."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r["body"].get("to") == user or str(r["body"].get("replyToken", "")).startswith(f"{user}:")
            ]

    async def wait_for(self, user: str, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.sent_to(user)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"LINE got {len(self.sent_to(user))} of {count} messages for {user}")
            await asyncio.sleep(0.05)
        return self.sent_to(user)


@dataclass(frozen=True)
class StartedCase:
    tracking_number: str
    pin: str
    created: bool


class DirectGateway(ComplaintGateway):
    """For workflow tests: starts a case's workflow at once, as the intake's dispatcher would after the
    desk accepted it, with the number and PIN derived from the key (the product files through
    `intake.desk` and its filings queue; these tests are about the workflow, not the door)."""

    async def file(self, draft, key: str | None) -> StartedCase:
        key = key or uuid.uuid4().hex
        fingerprint = tracking.key_fingerprint(self.secret, key)
        year = datetime.fromisoformat(draft.filed_at).astimezone(UTC).year
        for number, pin in tracking.candidates(self.secret, key, year):
            inp = replace(draft, tracking_number=number, pin_hash=tracking.pin_hash(self.secret, number, pin))
            if await self.start(inp, fingerprint):
                return StartedCase(number, pin, created=True)
            if await self.memo_key(number) == fingerprint:
                return StartedCase(number, pin, created=False)
        raise RuntimeError("no free tracking number")


class EndingGateway(DirectGateway):
    """Remembers its cases and terminates them at the end: on the time-skipping server a workflow left
    without a worker holds the clock still for every later test."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.started: list[str] = []

    async def file(self, d, key):
        filed = await super().file(d, key)
        self.started.append(filed.tracking_number)
        return filed

    async def end_all(self) -> None:
        for number in self.started:
            try:
                await self.client.get_workflow_handle(f"complaint-{number}").terminate("test over")
            except Exception:  # already finished
                pass


def add_case_row(sessions, number: str, channel: str = "api") -> None:
    """A case row as the projection writes it (once), for tests that need the read model to know a
    number without running its workflow."""
    from db.models import Case

    with sessions.begin() as s:
        if s.get(Case, number) is None:
            now = datetime.now(UTC)
            s.add(
                Case(
                    tracking_number=number,
                    workflow_id=tracking.workflow_id(number),
                    pin_hash="x",
                    status="RECEIVED",
                    text="ไฟถนนดับ",
                    channel=channel,
                    filed_at=now,
                    updated_at=now,
                )
            )
