"""The chat's half of `make bench`: latency of one chat turn through the JSON endpoint
(`POST /api/chat/messages`), one request at a time, for three kinds of turn: the menu (a quick reply
tap), a FAQ question (intent detection and the FAQ retriever), and tracking (the PIN step: throttle,
PIN check and the case's view from the read model). Goal: p99 under 50 ms on the bench machine.
It also owns the chat's filing load (`file_through_chat`): concurrent chat users each going through
the whole dialogue (file, consent, text, next, province, district, office, anonymous, confirm with a
message id), so that `bench.run` measures the routed rate of chat filings as it does the API's.
Every chat user sends `X-Forwarded-For` with its citizen's address, as `bench.api_bench` does.
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
from dataclasses import dataclass, field

import httpx

from bench.api_bench import (
    CHAT_FILING,
    CHAT_TURNS,
    COMPLAINTS,
    Filing,
    User,
    as_users,
    citizen_address,
    forwarded_for,
)
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
PIN = re.compile(r"PIN (\d{6})")
# The chat's own words when the door's rate limits refuse a filing (intake.rates): "too often" in Thai.
THROTTLED = ("ถี่เกินไป", "too many")


class ChatRefused(Exception):
    """A turn answered with something other than 200, or a confirm without a number and PIN."""

    def __init__(self, message: str, throttled: bool = False) -> None:
        super().__init__(message)
        self.throttled = throttled


async def _turn(http: httpx.AsyncClient, session: str, headers: dict | None = None, **message) -> tuple[float, dict]:
    started = time.perf_counter()
    r = await http.post("/api/chat/messages", json={"session_id": session, **message}, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if r.status_code != 200:
        raise ChatRefused(f"HTTP {r.status_code}: {r.text[:200]}", throttled=r.status_code == 429)
    return elapsed, r.json()


STEPS = ("file", "consent", "text", "next", "province", "district", "office", "contact", "confirm")


def dialogue(i: int) -> tuple[dict, ...]:
    """The whole filing dialogue of the `i`-th chat complaint, as a citizen taps and types it (one
    message per step of `STEPS`)."""
    text, province, district = COMPLAINTS[i % len(COMPLAINTS)]
    return (
        {"action": "menu:file"},
        {"action": "consent:yes"},
        {"text": f"{text} (แชต {i + 1})"},
        {"action": "next"},
        {"text": province},
        {"text": district},
        {"action": "office:accept"},
        {"action": "contact:anon"},
        {"action": "confirm", "message_id": f"confirm-{i}"},
    )


async def file_in_the_chat(http: httpx.AsyncClient, i: int, citizen: str = "") -> tuple[str, str, list[float]]:
    """File the `i`-th complaint through the chat as `citizen` (an address; "" for none): its number,
    its PIN and how long each turn took in ms (the last, confirm, is the chat's acknowledgement)."""
    session = f"bench-chat-{i}-{uuid.uuid4().hex[:12]}"
    headers = forwarded_for(citizen) if citizen else None
    turns = []
    for message in dialogue(i):
        took, body = await _turn(http, session, headers, **message)
        turns.append(took)
    text = "\n".join(r.get("text", "") for r in body["replies"])
    number, pin = NUMBER.search(text), PIN.search(text)
    if number is None or pin is None:
        raise ChatRefused(f"no number and PIN after confirm: {text[:200]}", any(w in text for w in THROTTLED))
    return number.group(0), pin.group(1), turns


@dataclass
class ChatFiling(Filing):
    """A chat filing pass: `latencies` are the confirm turns (the chat's acknowledgement) and
    `dialogues` the whole dialogues, in seconds; `turns` each step's turns, in ms."""

    dialogues: list[float] = field(default_factory=list)
    turns: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})


async def file_through_chat(base_url: str, n: int, concurrency: int, offset: int = 0) -> ChatFiling:
    """`n` complaints filed through the web chat's JSON endpoint by `concurrency` chat users at once,
    each dialogue in a new chat session."""
    out = ChatFiling()

    async def one(user: User, i: int) -> None:
        citizen = user.next_citizen(CHAT_FILING)
        out.citizens.add(citizen)
        t0 = time.perf_counter()
        try:
            number, pin, turns = await file_in_the_chat(user.http, offset + i, citizen)
        except ChatRefused as err:
            out.throttled += err.throttled
            out.errors.append(str(err))
            return
        except httpx.HTTPError as err:
            out.errors.append(f"{type(err).__name__}: {err}")
            return
        out.dialogues.append(time.perf_counter() - t0)
        out.latencies.append(turns[-1] / 1000)
        for step, took in zip(STEPS, turns, strict=True):
            out.turns[step].append(took)
        out.cases.append((number, pin))
        out.filers[number] = citizen

    started = lambda: setattr(out, "started", time.perf_counter())  # noqa: E731
    await as_users(concurrency, list(range(n)), one, on_start=started, base_url=base_url)
    out.finished = time.perf_counter()
    return out


def chat_filing_summary(filed: ChatFiling, concurrency: int) -> dict:
    """The acknowledgement figures of chat filings (the confirm turn) and the whole dialogues'."""
    summary = filed.summary(concurrency)
    summary["confirm_p50_ms"], summary["confirm_p99_ms"] = summary.pop("p50_ms"), summary.pop("p99_ms")
    summary["dialogue_p50_ms"] = round((percentile(filed.dialogues, 50) or 0) * 1000, 1)
    summary["dialogue_p99_ms"] = round((percentile(filed.dialogues, 99) or 0) * 1000, 1)
    summary["turns_per_dialogue"] = len(STEPS)
    # where a dialogue's time goes, turn by turn (under the load of `concurrency` chat users)
    summary["turn_p50_ms"] = {step: round(percentile(t, 50) or 0, 1) for step, t in filed.turns.items()}
    summary["turn_p99_ms"] = {step: round(percentile(t, 99) or 0, 1) for step, t in filed.turns.items()}
    return summary


def _figures(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50) or 0, 2),
        "p99_ms": round(percentile(samples, 99) or 0, 2),
    }


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
    citizen = citizen_address(CHAT_TURNS, 0, 0)  # one citizen asks, one turn at a time
    headers = forwarded_for(citizen)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=httpx.Timeout(30.0, connect=5.0), headers=headers, trust_env=False
    ) as http:
        if not cases:
            number, pin, _ = await file_in_the_chat(http, 0, citizen)
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
