"""Fixtures for the chat front: the session's SQLite read model, a worker on the dev server, the whole
app served by uvicorn in a background thread on a free loopback port (its LINE settings pointing at a
fake LINE platform), a gateway for playing the officer, a `Chat` client that talks to the JSON
endpoint the way any channel does, and the fake LINE platform itself: a real HTTP server on loopback
that records replies and pushes and serves users' images from its content API (`tests.support`)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from db.session import make_engine, make_sessions
from tests.conftest import running_worker
from tests.live import served
from tests.support import FakeLine
from workflows.client import ComplaintGateway

SECRET = "chat-test-secret"
LINE_SECRET = "line-channel-secret-for-tests"
LINE_TOKEN = "line-access-token-for-tests"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 120


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

    async def say(
        self, text: str = "", action: str = "", image: bytes | None = None, message_id: str = "", **extra
    ) -> list[dict]:
        data = {"session_id": self.session_id, "text": text, "action": action, "message_id": message_id, **extra}
        if image is not None:
            r = await self.http.post(
                "/api/chat/messages",
                data={k: str(v) for k, v in data.items()},
                files={"image": ("photo.png", image, "image/png")},
            )
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
            r = await self.http.get(
                f"/api/chat/sessions/{self.session_id}/messages", params={"after": self.pushed_after}
            )
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


@pytest.fixture(scope="session")
def fake_line():
    line = FakeLine()
    line.start()
    yield line
    line.stop()


def chat_settings(database_url: str, temporal: str, queue: str, var_dir: Path, line_base: str) -> Settings:
    return Settings(
        database_url=database_url,
        temporal_address=temporal,
        task_queue=queue,
        var_dir=var_dir,
        secret=SECRET,
        dispatch_in_app=True,  # the chat files through the intake's queue, as every door does
        line_api_base=line_base,
        line_data_api_base=line_base,
        line_channel_access_token=LINE_TOKEN,
        line_channel_secret=LINE_SECRET,
        trusted_proxies="127.0.0.1",  # so a test can be a client of its own with X-Forwarded-For
    )


@pytest.fixture(scope="session")
async def chat_stack(dev_env, sqlite_url, tmp_path_factory, fake_line) -> AsyncIterator[ChatStack]:
    var_dir = tmp_path_factory.mktemp("chatvar")
    async with running_worker(dev_env.client, sqlite_url) as queue:
        settings = chat_settings(
            sqlite_url, dev_env.client.service_client.config.target_host, queue, var_dir, fake_line.base_url
        )
        async with served(settings) as base_url:
            yield ChatStack(base_url, sqlite_url, ComplaintGateway(dev_env.client, SECRET, queue), var_dir, fake_line)


@pytest.fixture
async def http(chat_stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=chat_stack.base_url, timeout=60) as client:
        yield client


@pytest.fixture
def chat(http) -> Chat:
    return Chat(http)
