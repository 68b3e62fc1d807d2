"""Supervisors and administrators see what citizens answered to "did this help?" per FAQ entry, the
least helpful first, with the entry's question in the page's language; officers do not."""

from __future__ import annotations

from datetime import UTC, datetime

from db import faq_feedback
from db.session import make_engine, make_sessions


async def test_a_supervisor_sees_helpful_counts_per_entry_and_an_officer_does_not(web_stack):
    engine = make_engine(web_stack.database_url)
    try:
        with make_sessions(engine).begin() as s:
            at = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
            for n, helpful in enumerate((True, True, False)):
                faq_feedback.record(s, event_id=f"page-hl-{n}", entry_id="hotline", helpful=helpful, lang="th", at=at)
            faq_feedback.record(s, event_id="page-id-0", entry_id="id_card", helpful=False, lang="en", at=at)
    finally:
        engine.dispose()
    async with web_stack.signed_in("trang") as client:
        r = await client.get("/admin/faq")
        assert r.status_code == 200, r.text
        page = r.text
        hotline = page[page.index('id="faq-hotline"') :].split("</tr>")[0]
        assert 'class="helpful">2<' in hotline and 'class="not-helpful">1<' in hotline and "67%" in hotline
        assert "1567" in hotline or "สายด่วน" in hotline or "เบอร์" in hotline  # the entry's Thai question
        assert page.index('id="faq-id_card"') < page.index('id="faq-hotline"')  # least helpful first
        assert 'id="faq-unrated"' in page and "about_center" in page
        fragment = await client.get("/admin/faq", headers={"HX-Request": "true"})
        assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="faq-hotline"' in fragment.text
    async with web_stack.signed_in("root") as client:
        assert (await client.get("/admin/faq")).status_code == 200
    async with web_stack.signed_in("sikao") as client:
        assert (await client.get("/admin/faq")).status_code == 403
