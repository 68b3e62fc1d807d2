"""`damrongdham-json`: our own protocol (docs/agency-protocol.md, schemas in docs/agency-protocol/).
`POST <api_base_url>/complaints` with a bearer token (the agency's credential) and an Idempotency-Key
that stays the same across the retries of one send, so the agency makes one case of them; the answer
carries the agency's reference. Contact details are in the body only when the citizen consented; photos
are links the agency can fetch until they expire. The agency reports back through our signed callback,
so there is nothing to poll."""

from __future__ import annotations

import httpx

from connectors.base import MISCONFIGURED, REJECTED, AgencyLink, ConnectorError, Parcel, Receipt, Status
from connectors.http import call, json_of
from workflows import contracts as c

NAME = "damrongdham-json"
PROTOCOL = "damrongdham-json/1"


def request_body(case: c.AgencySend, parcel: Parcel) -> dict:
    contact = parcel.contact
    return {
        "protocol": PROTOCOL,
        "tracking_number": case.tracking_number,
        "text": case.text,
        "category": case.category,
        "category_name": {"th": parcel.category_name_th, "en": parcel.category_name_en},
        "province_code": case.province_code,
        "district_code": case.district_code,
        "subdistrict_code": case.subdistrict_code,
        "anonymous": case.anonymous,
        "contact": (
            None if contact is None else {"name": contact.name, "phone": contact.phone, "email": contact.email}
        ),
        "attachments": [
            {
                "sha256": p.sha256,
                "filename": p.filename,
                "content_type": p.content_type,
                "size": p.size,
                "url": p.url,
                "expires_at": p.expires_at,
            }
            for p in parcel.photos
        ],
    }


class DamrongdhamJson:
    name = NAME

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def send(self, case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> Receipt:
        base = (agency.setting("base_url") or agency.base_url or "").rstrip("/")
        if not base:
            raise ConnectorError(MISCONFIGURED, f"agency {agency.code} has no API address")
        headers = {"Idempotency-Key": case.idempotency_key, "Authorization": f"Bearer {agency.secret()}"}
        resp = call(
            self.http, agency.code, "POST", f"{base}/complaints", json=request_body(case, parcel), headers=headers
        )
        answer = json_of(resp, agency.code)
        reference = answer.get("reference") if isinstance(answer, dict) else None
        if not isinstance(reference, str) or not reference.strip():
            raise ConnectorError(REJECTED, f"{agency.code} answered {resp.status_code} without a reference")
        return Receipt(reference=reference.strip()[:100])

    def poll(self, reference: str, agency: AgencyLink) -> list[Status]:
        return []  # the agency calls back (api/callbacks.py)
