"""Test doubles at the edges of the world: a linked agency's API as a real HTTP server on loopback
(records what it receives, can be told to fail or to hang), and a small keyword classifier honouring the
`nlp` classifier interface so workflow tests can choose a category or an unsure result."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
        "สินค้า": "consumer", "product": "consumer", "โฉนด": "land", "ที่ดิน": "land", "land": "land",
        "ถนน": "infrastructure", "road": "infrastructure", "หนี้": "debt", "debt": "debt",
    }

    def classify(self, text: str) -> Guess:
        for word, category in self.RULES.items():
            if word in text.lower():
                return Guess(category, 0.9, False, [(category, 0.9)])
        return Guess("other", 0.2, True, [("other", 0.2)])


class FakeAgency:
    """A linked agency's API: POST /<agency>/complaints answers {"reference": ...}."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.mode = "ok"  # ok | fail | hang
        self.release = threading.Event()
        self.references: dict[str, str] = {}
        agency = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                agency.received.append({"path": self.path, "headers": dict(self.headers),
                                        "body": json.loads(body or b"{}")})
                if agency.mode == "hang":
                    agency.release.wait(timeout=120)
                if agency.mode == "fail":
                    self._answer(503, {"error": "down for maintenance"})
                    return
                key = self.headers.get("Idempotency-Key", "")
                ref = agency.references.setdefault(key, f"AG-{len(agency.references) + 1:05d}")
                self._answer(201, {"reference": ref})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()

    def for_case(self, number: str) -> list[dict]:
        return [r for r in self.received if r["body"].get("tracking_number") == number]
