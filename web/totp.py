"""The staff second factor's arithmetic: time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second
steps, 6 digits, what every authenticator app speaks), the otpauth:// URI an app enrols from, and the
sealing of a shared secret before it is stored. A code is accepted for the step before, at or after
now (clock drift) and only for a step later than the last one used, so a code seen over a shoulder
is worth nothing once typed. Sealing is encrypt-then-MAC with HMAC-SHA256 as the keystream and the
tag, keys derived from the app secret: the standard library only, so that a copy of the read model
alone does not give away anyone's codes. Rotating the app secret voids the sealed secrets (users
enrol again)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP = 30  # seconds per code
DIGITS = 6
DRIFT = 1  # steps accepted either side of now
ISSUER = "Damrongdham"
_NONCE, _TAG = 16, 32


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


def _keys(app_secret: str) -> tuple[bytes, bytes]:
    root = hmac.new(app_secret.encode(), b"staff-second-factor/v1", hashlib.sha256).digest()
    return (
        hmac.new(root, b"encrypt", hashlib.sha256).digest(),
        hmac.new(root, b"authenticate", hashlib.sha256).digest(),
    )


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, nonce + struct.pack(">I", i), hashlib.sha256).digest() for i in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def seal(secret: str, app_secret: str) -> str:
    encrypt, authenticate = _keys(app_secret)
    nonce, plain = secrets.token_bytes(_NONCE), secret.encode("ascii")
    sealed = nonce + bytes(a ^ b for a, b in zip(plain, _stream(encrypt, nonce, len(plain)), strict=True))
    tag = hmac.new(authenticate, sealed, hashlib.sha256).digest()
    return "v1:" + base64.urlsafe_b64encode(sealed + tag).decode("ascii")


def unseal(stored: str, app_secret: str) -> str | None:
    """The secret, or None when it was sealed under another app secret or has been tampered with."""
    version, _, body = stored.partition(":")
    if version != "v1":
        return None
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except ValueError:
        return None
    sealed, tag = raw[:-_TAG], raw[-_TAG:]
    encrypt, authenticate = _keys(app_secret)
    if len(sealed) <= _NONCE or not hmac.compare_digest(tag, hmac.new(authenticate, sealed, hashlib.sha256).digest()):
        return None
    nonce, cipher = sealed[:_NONCE], sealed[_NONCE:]
    return bytes(a ^ b for a, b in zip(cipher, _stream(encrypt, nonce, len(cipher)), strict=True)).decode("ascii")
