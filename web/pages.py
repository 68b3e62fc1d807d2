"""Rendering for the staff front: the Jinja environment (autoescaped, with `t` and the Buddhist-era
date filters from `web.i18n`), `render` which answers a whole page or, on an htmx request, only the
fragment the page includes (same URL, DESIGN §6), and `WebRoute`, the route class every staff router
uses so that a typed domain error or a refusal by scope or role comes back as an HTML page or fragment
in the user's language instead of JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from web import i18n
from web.auth import is_fragment
from workflows.errors import CaseError

TEMPLATES = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
i18n.install(templates.env)


def context(request: Request, **values: Any) -> dict[str, Any]:
    user = getattr(request.state, "staff", None)
    return {
        "request": request,
        "lang": i18n.language(request),
        "user": user,
        "csrf_token": user.csrf_token if user else "",
        **values,
    }


def render(
    request: Request,
    template: str,
    fragment: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """The page `template`, or on an htmx request the `fragment` template the page includes."""
    name = fragment if fragment and is_fragment(request) else template
    return templates.TemplateResponse(
        request, name, context(request, **values), status_code=status_code, headers=headers
    )


def missing_or_invalid(fields) -> str:
    names = ", ".join(sorted({str(f) for f in fields}))
    return f"ข้อมูลไม่ครบหรือไม่ถูกต้อง / missing or invalid: {names}"


def error_response(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", "_error.html", status_code=status_code, message=message)


class WebRoute(APIRoute):
    """Domain errors (404 no such case, 409 refused, 422 bad input, 503), forms that fail validation
    (422) and 403/404/429 refusals become HTML; redirects to the sign-in page pass through untouched."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except CaseError as err:
                return error_response(request, err.status_code, err.message)
            except RequestValidationError as err:
                # A form posted without a field or with a wrong one: say which, on the page.
                return error_response(request, 422, missing_or_invalid(e.get("loc", ("?",))[-1] for e in err.errors()))
            except HTTPException as err:
                if err.status_code in (403, 404, 429):
                    return error_response(request, err.status_code, str(err.detail))
                raise

        return route
