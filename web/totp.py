"""The staff second factor's arithmetic: time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second
steps, 6 digits, what every authenticator app speaks), the otpauth:// URI an app enrols from, and the
sealing of a shared secret before it is stored. A code is accepted for the step before, at or after
now (clock drift) and only for a step later than the last one used, so a code seen over a shoulder
is worth nothing once typed. Sealing is AES-GCM under a key derived from the app secret, so that a
copy of the read model alone does not give away anyone's codes. Rotating the app secret voids the sealed secrets (users
enrol again)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

STEP = 30  # seconds per code
DIGITS = 6
DRIFT = 1  # steps accepted either side of now
ISSUER = "Damrongdham"
_NONCE = 12  # AES-GCM's nonce


def new_secret() -> str:
    """160 random bits in base32, as authenticator apps expect them."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.strip().replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def code_at(secret: str, step: int) -> str:
    """The HOTP value (RFC 4226) of the secret for one time step."""
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def step_at(t: float | None = None) -> int:
    return int((time.time() if t is None else t) // STEP)


def normalise(code: str) -> str:
    """What people type: "123 456" or "123-456" count as "123456"."""
    return "".join(ch for ch in code if ch not in " -\t")


def matching_step(secret: str, code: str, after_step: int, t: float | None = None) -> int | None:
    """The step whose code this is (within the drift), if it is later than `after_step`; else None."""
    code = normalise(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    now, found = step_at(t), None
    for step in range(now - DRIFT, now + DRIFT + 1):
        # every candidate is compared, so the time taken says nothing about which step matched
        if hmac.compare_digest(code_at(secret, step), code) and step > after_step and found is None:
            found = step
    return found


def otpauth_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    label = quote(f"{issuer}:{username}", safe="")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}"


# --- sealing the shared secret at rest ------------------------------------------------------------


def _sealing_key(app_secret: str) -> bytes:
    return hmac.new(app_secret.encode(), b"staff-second-factor/v2", hashlib.sha256).digest()


def seal(secret: str, app_secret: str) -> str:
    nonce = secrets.token_bytes(_NONCE)
    sealed = AESGCM(_sealing_key(app_secret)).encrypt(nonce, secret.encode("ascii"), b"second-factor")
    return "v2:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(stored: str, app_secret: str) -> str | None:
    """The secret, or None when it was sealed under another app secret or has been tampered with."""
    version, _, body = stored.partition(":")
    if version != "v2":
        return None
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        plain = AESGCM(_sealing_key(app_secret)).decrypt(raw[:_NONCE], raw[_NONCE:], b"second-factor")
    except (ValueError, InvalidTag):
        return None
    return plain.decode("ascii")
