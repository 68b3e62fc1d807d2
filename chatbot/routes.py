"""The chat front's HTTP surface: the channel-neutral JSON endpoint, the web chat page and the LINE
webhook. `start(app)` and `stop(app)` run in the app's lifespan, after the read model and the gateway
are open."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

router = APIRouter()


async def start(app: FastAPI) -> None:
    return None


async def stop(app: FastAPI) -> None:
    return None
