"""Crashes lose nothing: a worker killed with SIGKILL in the middle of sending a case to an agency is
replaced and the case finishes, once; the dev server stopped and started again on its SQLite file still
has every case with its clocks. Real processes: the dev server and the worker run as children."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.client import Client

from db.models import Case
from db.session import make_engine, make_sessions
from scripts.stack import Stack
from tests.conftest import migrate, running_worker, seed
from tests.support import DirectGateway
from tests.test_complaint_lifecycle import draft
from workflows import codec
from workflows import contracts as c

SECRET = "durability-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_stack(var: Path) -> Stack:
    return Stack(
        var_dir=var,
        temporal_port=free_port(),
        ui_port=free_port(),
        app_port=free_port(),
        sandbox_port=free_port(),
        task_queue="durability",
        temporal_address="",
    )


def cases(url: str) -> dict[str, Case]:
    engine = make_engine(url)
    try:
        with make_sessions(engine)() as s:
            return {row.tracking_number: row for row in s.scalars(select(Case))}
    finally:
        engine.dispose()


async def wait_until(predicate, timeout: float = 90.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (got := predicate()):
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the expected state")
        await asyncio.sleep(0.2)
    return got


@pytest.fixture
def stack(tmp_path, fake_agency):
    s = new_stack(tmp_path)
    migrate(s.database_url)
    seed(s.database_url, fake_agency.base_url)
    yield s
    s.stop()


async def sealed_client(stack: Stack) -> Client:
    """A client with the stack's payload key: the stack's worker seals every payload (workflows/codec.py)."""
    converter = codec.data_converter(codec.configured_keys(stack.var_dir))
    return await Client.connect(stack.temporal_address, data_converter=converter)


async def test_worker_killed_mid_send_is_replaced_and_the_case_is_forwarded_once(stack, fake_agency):
    stack.start_temporal()
    fake_agency.mode, _ = "hang", fake_agency.release.clear()
    try:
        worker = stack.start_worker()
        client = await sealed_client(stack)
        gw = DirectGateway(client, SECRET, stack.task_queue)
        filed = await gw.file(draft("ซื้อสินค้าทางออนไลน์ ได้ของไม่ตรงปก ร้านไม่คืนเงิน", category="consumer"), "kill-1")
        n = filed.tracking_number
        await wait_until(lambda: fake_agency.for_case(n))  # the worker is now inside the agency call
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        fake_agency.mode = "ok"
        fake_agency.release.set()
        stack.children.pop("worker")
        stack.start_worker()
        row = await wait_until(lambda: (r := cases(stack.database_url).get(n)) and r.status == c.FORWARDED and r)
        assert row.agency_code == "ocpb"
        keys = {r["headers"]["Idempotency-Key"] for r in fake_agency.for_case(n)}
        assert len(keys) == 1, "every attempt carries the same idempotency key"
        again = await gw.file(draft("ซื้อสินค้าทางออนไลน์ ได้ของไม่ตรงปก ร้านไม่คืนเงิน", category="consumer"), "kill-1")
        assert again.tracking_number == n and len(cases(stack.database_url)) == 1
    finally:
        fake_agency.mode = "ok"
        fake_agency.release.set()


async def test_dev_server_restarted_on_its_file_keeps_every_case_and_clock(stack):
    stack.start_temporal()
    client = await sealed_client(stack)
    async with running_worker(client, stack.database_url) as queue:
        gw = DirectGateway(client, SECRET, queue)
        filed = [await gw.file(draft(f"ถนนหน้าบ้านเป็นหลุมใหญ่ ซอย {i} รถล้มบ่อย"), f"restart-{i}") for i in range(3)]
        await wait_until(
            lambda: all((r := cases(stack.database_url).get(f.tracking_number)) and r.routed_at for f in filed)
        )
        before = {f.tracking_number: await gw.status(f.tracking_number) for f in filed}
    stack.children.pop("temporal").send_signal(signal.SIGTERM)
    await asyncio.sleep(1)
    stack.start_temporal()
    client = await sealed_client(stack)
    async with running_worker(client, stack.database_url, queue=queue) as queue:
        gw = DirectGateway(client, SECRET, queue)
        for number, view in before.items():
            after = await gw.status(number)
            assert after.status == view.status
            assert [(k.name, k.due_at, k.state) for k in after.clocks] == [
                (k.name, k.due_at, k.state) for k in view.clocks
            ]
        assert len({f.tracking_number for f in filed}) == 3
