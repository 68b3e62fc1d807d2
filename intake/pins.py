"""The PIN throttle: how tracking PINs resist guessing without an attacker being able to lock the owner
out. Wrong PINs are counted in the read model (`db.throttle`), so every app process sees every guess,
under two keys:

- per client address (`intake.clients`): after `client_free` wrong PINs the client must wait before
  its next attempt, 2 s and then twice as long after each further wrong PIN (429 with `Retry-After`;
  an attempt refused this way is not checked and not counted). Only that client waits.
- per tracking number: once others have guessed wrong at a number `number_free` times, every attempt
  on it waits a growing delay before its PIN is checked, capped at a few seconds. Nobody is refused
  for the number's sake: the owner with the right PIN still gets in, only a little slower while the
  number is under attack.

A count starts again after `window` seconds without a wrong PIN, and such rows are pruned (on write,
at most every ten minutes per process, or by `prune()` from a periodic loop). Within one process a
client has at most `in_flight` attempts being checked at once, so a burst of parallel guesses cannot
all pass before the first of them is counted."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from db import throttle as store
from intake.backoff import KeyedGates, doubling
from intake.clients import client_key
from intake.rates import Throttled
from workflows.errors import CaseNotFound

PRUNE_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class PinPolicy:
    client_free: int = 5  # wrong PINs a client may make before it waits
    client_wait: float = 2.0  # its first wait, in seconds, doubled by every further wrong PIN
    client_wait_max: float = 3600.0
    number_free: int = 3  # wrong PINs at one number before every attempt on it is slowed
    number_delay: float = 0.25  # the first delay, doubled by every further wrong PIN ...
    number_delay_max: float = 3.0  # ... up to this: the owner waits at most this long
    window: float = 3600.0  # seconds without a wrong PIN after which a count starts again
    in_flight: int = 16  # attempts one client may have checked at once in one process; more queue

    def client_wait_after(self, failures: int) -> float:
        return doubling(failures, self.client_free, self.client_wait, self.client_wait_max)

    def number_delay_after(self, failures: int) -> float:
        return doubling(failures, self.number_free, self.number_delay, self.number_delay_max)


def too_many_wrong_pins(retry_after: float) -> Throttled:
    s = max(1, math.ceil(retry_after))
    return Throttled(f"ใส่รหัสผิดหลายครั้ง กรุณาลองใหม่ในอีก {s} วินาที / too many wrong PINs; try again in {s} seconds", s)


class PinGuard:
    """`async with guard.checking(client, number):` around a PIN check; a `CaseNotFound` leaving the
    block is a wrong PIN and is counted. Raises `Throttled` before the block for a waiting client."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: PinPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep=asyncio.sleep,
    ) -> None:
        self.sessions, self.policy, self.clock, self.sleep = sessions, policy or PinPolicy(), clock, sleep
        self._checking = KeyedGates(self.policy.in_flight)
        self._pruned = datetime.min.replace(tzinfo=UTC)

    @staticmethod
    def keys(client: str, number: str) -> tuple[str, str]:
        return f"c:{client_key(client)}"[:80], f"n:{number}"[:80]

    @asynccontextmanager
    async def checking(self, client: str, number: str) -> AsyncIterator[None]:
        by_client, by_number = self.keys(client, number)
        async with self._checking.hold(by_client):
            await self._admit(by_client, by_number)
            try:
                yield
            except CaseNotFound:
                await asyncio.to_thread(self._count, by_client, by_number)
                raise

    async def _admit(self, by_client: str, by_number: str) -> None:
        now = self.clock()
        counts = await asyncio.to_thread(self._read, [by_client, by_number], now)
        failures, last = counts.get(by_client, (0, now))
        waited = (now - last).total_seconds()
        wait = self.policy.client_wait_after(failures)
        if wait > waited:
            raise too_many_wrong_pins(wait - waited)
        delay = self.policy.number_delay_after(counts.get(by_number, (0, now))[0])
        if delay:
            await self.sleep(delay)

    def _since(self, now: datetime) -> datetime:
        return now - timedelta(seconds=self.policy.window)

    def _read(self, keys: list[str], now: datetime) -> dict[str, tuple[int, datetime]]:
        with self.sessions() as s:
            return store.recent_failures(s, keys, self._since(now))

    def _count(self, by_client: str, by_number: str) -> None:
        now = self.clock()
        with self.sessions.begin() as s:
            store.count_failure(s, [by_client, by_number], now, self._since(now))
            if now - self._pruned > PRUNE_EVERY:
                self._pruned = now
                store.prune(s, self._since(now))

    def prune(self) -> int:
        """Forget counts quiet for longer than the window (for a periodic loop; writes prune too)."""
        now = self.clock()
        with self.sessions.begin() as s:
            return store.prune(s, self._since(now))
