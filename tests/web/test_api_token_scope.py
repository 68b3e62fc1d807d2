"""Officer API tokens act only within their center's scope, by the staff pages' own rule (issue 15 §2):
the scope matrix of tests/web/test_staff_security.py, on the JSON API. Each token (one per staff
account's center) posts a note on a case at its own center, a sibling district, its province and
another province; in scope answers 200, out of scope 404 (as the web, never 403), and nothing out of
scope reaches the workflow. A Krabi case with a Trang token was a 200 before scopes existed."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from api.settings import Settings, officer_tokens
from db.models import CaseEvent
from tests.live import served
from tests.web.conftest import ACCOUNTS, SECRET
from workflows import contracts as c

# The accounts' centers, one token each: token -> (name, center).
TOKENS = {f"{username}-api-token-0123456789abcdef": (f"{username}.api", center) for username, _, center in ACCOUNTS}
# Which token sees which case: (center the case is filed with or routed to) -> the token holders.
SEES = {
    "D9205": {"sikao", "trang", "moi", "dopa", "root"},
    "D9202": {"kantang", "trang", "moi", "dopa", "root"},
    "P92": {"trang", "moi", "dopa", "root"},
    "D8101": {"krabi", "moi", "dopa", "root"},
}
AREAS = {
    "D9205": dict(province_code="92", district_code="9205"),
    "D9202": dict(province_code="92", district_code="9202"),
    "P92": dict(province_code="92", district_code="9201", center_code="P92"),
    "D8101": dict(province_code="81", district_code="8101"),
}


@pytest.fixture(scope="module")
async def scoped_api(web_stack):
    """The app again on the same read model and task queue, with centered officer tokens."""
    raw = ",".join(f"{token}:{name}:{center}" for token, (name, center) in TOKENS.items())
    settings = Settings(
        database_url=web_stack.database_url,
        temporal_address=web_stack.gateway.client.service_client.config.target_host,
        task_queue=web_stack.gateway.task_queue,
        var_dir=web_stack.var_dir,
        secret=SECRET,
        dispatch_in_app=False,
        officer_tokens=officer_tokens(raw),
    )
    async with served(settings) as base_url:
        yield base_url


@pytest.fixture(scope="module")
async def api_cases(web_stack) -> dict[str, str]:
    numbers = {center: await web_stack.file(f"ขอความช่วยเหลือ โทเคน {center}", **area) for center, area in AREAS.items()}
    for center, number in numbers.items():
        row = await web_stack.wait_case(number, lambda r: r.status == c.TRIAGE)
        assert row.center_code == center
    return numbers


async def test_every_token_acts_on_exactly_its_centers_cases(web_stack, scoped_api, api_cases):
    async with httpx.AsyncClient(base_url=scoped_api, timeout=30) as client:
        for token, (name, _) in TOKENS.items():
            username = name.removesuffix(".api")
            for center, number in api_cases.items():
                r = await client.post(
                    f"/api/complaints/{number}/actions/note",
                    json={"text": f"บันทึกจาก {name}"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                expected = 200 if username in SEES[center] else 404
                assert r.status_code == expected, f"{name} -> {center} ({number}): {r.status_code} {r.text}"
    with web_stack.sessions()() as s:
        notes = s.execute(
            select(CaseEvent.tracking_number, CaseEvent.actor).where(
                CaseEvent.tracking_number.in_(api_cases.values()), CaseEvent.kind == "note"
            )
        ).all()
    by_number = {number: center for center, number in api_cases.items()}
    got = {(by_number[number], actor.removesuffix(".api")) for number, actor in notes}
    assert got == {(center, user) for center, users in SEES.items() for user in users}  # none out of scope


async def test_a_note_on_a_krabi_case_with_a_trang_token_is_a_404(web_stack, scoped_api, api_cases):
    trang = next(token for token, (name, _) in TOKENS.items() if name == "trang.api")
    krabi_case = api_cases["D8101"]
    async with httpx.AsyncClient(base_url=scoped_api, timeout=30) as client:
        r = await client.post(
            f"/api/complaints/{krabi_case}/actions/note",
            json={"text": "แอบบันทึก"},
            headers={"Authorization": f"Bearer {trang}"},
        )
        assert r.status_code == 404 and "ไม่พบ" in r.json()["detail"]
        # The same answer as a number that does not exist: scope does not reveal which numbers exist.
        missing = await client.post(
            "/api/complaints/2569-AAAAAA/actions/note",
            json={"text": "x"},
            headers={"Authorization": f"Bearer {trang}"},
        )
        assert missing.status_code == 404 and missing.json() == r.json()
        # The development token is not among this app's tokens.
        dev = await client.post(
            f"/api/complaints/{krabi_case}/actions/note",
            json={"text": "x"},
            headers={"Authorization": "Bearer dev-officer-token"},
        )
        assert dev.status_code == 401
