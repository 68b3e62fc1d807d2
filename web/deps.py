"""The staff front's request dependencies as named aliases: the read-model session and the workflow
gateway (the same objects the app's lifespan opened; `web` never imports `api`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from workflows.client import ComplaintGateway


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


def _gateway(request: Request) -> ComplaintGateway:
    return request.app.state.gateway


DbSession = Annotated[Session, Depends(_session)]
Gateway = Annotated[ComplaintGateway, Depends(_gateway)]
