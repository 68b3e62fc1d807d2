"""How a linked agency signs what it sends us (status callbacks, case transfers), and the check at our
door. The signature is HMAC-SHA256 under the agency's own secret over `"<timestamp>.<nonce>.<body>"`:

    X-Timestamp: 1764900000            (Unix seconds; within 5 minutes of our clock)
    X-Nonce: 3f9c2b7e0d8a4c61a5e2      (16-100 of A-Z a-z 0-9 _ -; never used twice)
    X-Signature: sha256=<hex>

A request with a bad or missing signature, an unknown or unlinked agency, or a timestamp more than
`SKEW` seconds off is 401 before its body is parsed; a nonce seen before is 409 (a replay), kept in
`callback_nonces` until its timestamp could no longer pass anyway. A resent request is signed anew
(new timestamp and nonce); only when we could not act on it (503) is its nonce given back. Each
agency has its own secret, looked up by the directory's `credential_ref` (db/credentials.py)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from db import nonces, queries
from db.credentials import agency_secret

SKEW = 300  # seconds either way
NONCE = re.compile(r"[A-Za-z0-9_-]{16,100}")
BAD_SIGNATURE = "ลายมือชื่อไม่ถูกต้อง / bad signature"


def sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + nonce.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    """The headers an agency sends with `body` (what scripts/agency_sandbox.py and the tests do)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_urlsafe(18)
    return {"X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": sign(secret, timestamp, nonce, body)}


@dataclass(frozen=True)
class Signed:
    """A request that passed the check: who sent it, its body, and the nonce it used."""

    agency_code: str
    body: bytes
    nonce: str


def _refused(reason_th: str, reason_en: str) -> HTTPException:
    return HTTPException(401, f"{reason_th} / {reason_en}", headers={"WWW-Authenticate": "Signature"})


async def verified(request: Request, session, code: str) -> Signed:
    """The signed request from agency `code`, or the 401/409 that refuses it."""
    agency = await run_in_threadpool(queries.agency, session, code)
    body = await request.body()
    headers = request.headers
    timestamp, nonce = headers.get("x-timestamp", "").strip(), headers.get("x-nonce", "").strip()
    given = headers.get("x-signature", "")
    if agency is None or not agency.linked:
        raise HTTPException(401, BAD_SIGNATURE)
    if not (timestamp.isdigit() and len(timestamp) <= 12) or not NONCE.fullmatch(nonce) or not given:
        raise _refused("ต้องมี X-Timestamp, X-Nonce และ X-Signature", "X-Timestamp, X-Nonce and X-Signature are required")
    sent_at = int(timestamp)
    if abs(time.time() - sent_at) > SKEW:
        raise _refused("เวลาในคำขอเก่าหรือคลาดเคลื่อนเกิน 5 นาที", "the request's timestamp is more than 5 minutes off")
    expected = sign(agency_secret(agency.credential_ref), timestamp, nonce, body)
    # bytes, not str: compare_digest raises TypeError on a non-ASCII str
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        raise HTTPException(401, BAD_SIGNATURE)
    expires = datetime.fromtimestamp(sent_at, UTC) + timedelta(seconds=SKEW + 60)
    if not await run_in_threadpool(_take, request.app.state.sessions, code, nonce, expires):
        raise HTTPException(409, "คำขอนี้ถูกส่งมาแล้ว (nonce ซ้ำ) / this request was already received (nonce reused)")
    return Signed(code, body, nonce)


def _take(sessions, code: str, nonce: str, expires: datetime) -> bool:
    with sessions.begin() as s:
        return nonces.take(s, code, nonce, expires)


async def give_back(request: Request, signed: Signed) -> None:
    """We could not act on the request: the agency may send the same one again."""

    def forget() -> None:
        with request.app.state.sessions.begin() as s:
            nonces.give_back(s, signed.agency_code, signed.nonce)

    await run_in_threadpool(forget)
