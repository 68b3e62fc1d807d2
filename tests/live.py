"""What the front tests drive for real: the whole app (`api.app.create_app`) served by uvicorn in a
background thread on a free loopback port, and Debian's chromium through Playwright with the flags
this machine needs. Screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from api.app import create_app
from api.settings import Settings
from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread cannot; the test process owns signals
        pass


@asynccontextmanager
async def served(settings: Settings, start_timeout: float = 90.0) -> AsyncIterator[str]:
    """The app on a free loopback port; yields its base URL. The first start may train the default
    classifier (under 10 s), hence the generous timeout."""
    port = free_port()
    server = _Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 15)


@asynccontextmanager
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
