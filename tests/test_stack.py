"""The embedded stack's process priorities: the dev server, the workers and the dispatcher run below the
front door, on this kernel's terms (a session's autogroup nice value where autogroup scheduling is on,
the process's own nice value as well), so a burst of filings is acknowledged before the backlog is
worked off. Real child processes, started as `make run` starts them."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from scripts.stack import Stack


def autogroup_nice(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split("nice")[1])
    except (OSError, IndexError, ValueError):
        return None


def settled_priority(pid: int, want: int, timeout: float = 10.0) -> int:
    """The child's nice value once `nice` has set it and handed over (Popen returns before that)."""
    deadline = time.monotonic() + timeout
    while (got := os.getpriority(os.PRIO_PROCESS, pid)) != want and time.monotonic() < deadline:
        time.sleep(0.02)
    return got


@pytest.fixture
def stack(tmp_path):
    stack = Stack(var_dir=tmp_path)
    yield stack
    for proc in stack.children.values():
        proc.kill()
        proc.wait()


def test_background_children_run_below_the_front_door(stack, monkeypatch):
    monkeypatch.setenv("BACKGROUND_NICE", "10")
    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    background = stack._spawn("worker", sleeper, background=True)
    front = stack._spawn("app", sleeper)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert settled_priority(background.pid, ours + 10) == ours + 10
    assert os.getpriority(os.PRIO_PROCESS, front.pid) == os.getpriority(os.PRIO_PROCESS, 0)
    if autogroup_nice(background.pid) is not None:  # kernels with autogroup scheduling
        assert autogroup_nice(background.pid) == 10
        assert autogroup_nice(front.pid) == 0


def test_background_nice_zero_leaves_priorities_alone(stack, monkeypatch):
    monkeypatch.setenv("BACKGROUND_NICE", "0")
    proc = stack._spawn("worker", [sys.executable, "-c", "import time; time.sleep(30)"], background=True)
    assert os.getpriority(os.PRIO_PROCESS, proc.pid) == os.getpriority(os.PRIO_PROCESS, 0)


def test_the_stack_starts_as_many_workers_as_asked(stack, monkeypatch):
    started = []
    monkeypatch.setattr(stack, "start_worker", lambda name="worker": started.append(name))
    stack.worker_processes = 3
    stack.start_workers()
    assert started == ["worker", "worker-2", "worker-3"]
