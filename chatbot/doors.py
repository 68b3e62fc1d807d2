"""Each center's own doors for citizens: the web chat opened in its name (`/chat/c/{code}`), its public
page (`/centers/{code}`: name, contacts, hours, map link, its chat door) and a printable A4 poster
(`/centers/{code}/poster`) with a QR code of the door's address. An unknown or deactivated center is a
bilingual 404 page. The chat itself is the one of `chatbot.webchat`; the page starts it with the
action `door:{code}` (chatbot.flows_door), which LINE reaches with the text or postback `center={code}`."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

import segno
from fastapi import APIRouter, Cookie, Path, Request
from fastapi.responses import HTMLResponse, Response

from chatbot.senses import hours_text, map_link
from chatbot.webchat import TEMPLATES, _session_of, keep_session
from db.center_facts import CenterFacts, center_facts

router = APIRouter(include_in_schema=False)
CODE = re.compile(r"^[A-Za-z0-9]{2,16}$")
CodePath = Annotated[str, Path(max_length=40)]


def door_url(request: Request, code: str) -> str:
    """The door's address as printed and encoded: under PUBLIC_BASE_URL when set (behind the proxy)."""
    base = request.app.state.settings.public_base_url or str(request.base_url).rstrip("/")
    return f"{base}/chat/c/{code}"


def door_qr(url: str) -> str:
    """The QR code of a door as an SVG data URI (medium error correction: a poster gets scuffed)."""
    return segno.make(url, error="m").svg_data_uri(scale=10, border=2)


def _open_center(request: Request, code: str) -> CenterFacts | None:
    if not CODE.match(code):
        return None
    with request.app.state.sessions() as s:
        facts = center_facts(s, code.upper())
    return facts if facts is not None and facts.active else None


async def _center_or_404(request: Request, code: str) -> CenterFacts | Response:
    facts = await asyncio.to_thread(_open_center, request, code)
    if facts is None:
        return TEMPLATES.TemplateResponse(request, "door_missing.html", {"code": code[:40]}, status_code=404)
    return facts


@router.get("/chat/c/{code}", response_class=HTMLResponse)
async def door_chat(request: Request, code: CodePath, chat_session: Annotated[str | None, Cookie()] = None):
    facts = await _center_or_404(request, code)
    if isinstance(facts, Response):
        return facts
    session, _ = _session_of(chat_session)
    service = request.app.state.chat
    lang, after = await asyncio.gather(
        asyncio.to_thread(service.language, "web", session), asyncio.to_thread(service.last_delivered, "web", session)
    )
    page = TEMPLATES.TemplateResponse(
        request,
        "chat.html",
        {"lang": lang or "th", "after": after, "start": f"door:{facts.code}", "door": facts},
    )
    keep_session(page, request, session)
    return page


@router.get("/centers/{code}", response_class=HTMLResponse)
async def center_page(request: Request, code: CodePath):
    facts = await _center_or_404(request, code)
    if isinstance(facts, Response):
        return facts
    lat, lon = facts.latitude, facts.longitude
    return TEMPLATES.TemplateResponse(
        request,
        "center.html",
        {
            "c": facts,
            "hours": hours_text(facts.office_hours),
            "map": map_link(lat, lon) if lat is not None and lon is not None else None,
            "door": door_url(request, facts.code),
        },
    )


@router.get("/centers/{code}/poster", response_class=HTMLResponse)
async def center_poster(request: Request, code: CodePath):
    facts = await _center_or_404(request, code)
    if isinstance(facts, Response):
        return facts
    url = door_url(request, facts.code)
    return TEMPLATES.TemplateResponse(
        request, "poster.html", {"c": facts, "door": url, "qr": door_qr(url), "hours": hours_text(facts.office_hours)}
    )
