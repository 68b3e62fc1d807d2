"""The scheduled directory sync (issue 13): `DirectorySyncWorkflow` on the time-skipping server loads
a feed from a real HTTP server on loopback and stores its difference for review, or applies it when
set to; a reviewed run is applied or dismissed; a feed that fails its checks is stored with its errors
and changes nothing. The schedule itself exists only while a feed URL is set (dev server)."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from temporalio.service import RPCError
from temporalio.worker import Worker

from activities.directory_sync import DirectorySyncActivities
from activities.worker import RUNNER
from db import directory_runs as runs
from db.directory_export import export_feed
from db.models import Center, DirectorySyncRun
from db.session import make_engine, make_sessions
from tests.conftest import ready_database
from workflows.directory_schedule import (
    DIRECTORY_SYNC_SCHEDULE_ID,
    DirectorySyncInput,
    DirectorySyncWorkflow,
    directory_sync_settings,
)
from workflows.directory_schedule_client import ensure_directory_sync_schedule


class FeedServer:
    """The central service's feed as a real HTTP server on loopback; `body` is what it serves."""

    def __init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args) -> None:
                pass

        self.body = b"{}"
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/directory.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, doc: dict) -> None:
        self.body = json.dumps(doc, ensure_ascii=False).encode()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path):
    with ready_database(request.param, tmp_path, "http://127.0.0.1:8100") as url:
        engine = make_engine(url)
        yield make_sessions(engine)
        engine.dispose()


async def run_sync(env, sessions, inp: DirectorySyncInput):
    queue = f"directory-{uuid.uuid4().hex[:8]}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[DirectorySyncWorkflow],
        activities=DirectorySyncActivities(sessions).all(),
        activity_executor=ThreadPoolExecutor(max_workers=2),
        workflow_runner=RUNNER,
    ):
        return await env.client.execute_workflow(
            DirectorySyncWorkflow.run, inp, id=f"directory-sync-{uuid.uuid4().hex[:8]}", task_queue=queue
        )


def with_phone(sessions, code: str, phone: str) -> dict:
    with sessions() as s:
        doc = json.loads(json.dumps(export_feed(s, with_connector_settings=True)))
    next(c for c in doc["centers"] if c["code"] == code)["phone"] = phone
    return doc


async def test_a_scheduled_sync_leaves_the_difference_for_review(time_env, sessions, feed_server):
    feed_server.serve(with_phone(sessions, "P92", "0 7521 8888"))
    got = await run_sync(time_env, sessions, DirectorySyncInput(source=feed_server.url))
    assert (got.status, got.changed, got.added, got.deactivated) == ("pending", 1, 0, 0)
    with sessions() as s:
        assert s.get(Center, "P92").phone is None  # nothing applied yet
        [pending] = runs.pending_runs(s)
        assert pending.id == got.run_id and pending.source == feed_server.url
        assert pending.diff["changed"] == [
            {"kind": "center", "code": "P92", "field": "phone", "from": None, "to": "0 7521 8888"}
        ]
    # A newer check supersedes it; the administrator applies the newer one.
    feed_server.serve(with_phone(sessions, "P92", "0 7521 9999"))
    newer = await run_sync(time_env, sessions, DirectorySyncInput(source=feed_server.url))
    with sessions.begin() as s:
        assert s.get(DirectorySyncRun, got.run_id).status == "superseded"
        with pytest.raises(runs.RunNotPending):
            runs.apply_run(s, got.run_id, "moi.admin", "reviewed")
    with sessions.begin() as s:
        done = runs.apply_run(s, newer.run_id, "moi.admin", "reviewed the province's phone numbers")
        assert [c["to"] for c in done.changed] == ["0 7521 9999"]
    with sessions() as s:
        assert s.get(Center, "P92").phone == "0 7521 9999"
        run = s.get(DirectorySyncRun, newer.run_id)
        assert (run.status, run.decided_by, run.feed) == ("applied", "moi.admin", None)


async def test_a_scheduled_sync_set_to_apply_applies(time_env, sessions, feed_server):
    feed_server.serve(with_phone(sessions, "D9205", "0 7529 1234"))
    got = await run_sync(time_env, sessions, DirectorySyncInput(source=feed_server.url, auto_apply=True))
    assert (got.status, got.changed) == ("applied", 1)
    again = await run_sync(time_env, sessions, DirectorySyncInput(source=feed_server.url, auto_apply=True))
    assert again.status == "unchanged"
    with sessions() as s:
        assert s.get(Center, "D9205").phone == "0 7529 1234"
        assert runs.pending_runs(s) == []


async def test_a_scheduled_sync_of_an_invalid_feed_changes_nothing(time_env, sessions, feed_server):
    doc = with_phone(sessions, "D9205", "0 7529 1234")
    doc["centers"][5]["parent"] = "P00"
    feed_server.serve(doc)
    got = await run_sync(time_env, sessions, DirectorySyncInput(source=feed_server.url, auto_apply=True))
    assert got.status == "failed" and got.errors == 1
    with sessions() as s:
        run = s.scalars(select(DirectorySyncRun).where(DirectorySyncRun.id == got.run_id)).one()
        assert run.errors == ["$.centers[5].parent: unknown parent center 'P00'"]
        assert s.get(Center, "D9205").phone is None


def test_the_schedule_is_off_without_a_feed_url():
    assert directory_sync_settings({})[0] is None
    inp, every = directory_sync_settings(
        {"DIRECTORY_FEED_URL": "https://moi.example/feed.json", "DIRECTORY_SYNC_AUTO_APPLY": "1",
         "DIRECTORY_SYNC_EVERY_HOURS": "6"}
    )  # fmt: skip
    assert inp == DirectorySyncInput("https://moi.example/feed.json", auto_apply=True) and every == timedelta(hours=6)


async def test_the_schedule_exists_only_while_a_feed_url_is_set(dev_env):
    client = dev_env.client
    assert await ensure_directory_sync_schedule(client, "q", DirectorySyncInput("https://moi.example/feed.json"))
    described = await client.get_schedule_handle(DIRECTORY_SYNC_SCHEDULE_ID).describe()
    assert described.schedule.spec.intervals[0].every == timedelta(hours=24)
    assert not await ensure_directory_sync_schedule(client, "q", None)
    with pytest.raises(RPCError):
        await client.get_schedule_handle(DIRECTORY_SYNC_SCHEDULE_ID).describe()
    assert not await ensure_directory_sync_schedule(client, "q", None)  # already off: still fine
