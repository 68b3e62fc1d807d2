"""Fixtures for the chat front: the session's SQLite read model, a worker on the dev server, the whole
app served by uvicorn in a background thread on a free loopback port (its LINE settings pointing at a
fake LINE platform), a gateway for playing the officer, a `Chat` client that talks to the JSON
endpoint the way any channel does, and the fake LINE platform itself: a real HTTP server on loopback
that records replies and pushes and serves users' images from its content API."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from db.session import make_engine, make_sessions
from tests.conftest import ROOT, running_worker
from workflows.client import ComplaintGateway

SECRET = "chat-test-secret"
LINE_SECRET = "line-channel-secret-for-tests"
LINE_TOKEN = "line-access-token-for-tests"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 120
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


class FakeLine:
    """The LINE platform's reply, push and content endpoints; `reply_status` makes replies fail."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.content: dict[str, bytes] = {}
        self.reply_status = 200
        self.lock = threading.Lock()
        line = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with line.lock:
                    line.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": json.loads(body or b"{}")})
                if self.path == "/v2/bot/message/reply" and line.reply_status != 200:
                    self._answer(line.reply_status, {"message": "Invalid reply token"})
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
        self.server.shutdown()
        self.server.server_close()

    def sent_to(self, user: str) -> list[dict]:
        """Replies and pushes that reached this user (replies are matched by their token)."""
        with self.lock:
            return [r for r in self.requests if r["body"].get("to") == user
                    or str(r["body"].get("replyToken", "")).startswith(f"{user}:")]

    async def wait_for(self, user: str, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.sent_to(user)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"LINE got {len(self.sent_to(user))} of {count} messages for {user}")
            await asyncio.sleep(0.05)
        return self.sent_to(user)


def texts_of(request: dict) -> str:
    return "\n".join(m.get("text", "") for m in request["body"].get("messages", []))


def line_signature(body: bytes, secret: str = LINE_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Chat:
    """One chat session on the JSON endpoint; `say` returns the replies and remembers the last ones."""

    http: httpx.AsyncClient
    session_id: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex}")
    last: list[dict] = field(default_factory=list)
    pushed_after: int = 0

    async def say(self, text: str = "", action: str = "", image: bytes | None = None, message_id: str = "",
                  **extra) -> list[dict]:
        data = {"session_id": self.session_id, "text": text, "action": action, "message_id": message_id, **extra}
        if image is not None:
            r = await self.http.post("/api/chat/messages", data={k: str(v) for k, v in data.items()},
                                     files={"image": ("photo.png", image, "image/png")})
        else:
            r = await self.http.post("/api/chat/messages", json=data)
        assert r.status_code == 200, r.text
        self.last = r.json()["replies"]
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(r["text"] for r in self.last if r["type"] == "text")

    @property
    def actions(self) -> list[str]:
        return [i["action"] for r in self.last if r["type"] == "quick_replies" for i in r["items"]]

    async def pushed(self, want: str, timeout: float = 30.0) -> list[dict]:
        """Wait until a pushed message containing `want` arrives; all messages received so far."""
        got: list[dict] = []
        deadline = time.monotonic() + timeout
        while True:
            r = await self.http.get(f"/api/chat/sessions/{self.session_id}/messages",
                                    params={"after": self.pushed_after})
            assert r.status_code == 200, r.text
            body = r.json()
            got += body["messages"]
            self.pushed_after = body["last_id"]
            if any(want in m["text"] for m in got):
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"no pushed message with {want!r}; got {[m['text'] for m in got]}")
            await asyncio.sleep(0.2)


@dataclass
class ChatStack:
    base_url: str
    database_url: str
    gateway: ComplaintGateway
    var_dir: Path
    line: FakeLine

    def chat(self, http: httpx.AsyncClient) -> Chat:
        return Chat(http)

    def sessions(self):
        return make_sessions(make_engine(self.database_url))

    async def wait_for(self, query, timeout: float = 30.0):
        """Poll the read model until `query(session)` returns something truthy; returns it."""
        engine = make_engine(self.database_url)
        try:
            deadline = time.monotonic() + timeout
            while True:
                with make_sessions(engine)() as s:
                    found = query(s)
                    if found:
                        return found
                if time.monotonic() > deadline:
                    raise AssertionError("the read model never showed what the test waited for")
                await asyncio.sleep(0.2)
        finally:
            engine.dispose()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread cannot; the test process owns signals
        pass


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def fake_line():
    line = FakeLine()
    line.start()
    yield line
    line.stop()


def chat_settings(database_url: str, temporal: str, queue: str, var_dir: Path, line_base: str) -> Settings:
    return Settings(database_url=database_url, temporal_address=temporal, task_queue=queue, var_dir=var_dir,
                    secret=SECRET, dispatch_in_app=False, line_api_base=line_base, line_data_api_base=line_base,
                    line_channel_access_token=LINE_TOKEN, line_channel_secret=LINE_SECRET)


@pytest.fixture(scope="session")
async def chat_stack(dev_env, sqlite_url, tmp_path_factory, fake_line) -> AsyncIterator[ChatStack]:
    var_dir = tmp_path_factory.mktemp("chatvar")
    async with running_worker(dev_env.client, sqlite_url) as queue:
        settings = chat_settings(sqlite_url, dev_env.client.service_client.config.target_host, queue, var_dir,
                                 fake_line.base_url)
        port = free_port()
        server = _Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 90  # the first start may train the classifier (< 10 s)
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the app did not start")
            await asyncio.sleep(0.05)
        try:
            yield ChatStack(f"http://127.0.0.1:{port}", sqlite_url, ComplaintGateway(dev_env.client, SECRET, queue),
                            var_dir, fake_line)
        finally:
            server.should_exit = True
            await asyncio.to_thread(thread.join, 15)


@pytest.fixture
async def http(chat_stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=chat_stack.base_url, timeout=60) as client:
        yield client


@pytest.fixture
def chat(http) -> Chat:
    return Chat(http)
