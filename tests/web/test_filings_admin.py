"""Administrators see the filings queue: how many filings wait, and the dead letters (a filing the
dispatcher gave up on) with their door, attempts and error; officers do not."""

from __future__ import annotations

from datetime import UTC, datetime

from db import filings
from db.session import filings_url, make_engine, make_sessions


async def test_an_administrator_sees_a_dead_lettered_filing_and_an_officer_does_not(web_stack):
    engine = make_engine(filings_url(web_stack.database_url))
    try:
        if filings_url(web_stack.database_url) != web_stack.database_url:
            filings.ensure_schema(engine)
        with make_sessions(engine).begin() as s:
            filings.accept(s, "2569-DEAD22", "dead-letter-key", "x", {"text": "bad"}, "line", "")
            filings.mark_failed(s, "2569-DEAD22", "ValidationError: text must be a string", None, datetime.now(UTC))
    finally:
        engine.dispose()
    async with web_stack.signed_in("root") as client:
        r = await client.get("/admin/filings")
        assert r.status_code == 200
        assert "2569-DEAD22" in r.text and "ValidationError: text must be a string" in r.text and "line" in r.text
    async with web_stack.signed_in("sikao") as client:
        assert (await client.get("/admin/filings")).status_code == 403
