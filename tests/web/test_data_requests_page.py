"""The staff's page of data subjects' requests (PDPA): an officer files an access request for a
citizen whose identity they checked, sees it listed with its 30-day due date, fulfils it and reads
the answer to hand over; a request needs the identity check written down; another province's officer
neither sees the request nor can file one on the case (404)."""

from __future__ import annotations

import re

from db import staff
from db.models import PersonalData


async def test_an_officer_files_and_fulfils_an_access_request_for_a_checked_citizen(web_stack):
    number = await web_stack.file("ถนนในหมู่บ้านพังเสียหายหนัก ขอให้ซ่อม")
    await web_stack.wait_case(number, lambda row: row.center_code is not None)
    with web_stack.sessions()() as s:
        name = s.get(PersonalData, number).name
    async with web_stack.signed_in("sikao") as client:
        headers = {"X-CSRF-Token": client.csrf}
        missing = await client.post(
            "/data-requests", data={"kind": "access", "tracking_number": number}, headers=headers
        )
        assert missing.status_code == 422 and "identity" in missing.text
        r = await client.post(
            "/data-requests",
            data={"kind": "access", "tracking_number": number, "identity_note": "เห็นบัตรประชาชนตัวจริง"},
            headers=headers,
        )
        assert r.status_code == 303, r.text
        page = r.headers["location"]
        request_id = page.rsplit("/", 1)[-1]
        listing = await client.get("/data-requests")
        assert request_id in listing.text and number in listing.text
        nul = await client.post(f"{page}/refuse", data={"reason": "มาตรา 33\x00"}, headers=headers)
        assert nul.status_code == 422, "a reason the read model cannot hold is refused before it enters history"
        assert (await client.post(f"{page}/fulfil", headers=headers)).status_code == 303
        shown = await client.get(page)
        assert shown.status_code == 200 and 'id="request-answer"' in shown.text and name in shown.text
        assert re.search(r'id="request-status">fulfilled<', shown.text)
        with web_stack.sessions()() as s:
            logged = {r.field for r in staff.reveals(s, number) if r.username == "sikao"}
        assert {"name", "phone", "national_id"} <= logged, "showing the answer is a logged reveal"
        again = await client.post(f"{page}/refuse", data={"reason": "ช้าเกินไป"}, headers=headers)
        assert again.status_code == 409, "a decided request takes no second decision"
        for odd in ("2569-\x00BCDEF", "๒๕๖๙"):  # PostgreSQL holds no NUL: not a number is a 404, never a 500
            r = await client.post(
                "/data-requests",
                data={"kind": "access", "tracking_number": odd, "identity_note": "บัตร"},
                headers=headers,
            )
            assert r.status_code == 404
        assert (await client.get("/data-requests/DR-%00")).status_code == 400  # the door refuses a NUL in a URL
    async with web_stack.signed_in("krabi") as client:
        assert (await client.get(page)).status_code == 404
        elsewhere = await client.post(
            "/data-requests",
            data={"kind": "erasure", "tracking_number": number, "identity_note": "บัตร"},
            headers={"X-CSRF-Token": client.csrf},
        )
        assert elsewhere.status_code == 404
