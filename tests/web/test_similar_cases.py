"""Similar complaints together on the staff front (real app, dev server, worker, SQLite read model):
the case page's panel finds the open case of the same area and category about the same spot and not
a different problem; an officer links a case to it and unlinks it through the workflows; a
supervisor's board lists the cluster; officers outside the area see neither the panel nor the lead."""

from __future__ import annotations

import re

import pytest

POLE = "เสาไฟฟ้าล้มขวางถนนหน้าวัดควนโพธิ์ บ้านนาเมือง รถผ่านไม่ได้"
POLE_AGAIN = "เสาไฟฟ้าล้มขวางถนน หน้าวัดควนโพธิ์ รถผ่านไม่ได้เลย ช่วยด้วย"
OTHER = "ท่อประปาแตกน้ำไหลนองหน้าตลาดสดเทศบาล"


def hx(client) -> dict[str, str]:
    return {"X-CSRF-Token": client.csrf, "HX-Request": "true"}


@pytest.fixture(scope="module")
async def three(web_stack) -> tuple[str, str, str]:
    numbers = [await web_stack.file(t, category="infrastructure") for t in (POLE, POLE_AGAIN, OTHER)]
    for n in numbers:
        await web_stack.wait_case(n, lambda row: row.agency_code is not None)
    return tuple(numbers)


def matches(html: str) -> list[str]:
    block = html.split('id="similar-matches"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-case="([^"]+)"', block)


async def test_the_panel_finds_the_same_spot_and_a_link_goes_through_the_workflows(web_stack, three):
    lead, follower, other = three
    async with web_stack.signed_in("sikao") as officer:
        page = await officer.get(f"/cases/{follower}")
        assert f'hx-get="/cases/{follower}/similar"' in page.text
        panel = await officer.get(f"/cases/{follower}/similar", headers={"HX-Request": "true"})
        assert panel.status_code == 200 and "<html" not in panel.text
        found = matches(panel.text)
        assert lead in found and other not in found
        whole = await officer.get(f"/cases/{follower}/similar")
        assert "<html" in whole.text and lead in whole.text

        r = await officer.post(
            f"/cases/{follower}/actions/link_lead", data={"lead": lead, "csrf_token": officer.csrf}, headers=hx(officer)
        )
        assert r.status_code == 200, r.text
        await web_stack.wait_case(follower, lambda row: row.lead_tracking_number == lead)
        lead_panel = await officer.get(f"/cases/{lead}/similar", headers={"HX-Request": "true"})
        assert follower in lead_panel.text.split('id="similar-followers"', 1)[1].split("</ul>", 1)[0]
        follower_panel = await officer.get(f"/cases/{follower}/similar", headers={"HX-Request": "true"})
        assert 'id="similar-lead"' in follower_panel.text and "unlink_lead" in follower_panel.text

        refused = await officer.post(
            f"/cases/{lead}/actions/link_lead", data={"lead": other, "csrf_token": officer.csrf}, headers=hx(officer)
        )
        assert refused.status_code == 422 and "refusal" in refused.text  # a lead cannot follow

    async with web_stack.signed_in("trang") as supervisor:
        board = await supervisor.get("/board/clusters", headers={"HX-Request": "true"})
        row = board.text.split(f'data-lead="{lead}"', 1)[1].split("</tr>", 1)[0]
        assert "<td>2</td><td>2</td>" in row  # the lead and its follower, both open
        assert 'hx-get="/board/clusters"' in (await supervisor.get("/board")).text
    async with web_stack.signed_in("sikao") as officer:
        assert (await officer.get("/board/clusters")).status_code == 403
        r = await officer.post(
            f"/cases/{follower}/actions/unlink_lead",
            data={"reason": "คนละต้นกัน", "csrf_token": officer.csrf},
            headers=hx(officer),
        )
        assert r.status_code == 200, r.text
        await web_stack.wait_case(follower, lambda row: row.lead_tracking_number is None)
    async with web_stack.signed_in("trang") as supervisor:
        board = await supervisor.get("/board/clusters", headers={"HX-Request": "true"})
        assert f'data-lead="{lead}"' not in board.text


async def test_other_provinces_see_no_panel_and_cannot_lead(web_stack, three):
    lead, follower, _ = three
    krabi_case = await web_stack.file(POLE, category="infrastructure", province_code="81", district_code="8101")
    await web_stack.wait_case(krabi_case, lambda row: row.agency_code is not None)
    async with web_stack.signed_in("krabi") as krabi:
        assert (await krabi.get(f"/cases/{lead}/similar")).status_code == 404
        panel = await krabi.get(f"/cases/{krabi_case}/similar", headers={"HX-Request": "true"})
        assert lead not in panel.text  # another district's case is never offered
    async with web_stack.signed_in("sikao") as officer:
        r = await officer.post(
            f"/cases/{follower}/actions/link_lead",
            data={"lead": krabi_case, "csrf_token": officer.csrf},
            headers=hx(officer),
        )
        assert r.status_code == 404
