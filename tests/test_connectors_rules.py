"""The connectors' rules without a server: how an Open311 status becomes an agency event, which
connector an agency row speaks (a linked row from before migration 0016 speaks our JSON protocol), how
signed photo links survive a key rotation and refuse tampering, and what an SMTP failure means for the
send (retry or give up)."""

from __future__ import annotations

import pytest

from connectors.base import MISCONFIGURED, REJECTED, UNAVAILABLE, UNREACHABLE, AgencyLink, ConnectorError
from connectors.email import failure
from connectors.open311 import service_code, status_of
from connectors.registry import connector_name
from db.models import Agency
from db.photo_links import BadPhotoLink, PhotoGrant, link_keys, sign, verify
from letters.mail import MailAuthRefused, MailRefused, MailSettingsError, MailUnreachable

T0, T1 = "2026-12-05T09:00:00+07:00", "2026-12-06T10:00:00+07:00"


def test_open311_statuses_become_agency_events_once_each():
    untouched = {"status": "open", "requested_datetime": T0, "updated_datetime": T0}
    assert status_of("R1", untouched) == []
    (ack,) = status_of("R1", {**untouched, "updated_datetime": T1})
    assert ack.kind == "acknowledged" and ack.reference == "R1"
    (progress,) = status_of("R1", {**untouched, "updated_datetime": T1, "status_notes": "ส่งช่างแล้ว"})
    assert progress.kind == "progress" and progress.note == "ส่งช่างแล้ว"
    (closed,) = status_of("R1", {**untouched, "status": "closed", "updated_datetime": T1})
    assert closed.kind == "resolved" and closed.note
    again = status_of("R1", {**untouched, "updated_datetime": T1, "status_notes": "ส่งช่างแล้ว"})
    assert again[0].event_id == progress.event_id, "the same account polled twice is one event"
    assert len({ack.event_id, progress.event_id, closed.event_id}) == 3
    assert status_of("R1", {"status": "archived"}) == []


def test_open311_service_code_comes_from_the_category_or_the_default():
    agency = AgencyLink("PAO-92", "x", "x", "open311", {"service_codes": {"infrastructure": "pothole"}})
    assert service_code("infrastructure", agency) == "pothole"
    with pytest.raises(ConnectorError) as err:
        service_code("nuisance", agency)
    assert err.value.kind == MISCONFIGURED and not err.value.retryable
    fallback = AgencyLink("PAO-92", "x", "x", "open311", {"default_service_code": "other"})
    assert service_code("nuisance", fallback) == "other"


def test_which_connector_an_agency_row_speaks():
    def row(**kw) -> Agency:
        return Agency(code="x", linked=kw.pop("linked", False), connector=kw.pop("connector", None), **kw)

    assert connector_name(row(connector="open311", linked=True)) == "open311"
    assert connector_name(row(linked=True, api_base_url="http://a")) == "damrongdham-json"
    assert connector_name(row(linked=False, api_base_url="http://a")) == ""
    assert connector_name(row(linked=True)) == ""


def test_photo_links_verify_under_any_current_key_and_refuse_tampering():
    old, new = link_keys([b"k" * 32, b"n" * 32])[1], link_keys([b"k" * 32])[0]
    grant = PhotoGrant("ocpb", "2569-K7QH2M", "a" * 64, 2_000)
    token = sign(old, grant)
    assert verify([new, old], token, now=1_000) == grant, "a rotated-out key still verifies until expiry"
    with pytest.raises(BadPhotoLink) as err:
        verify([new], token, now=1_000)
    assert not err.value.expired
    with pytest.raises(BadPhotoLink) as err:
        verify([old], token, now=2_000)
    assert err.value.expired
    body, sig = token.split(".")
    other = sign(old, PhotoGrant("ocpb", "2569-XXXXXX", "a" * 64, 2_000)).split(".")[0]
    for bad in (f"{other}.{sig}", "", "no-dot", f"{body}.", "%%%.%%%"):
        with pytest.raises(BadPhotoLink):
            verify([old], bad, now=1_000)


def test_smtp_failures_are_retried_or_final_as_the_server_meant():
    assert failure("PH-92", MailUnreachable("down")).kind == UNREACHABLE
    assert failure("PH-92", MailRefused("greylisted", 451)).kind == UNAVAILABLE
    assert failure("PH-92", MailRefused("no such mailbox", 550)).kind == REJECTED
    assert failure("PH-92", MailAuthRefused("bad password", 535)).kind == MISCONFIGURED
    assert failure("PH-92", MailSettingsError("no address")).kind == MISCONFIGURED
    assert failure("PH-92", MailRefused("greylisted", 451)).retryable
    assert not failure("PH-92", MailRefused("no such mailbox", 550)).retryable
