"""Similar complaints together (issue 14 part 5) on the time-skipping server, projected into a real
SQLite read model: officers link cases to a leading case and unlink them; the lead's progress and
result reach every linked citizen under their own tracking number; a lead that ends without a result
sets its followers free with a task."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import OutboxMessage
from tests.conftest import running_worker
from tests.support import EndingGateway
from tests.test_complaint_lifecycle import (
    SECRET,
    case_row,
    draft,
    open_tasks,
    outbox_kinds,
    read,
    status_is,
    until,
)
from workflows import contracts as c
from workflows.errors import InvalidInput, InvalidTransition

POTHOLE = "ถนนหน้าบ้านเป็นหลุมเป็นบ่อ รถล้มบ่อยมาก ซอยเดียวกัน"


@pytest.fixture
async def world(time_env, sqlite_url, fake_agency):
    fake_agency.mode = "ok"
    async with running_worker(time_env.client, sqlite_url) as queue:
        gw = EndingGateway(time_env.client, SECRET, queue)
        yield time_env, gw, sqlite_url
        await gw.end_all()


def lead_of(url: str, number: str):
    return lambda: (row := case_row(url, number)) is not None and row.lead_tracking_number


def result_texts(url: str, number: str) -> list[str]:
    return read(
        url,
        lambda s: [
            m.text_th
            for m in s.scalars(
                select(OutboxMessage).where(OutboxMessage.tracking_number == number, OutboxMessage.kind == "result")
            )
        ],
    )


async def filed_three(gw, url):
    numbers = [(await gw.file(draft(POTHOLE), None)).tracking_number for _ in range(3)]
    for n in numbers:
        await until(lambda n=n: "forward_letter" in open_tasks(url, n))
    return numbers


async def test_linked_citizens_hear_the_leads_progress_and_result_under_their_own_numbers(world):
    env, gw, url = world
    lead, one, two = await filed_three(gw, url)
    await gw.link_to_lead(one, c.LeadLink("officer.a", lead, "same pothole"))
    await gw.link_to_lead(two, c.LeadLink("officer.a", lead.lower()))
    assert await until(lead_of(url, one)) == lead and await until(lead_of(url, two)) == lead
    assert (await gw.status(lead)).followers == [one, two]

    await gw.act(lead, "forward", c.ForwardRecord("officer.a", reference="ตง 0017/9", sent_on="2026-11-23"))
    await gw.act(lead, "record_progress", c.ProgressRecord("officer.a", "อบจ. ส่งช่างสำรวจแล้ว"))
    for n in (one, two):
        await until(status_is(url, n, c.IN_PROGRESS))
        assert "progress" in outbox_kinds(url, n)
    await gw.act(lead, "resolve", c.ResolutionRecord("officer.a", "ซ่อมถนนเรียบร้อย"))
    for n in (lead, one, two):
        await until(status_is(url, n, c.RESOLVED))
        texts = await until(lambda n=n: result_texts(url, n))
        assert len(texts) == 1 and "ซ่อมถนนเรียบร้อย" in texts[0]
        assert n in texts[0], "each citizen hears about their own case, by its own number"
    # each citizen still rates their own case; the follower closes on its own rating
    await gw.signal(one, "rate", c.Rating(4, ""))
    await until(status_is(url, one, c.CLOSED))
    assert case_row(url, two).status == c.RESOLVED


async def test_unlinking_stops_the_leads_news_and_refusals_say_why(world):
    env, gw, url = world
    lead, one, two = await filed_three(gw, url)
    with pytest.raises(InvalidInput):
        await gw.act(one, "link_lead", c.LeadLink("officer.a", one))
    with pytest.raises(InvalidInput):
        await gw.link_to_lead(one, c.LeadLink("officer.a", "XX-0000-0000"))
    await gw.link_to_lead(one, c.LeadLink("officer.a", lead))
    await until(lead_of(url, one))
    assert "forward_letter" not in open_tasks(url, one), "the lead's letter serves its followers"
    with pytest.raises(InvalidInput):  # one level only: a follower cannot lead
        await gw.link_to_lead(two, c.LeadLink("officer.a", one))
    with pytest.raises(InvalidInput):  # a lead cannot follow
        await gw.act(lead, "link_lead", c.LeadLink("officer.a", two))
    with pytest.raises(InvalidInput):
        await gw.act(one, "unlink_lead", c.LeadUnlink("officer.a", " "))
    await gw.act(one, "unlink_lead", c.LeadUnlink("officer.a", "คนละจุดกัน"))
    await until(lambda: case_row(url, one).lead_tracking_number is None)
    assert (await gw.status(lead)).followers == []
    assert "forward_letter" in open_tasks(url, one), "on its own again, it needs its own letter"
    with pytest.raises(InvalidInput):
        await gw.act(one, "unlink_lead", c.LeadUnlink("officer.a", "again"))

    await gw.act(lead, "forward", c.ForwardRecord("officer.a", reference="ตง 0017/10", sent_on="2026-11-23"))
    await gw.act(lead, "resolve", c.ResolutionRecord("officer.a", "ซ่อมแล้ว"))
    await until(status_is(url, lead, c.RESOLVED))
    assert case_row(url, one).status == c.RECEIVED and result_texts(url, one) == []
    with pytest.raises(InvalidTransition):  # a resolved case is no lead to join
        await gw.link_to_lead(two, c.LeadLink("officer.a", lead))


async def test_a_lead_rejected_sets_its_followers_free_with_a_task(world):
    env, gw, url = world
    lead, one, _ = await filed_three(gw, url)
    await gw.link_to_lead(one, c.LeadLink("officer.a", lead))
    await until(lead_of(url, one))
    await gw.act(lead, "reject", c.Rejection("officer.a", "ซ้ำกับเรื่องอื่น"))
    await until(lambda: case_row(url, one).lead_tracking_number is None)
    assert {"follow_up", "forward_letter"} <= set(open_tasks(url, one))
    assert case_row(url, one).status == c.RECEIVED


async def test_a_follower_that_withdrew_does_not_stop_its_lead(world):
    env, gw, url = world
    lead, one, two = await filed_three(gw, url)
    await gw.link_to_lead(one, c.LeadLink("officer.a", lead))
    await gw.link_to_lead(two, c.LeadLink("officer.a", lead))
    await until(lead_of(url, two))
    await gw.signal(one, "withdraw", c.Withdrawal("ซ่อมเองแล้ว"))
    await until(status_is(url, one, c.WITHDRAWN))
    await gw.act(lead, "forward", c.ForwardRecord("officer.a", reference="ตง 0017/11", sent_on="2026-11-23"))
    await gw.act(lead, "resolve", c.ResolutionRecord("officer.a", "ซ่อมแล้ว"))
    await until(status_is(url, two, c.RESOLVED))
    assert (await gw.status(lead)).status == c.RESOLVED
    assert case_row(url, one).status == c.WITHDRAWN and result_texts(url, one) == []
