"""The filings dispatcher: starts the workflows of filings the front door accepted, oldest first, a
bounded number at a time. It runs inside the app (`DISPATCH_IN_APP=1`, the default) or, to keep a
burst's acknowledgements fast, as its own process: `python -m api.dispatcher` (what `make run` does).
Several dispatchers at once are harmless: a start that already happened is recognised by the
workflow ID and only marks the filing started."""

from __future__ import annotations

import asyncio
import logging
import signal

from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker

from db import filings
from workflows.client import ComplaintGateway
from workflows.contracts import ComplaintInput
from workflows.errors import CaseError

log = logging.getLogger("dispatcher")
INPUT = TypeAdapter(ComplaintInput)


class FilingDispatcher:
    """Starts the workflows of accepted filings, oldest first, a bounded number at a time."""

    def __init__(
        self, sessions: sessionmaker[Session], gateway: ComplaintGateway, batch: int = 100, concurrency: int = 20
    ) -> None:
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
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                    async with asyncio.timeout(1.0):
                        await self.nudge.wait()
                except TimeoutError:
                    pass

    async def dispatch_once(self) -> int:
        rows = await asyncio.to_thread(self._pending)
        if not rows:
            return 0
        results = await asyncio.gather(*(self._start(*row) for row in rows))
        await asyncio.to_thread(self._record, results)
        return sum(1 for _, error in results if error is None)

    def _pending(self) -> list[tuple[str, dict, str]]:
        with self.sessions() as s:
            return [(row.tracking_number, row.payload, row.key_fingerprint) for row in filings.pending(s, self.batch)]

    async def _start(self, number: str, payload: dict, fingerprint: str) -> tuple[str, str | None]:
        async with self.limit:
            try:
                await self.gateway.start(INPUT.validate_python(payload), fingerprint)
                return number, None
            except CaseError as err:
                return number, err.message

    def _record(self, results: list[tuple[str, str | None]]) -> None:
        with self.sessions.begin() as s:
            filings.mark_started(s, [number for number, error in results if error is None])
            for number, error in results:
                if error is not None:
                    filings.mark_failed(s, number, error)


async def main() -> None:
    from api.settings import Settings
    from db.session import filings_url, make_engine, make_sessions
    from workflows.client import connect

    logging.basicConfig(level=logging.INFO, format="%(asctime)s dispatcher %(levelname)s %(message)s")
    settings = Settings()
    client = await connect(settings.temporal_address, settings.temporal_namespace)
    dispatcher = FilingDispatcher(
        make_sessions(make_engine(filings_url(settings.database_url))),
        ComplaintGateway(client, settings.secret, settings.task_queue),
    )
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
