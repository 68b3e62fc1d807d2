"""Agency credentials: the directory row names an environment variable (`credential_ref`), never the
secret itself. Both the sender (bearer token) and the callback check (HMAC key) read it here. Unset in
development means the shared development secret, which the fake agency in the demo uses too."""

from __future__ import annotations

import os

DEV_AGENCY_SECRET = "dev-agency-secret"


def agency_secret(credential_ref: str | None) -> str:
    return os.environ.get(credential_ref or "", "") or DEV_AGENCY_SECRET
