"""The app's settings, from the environment with embedded defaults: where the read model and Temporal
are, the server secret (tracking numbers, PINs), upload limits, the officer API tokens, the trusted
proxies and the door's rate limits. A laptop needs none of them set; `APP_SECRET` unset means a random
secret kept in `var/secret`.

With `APP_ENV=production` nothing falls back: `Settings()` raises `InsecureDeployment` naming every
missing or development secret (db/credentials.py), so the app never starts half-open. Officer API tokens
carry the center whose scope they act in (`token:name:center`); in development `token:name` is the
ministry's scope and `dev-officer-token` the default token."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from db import credentials
from db.session import ROOT, database_url
from intake.pins import PinPolicy
from workflows.contracts import TASK_QUEUE
from workflows.domain.centers import MINISTRY

DEV_OFFICER_TOKEN = "dev-officer-token"
MIN_TOKEN_LENGTH = 24


@dataclass(frozen=True)
class OfficerToken:
    """Who acts with an officer API token, and the center whose cases they may act on (web/scope.py)."""

    name: str
    center_code: str = MINISTRY
    scoped: bool = True  # False: `token:name`, which only development accepts (as the ministry's)


def officer_tokens(raw: str) -> dict[str, OfficerToken]:
    """`token:name:center,...` (or `token:name` in development) as token -> OfficerToken."""
    tokens = {}
    for item in raw.split(","):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) < 2 or not parts[0]:
            continue
        center = parts[2] if len(parts) > 2 and parts[2] else ""
        tokens[parts[0]] = OfficerToken(parts[1], center or MINISTRY, bool(center))
    return tokens


def officer_token_problems(tokens: dict[str, OfficerToken] | None) -> list[str]:
    if tokens is None:
        return ["OFFICER_API_TOKENS is not set (token:name:center,...; empty for no officer API)"]
    problems = []
    for token, who in tokens.items():
        if token == DEV_OFFICER_TOKEN:
            problems.append(f"OFFICER_API_TOKENS holds the development token {DEV_OFFICER_TOKEN}")
        elif len(token) < MIN_TOKEN_LENGTH:
            problems.append(f"OFFICER_API_TOKENS: the token of {who.name} is too short (at least {MIN_TOKEN_LENGTH})")
        if not who.scoped:
            problems.append(f"OFFICER_API_TOKENS: the token of {who.name} names no center (token:name:center)")
    return problems


def _officer_tokens_from_env() -> dict[str, OfficerToken] | None:
    raw = os.environ.get("OFFICER_API_TOKENS")
    if raw is None:  # unset: the development token, never accepted in production
        return None if credentials.production() else officer_tokens(f"{DEV_OFFICER_TOKEN}:demo.officer")
    return officer_tokens(raw)


def _secret(var: Path) -> str:
    if os.environ.get("APP_SECRET"):
        return os.environ["APP_SECRET"]
    path = var / "secret"
    if not path.exists():
        var.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}")
        tmp.write_text(secrets.token_hex(32))
        os.replace(tmp, path)  # two processes starting at once agree on one secret
    return path.read_text().strip()


def _tokens(raw: str) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in raw.split(",") if ":" in item)
    return {token.strip(): name.strip() for token, name in pairs}


@dataclass
class Settings:
    database_url: str = field(default_factory=database_url)
    temporal_address: str = field(default_factory=lambda: os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    temporal_namespace: str = field(default_factory=lambda: os.environ.get("TEMPORAL_NAMESPACE", "default"))
    task_queue: str = field(default_factory=lambda: os.environ.get("TASK_QUEUE", TASK_QUEUE))
    var_dir: Path = field(default_factory=lambda: Path(os.environ.get("VAR_DIR", ROOT / "var")))
    secret: str = ""
    dispatch_in_app: bool = field(default_factory=lambda: os.environ.get("DISPATCH_IN_APP", "1") != "0")
    max_photo_bytes: int = 5 * 1024 * 1024
    max_photos: int = 5
    # The chat front: LINE Messaging API (the bases are configurable so tests run a fake platform on
    # loopback) and the public address that links in chat messages point to ("" = relative links).
    line_api_base: str = field(default_factory=lambda: os.environ.get("LINE_API_BASE", "https://api.line.me"))
    line_data_api_base: str = field(
        default_factory=lambda: os.environ.get("LINE_DATA_API_BASE", "https://api-data.line.me")
    )
    line_channel_access_token: str = field(default_factory=lambda: os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", ""))
    line_channel_secret: str = field(default_factory=lambda: os.environ.get("LINE_CHANNEL_SECRET", ""))
    public_base_url: str = field(default_factory=lambda: os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"))
    # The proxies in front of the app (IPs or CIDRs, comma-separated): only from these is
    # X-Forwarded-For believed (intake/clients.py). None by default: the socket peer is the client.
    trusted_proxies: str = field(default_factory=lambda: os.environ.get("TRUSTED_PROXIES", ""))
    # Per-client rate limits, "N/seconds" or "off", counted in each app process's memory
    # (intake/rates.py). Generous: a citizen never meets them, a script does.
    rate_filings: str = field(default_factory=lambda: os.environ.get("RATE_FILINGS", "30/60"))
    rate_chat_sessions: str = field(default_factory=lambda: os.environ.get("RATE_CHAT_SESSIONS", "120/60"))
    rate_tracking: str = field(default_factory=lambda: os.environ.get("RATE_TRACKING", "600/60"))
    # Wrong-PIN waits per client and delays per tracking number, shared through the read model.
    pin_policy: PinPolicy = field(default_factory=PinPolicy)
    # Partner systems filing through the JSON API (`X-Api-Key`): "key:name,...". An identified client
    # gets a replayed filing's PIN again; an anonymous caller gets its number and status only.
    api_clients: dict[str, str] = field(default_factory=lambda: _tokens(os.environ.get("API_CLIENT_KEYS", "")))
    # token -> who and where; None only in production with OFFICER_API_TOKENS unset (a refusal).
    officer_tokens: dict[str, OfficerToken] | None = field(default_factory=_officer_tokens_from_env)
    production: bool = field(default_factory=credentials.production)

    def __post_init__(self) -> None:
        if self.production:  # checked before var/secret could stand in for a missing APP_SECRET
            self.secret = self.secret or os.environ.get("APP_SECRET", "")
            problems = [p for p in [credentials.app_secret_problem(self.secret)] if p]
            problems += officer_token_problems(self.officer_tokens)
            problems += credentials.agency_problems(os.environ) + credentials.payload_key_problems(os.environ)
            credentials.refuse("app", problems)
        self.secret = self.secret or _secret(self.var_dir)
        self.officer_tokens = self.officer_tokens or {}

    @property
    def upload_dir(self) -> Path:
        return self.var_dir / "uploads"
