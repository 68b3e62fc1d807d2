"""The chat's half of `make bench`: latency of one chat turn through the JSON endpoint
(`POST /api/chat/messages`), one request at a time, for three kinds of turn: the menu (a quick reply
tap), a FAQ question (intent detection and the FAQ retriever), and tracking (the PIN step: throttle,
PIN check and the case's view from the read model). Goal: p99 under 50 ms on the bench machine.
`bench.run` calls `run_chat_bench(base_url, cases)`; alone: `python -m bench.chat_bench --base-url URL`
(it then files one complaint through the chat to track)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import time
import uuid

import httpx

from bench.bare import percentile

log = logging.getLogger("bench")
GOAL_MS = 50.0
FAQ_QUESTIONS = (
    "ศูนย์ดำรงธรรมเปิดกี่โมง",
    "How do I file a complaint?",
    "ร้องเรียนแล้วต้องรอนานแค่ไหน",
    "Can I stay anonymous?",
    "สายด่วนศูนย์ดำรงธรรมเบอร์อะไร",
    "How do I track my complaint?",
)
NUMBER = re.compile(r"25\d\d-[2-9A-Z]{6}")


async def _turn(http: httpx.AsyncClient, session: str, **message) -> tuple[float, dict]:
    started = time.perf_counter()
    r = await http.post("/api/chat/messages", json={"session_id": session, **message})
    elapsed = (time.perf_counter() - started) * 1000
    r.raise_for_status()
    return elapsed, r.json()


def _figures(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50) or 0, 2),
        "p99_ms": round(percentile(samples, 99) or 0, 2),
    }


async def _file_one(http: httpx.AsyncClient) -> tuple[str, str]:
    """File an anonymous complaint through the chat; its number and PIN."""
    session = f"bench-file-{uuid.uuid4().hex}"
    for message in (
        {"action": "menu:file"},
        {"action": "consent:yes"},
        {"text": "ถนนหน้าบ้านเป็นหลุมใหญ่หลายจุด ฝนตกน้ำขังทุกวัน รถจักรยานยนต์ล้มบ่อย"},
        {"action": "next"},
        {"text": "ตรัง"},
        {"text": "สิเกา"},
        {"action": "office:accept"},
        {"action": "contact:anon"},
        {"action": "confirm"},
    ):
        _, body = await _turn(http, session, **message)
    text = "\n".join(r.get("text", "") for r in body["replies"])
    return NUMBER.search(text).group(0), re.search(r"PIN (\d{6})", text).group(1)


async def _wait_trackable(http: httpx.AsyncClient, number: str, pin: str, timeout: float = 60.0) -> None:
    """A case filed a moment ago is tracked once the read model has it; wait without guessing PINs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = await http.get(f"/api/complaints/{number}", headers={"X-Tracking-Pin": pin})
        if r.status_code == 200:
            return
        await asyncio.sleep(0.25)
    raise TimeoutError(f"case {number} never became trackable")


async def run_chat_bench(
    base_url: str, cases: list[tuple[str, str]] | None = None, n: int = 200, warmup: int = 20
) -> dict:
    """p50/p99 of menu, FAQ and tracking turns; `cases` are (tracking number, PIN) pairs to track."""
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30.0, connect=5.0)) as http:
        if not cases:
            number, pin = await _file_one(http)
            await _wait_trackable(http, number, pin)
            cases = [(number, pin)]
        menu, faq, tracking = [], [], []
        session = f"bench-{uuid.uuid4().hex}"
        for i in range(warmup + n):
            keep = i >= warmup
            took, _ = await _turn(http, session, action="menu")
            if keep:
                menu.append(took)
            took, _ = await _turn(http, session, text=FAQ_QUESTIONS[i % len(FAQ_QUESTIONS)])
            if keep:
                faq.append(took)
            number, pin = cases[i % len(cases)]
            await _turn(http, session, action=f"track:{number}")  # to the PIN question
            took, body = await _turn(http, session, text=pin)
            if not any(number in r.get("text", "") and ":" in r.get("text", "") for r in body["replies"]):
                raise RuntimeError(f"tracking {number} through the chat failed: {body['replies'][:1]}")
            if keep:
                tracking.append(took)
    figures = {"chat_menu": _figures(menu), "chat_faq": _figures(faq), "chat_tracking": _figures(tracking)}
    figures["chat_turn_p99_lt_50ms"] = all(f["p99_ms"] < GOAL_MS for f in figures.values() if isinstance(f, dict))
    log.info("chat turns: %s", figures)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    print(json.dumps(asyncio.run(run_chat_bench(args.base_url, None, args.n)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
