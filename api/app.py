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

import chatbot.routes
import web.routes
from api import actions, callbacks, complaints, directory, health
from api.dispatcher import FilingDispatcher
from api.settings import Settings
from api.throttle import PinThrottle
from db import filings
from db.session import filings_url, make_engine, make_sessions
from workflows.client import ComplaintGateway, connect
from workflows.errors import CaseError

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
INVALID = "ข้อมูลไม่ถูกต้อง / invalid input"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

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
        app.state.temporal = await connect(settings.temporal_address, settings.temporal_namespace)
        app.state.gateway = ComplaintGateway(app.state.temporal, settings.secret, settings.task_queue)
        app.state.dispatcher, dispatching = None, None
        if settings.dispatch_in_app:
            app.state.dispatcher = FilingDispatcher(app.state.filing_sessions, app.state.gateway)
            dispatching = asyncio.create_task(app.state.dispatcher.run())
        await chatbot.routes.start(app)
        await web.routes.start(app)
        try:
            yield
        finally:
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
    app.state.throttle = PinThrottle()
    for module in (complaints, actions, callbacks, directory, health, chatbot.routes, web.routes):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(CaseError)
    async def _case_error(_: Request, err: CaseError) -> JSONResponse:
        return JSONResponse({"detail": err.message}, status_code=err.status_code)

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
