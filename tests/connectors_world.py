"""What the connector tests share: a worker whose connectors point wherever a test's loopback server
is (its own SQLite read model, its own photo store and link key), a gateway that ends the cases it
started, an app serving the signed photo links, and helpers to link an agency to a connector."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from activities.agency_links import PhotoLinks, build_agency_links
from activities.case_activities import CaseActivities
from activities.worker import build_worker
from api.app import create_app
from api.settings import Settings
from db.models import Agency
from db.photo_links import link_keys
from db.photos import store_photo
from db.session import make_engine, make_sessions
from letters.mail import SmtpSettings
from tests.support import EndingGateway, KeywordClassifier
from tests.test_complaint_lifecycle import SECRET, open_tasks, until
from workflows import codec
from workflows import contracts as c

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64)) * 4
APP_BASE = "http://app.test"


@dataclass
class World:
    env: object
    gw: EndingGateway
    url: str
    sessions: object
    var_dir: Path
    queue: str
    photos: PhotoLinks
    extra: dict = field(default_factory=dict)

    def link_agency(self, code: str, connector: str | None, settings: dict | None = None, **columns) -> None:
        with self.sessions.begin() as s:
            s.execute(
                update(Agency)
                .where(Agency.code == code)
                .values(linked=connector is not None, connector=connector, connector_settings=settings, **columns)
            )

    def photo(self, name: str = "hole.png", data: bytes = PNG) -> c.AttachmentRef:
        return store_photo(self.var_dir / "uploads", name, data, 5 * 1024 * 1024)

    async def fall_back(self, number: str, minutes: int = 0) -> list[str]:
        """Wait until the case's send gave up and an officer has the manual forwarding task: a final
        failure in real time; with `minutes`, skipping time for the retries' backoff as well."""
        import asyncio

        from temporalio.service import RPCError

        if not minutes:
            return await until(
                lambda: (tasks := open_tasks(self.url, number)) and c.TASK_FORWARD_MANUAL in tasks and tasks
            )
        for _ in range(minutes):
            tasks = open_tasks(self.url, number)
            if c.TASK_FORWARD_MANUAL in tasks:
                return tasks
            try:
                await self.env.sleep(timedelta(minutes=1))
            except RPCError:  # a loaded machine: the server did not skip in time; look, then skip again
                pass
            await asyncio.sleep(0.2)
        return open_tasks(self.url, number)

    @asynccontextmanager
    async def app(self) -> AsyncIterator[httpx.AsyncClient]:
        """The app, serving the signed photo and status links from this world's store (no dispatcher);
        its secret is the one in the world's var directory, as the worker's is."""
        settings = Settings(
            database_url=self.url,
            temporal_address=self.env.client.service_client.config.target_host,
            task_queue=self.queue,
            var_dir=self.var_dir,
            dispatch_in_app=False,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=APP_BASE) as client:
                yield client


@asynccontextmanager
async def connector_world(env, url: str, var_dir: Path, smtp: SmtpSettings | None = None) -> AsyncIterator[World]:
    engine = make_engine(url)
    sessions = make_sessions(engine)
    http = httpx.Client(timeout=5.0)
    key = link_keys(codec.configured_keys(var_dir).values())[0]
    photos = PhotoLinks(base_url=APP_BASE, key=key, ttl_seconds=3600, root=var_dir / "uploads")
    agencies = build_agency_links(sessions, http, smtp=smtp, photos=photos)
    acts = CaseActivities(sessions, KeywordClassifier(), http, agencies)
    queue = f"q-{uuid.uuid4().hex[:8]}"
    gw = EndingGateway(env.client, SECRET, queue)
    try:
        async with build_worker(env.client, acts, task_queue=queue, threads=8):
            yield World(env, gw, url, sessions, var_dir, queue, photos)
            await gw.end_all()
    finally:
        http.close()
        engine.dispose()
