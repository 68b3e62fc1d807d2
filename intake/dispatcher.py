"""The filings dispatcher: starts the workflows of filings the front desk accepted, oldest first, a
bounded number at a time. It runs inside the app (`DISPATCH_IN_APP=1`, the default) or, to keep a
burst's acknowledgements fast, as its own process: `python -m intake.dispatcher` (what `make run`
does). Several dispatchers at once are harmless: a start that already happened is recognised by the
workflow ID (and the idempotency key in its memo) and only marks the filing started.

One bad filing never stops the rest: each start is isolated; a failure is counted and retried later
with a growing delay, and after `MAX_ATTEMPTS` the filing is dead-lettered (kept with its error for an
administrator, its personal data wiped). An outage of Temporal is not the filing's fault: it is
retried without counting.

Personal data never reaches Temporal (DESIGN §4.9): before a batch's workflows start, the filings'
contact details and chat addresses are kept in the read model's `personal_data` (`db.personal_data`),
and each workflow starts with an input that holds only the row's key (`personal_data_ref`). On SQLite
the queue is a file of its own, so the dispatcher is given the read model's sessions too."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker

from db import filings, personal_data
from workflows.client import ComplaintGateway
from workflows.contracts import TASK_QUEUE, ComplaintInput
from workflows.errors import Unavailable

log = logging.getLogger("dispatcher")
INPUT = TypeAdapter(ComplaintInput)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=5)
LAST_RETRY = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    number: str
    error: str | None = None  # None: started
    outage: bool = False  # Temporal could not be reached: not the filing's fault
    fatal: bool = False  # retrying cannot help (the number belongs to another workflow)


class FilingDispatcher:
    """Starts the workflows of accepted filings, oldest first, a bounded number at a time."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        gateway: ComplaintGateway,
        batch: int = 100,
        concurrency: int = 20,
        read_model: sessionmaker[Session] | None = None,
    ) -> None:
        """`sessions` open the filings queue; `read_model` the read model, where the personal data goes
        (the same database unless the queue has a SQLite file of its own)."""
        self.sessions, self.gateway = sessions, gateway
        self.read_model = read_model or sessions
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
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                    async with asyncio.timeout(1.0):
                        await self.nudge.wait()
                except TimeoutError:
                    pass

    async def dispatch_once(self) -> int:
        rows = await asyncio.to_thread(self._pending)
        if not rows:
            return 0
        drafts = {number: _draft(payload) for number, payload, _, _ in rows}
        # Kept before any start: a workflow's first projection reads the row.
        await asyncio.to_thread(self._keep_personal_data, [d for d in drafts.values() if isinstance(d, ComplaintInput)])
        results = await asyncio.gather(*(self._start(number, drafts[number], key) for number, _, key, _ in rows))
        await asyncio.to_thread(self._record, results, {number: attempts for number, _, _, attempts in rows})
        if any(r.outage for r in results):
            await asyncio.sleep(2)  # Temporal is down: the loop slows down instead of spinning
        return sum(1 for r in results if r.error is None)

    def _pending(self) -> list[tuple[str, dict, str, int]]:
        with self.sessions() as s:
            return [
                (row.tracking_number, row.payload, row.key_fingerprint, row.attempts or 0)
                for row in filings.pending(s, self.batch)
            ]

    def _keep_personal_data(self, drafts: list[ComplaintInput]) -> None:
        with self.read_model.begin() as s:
            personal_data.keep(s, [_complainant(d) for d in drafts if not d.personal_data_ref])

    async def _start(self, number: str, draft: ComplaintInput | Exception, fingerprint: str) -> Attempt:
        async with self.limit:
            try:
                if isinstance(draft, Exception):
                    raise draft
                if await self.gateway.start(_referenced(draft), fingerprint):
                    return Attempt(number)
                holder = await self.gateway.memo_key(number)
                if holder == fingerprint:
                    return Attempt(number)  # started before, by us or another dispatcher
                return Attempt(number, f"the number {number} belongs to another case's workflow", fatal=True)
            except Unavailable as err:
                return Attempt(number, err.message, outage=True)
            except Exception as err:  # one bad filing must not stop the batch
                log.exception("filing %s could not be started", number)
                return Attempt(number, f"{type(err).__name__}: {err}")

    def _record(self, results: list[Attempt], attempts: dict[str, int]) -> None:
        now, given_up = datetime.now(UTC), []
        with self.sessions.begin() as s:
            filings.mark_started(s, [r.number for r in results if r.error is None])
            for r in results:
                if r.error is None or r.outage:
                    continue
                tried = attempts.get(r.number, 0) + 1
                if r.fatal or tried >= MAX_ATTEMPTS:
                    log.error("filing %s given up after %d attempts: %s", r.number, tried, r.error)
                    filings.mark_failed(s, r.number, r.error, None, now)
                    given_up.append(r.number)
                else:
                    delay = min(FIRST_RETRY * 2 ** (tried - 1), LAST_RETRY)
                    filings.mark_failed(s, r.number, r.error, now + delay, now)
        if given_up:
            with self.read_model.begin() as s:
                personal_data.forget_unfiled(s, given_up)


def _draft(payload: dict) -> ComplaintInput | Exception:
    """The filing's workflow input, or why its payload is not one (counted as a failed attempt)."""
    try:
        return INPUT.validate_python(payload)
    except Exception as err:  # one bad filing must not stop the batch
        return err


def _complainant(draft: ComplaintInput) -> personal_data.Complainant:
    contact = draft.contact
    return personal_data.Complainant(
        tracking_number=draft.tracking_number,
        anonymous=draft.anonymous,
        name=contact.name if contact else "",
        phone=contact.phone if contact else "",
        national_id=contact.national_id if contact else "",
        email=contact.email if contact else "",
        channel_ref=draft.channel_ref,
    )


def _referenced(draft: ComplaintInput) -> ComplaintInput:
    """The input the workflow gets: the personal data replaced by the key of its read-model row."""
    if draft.personal_data_ref:
        return draft
    return replace(draft, contact=None, channel_ref="", personal_data_ref=draft.tracking_number)


async def main() -> None:
    from db import credentials
    from db.session import database_url, filings_url, make_engine, make_sessions
    from workflows.client import connect

    logging.basicConfig(level=logging.INFO, format="%(asctime)s dispatcher %(levelname)s %(message)s")
    credentials.refuse_insecure("dispatcher")  # production: no missing or development secret (part B)
    client = await connect(
        os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"), os.environ.get("TEMPORAL_NAMESPACE", "default")
    )
    engine = make_engine(filings_url(database_url()))
    read_model = engine
    if filings_url(database_url()) != database_url():
        filings.ensure_schema(engine)
        read_model = make_engine(database_url())  # the personal data goes to the read model's file
    # Numbers and PINs were made at the desk: starting a workflow needs no secret.
    gateway = ComplaintGateway(client, "", os.environ.get("TASK_QUEUE", TASK_QUEUE))
    dispatcher = FilingDispatcher(make_sessions(engine), gateway, read_model=make_sessions(read_model))
    task = asyncio.create_task(dispatcher.run())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        pass


if __name__ == "__main__":
    asyncio.run(main())
