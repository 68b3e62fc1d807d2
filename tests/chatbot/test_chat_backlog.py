"""A case whose workflow has started but which has not reached the read model yet (no worker has taken
it: a chat filing of a moment ago, or one waiting in a burst's backlog) is tracked by its number and PIN
as received, in the chat and through the JSON API, instead of reading as a wrong PIN. The app runs on a
task queue no worker polls, so the case stays in that window for as long as the test looks."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.chatbot.conftest import Chat, chat_settings
from tests.chatbot.test_chat_limits import _filed_number
from tests.live import served


@pytest.fixture
async def backlog_http(dev_env, sqlite_url, tmp_path, fake_line):
    settings = chat_settings(
        sqlite_url,
        dev_env.client.service_client.config.target_host,
        f"nobody-polls-{uuid.uuid4().hex[:8]}",
        tmp_path,
        fake_line.base_url,
    )
    async with served(settings) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            yield client


async def test_a_case_not_yet_in_the_read_model_is_tracked_as_received(backlog_http):
    filer = Chat(backlog_http)
    number = await _filed_number(filer)
    pin = re.search(r"PIN (\d{6})", filer.text).group(1)

    tracker = Chat(backlog_http)
    await tracker.say(f"ติดตาม {number}")
    await tracker.say(pin)
    assert number in tracker.text and "รับเรื่องแล้ว" in tracker.text, tracker.text
    assert "ไม่ถูกต้อง" not in tracker.text

    r = await backlog_http.get(f"/api/complaints/{number}", headers={"X-Tracking-Pin": pin})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "RECEIVED" and r.json()["tracking_number"] == number

    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    assert (await backlog_http.get(f"/api/complaints/{number}", headers={"X-Tracking-Pin": wrong})).status_code == 404
    stranger = Chat(backlog_http)  # the tracker has proven its PIN already and is not asked again
    await stranger.say(f"ติดตาม {number}")
    await stranger.say(wrong)
    assert "เลขที่เรื่องหรือ PIN ไม่ถูกต้อง" in stranger.text
