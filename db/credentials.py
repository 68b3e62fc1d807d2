"""The deployment's secrets and the rule that nothing is open by default. Agency credentials: the
directory row names an environment variable (`credential_ref`), never the secret itself; both the sender
(bearer token) and the signature check of callbacks and transfers (HMAC key) read it here. Each agency
has its own; an unset one is, in every environment, an unguessable secret nobody holds (its callbacks
are refused). There is no shared development secret: `make run` makes one per linked agency in `var/`
and hands them to its children and the demo sandbox (`agency_dev_secrets`).

Outside development (`APP_ENV=production`) every process refuses to start while a secret it reads is
missing or a development default, and says which in one error (`InsecureDeployment`): the app (its
settings add the app secret and the officer API tokens to the checks here: api/settings.py), the worker
(agency secrets, payload codec keys: `refuse_insecure("worker")`) and the dispatcher (payload codec
keys). It lives in db because every one of those processes may import db, and db imports none of them."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

DEV_AGENCY_SECRET = "dev-agency-secret"  # the shared one of old: production refuses it if still set
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
    # Never a public development secret: an unguessable one nobody holds, so a callback is refused and
    # a send is rejected by the agency (in production the startup check names the linked ones).
    log.log(
        logging.ERROR if production() else logging.WARNING,
        "agency credential %s is not set; its callbacks are refused",
        credential_ref or "(none)",
    )
    return secrets.token_hex(32)


def agency_dev_secrets(var_dir: Path) -> dict[str, str]:
    """`make run`'s secrets for the seeded linked agencies, one each, made once and kept in
    `var/agency-secrets.json` (never in production: the deployment sets `AGENCY_SECRET_<CODE>`)."""
    path = var_dir / "agency-secrets.json"
    kept = json.loads(path.read_text()) if path.exists() else {}
    wanted = {ref: kept.get(ref) or secrets.token_hex(32) for ref in linked_agency_refs()}
    if wanted != kept:
        var_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}")
        tmp.write_text(json.dumps(wanted, indent=1))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return wanted


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


def problems_of(process: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The background processes' secrets: the worker calls agencies and writes payloads; the dispatcher
    only starts workflows. (The app checks its own settings: api/settings.py.)"""
    env = os.environ if environ is None else environ
    if process == "worker":
        return agency_problems(env) + payload_key_problems(env)
    if process == "dispatcher":
        return payload_key_problems(env)
    raise ValueError(f"no such process {process!r}")


def refuse(process: str, problems: Iterable[str]) -> None:
    """Raise `InsecureDeployment` naming every problem at once, if there is any."""
    found = list(problems)
    if found:
        raise InsecureDeployment(f"APP_ENV=production: the {process} refuses to start: " + "; ".join(found))


def refuse_insecure(process: str, environ: Mapping[str, str] | None = None) -> None:
    """In production, refuse to start the worker or dispatcher with a missing or default secret."""
    env = os.environ if environ is None else environ
    if production(env):
        refuse(process, problems_of(process, env))
