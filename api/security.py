"""The browser-facing headers every response carries (issue 15 §4): a Content-Security-Policy that
forbids framing (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older browsers) and loads
scripts, styles, fonts and images from this origin only; `Referrer-Policy: same-origin`, so a case
page's address never leaves the site; a `Permissions-Policy` that turns off camera, microphone,
geolocation and the like (the web chat attaches photos through a file input and asks for no location);
`nosniff`; and HSTS in production only, as a laptop serves plain HTTP. A header a route set itself (a
stored photo's sandbox CSP) is kept. `SecurityHeaders` is a pure ASGI middleware added by `create_app`."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Why each relaxation is there:
# - 'unsafe-eval': htmx compiles trigger filters (`keyup[target.tagName=='INPUT']`, the inbox's "every
#   10s [...]") with Function(); without it the inbox's filters throw. Inline <script> stays forbidden.
# - the one hash: the letter's print button (`onclick="window.print()"`), allowed by its exact text only.
# - style 'unsafe-inline': htmx inserts its indicator <style>, and the board ships a <style> block.
# - img data: and blob:: the favicon is a data: URL; the chat previews a chosen photo from a blob: URL.
PRINT_BUTTON = "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='"
PAGES_CSP = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' 'unsafe-eval' 'unsafe-hashes' {PRINT_BUTTON}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# FastAPI's /docs and /redoc load Swagger UI and ReDoc from their CDN with an inline starter script.
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {DOCS_CDN}",
        f"style-src 'self' 'unsafe-inline' {DOCS_CDN} https://fonts.googleapis.com",
        f"img-src 'self' data: {DOCS_CDN} https://fastapi.tiangolo.com",
        "font-src 'self' https://fonts.gstatic.com",
        f"worker-src 'self' blob: {DOCS_CDN}",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
# Only features every current browser knows: Chromium logs an unknown one as a console error.
PERMISSIONS = ", ".join(
    f"{feature}=()" for feature in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")
)
HSTS = "max-age=31536000; includeSubDomains"


def headers_for(path: str, production: bool) -> dict[str, str]:
    out = {
        "Content-Security-Policy": DOCS_CSP if path in DOCS_PATHS else PAGES_CSP,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if production:
        out["Strict-Transport-Security"] = HSTS
    return out


class SecurityHeaders:
    def __init__(self, app: ASGIApp, production: bool = False) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(scope["path"], self.production)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
