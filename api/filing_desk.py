"""The front door for a burst of complaints: a filing is accepted by committing it to the filings
queue (tracking number and PIN derived from its idempotency key, so the same key is the same case)
and answered at once; `FilingDispatcher` hands it to its workflow right after. A crash between the two
loses nothing: the dispatcher picks up what is still waiting, and a start that happened already is
recognised by the workflow ID, so no case is started twice."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import asdict, replace
from datetime import datetime, timezone

from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker

from db import filings
from workflows.client import ComplaintGateway, Filed
from workflows.contracts import ComplaintInput
from workflows.domain import tracking
from workflows.errors import CaseError, Unavailable

log = logging.getLogger("filing")
MAX_ATTEMPTS = 8
INPUT = TypeAdapter(ComplaintInput)


def accept_filing(s: Session, draft: ComplaintInput, key: str | None, secret: str) -> Filed:
    """Commit the filing; returns its number and PIN (the first filing's, for a repeated key)."""
    key = key or secrets.token_hex(16)
    fingerprint = tracking.key_fingerprint(secret, key)
    first = filings.existing_for_key(s, fingerprint)
    if first is not None:
        return Filed(first.tracking_number, tracking.pin_for(secret, key, first.tracking_number), created=False)
    year = datetime.fromisoformat(draft.filed_at).astimezone(timezone.utc).year
    for attempt in range(MAX_ATTEMPTS):
        number = tracking.tracking_number(secret, key, attempt, year)
        pin = tracking.pin_for(secret, key, number)
        inp = replace(draft, tracking_number=number, pin_hash=tracking.pin_hash(secret, number, pin))
        try:
            row, created = filings.accept(s, number, fingerprint, inp.pin_hash, asdict(inp))
        except filings.NumberTaken:
            continue
        s.commit()
        return Filed(row.tracking_number, tracking.pin_for(secret, key, row.tracking_number), created=created)
    raise Unavailable("ออกเลขเรื่องไม่ได้ / could not allocate a tracking number")


class FilingDispatcher:
    """Starts the workflows of accepted filings, oldest first, a bounded number at a time."""

    def __init__(self, sessions: sessionmaker[Session], gateway: ComplaintGateway,
                 batch: int = 100, concurrency: int = 20) -> None:
        self.sessions, self.gateway = sessions, gateway
        self.batch, self.limit = batch, asyncio.Semaphore(concurrency)
        self.nudge = asyncio.Event()

    async def run(self) -> None:
        while True:
            try:
                started = await self.dispatch_once()
            except Exception:  # the loop must outlive a database or Temporal outage
                log.exception("dispatching filings failed; retrying")
                started = 0
                await asyncio.sleep(2)
            if started == 0:
                self.nudge.clear()
                try:
                    await asyncio.wait_for(self.nudge.wait(), timeout=1.0)
                except TimeoutError:
                    pass

    async def dispatch_once(self) -> int:
        rows = await asyncio.to_thread(self._pending)
        if not rows:
            return 0
        results = await asyncio.gather(*(self._start(number, payload) for number, payload in rows))
        await asyncio.to_thread(self._record, results)
        return sum(1 for _, error in results if error is None)

    def _pending(self) -> list[tuple[str, dict]]:
        with self.sessions() as s:
            return [(row.tracking_number, row.payload) for row in filings.pending(s, self.batch)]

    async def _start(self, number: str, payload: dict) -> tuple[str, str | None]:
        async with self.limit:
            try:
                await self.gateway.start(INPUT.validate_python(payload))
                return number, None
            except CaseError as err:
                return number, err.message

    def _record(self, results: list[tuple[str, str | None]]) -> None:
        with self.sessions.begin() as s:
            for number, error in results:
                if error is None:
                    filings.mark_started(s, number)
                else:
                    filings.mark_failed(s, number, error)
