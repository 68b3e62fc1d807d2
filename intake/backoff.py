"""The two mechanisms every guess-slowing throttle at the door shares (tracking PINs in `intake.pins`,
staff sign-in in `web.sign_in_delays`, turns of one chat in `chatbot.service`): a wait that grows by
doubling once the free attempts are used up, capped; and a gate per key (a client, a chat) that lets a
bounded number of holders in at once and forgets the key when nobody holds or waits for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


def doubling(failures: int, free: int, first: float, cap: float) -> float:
    """No wait for the first `free` failures, then `first` seconds, doubled by every further failure,
    never more than `cap`."""
    if failures < free:
        return 0.0
    return min(cap, first * 2 ** min(failures - free, 32))


class KeyedGates:
    """`async with gates.hold(key):` admits at most `width` holders per key at once; the others queue."""

    def __init__(self, width: int = 1) -> None:
        self.width = width
        self._gates: dict[str, tuple[asyncio.Semaphore, int]] = {}  # the gate, and how many hold or wait

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        gate, users = self._gates.get(key, (None, 0))
        gate = gate or asyncio.Semaphore(self.width)
        self._gates[key] = (gate, users + 1)
        try:
            async with gate:
                yield
        finally:
            gate, users = self._gates[key]
            if users <= 1:
                del self._gates[key]  # nobody else holds or waits for this key
            else:
                self._gates[key] = (gate, users - 1)
