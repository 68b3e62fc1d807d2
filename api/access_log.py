"""What uvicorn's access log may hold: the method, the path and the status, never a secret or an
address of a person. PINs travel in headers and bodies (`api.deps`), so an honest client never puts
one in a URL; but a client that still sends `?pin=` is logged before it is refused, and the chat's
polling path names its session (a key to that chat). This filter blanks both before any handler
formats the line: `install()` adds it to the `uvicorn.access` logger once per process."""

from __future__ import annotations

import logging
import re

# Query values that are secrets or personal data, whatever route they were sent to.
# (`api_key`: an Open311 client's key, which the GeoReport spec sends as a parameter.)
SECRET_QUERY = re.compile(r"([?&](?:pin|session_id|national_id|phone|api_key|email)=)[^&#\s]*", re.IGNORECASE)
# The chat's own path segment that names a session: /api/chat/sessions/{session_id}/messages.
SESSION_PATH = re.compile(r"(/api/chat/sessions/)[^/?#\s]+")
# An agency's status link: /agency-link/{number}/{token}; the token opens the case to whoever holds it.
STATUS_LINK_PATH = re.compile(r"(/agency-link/[^/?#\s]+/)[^/?#\s]+")
# A photo link for an agency: /api/agency-photos/{token}; the token shows the photo to whoever holds it.
PHOTO_LINK_PATH = re.compile(r"(/api/agency-photos/)[^/?#\s]+")
HIDDEN = "***"


def redact(path: str) -> str:
    path = SESSION_PATH.sub(rf"\g<1>{HIDDEN}", SECRET_QUERY.sub(rf"\g<1>{HIDDEN}", path))
    path = PHOTO_LINK_PATH.sub(rf"\g<1>{HIDDEN}", path)
    return STATUS_LINK_PATH.sub(rf"\g<1>{HIDDEN}", path)


class PrivateAccessLog(logging.Filter):
    """uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, PrivateAccessLog) for f in logger.filters):
        logger.addFilter(PrivateAccessLog())
