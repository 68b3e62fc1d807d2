"""Signed, expiring links to one photo of one case, for the agency the case was sent to: the worker
signs them when a connector sends the case, the app checks them when the agency fetches the photo
(`GET /api/agency-photos/{token}`, api/agency_photos.py). A token names the agency, the case, the
photo and the instant it expires, and carries an HMAC-SHA256 over all four. The key is derived from
the payload keys (`PAYLOAD_KEYS`), the one secret the app and the worker both hold already; every key
of that list verifies, so rotating them keeps links alive until they expire. Pure functions: the
callers bring the keys and the clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

PURPOSE = b"damrongdham agency photo links v1"
SEP = "|"


class BadPhotoLink(ValueError):
    """Forged, malformed or expired: the caller answers 404 or 410 without saying more."""

    def __init__(self, reason: str, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


@dataclass(frozen=True)
class PhotoGrant:
    agency_code: str
    tracking_number: str
    sha256: str
    expires: int  # unix seconds


def link_keys(payload_keys: Iterable[bytes]) -> list[bytes]:
    """One signing key per payload key, for this purpose only (the first signs, all verify)."""
    return [hmac.new(k, PURPOSE, hashlib.sha256).digest() for k in payload_keys]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, grant: PhotoGrant) -> str:
    body = SEP.join([grant.agency_code, grant.tracking_number, grant.sha256, str(grant.expires)]).encode()
    return f"{_b64(body)}.{_b64(hmac.new(key, body, hashlib.sha256).digest())}"


def verify(keys: Iterable[bytes], token: str, now: float) -> PhotoGrant:
    """The grant a token carries, if one of the keys signed it and it has not expired."""
    try:
        body_part, sig_part = token.split(".")
        body, sig = _unb64(body_part), _unb64(sig_part)
        agency, number, sha256, expires = body.decode().split(SEP)
        grant = PhotoGrant(agency, number, sha256, int(expires))
    except (ValueError, UnicodeDecodeError) as err:
        raise BadPhotoLink("malformed") from err
    if not any(hmac.compare_digest(hmac.new(k, body, hashlib.sha256).digest(), sig) for k in keys):
        raise BadPhotoLink("bad signature")
    if grant.expires <= now:
        raise BadPhotoLink("expired", expired=True)
    return grant
