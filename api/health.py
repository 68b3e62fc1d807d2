"""`GET /health`: 200 only when both the read model and Temporal answer, else 503 naming what is down."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from db import queries

router = APIRouter(tags=["health"])


def _database_ok(request: Request) -> bool:
    try:
        with request.app.state.sessions() as s:
            queries.ping(s)
        return True
    except Exception:  # any failure means "not reachable"; the body says which part is down
        return False


async def _temporal_ok(request: Request) -> bool:
    try:
        await asyncio.wait_for(request.app.state.temporal.service_client.check_health(), timeout=3)
        return True
    except Exception:
        return False


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    database, temporal = await run_in_threadpool(_database_ok, request), await _temporal_ok(request)
    ok = database and temporal
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "database": database, "temporal": temporal},
        status_code=200 if ok else 503,
    )
