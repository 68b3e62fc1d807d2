"""Linking through the JSON API (`POST /api/complaints/{number}/actions/link_lead` and `unlink_lead`):
the same updates as the staff pages, the lead checked like the case (well-formed, within the token's
scope, open and not itself a follower), typed refusals."""

from __future__ import annotations

import asyncio

from tests.test_api import BODY, OFFICER, track


async def filed(api) -> str:
    """A filing routed to its agency, so the read model holds it."""
    got = (await api.post("/api/complaints", json=BODY)).json()
    for _ in range(200):
        if (await track(api, got["tracking_number"], got["pin"])).get("agency"):
            break
        await asyncio.sleep(0.1)
    return got["tracking_number"]


async def test_linking_and_unlinking_over_the_api(api):
    lead, follower = await filed(api), await filed(api)
    link = f"/api/complaints/{follower}/actions/link_lead"
    assert (await api.post(link, json={"lead": "not a number"}, headers=OFFICER)).status_code == 404
    assert (await api.post(link, json={"lead": "2569-ZZZZZZ"}, headers=OFFICER)).status_code == 404
    r = await api.post(link, json={"lead": lead.lower(), "note": "ต้นเดียวกัน"}, headers=OFFICER)
    assert r.status_code == 200, r.text
    back = await api.post(f"/api/complaints/{lead}/actions/link_lead", json={"lead": follower}, headers=OFFICER)
    assert back.status_code == 422, back.text  # a follower cannot lead
    unlink = f"/api/complaints/{follower}/actions/unlink_lead"
    assert (await api.post(unlink, json={"reason": ""}, headers=OFFICER)).status_code == 422
    assert (await api.post(unlink, json={"reason": "คนละต้น"}, headers=OFFICER)).status_code == 200
    assert (await api.post(unlink, json={"reason": "อีกครั้ง"}, headers=OFFICER)).status_code == 422
