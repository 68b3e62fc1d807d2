"""Staff sign-in delays: how wrong passwords and codes slow the guesser without locking the owner out
(the idea of `intake.pins`, for accounts). Every attempt is a row in the read model
(`db.staff.LoginAttempt`, so every app process sees every guess), counted under three keys:

- this client at this account (since the pair's last success): after `pair_free` wrong attempts the
  client waits before its next try at that account, 2 s and then twice as long after each further
  wrong one, up to 15 minutes;
- this client at any account: after `client_free` wrong attempts it waits the same way, up to an hour
  (one address guessing through `<district>.officer` names);
- anyone at this account: once it has had `account_free` wrong attempts, every attempt on it is slowed
  before its password is checked, by a growing delay capped at a few seconds. Nobody is refused for
  the account's sake: its owner, from their own address, still signs in while others guess at the
  name, only a little slower.

A waiting client's attempt is refused (429, `Retry-After`, how long in Thai and English) without
being checked or counted. Counts look back `window` seconds. The client is the address
`intake.clients` resolves through the trusted proxies only (IPv6 by /64), never the proxy itself, so
twenty guesses behind the deployment's proxy do not stop everyone. Within one process a client's
attempts are checked one at a time, so a burst of parallel guesses cannot all pass before the first
is counted."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from db import staff
from intake.backoff import KeyedGates, doubling
from intake.clients import client_address, client_key
from intake.rates import Throttled


@dataclass(frozen=True)
class SignInPolicy:
    pair_free: int = 5  # wrong attempts one client may make at one account before it waits
    pair_wait: float = 2.0  # its first wait, in seconds, doubled by every further wrong attempt ...
    pair_wait_max: float = 900.0  # ... up to this
    client_free: int = 20  # wrong attempts from one client at any accounts before it waits
    client_wait: float = 2.0
    client_wait_max: float = 3600.0
    account_free: int = 5  # wrong attempts at one account from anywhere before every attempt is slowed
    account_delay: float = 0.25  # the first delay, doubled by every further wrong attempt ...
    account_delay_max: float = 3.0  # ... up to this: the owner waits at most this long
    window: float = 3600.0  # how far back wrong attempts count

    def pair_wait_after(self, failures: int) -> float:
        return doubling(failures, self.pair_free, self.pair_wait, self.pair_wait_max)

    def client_wait_after(self, failures: int) -> float:
        return doubling(failures, self.client_free, self.client_wait, self.client_wait_max)

    def account_delay_after(self, failures: int) -> float:
        return doubling(failures, self.account_free, self.account_delay, self.account_delay_max)


def too_many_attempts(retry_after: float) -> Throttled:
    seconds = max(1, math.ceil(retry_after))
    if seconds < 120:
        th, en = f"{seconds} วินาที", f"{seconds} seconds"
    else:
        minutes = math.ceil(seconds / 60)
        th, en = f"{minutes} นาที", f"{minutes} minutes"
    return Throttled(
        f"ลองเข้าสู่ระบบผิดหลายครั้ง กรุณารออีก {th} แล้วลองใหม่ / too many failed sign-ins; wait {en} and try again",
        seconds,
    )


def client_of(request: Request) -> str:
    """The key this request's client is counted under (through trusted proxies only)."""
    settings = getattr(request.app.state, "settings", None)
    return client_key(client_address(request, getattr(settings, "trusted_proxies", "") or ""))


class SignInGuard:
    """`async with guard.turn(client, username):` around a password or code check: raises `Throttled`
    for a waiting client, sleeps the account's delay, then lets the check run; the caller records the
    outcome with `db.staff.record_attempt` in the check's own transaction."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: SignInPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep=asyncio.sleep,
    ) -> None:
        self.sessions, self.policy, self.clock, self.sleep = sessions, policy or SignInPolicy(), clock, sleep
        self._turns = KeyedGates(1)

    @asynccontextmanager
    async def turn(self, client: str, username: str) -> AsyncIterator[None]:
        async with self._turns.hold(client):
            await self._admit(client, username)
            yield

    async def _admit(self, client: str, username: str) -> None:
        now = self.clock()
        refuse_for, delay = await asyncio.to_thread(self.waits, client, username, now)
        if refuse_for > 0:
            raise too_many_attempts(refuse_for)
        if delay:
            await self.sleep(delay)

    def waits(self, client: str, username: str, now: datetime) -> tuple[float, float]:
        """(seconds this client must still wait, seconds every attempt on the account is slowed)."""
        with self.sessions() as s:
            failures = staff.sign_in_failures(s, username, client, now - timedelta(seconds=self.policy.window))
        refuse_for = 0.0
        for (count, last), wait_after in (
            (failures.pair, self.policy.pair_wait_after),
            (failures.client, self.policy.client_wait_after),
        ):
            if last is not None:
                refuse_for = max(refuse_for, wait_after(count) - (now - last).total_seconds())
        return refuse_for, self.policy.account_delay_after(failures.account)


def guard_of(request: Request) -> SignInGuard:
    """The app's guard, made on first use (one per app, on the read model the app opened)."""
    guard = getattr(request.app.state, "sign_in_guard", None)
    if guard is None:
        guard = request.app.state.sign_in_guard = SignInGuard(request.app.state.sessions)
    return guard
