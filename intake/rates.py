"""Rate limits per client at the door: filings (the JSON API's POST and the chat's confirm), new chat
sessions (a session id this process has not seen) and tracking. Each limit is "N per T seconds"
(`RATE_FILINGS=30/60`; "off" for none), counted per client (`intake.clients.client_key`) over a
sliding window: the times of the client's last N admitted requests are kept, and one more inside T
seconds is refused with the time until the oldest leaves the window. Refused requests are not
counted, so waiting is always enough.

The counts live in this process's memory, on purpose: they are a flood guard in front of the
database, cheap on every request, and a restart forgetting them costs nothing. With several app
processes each admits up to its own limit (the defaults leave room for that). The PIN throttle, which
must not be split that way, keeps its counts in the database (`intake.pins`).

A refusal is `Throttled`, a typed error with `retry_after`: the API answers 429 with `Retry-After`
and the message in Thai and English, the chat says it politely."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from intake.clients import client_key
from workflows.errors import CaseError

FILING, CHAT_SESSION, TRACKING = "filing", "chat_session", "tracking"
MESSAGES = {
    FILING: (
        "ยื่นเรื่องจากที่อยู่นี้ถี่เกินไป กรุณารอ {s} วินาทีแล้วลองใหม่",
        "too many complaints from this address; please try again in {s} seconds",
    ),
    CHAT_SESSION: (
        "เปิดแชตใหม่จากที่อยู่นี้ถี่เกินไป กรุณารอ {s} วินาทีแล้วลองใหม่",
        "too many new chats from this address; please try again in {s} seconds",
    ),
    TRACKING: (
        "ติดตามเรื่องจากที่อยู่นี้ถี่เกินไป กรุณารอ {s} วินาทีแล้วลองใหม่",
        "too many tracking requests from this address; please try again in {s} seconds",
    ),
}
SEEN_SESSIONS = 100_000  # chat session ids remembered per process; one forgotten is counted once more


class Throttled(CaseError):
    """Refused for now: try again in `retry_after` seconds (429, `Retry-After`)."""

    status_code = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


def throttled(kind_th: str, kind_en: str, retry_after: float) -> Throttled:
    seconds = max(1, math.ceil(retry_after))
    return Throttled(f"{kind_th.format(s=seconds)} / {kind_en.format(s=seconds)}", seconds)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """ "30/60" -> 30 per 60 s; "", "0" or "off" -> no limit. Anything else raises ValueError."""
        text = (text or "").strip().lower()
        if text in ("", "0", "off", "none"):
            return None
        count, _, seconds = text.partition("/")
        rate = cls(int(count), float(seconds or 1))
        if rate.count < 1 or rate.seconds <= 0:
            raise ValueError(f"a rate is N/seconds with N >= 1, not {text!r}")
        return rate


class RateLimits:
    """The door's limits for one app process. `hit(kind, client)` admits or raises `Throttled`."""

    def __init__(
        self,
        filings: str = "30/60",
        chat_sessions: str = "120/60",
        tracking: str = "600/60",
        clock=time.monotonic,
    ) -> None:
        self.rates = {
            FILING: Rate.parse(filings),
            CHAT_SESSION: Rate.parse(chat_sessions),
            TRACKING: Rate.parse(tracking),
        }
        self.clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()  # routes run on the event loop, but a thread may call too
        self._swept = clock()

    def hit(self, kind: str, client: str) -> None:
        rate = self.rates[kind]
        if rate is None:
            return
        now, key = self.clock(), (kind, client_key(client))
        with self._lock:
            self._sweep(now)
            times = self._hits.get(key)
            if times is None:
                times = self._hits[key] = deque()
            while times and times[0] <= now - rate.seconds:
                times.popleft()
            if len(times) >= rate.count:
                raise throttled(*MESSAGES[kind], times[0] + rate.seconds - now)
            times.append(now)

    def new_chat_session(self, client: str, session_key: str) -> None:
        """Count a chat session id not seen before against its client; a known one passes."""
        with self._lock:
            if session_key in self._seen:
                self._seen.move_to_end(session_key)
                return
        self.hit(CHAT_SESSION, client)  # raises before the session is remembered: it was refused
        with self._lock:
            self._seen[session_key] = None
            if len(self._seen) > SEEN_SESSIONS:
                self._seen.popitem(last=False)

    def _sweep(self, now: float) -> None:
        """Forget clients idle for longer than their window, once per longest window."""
        longest = max((r.seconds for r in self.rates.values() if r), default=60.0)
        if now - self._swept < longest:
            return
        self._swept = now
        for key in [k for k, times in self._hits.items() if not times or times[-1] <= now - longest]:
            del self._hits[key]
