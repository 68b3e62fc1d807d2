"""The staff front: login, the officers' inbox, the case page and the supervisors' board, served as
Jinja pages and htmx fragments. `start(app)` and `stop(app)` run in the app's lifespan, after the read
model and the gateway are open."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

router = APIRouter()


async def start(app: FastAPI) -> None:
    return None


async def stop(app: FastAPI) -> None:
    return None
