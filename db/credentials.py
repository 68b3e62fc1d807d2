"""The deployment's secrets and the rule that nothing is open by default. Agency credentials: the
directory row names an environment variable (`credential_ref`), never the secret itself; both the sender
(bearer token) and the callback check (HMAC key) read it here. In development an unset one means the
shared development secret, which the fake agency in the demo uses too.

Outside development (`APP_ENV=production`) every process refuses to start while a secret it reads is
missing or a development default, and says which in one error (`refuse_insecure`): the app (the app
secret, the officer API tokens: api/settings.py adds those), the worker (agency secrets, payload codec
keys) and the dispatcher (payload codec keys). Importable by every process, as db imports nothing of
theirs."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterable, Mapping

DEV_AGENCY_SECRET = "dev-agency-secret"
MIN_SECRET_LENGTH = 32  # characters: `secrets.token_hex(16)` or longer
log = logging.getLogger(__name__)


class InsecureDeployment(RuntimeError):
    """A production process asked to start with a missing or development secret."""


def production(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("APP_ENV", "development").strip().lower() == "production"


def agency_secret(credential_ref: str | None) -> str:
    value = os.environ.get(credential_ref or "", "")
    if value:
        return value
    if production():
        # Never the public development secret: an unguessable one nobody holds, so a callback is
        # refused and a send is rejected by the agency (the startup check names the linked ones).
        log.error("agency credential %s is not set; its callbacks are refused", credential_ref or "(none)")
        return secrets.token_hex(32)
    return DEV_AGENCY_SECRET


def app_secret_problem(value: str | None) -> str | None:
    """What is wrong with the app secret (tracking numbers, PINs, sessions), or None."""
    if not value:
        return "APP_SECRET is not set"
    if len(value) < MIN_SECRET_LENGTH:
        return f"APP_SECRET is too short (at least {MIN_SECRET_LENGTH} characters)"
    return None


def linked_agency_refs() -> list[str]:
    """The environment variables that hold the linked agencies' credentials, from the directory."""
    from db.directory import LINKED_AGENCIES  # the seed list; imported late, it loads the gazetteer

    return [f"AGENCY_SECRET_{code.upper()}" for code, _, _ in LINKED_AGENCIES]


def agency_problems(environ: Mapping[str, str]) -> list[str]:
    problems = []
    for ref in linked_agency_refs():
        value = environ.get(ref, "")
        if not value:
            problems.append(f"{ref} is not set")
        elif value == DEV_AGENCY_SECRET:
            problems.append(f"{ref} is the development secret")
    return problems


def payload_key_problems(environ: Mapping[str, str]) -> list[str]:
    """The payload codec's keys (workflows/codec.py): without them histories would hold personal data."""
    return [] if environ.get("PAYLOAD_KEYS", "").strip() else ["PAYLOAD_KEYS is not set"]


# What each process reads: the app files (numbers, PINs), takes callbacks and writes payloads; the worker
# calls agencies and writes payloads; the dispatcher only starts workflows.
NEEDS = {
    "app": ("app_secret", "agencies", "payload_keys"),
    "worker": ("agencies", "payload_keys"),
    "dispatcher": ("payload_keys",),
}


def problems_of(process: str, environ: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    needs = NEEDS[process]
    found: list[str] = []
    if "app_secret" in needs and (problem := app_secret_problem(env.get("APP_SECRET", ""))):
        found.append(problem)
    if "agencies" in needs:
        found += agency_problems(env)
    if "payload_keys" in needs:
        found += payload_key_problems(env)
    return found


def refuse_insecure(
    process: str, environ: Mapping[str, str] | None = None, problems: Iterable[str] | None = None
) -> None:
    """In production, raise `InsecureDeployment` naming every missing or default secret; else nothing.
    `problems` replaces the environment's own list (the app checks its settings' values)."""
    env = os.environ if environ is None else environ
    if not production(env):
        return
    found = list(problems_of(process, env) if problems is None else problems)
    if found:
        raise InsecureDeployment(f"APP_ENV=production: the {process} refuses to start: " + "; ".join(found))
