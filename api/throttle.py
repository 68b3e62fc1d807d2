"""The JSON API's side of the door's throttles: it builds them from the settings (the per-process
rate limits of `intake.rates`, the shared PIN throttle of `intake.pins` on the read model) and answers
their refusal, `Throttled`, with 429, `Retry-After` and the message in Thai and English."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings
from intake.pins import PinGuard
from intake.rates import RateLimits, Throttled


def install_throttles(app: FastAPI, settings: Settings) -> None:
    """The rate limits (in memory, so at once) and the 429 answer; the PIN guard opens with the database."""
    app.state.rates = RateLimits(settings.rate_filings, settings.rate_chat_sessions, settings.rate_tracking)
    app.add_exception_handler(Throttled, throttled)


def pin_guard(sessions: sessionmaker[Session], settings: Settings) -> PinGuard:
    return PinGuard(sessions, settings.pin_policy)


async def throttled(_: Request, err: Throttled) -> JSONResponse:
    return JSONResponse(
        {"detail": err.message, "retry_after": err.retry_after},
        status_code=429,
        headers={"Retry-After": str(err.retry_after)},
    )
