"""The reply form's files at the door (web/case_reply_photos.py), with a real app and workflow: a file
that is neither an image nor a PDF by its first bytes (an SVG named .png), one too many, or one too big
is refused with a bilingual 422 next to the form, and neither the reply nor the file is kept; a good
photo and PDF go with the reply as its attachments, and the reply's event names them."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Attachment, CaseEvent, Upload
from tests.web.test_case_conversation_browser import png
from tests.web.test_staff_actions import hx, triage_case

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.4\n%%EOF\n"


def replies(web_stack, number: str) -> list[CaseEvent]:
    with web_stack.sessions()() as s:
        return list(
            s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == number, CaseEvent.kind == "officer_reply"))
        )


async def test_bad_files_are_refused_whole_and_good_ones_go_with_the_reply(web_stack):
    number = await triage_case(web_stack)
    async with web_stack.signed_in("sikao") as client:
        url = f"/cases/{number}/actions/reply"
        disguised = await client.post(
            url, data={"text": "ดูรูปนี้"}, files=[("photos", ("lamp.png", SVG, "image/png"))], headers=hx(client)
        )
        assert disguised.status_code == 422 and disguised.headers["HX-Retarget"] == "#refusal-reply"
        assert "lamp.png" in disguised.text and "is not a JPEG, PNG, WebP, GIF image or a PDF" in disguised.text
        many = [("photos", (f"p{i}.png", png(rgb=(i, 0, 0)), "image/png")) for i in range(6)]
        too_many = await client.post(url, data={"text": "หลายรูป"}, files=many, headers=hx(client))
        assert too_many.status_code == 422 and "at most 5 files per reply" in too_many.text
        big = await client.post(
            url,
            data={"text": "รูปใหญ่"},
            files=[("photos", ("big.png", png() + b"\0" * (5 * 1024 * 1024), "image/png"))],
            headers=hx(client),
        )
        assert big.status_code == 422 and "big.png" in big.text
        assert replies(web_stack, number) == []
        with web_stack.sessions()() as s:
            assert s.scalar(select(Upload).where(Upload.scope == "staff:sikao", Upload.size > 5_000_000)) is None

        good = await client.post(
            url,
            data={"text": "แนบรูปและแผนงาน"},
            files=[("photos", ("lamp.png", png(), "image/png")), ("photos", ("แผน.pdf", PDF, "application/pdf"))],
            headers=hx(client),
        )
        assert good.status_code == 200, good.text
    (reply,) = replies(web_stack, number)
    with web_stack.sessions()() as s:
        kinds = {
            a.filename: a.content_type
            for a in s.scalars(select(Attachment).where(Attachment.tracking_number == number))
        }
    assert kinds == {"lamp.png": "image/png", "แผน.pdf": "application/pdf"}
    assert len(reply.data["attachments"]) == 2


async def test_the_json_api_reply_takes_no_files_by_hash(web_stack):
    """A reply over the JSON API naming a photo by its hash (another case's, perhaps) is refused; text is fine."""
    import httpx

    from api.settings import Settings, officer_tokens
    from tests.live import served
    from tests.web.conftest import SECRET

    number = await triage_case(web_stack)
    token = "sikao-conversation-token-0123456789abcdef"
    settings = Settings(
        database_url=web_stack.database_url,
        temporal_address=web_stack.gateway.client.service_client.config.target_host,
        task_queue=web_stack.gateway.task_queue,
        var_dir=web_stack.var_dir,
        secret=SECRET,
        dispatch_in_app=False,
        officer_tokens=officer_tokens(f"{token}:sikao.api:D9205"),
    )
    ref = {"sha256": "ab" * 32, "filename": "x.png", "content_type": "image/png", "size": 10}
    async with served(settings) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as api:
        auth = {"Authorization": f"Bearer {token}"}
        url = f"/api/complaints/{number}/actions/reply"
        refused = await api.post(url, json={"text": "ดูรูปนี้", "attachments": [ref]}, headers=auth)
        assert refused.status_code == 422 and "attach files from the case page" in refused.text
        assert replies(web_stack, number) == []
        ok = await api.post(url, json={"text": "รับทราบครับ"}, headers=auth)
        assert ok.status_code == 200, ok.text
    assert [e.note for e in replies(web_stack, number)] == ["รับทราบครับ"]
