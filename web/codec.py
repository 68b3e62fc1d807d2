"""The codec server for the Temporal UI and CLI: Temporal's remote codec protocol (`POST /codec/decode`
and `/codec/encode`, a body of `{"payloads": [...]}` in protobuf JSON), served by the app with the same
keys its own client seals payloads with (`workflows.codec`). Only a signed-in administrator gets an
answer; everyone else sees ciphertext, which is all Temporal holds. The UI calls it from the browser:
`TEMPORAL_UI_ORIGIN` (comma-separated origins, e.g. `http://127.0.0.1:8233`) names the UI pages that may
call it with the staff session cookie (CORS with credentials); point the UI at it with
`TEMPORAL_CODEC_ENDPOINT=https://<app>/codec` (and `TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true`), the CLI
with `temporal ... --codec-endpoint https://<app>/codec --codec-header "Cookie=staff_session=..."`.
Every use is logged with the administrator's name, never a payload."""

from __future__ import annotations

import logging
import os

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from db import staff
from web.auth import COOKIE
from web.deps import DbSession
from workflows import codec

log = logging.getLogger("codec")
router = APIRouter(prefix="/codec", include_in_schema=False)
ORIGINS_ENV = "TEMPORAL_UI_ORIGIN"
ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization"
SIGN_IN = "ต้องเข้าสู่ระบบในฐานะผู้ดูแลระบบ / sign in as an administrator"
ADMINS_ONLY = "เฉพาะผู้ดูแลระบบ / administrators only"
NOT_PAYLOADS = 'ข้อมูลไม่ใช่ payloads / the body is not {"payloads": [...]}'
UNKNOWN_KEY = "ถอดรหัสไม่ได้ / a payload's key is not configured here"


def ui_origins() -> frozenset[str]:
    return frozenset(o.strip().rstrip("/") for o in os.environ.get(ORIGINS_ENV, "").split(",") if o.strip())


def _cors(request: Request) -> dict[str, str]:
    """CORS headers for an allowed UI origin; none for anyone else (the browser then refuses)."""
    origin = request.headers.get("origin", "")
    if origin not in ui_origins():
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


def administrator(request: Request, s: DbSession) -> str:
    """The signed-in administrator's name; 401 or 403 as JSON (the UI is no page to redirect)."""
    found = staff.session_account(s, request.cookies.get(COOKIE, ""))
    if found is None:
        raise HTTPException(401, SIGN_IN)
    account, _csrf = found
    if account.role != "admin":
        raise HTTPException(403, ADMINS_ONLY)
    return account.username


def _codec(request: Request) -> codec.EncryptionCodec:
    """The app's own client's codec: the keys that sealed what the UI shows."""
    client = getattr(request.app.state, "temporal", None)
    found = getattr(getattr(client, "data_converter", None), "payload_codec", None)
    if isinstance(found, codec.EncryptionCodec):
        return found
    return codec.EncryptionCodec(codec.configured_keys())


@router.options("/{operation}")
async def preflight(operation: str, request: Request) -> Response:
    headers = _cors(request)
    if "Access-Control-Allow-Origin" in headers:
        headers |= {
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
        }
    return Response(status_code=204, headers=headers)


@router.post("/{operation}")
async def transform(operation: str, request: Request, s: DbSession) -> Response:
    cors = _cors(request)
    if operation not in ("decode", "encode"):
        return JSONResponse({"detail": "ไม่พบ / not found"}, 404, headers=cors)
    try:
        user = administrator(request, s)
    except HTTPException as err:
        return JSONResponse({"detail": err.detail}, err.status_code, headers=cors)
    payloads = Payloads()
    try:
        json_format.Parse(await request.body(), payloads)
    except (json_format.ParseError, UnicodeDecodeError):
        return JSONResponse({"detail": NOT_PAYLOADS}, 400, headers=cors)
    sealer = _codec(request)
    try:
        if operation == "decode":
            done = await sealer.decode(payloads.payloads)
        else:
            done = await sealer.encode(payloads.payloads)
    except codec.PayloadKeyError as err:
        log.warning("codec: %s could not %s %d payloads: %s", user, operation, len(payloads.payloads), err)
        return JSONResponse({"detail": UNKNOWN_KEY}, 400, headers=cors)
    namespace = request.headers.get("x-namespace", "")[:100]
    log.info("codec: %s %sd %d payloads (namespace %r)", user, operation, len(done), namespace)
    body = json_format.MessageToJson(Payloads(payloads=done))
    return Response(body, media_type="application/json", headers=cors | {"Cache-Control": "no-store"})
