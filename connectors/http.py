"""What an HTTP answer means to a connector: a transport error or a 408, 429 or 5xx is worth trying
again (`AgencyUnreachable`, `AgencyUnavailable`), any other 4xx is the agency refusing the case
(`AgencyRejected`, final). Shared by the JSON and Open311 connectors."""

from __future__ import annotations

import httpx

from connectors.base import REJECTED, UNAVAILABLE, UNREACHABLE, ConnectorError


def call(http: httpx.Client, code: str, method: str, url: str, missing_ok: bool = False, **kw) -> httpx.Response:
    """The answer, or the `ConnectorError` it means; with `missing_ok` a 404 is an answer too."""
    try:
        resp = http.request(method, url, **kw)
    except httpx.HTTPError as err:
        raise ConnectorError(UNREACHABLE, f"{code} unreachable: {type(err).__name__}: {err}") from err
    if resp.status_code in (408, 429) or resp.status_code >= 500:
        raise ConnectorError(UNAVAILABLE, f"{code} answered {resp.status_code}")
    if resp.status_code == 404 and missing_ok:
        return resp
    if resp.status_code >= 400:
        raise ConnectorError(REJECTED, f"{code} refused the case: {resp.status_code} {resp.text[:200]}")
    return resp


def json_of(resp: httpx.Response, code: str):
    """The answer's JSON, or a refusal: an agency that says yes in a shape we cannot read has not
    given us a reference we could ever quote."""
    try:
        return resp.json()
    except ValueError as err:
        raise ConnectorError(REJECTED, f"{code} answered {resp.status_code} with no JSON: {resp.text[:200]}") from err
