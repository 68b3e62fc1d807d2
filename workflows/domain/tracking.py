"""Tracking numbers and PINs: short, readable, and derived from the filing's idempotency key with a
server secret, so the same key always names the same case and the same PIN (a retried request gets
back what the first one got) while nobody without the secret can guess either. Format: the Buddhist
year and six characters from an alphabet without look-alikes (0/O, 1/I/L), e.g. "2569-K7Q3MX"."""

from __future__ import annotations

import hashlib
import hmac
import re

from workflows.domain.identity import ascii_digits

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PATTERN = re.compile(rf"^25[0-9][0-9]-[{ALPHABET}]{{6}}$")


def buddhist_year(gregorian_year: int) -> int:
    return gregorian_year + 543


def _digest(secret: str, *parts: str) -> bytes:
    return hmac.new(secret.encode(), "\x1f".join(parts).encode(), hashlib.sha256).digest()


def tracking_number(secret: str, key: str, attempt: int, gregorian_year: int) -> str:
    n = int.from_bytes(_digest(secret, "tracking", key, str(attempt))[:8], "big")
    chars = []
    for _ in range(6):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return f"{buddhist_year(gregorian_year)}-{''.join(chars)}"


def pin_for(secret: str, key: str, tracking: str) -> str:
    n = int.from_bytes(_digest(secret, "pin", key, tracking)[:8], "big")
    return f"{n % 1_000_000:06d}"


def candidates(secret: str, key: str, gregorian_year: int, attempts: int = 8):
    """The (tracking number, PIN) pairs a filing with this key may take, in order: the first one
    that is free is its number; a genuine collision moves on to the next."""
    for attempt in range(attempts):
        number = tracking_number(secret, key, attempt, gregorian_year)
        yield number, pin_for(secret, key, number)


def pin_hash(secret: str, tracking: str, pin: str) -> str:
    return hmac.new(secret.encode(), f"{tracking}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(secret: str, tracking: str, pin: str, stored_hash: str) -> bool:
    return hmac.compare_digest(pin_hash(secret, tracking, pin), stored_hash)


def key_fingerprint(secret: str, key: str) -> str:
    return _digest(secret, "key", key).hex()[:32]


def normalise(text: str) -> str:
    """Accept what people type: lower case, spaces, a missing dash, the year in Thai digits."""
    t = re.sub(r"[\s]", "", ascii_digits(text)).upper()
    if len(t) == 10 and "-" not in t:
        t = f"{t[:4]}-{t[4:]}"
    return t


def normalise_pin(text: str) -> str:
    """A PIN as typed: Thai or full-width digits, spaces or dashes between groups ("๑๒๓ ๔๕๖")."""
    return re.sub(r"[\s\-]", "", ascii_digits(text))


def workflow_id(tracking: str) -> str:
    return f"complaint-{tracking}"
