"""FastAPI dependencies as named aliases: the request's database session, the workflow gateway, the
settings, the officer behind an API token (with the center whose scope they act in), the PIN throttle,
and the client address (`intake.clients`), also as "a client within its rate limit" for filing and
tracking (`intake.rates`; over it, 429)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from api.settings import OfficerToken, Settings
from intake.clients import client_address
from intake.pins import PinGuard
from intake.rates import FILING, TRACKING
from workflows.client import ComplaintGateway
from workflows.domain import tracking
from workflows.errors import InvalidInput

PIN_IN_URL = (
    "ส่งรหัส PIN ในส่วนหัว X-Tracking-Pin หรือในเนื้อคำขอ ห้ามใส่ใน URL / send the PIN in the X-Tracking-Pin header "
    "or in the request body, never in the URL"
)


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


def _gateway(request: Request) -> ComplaintGateway:
    return request.app.state.gateway


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _throttle(request: Request) -> PinGuard:
    return request.app.state.throttle


async def _client(request: Request) -> str:  # async: too small a job for the thread pool
    return client_address(request, request.app.state.settings.trusted_proxies)


def _within(kind: str):
    async def client_within_limit(request: Request) -> str:
        client = client_address(request, request.app.state.settings.trusted_proxies)
        request.app.state.rates.hit(kind, client)
        return client

    return client_within_limit


def _latin1_as_utf8(value: str | None) -> str:
    """A header typed in Thai arrives as its UTF-8 bytes read as Latin-1 (HTTP's header charset)."""
    try:
        return (value or "").encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value or ""


async def _pin(request: Request, x_tracking_pin: Annotated[str | None, Header(max_length=40)] = None) -> str:
    """The tracking PIN as typed, from the `X-Tracking-Pin` header only: "๑๒๓๔๕๖" is "123456". A PIN in
    the URL (`?pin=`) is refused: URLs end up in access logs, proxies' logs and browser histories."""
    if "pin" in request.query_params:
        raise InvalidInput(PIN_IN_URL)
    return tracking.normalise_pin(_latin1_as_utf8(x_tracking_pin))


def _officer(request: Request, authorization: Annotated[str | None, Header()] = None) -> OfficerToken:
    token = (authorization or "").removeprefix("Bearer ").strip()
    officer = request.app.state.settings.officer_tokens.get(token) if token else None
    if officer is None:
        raise HTTPException(
            401, "ต้องเข้าสู่ระบบเจ้าหน้าที่ / officer sign-in required", headers={"WWW-Authenticate": "Bearer"}
        )
    return officer


def _api_client(request: Request, x_api_key: Annotated[str | None, Header(max_length=200)] = None) -> str:
    """The partner system behind a JSON API call ("" when anonymous); an unknown key is refused."""
    if not x_api_key:
        return ""
    name = request.app.state.settings.api_clients.get(x_api_key.strip())
    if name is None:
        raise HTTPException(401, "API key ไม่ถูกต้อง / unknown API key", headers={"WWW-Authenticate": "ApiKey"})
    return name


SessionDep = Annotated[Session, Depends(_session)]
GatewayDep = Annotated[ComplaintGateway, Depends(_gateway)]
SettingsDep = Annotated[Settings, Depends(_settings)]
CurrentOfficer = Annotated[OfficerToken, Depends(_officer)]
ThrottleDep = Annotated[PinGuard, Depends(_throttle)]
ClientDep = Annotated[str, Depends(_client)]
FilingClient = Annotated[str, Depends(_within(FILING))]  # a filing's client, within its filing rate
TrackingClient = Annotated[str, Depends(_within(TRACKING))]
WithinFilingRate = Depends(_within(FILING))  # for a filing route's `dependencies`: 429 over the rate
PinDep = Annotated[str, Depends(_pin)]
ApiClientDep = Annotated[str, Depends(_api_client)]
