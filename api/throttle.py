"""Slows down PIN guessing: after a few wrong PINs from one client, or against one tracking number,
further attempts are refused with 429 for a while. In memory, per app process; a deployment with many
app processes puts a shared limiter (the proxy's, or Redis) in front as well."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from fastapi import HTTPException


class PinThrottle:
    def __init__(self, limit: int = 5, window_seconds: float = 900.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window_seconds, clock
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        q, cutoff = self.failures[key], self.clock() - self.window
        while q and q[0] < cutoff:
            q.popleft()
        return q

    def check(self, client: str, number: str) -> None:
        for key in (f"c:{client}", f"n:{number}"):
            q = self._recent(key)
            if len(q) >= self.limit:
                retry = int(q[0] + self.window - self.clock()) + 1
                raise HTTPException(
                    429,
                    "ใส่รหัสผิดหลายครั้ง กรุณาลองใหม่ภายหลัง / too many wrong PINs, try again later",
                    headers={"Retry-After": str(retry)},
                )

    def failed(self, client: str, number: str) -> None:
        now = self.clock()
        self._recent(f"c:{client}").append(now)
        self._recent(f"n:{number}").append(now)

    def succeeded(self, client: str, number: str) -> None:
        self.failures.pop(f"c:{client}", None)
