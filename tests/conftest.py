"""Shared fixtures: real databases (a fresh SQLite file, a fresh PostgreSQL database on 127.0.0.1:5432,
migrated from scratch and seeded), real Temporal servers (the time-skipping test server and the dev
server, both from their pinned wheels), a fake linked agency as a real HTTP server on loopback, and a
worker running the real workflow and activities."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from alembic.config import Config
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.case_activities import CaseActivities
from activities.worker import build_worker
from alembic import command
from api.app import create_app
from api.settings import Settings
from db.seed import seed_directory
from db.session import make_engine, make_sessions
from intake.dispatcher import FilingDispatcher
from tests.support import FakeAgency, KeywordClassifier
from workflows import codec

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def alembic_config(url: str) -> Config:
    """The project's migrations aimed at `url` (a migration test walks them up and down itself)."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    return cfg


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def seed(url: str, agency_base_url: str) -> None:
    engine = make_engine(url)
    with make_sessions(engine).begin() as s:
        seed_directory(s, agency_base_url=agency_base_url)
    engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def empty_database(kind: str, tmp: Path) -> Iterator[str]:
    """A new, empty database of `kind` ("sqlite" or "postgres"/"postgresql"), gone afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / f'app-{uuid.uuid4().hex[:6]}.db'}"
        return
    with postgres_database() as url:
        yield url


@contextmanager
def ready_database(kind: str, tmp: Path, agency_base_url: str) -> Iterator[str]:
    with empty_database(kind, tmp) as url:
        migrate(url)
        seed(url, agency_base_url)
        yield url


@pytest.fixture(scope="session")
def fake_agency() -> Iterator[FakeAgency]:
    agency = FakeAgency()
    agency.start()
    yield agency
    agency.stop()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory, fake_agency) -> Iterator[str]:
    with ready_database("sqlite", tmp_path_factory.mktemp("db"), fake_agency.base_url) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory, fake_agency) -> Iterator[str]:
    with ready_database("postgresql", tmp_path_factory.mktemp("pg"), fake_agency.base_url) as url:
        yield url


@pytest.fixture(scope="session")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"), data_converter=codec.data_converter()
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    # Sealed like production (workflows/codec.py): what a test reads from a raw history is what Temporal holds.
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"), data_converter=codec.data_converter()
    )
    yield env
    await env.shutdown()


@asynccontextmanager
async def running_worker(
    client: Client, database_url: str, classifier=None, queue: str | None = None
) -> AsyncIterator[str]:
    """A worker on its own task queue (or the one given); yields the queue's name."""
    import httpx

    queue = queue or f"q-{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    acts = CaseActivities(make_sessions(engine), classifier or KeywordClassifier(), httpx.Client(timeout=5.0))
    async with build_worker(client, acts, task_queue=queue, threads=8):
        yield queue
    engine.dispose()


# The JSON API's app with the filings dispatcher beside it, on SQLite and PostgreSQL (tests/test_api.py and
# the tests of other doors that file through it).
@pytest.fixture(params=["sqlite", "postgres"])
async def api(request, dev_env, tmp_path, fake_agency):
    """An app client; `client.database_url` is the read model it uses."""
    url = request.getfixturevalue(f"{request.param}_url")
    async with running_worker(dev_env.client, url) as queue:
        settings = Settings(
            database_url=url,
            temporal_address=dev_env.client.service_client.config.target_host,
            task_queue=queue,
            var_dir=tmp_path,
            secret="api-test-secret",
            dispatch_in_app=False,
            api_clients={"partner-key": "partner.system"},
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            # The dispatcher runs beside the app, as `make run` runs it, and surely stops with the test.
            app.state.dispatcher = FilingDispatcher(
                app.state.filing_sessions, app.state.gateway, read_model=app.state.sessions
            )
            dispatching = asyncio.create_task(app.state.dispatcher.run())
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                client.database_url = url
                yield client
            dispatching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatching
