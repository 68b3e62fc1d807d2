"""`open311`: a GeoReport v2 client, so an agency running any Open311 server is a linked agency.
Sending is `POST <endpoint>/requests.json`, form-encoded as the specification says, with the agency's
credential as `api_key` and the `service_code` that `connector_settings.service_codes` maps our category
to (or `default_service_code`). The server answers with a `service_request_id`, or with a `token`
that `tokens/{token}.json` later turns into one: we ask a few times at once and otherwise keep
"token:<token>" as the reference and resolve it when polling. Status comes by polling
`GET <endpoint>/requests/{id}.json`: open and untouched is nothing new, open and updated is the
agency's acknowledgement or progress, closed is resolved. GeoReport v2 has no idempotency key, so a
send retried after a lost answer can make a second request on the server (docs/agency-protocol.md)."""

from __future__ import annotations

import hashlib
import time

import httpx

from connectors.base import MISCONFIGURED, REJECTED, AgencyLink, ConnectorError, Parcel, Receipt, Status
from connectors.http import call, json_of
from workflows import contracts as c

NAME = "open311"
TOKEN = "token:"


def _endpoint(agency: AgencyLink) -> str:
    endpoint = (agency.setting("endpoint") or agency.base_url or "").rstrip("/")
    if not endpoint:
        raise ConnectorError(MISCONFIGURED, f"{agency.code}: connector setting 'endpoint' is not set")
    return endpoint


def service_code(category: str | None, agency: AgencyLink) -> str:
    codes = agency.setting("service_codes") or {}
    code = (codes.get(category or "") if isinstance(codes, dict) else None) or agency.setting("default_service_code")
    if not code:
        raise ConnectorError(
            MISCONFIGURED, f"{agency.code}: no Open311 service_code for category '{category}' in service_codes"
        )
    return str(code)


def request_form(case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> dict[str, str]:
    """The POST body's fields (GeoReport v2 `POST Service Request`)."""
    form = {
        "api_key": agency.secret(),
        "service_code": service_code(case.category, agency),
        "description": f"{case.text}\n\n(ศูนย์ดำรงธรรม เรื่องเลขที่ / Damrongdham case {case.tracking_number})",
    }
    if agency.setting("jurisdiction_id"):
        form["jurisdiction_id"] = str(agency.setting("jurisdiction_id"))
    # We know the area by its codes, not a point: the district and province names are the location.
    address = parcel.area_name or agency.setting("address_string") or ""
    if address:
        form["address_string"] = address
    contact = parcel.contact
    if contact is not None:
        first, _, last = contact.name.strip().partition(" ")
        extra = {"first_name": first, "last_name": last.strip(), "phone": contact.phone, "email": contact.email}
        form.update({k: v for k, v in extra.items() if v})
    if parcel.photos:  # the specification has one media_url; the rest are listed in the description
        form["media_url"] = parcel.photos[0].url
        if len(parcel.photos) > 1:
            form["description"] += "\n" + "\n".join(p.url for p in parcel.photos[1:])
    return form


def _first(answer, code: str) -> dict:
    if isinstance(answer, list) and answer and isinstance(answer[0], dict):
        return answer[0]
    if isinstance(answer, dict):  # some servers answer one object instead of a list of one
        return answer
    raise ConnectorError(REJECTED, f"{code} answered with no service request")


class Open311:
    name = NAME

    def __init__(self, http: httpx.Client, token_tries: int = 3, token_pause: float = 1.0) -> None:
        self.http = http
        self.token_tries = token_tries
        self.token_pause = token_pause

    def send(self, case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> Receipt:
        endpoint = _endpoint(agency)
        form = request_form(case, agency, parcel)
        resp = call(self.http, agency.code, "POST", f"{endpoint}/requests.json", data=form)
        got = _first(json_of(resp, agency.code), agency.code)
        if got.get("service_request_id"):
            return Receipt(reference=str(got["service_request_id"])[:100])
        token = str(got.get("token") or "")
        if not token:
            raise ConnectorError(REJECTED, f"{agency.code} answered with neither service_request_id nor token")
        for attempt in range(self.token_tries):
            found = self._from_token(endpoint, token, agency)
            if found:
                return Receipt(reference=found)
            if attempt + 1 < self.token_tries:
                time.sleep(self.token_pause)
        return Receipt(reference=f"{TOKEN}{token}"[:100])

    def _from_token(self, endpoint: str, token: str, agency: AgencyLink) -> str:
        params = self._params(agency)
        resp = call(self.http, agency.code, "GET", f"{endpoint}/tokens/{token}.json", missing_ok=True, params=params)
        if resp.status_code == 404:  # some servers know a token only once its request exists
            return ""
        got = _first(json_of(resp, agency.code), agency.code)
        return str(got.get("service_request_id") or "")[:100]

    def _params(self, agency: AgencyLink) -> dict[str, str]:
        params = {}
        if agency.setting("jurisdiction_id"):
            params["jurisdiction_id"] = str(agency.setting("jurisdiction_id"))
        # GeoReport reads need no key, but some servers show a client only its own non-public requests
        # (ours does): `poll_with_api_key` sends it, knowing a query string may end up in their logs.
        if agency.setting("poll_with_api_key"):
            params["api_key"] = agency.secret()
        return params

    def poll(self, reference: str, agency: AgencyLink) -> list[Status]:
        endpoint = _endpoint(agency)
        request_id = reference
        if reference.startswith(TOKEN):
            request_id = self._from_token(endpoint, reference[len(TOKEN) :], agency)
            if not request_id:
                return []  # the server has not made the request yet
        resp = call(
            self.http, agency.code, "GET", f"{endpoint}/requests/{request_id}.json", params=self._params(agency)
        )
        got = _first(json_of(resp, agency.code), agency.code)
        return status_of(request_id, got)


def status_of(request_id: str, got: dict) -> list[Status]:
    """GeoReport's status of one request as our agency event, or nothing while it is untouched."""
    status = str(got.get("status") or "").lower()
    notes = str(got.get("status_notes") or "").strip()
    updated = str(got.get("updated_datetime") or "")
    # Every distinct account (status, time, notes) gets its own id: polled again, it is the same event.
    digest = hashlib.sha256(f"{status}\x1f{updated}\x1f{notes}".encode()).hexdigest()[:16]
    event_id = f"open311:{request_id}:{digest}"
    if status == "closed":
        return [Status("resolved", event_id, notes or "ปิดเรื่องแล้ว / closed", reference=request_id)]
    if status != "open":
        return []
    requested = str(got.get("requested_datetime") or "")
    if not notes and (not updated or updated == requested):
        return []  # open and untouched: received, nobody has looked at it yet
    return [Status("progress" if notes else "acknowledged", event_id, notes, reference=request_id)]
