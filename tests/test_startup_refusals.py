"""Closed by default (issue 15 §2): with APP_ENV=production the app, the worker and the dispatcher
refuse to start while a secret they read is missing or a development default, and the one error names
it: the app secret, the officer API tokens (the development token above all), each linked agency's
secret, the payload codec keys. A laptop (no APP_ENV) still needs none of them. Officer tokens carry
their center; an unset agency secret in production is never the public development one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.app import create_app
from api.settings import DEV_OFFICER_TOKEN, OfficerToken, Settings, officer_tokens
from db import credentials
from db.credentials import DEV_AGENCY_SECRET, InsecureDeployment

ROOT = Path(__file__).resolve().parents[1]
AGENCY_VARS = ("AGENCY_SECRET_OPM1111", "AGENCY_SECRET_OCPB", "AGENCY_SECRET_LANDS", "AGENCY_SECRET_DOPA")
TOKEN = "t" * 40
PRODUCTION = {
    "APP_ENV": "production",
    "APP_SECRET": "s" * 64,
    "OFFICER_API_TOKENS": f"{TOKEN}:trang.api:P92",
    "PAYLOAD_KEYS": "k1:" + "A" * 43 + "=",
    **{var: f"agency-secret-{var.lower()}-0123456789" for var in AGENCY_VARS},
}
ALL_VARS = (*PRODUCTION, "TEMPORAL_ADDRESS", "DATABASE_URL")


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """Sets the process environment to exactly the given variables (nothing else of ours)."""

    def use(env: dict[str, str]) -> None:
        for var in ALL_VARS:
            monkeypatch.delenv(var, raising=False)
        for var, value in env.items():
            monkeypatch.setenv(var, value)
        monkeypatch.setenv("VAR_DIR", str(tmp_path))

    return use


def refusal(**changes: str | None) -> str:
    env = {**PRODUCTION, **changes}
    env = {k: v for k, v in env.items() if v is not None}
    with pytest.raises(InsecureDeployment) as err:
        with pytest.MonkeyPatch.context() as mp:
            for var in ALL_VARS:
                mp.delenv(var, raising=False)
            for var, value in env.items():
                mp.setenv(var, value)
            Settings()
    return str(err.value)


def test_a_complete_production_environment_starts(environment, tmp_path):
    environment(PRODUCTION)
    settings = Settings()
    assert settings.production and settings.secret == PRODUCTION["APP_SECRET"]
    assert settings.officer_tokens == {TOKEN: OfficerToken("trang.api", "P92")}
    assert not (tmp_path / "secret").exists()  # no laptop fallback written


def test_production_refuses_a_missing_app_secret(environment):
    environment({})
    message = refusal(APP_SECRET=None)
    assert "APP_SECRET is not set" in message and message.startswith("APP_ENV=production: the app refuses")
    assert "APP_SECRET is too short" in refusal(APP_SECRET="change-me")


def test_production_refuses_a_missing_officer_token_list_and_never_accepts_the_dev_token(environment):
    environment({})
    assert "OFFICER_API_TOKENS is not set" in refusal(OFFICER_API_TOKENS=None)
    assert DEV_OFFICER_TOKEN in refusal(OFFICER_API_TOKENS=f"{DEV_OFFICER_TOKEN}:demo.officer:MOI")
    assert "names no center" in refusal(OFFICER_API_TOKENS=f"{TOKEN}:someone")
    assert "too short" in refusal(OFFICER_API_TOKENS="abc:someone:MOI")
    environment({**PRODUCTION, "OFFICER_API_TOKENS": ""})  # set and empty: no officer API at all
    assert Settings().officer_tokens == {}


@pytest.mark.parametrize("var", AGENCY_VARS)
def test_production_refuses_a_missing_or_development_agency_secret(environment, var):
    environment({})
    assert f"{var} is not set" in refusal(**{var: None})
    assert f"{var} is the development secret" in refusal(**{var: DEV_AGENCY_SECRET})


def test_production_refuses_missing_payload_codec_keys(environment):
    environment({})
    assert "PAYLOAD_KEYS is not set" in refusal(PAYLOAD_KEYS=None)


def test_every_problem_is_named_in_one_error(environment):
    environment({})
    message = refusal(APP_SECRET=None, PAYLOAD_KEYS=None, AGENCY_SECRET_OCPB=None)
    assert "APP_SECRET" in message and "PAYLOAD_KEYS" in message and "AGENCY_SECRET_OCPB" in message


def test_the_app_factory_refuses_before_serving(environment):
    environment({**PRODUCTION, "PAYLOAD_KEYS": ""})
    with pytest.raises(InsecureDeployment, match="PAYLOAD_KEYS"):
        create_app()  # what `uvicorn api.app:create_app --factory` calls first


def test_development_needs_nothing_and_keeps_the_dev_token_as_the_ministry(environment, tmp_path):
    environment({})
    settings = Settings()
    assert not settings.production and (tmp_path / "secret").exists()
    assert settings.officer_tokens == {DEV_OFFICER_TOKEN: OfficerToken("demo.officer", "MOI", scoped=False)}
    # No shared development secret: unset, an agency's secret is one nobody holds (make run sets its own).
    unset = credentials.agency_secret("AGENCY_SECRET_OCPB")
    assert unset != DEV_AGENCY_SECRET and len(unset) >= 32 and credentials.agency_secret("AGENCY_SECRET_OCPB") != unset


def test_officer_tokens_carry_a_center():
    parsed = officer_tokens(" a1:sikao.api:D9205 , b2:moi.api:MOI,c3:old.style ,broken")
    assert parsed == {
        "a1": OfficerToken("sikao.api", "D9205"),
        "b2": OfficerToken("moi.api", "MOI"),
        "c3": OfficerToken("old.style", "MOI", scoped=False),
    }


def test_an_unset_agency_secret_in_production_is_never_the_public_one(environment):
    environment({"APP_ENV": "production"})
    first = credentials.agency_secret("AGENCY_SECRET_NEWAGENCY")
    assert first != DEV_AGENCY_SECRET and len(first) >= 32
    assert credentials.agency_secret("AGENCY_SECRET_NEWAGENCY") != first  # nobody can sign for it


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("activities.worker", ("PAYLOAD_KEYS is not set", "AGENCY_SECRET_OCPB is not set")),
        ("intake.dispatcher", ("PAYLOAD_KEYS is not set",)),
    ],
)
def test_the_worker_and_the_dispatcher_refuse_too(module, expected):
    env = {k: v for k, v in os.environ.items() if k not in ALL_VARS}
    # An address nothing listens on: the refusal must come before any connection is tried.
    env.update(APP_ENV="production", TEMPORAL_ADDRESS="127.0.0.1:9", PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("db.credentials.InsecureDeployment: APP_ENV=production"), run.stderr[-2000:]
    for words in expected:
        assert words in last
