"""FastAPI dependencies as named aliases: the request's database session, the workflow gateway, the
settings and the signed-in officer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from api.settings import Settings
from api.throttle import PinThrottle
from workflows.client import ComplaintGateway


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


def _gateway(request: Request) -> ComplaintGateway:
    return request.app.state.gateway


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _throttle(request: Request) -> PinThrottle:
    return request.app.state.throttle


def _officer(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    token = (authorization or "").removeprefix("Bearer ").strip()
    name = request.app.state.settings.officer_tokens.get(token)
    if not token or name is None:
        raise HTTPException(
            401, "ต้องเข้าสู่ระบบเจ้าหน้าที่ / officer sign-in required", headers={"WWW-Authenticate": "Bearer"}
        )
    return name


SessionDep = Annotated[Session, Depends(_session)]
GatewayDep = Annotated[ComplaintGateway, Depends(_gateway)]
SettingsDep = Annotated[Settings, Depends(_settings)]
CurrentOfficer = Annotated[str, Depends(_officer)]
ThrottleDep = Annotated[PinThrottle, Depends(_throttle)]
