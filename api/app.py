"""The app factory: composes the JSON API the chat and the officer inbox, serves web/static, opens
the read model and the Temporal connection in the lifespan, and maps typed errors to 4xx responses with
a message in Thai and English. `uvicorn api.app:create_app --factory` serves it."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

import chatbot.routes
import web.routes
from api import actions, agency_cases, agency_photos, callbacks, complaints, data_requests, directory, health, open311
from api.access_log import install as keep_access_log_private
from api.door import DoorLimits
from api.security import SecurityHeaders
from api.settings import Settings
from api.throttle import install_throttles, pin_guard
from db import filings
from db.session import filings_url, make_engine, make_sessions
from intake.dispatcher import FilingDispatcher
from intake.housekeeping import sweep_forever
from workflows.client import ComplaintGateway, connect
from workflows.errors import CaseError, Unavailable

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
INVALID = "ข้อมูลไม่ถูกต้อง / invalid input"
DOWN = "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง / the service is briefly unavailable; please try again"
RETRY_AFTER = "5"  # seconds: a database or Temporal restart takes about that long


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    keep_access_log_private()  # no PIN or chat session in uvicorn's access log

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(settings.database_url)
        queue_url = filings_url(settings.database_url)
        queue = make_engine(queue_url) if queue_url != settings.database_url else engine
        if queue is not engine:
            filings.ensure_schema(queue)
        app.state.settings = settings
        app.state.sessions = make_sessions(engine)
        app.state.filing_sessions = make_sessions(queue)
        app.state.throttle = pin_guard(app.state.sessions, settings)  # wrong PINs counted in the read model
        app.state.temporal = await connect(settings.temporal_address, settings.temporal_namespace)
        app.state.gateway = ComplaintGateway(app.state.temporal, settings.secret, settings.task_queue)
        app.state.dispatcher, dispatching = None, None
        if settings.dispatch_in_app:
            app.state.dispatcher = FilingDispatcher(
                app.state.filing_sessions, app.state.gateway, read_model=app.state.sessions
            )
            dispatching = asyncio.create_task(app.state.dispatcher.run())
        await chatbot.routes.start(app)
        await web.routes.start(app)
        sweeping = asyncio.create_task(
            sweep_forever(app.state.sessions, app.state.filing_sessions, settings.upload_dir, app.state.throttle)
        )
        try:
            yield
        finally:
            sweeping.cancel()
            await web.routes.stop(app)
            await chatbot.routes.stop(app)
            if dispatching is not None:
                dispatching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await dispatching
            engine.dispose()
            queue.dispose()

    app = FastAPI(
        title="Damrongdham complaints",
        version="0.1.0",
        lifespan=lifespan,
        description="ศูนย์ดำรงธรรม: file, track and act on complaints.",
    )
    install_throttles(app, settings)
    for module in (
        complaints,
        actions,
        callbacks,
        agency_cases,
        agency_photos,
        data_requests,
        directory,
        health,
        open311,
        chatbot.routes,
        web.routes,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(DoorLimits, settings=settings)
    app.add_middleware(SecurityHeaders, production=settings.production)  # outermost: on every answer

    @app.exception_handler(CaseError)
    async def _case_error(_: Request, err: CaseError) -> JSONResponse:
        headers = {"Retry-After": RETRY_AFTER} if isinstance(err, Unavailable) else None
        return JSONResponse({"detail": err.message}, status_code=err.status_code, headers=headers)

    @app.exception_handler(DBAPIError)
    async def _database_down(_: Request, err: DBAPIError) -> JSONResponse:
        # Only a lost or refused connection is the database being down; any other database error is
        # a bug (a NUL byte that reached a write, a broken query) and stays a 500.
        if not (err.connection_invalidated or _connection_failure(err)):
            raise err
        return JSONResponse({"detail": DOWN}, status_code=503, headers={"Retry-After": RETRY_AFTER})

    @app.exception_handler(RequestValidationError)
    @app.exception_handler(ValidationError)
    async def _invalid(_: Request, err) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "message": str(e.get("msg", "")).removeprefix("Value error, "),
            }
            for e in err.errors()
        ]
        detail = errors[0]["message"] if len(errors) == 1 and "/" in errors[0]["message"] else INVALID
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    return app


def _connection_failure(err: DBAPIError) -> bool:
    """A driver error about the connection itself (refused, closed, server gone or full, SQLite's file
    busy or unopenable), told apart from e.g. a deadlock or bad data by SQLSTATE or SQLite's code."""
    if isinstance(err, InterfaceError):
        return True
    if not isinstance(err, OperationalError):
        return False
    code = getattr(err.orig, "sqlite_errorcode", None)
    if code is not None:
        return code in (5, 6, 14)  # SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN
    state = getattr(err.orig, "sqlstate", None) or ""
    # 08: connection exception, 53: out of connections or memory, 57P0x: shutting down; none: no session.
    return not state or state.startswith(("08", "53", "57P0"))
