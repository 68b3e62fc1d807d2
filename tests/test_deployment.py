"""Checks the deployment files without Docker: docker-compose.yml is parsed with PyYAML and its shape
asserted (services, pinned images, one image for app/worker/migrate, start order, scaling, the
environment the code reads, commands that name real modules), closed by default (APP_ENV=production,
no password or secret with a default, the Temporal UI on loopback and read-only, one least-privilege
database role per job), and the Dockerfile is read as text. Where PostgreSQL's server binaries are
present, the init script runs on a throwaway cluster and the roles are tried: the migrate job's owner
builds the schema, the app's role writes rows but no DDL, Temporal's and ours cannot reach each other's
databases. If a `docker compose` CLI is present, `docker compose config -q` validates the file too."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

SERVICES = {"postgres", "temporal", "temporal-ui", "migrate", "app", "worker"}
# Read by api/settings.py, activities/worker.py, nlp/classifier.py; all must be set explicitly so the
# deployment never falls back to a laptop default (SQLite, localhost Temporal, dev tokens).
APP_ENV = {
    "APP_ENV",
    "PAYLOAD_KEYS",
    "DATABASE_URL",
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TASK_QUEUE",
    "APP_SECRET",
    "OFFICER_API_TOKENS",
    "VAR_DIR",
    "NLP_MODEL_DIR",
}
AGENCY_SECRETS = {"AGENCY_SECRET_OPM1111", "AGENCY_SECRET_OCPB", "AGENCY_SECRET_LANDS", "AGENCY_SECRET_DOPA"}
# Enough variables for `docker compose config` to interpolate every required `${VAR:?...}`.
CONFIG_ENV = {
    "APP_SECRET": "test-secret",
    "PAYLOAD_KEYS": "k1:" + "A" * 43 + "=",
    "OFFICER_API_TOKENS": "",
    "POSTGRES_PASSWORD": "pw-super",
    "DB_OWNER_PASSWORD": "pw-owner",
    "APP_DB_PASSWORD": "pw-app",
    "TEMPORAL_DB_PASSWORD": "pw-temporal",
    "AGENCY_API_BASE_URL": "https://agencies.example",
    "PUBLIC_BASE_URL": "https://damrongdham.example",
    **{name: "test-agency-secret" for name in AGENCY_SECRETS},
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def interpolated(value: str) -> str:
    """`value` with each `${VAR...}` replaced as `docker compose` would, from CONFIG_ENV."""
    return re.sub(r"\$\{(\w+)[^}]*\}", lambda m: CONFIG_ENV.get(m.group(1), "x"), value)


def command_of(service: dict) -> list[str]:
    cmd = service.get("command")
    return cmd.split() if isinstance(cmd, str) else list(cmd or [])


def depends_of(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def module_file(module: str) -> Path:
    return ROOT / (module.replace(".", "/") + ".py")


def test_compose_spec_without_version_and_all_services(compose, services):
    assert "version" not in compose, "Compose spec files carry no `version:` key"
    assert SERVICES <= set(services), f"missing services: {sorted(SERVICES - set(services))}"


def test_every_image_is_pinned(services):
    for name, svc in services.items():
        assert "image" in svc or "build" in svc, f"{name} has neither image nor build"
        image = svc.get("image")
        if image is None:
            continue
        last = image.rsplit("/", 1)[-1]
        assert ":" in last or "@sha256:" in image, f"{name}: image {image!r} has no tag"
        tag = last.split(":", 1)[1] if ":" in last else ""
        assert tag and tag != "latest", f"{name}: image {image!r} is not pinned"
    assert services["postgres"]["image"].startswith("postgres:16")
    assert re.fullmatch(r"temporalio/auto-setup:1\.2\d\.\d+", services["temporal"]["image"])
    assert re.fullmatch(r"temporalio/ui:\d+\.\d+\.\d+", services["temporal-ui"]["image"])


def test_app_worker_and_migrate_share_the_one_dockerfile(services):
    builds = {}
    for name in ("app", "worker", "migrate"):
        build = services[name].get("build")
        assert build is not None, f"{name} is not built from the project's Dockerfile"
        if isinstance(build, str):
            build = {"context": build}
        context = (ROOT / build.get("context", ".")).resolve()
        dockerfile = (context / build.get("dockerfile", "Dockerfile")).resolve()
        assert dockerfile == DOCKERFILE.resolve(), f"{name} builds {dockerfile}"
        builds[name] = (context, dockerfile, services[name].get("image"))
    assert len(set(builds.values())) == 1, builds


def test_start_order(services):
    for name in ("app", "worker"):
        deps = depends_of(services[name])
        assert deps.get("migrate") == "service_completed_successfully", f"{name} must wait for migrate"
        assert "temporal" in deps, f"{name} must wait for temporal"
    assert depends_of(services["migrate"]).get("postgres") == "service_healthy"
    assert depends_of(services["temporal"]).get("postgres") == "service_healthy"
    assert str(services["migrate"].get("restart", "no")) == "no"
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert any(":/var/lib/postgresql/data" in str(v) for v in services["postgres"].get("volumes", []))


def test_worker_scales_and_publishes_nothing(services):
    worker = services["worker"]
    assert not worker.get("ports"), "several worker replicas cannot share a published port"
    assert "container_name" not in worker, "a fixed container name prevents scaling"
    assert int(worker.get("deploy", {}).get("replicas", 1)) >= 2
    assert worker.get("healthcheck", {}).get("disable") is True, "the image's HTTP healthcheck is the app's"


def test_app_publishes_8000_and_the_temporal_ui_only_on_loopback_read_only(services):
    assert any(str(p).endswith("8000") for p in services["app"].get("ports", []))
    ui = services["temporal-ui"]
    ports = [str(p) for p in ui.get("ports", [])]
    assert all(p.startswith("127.0.0.1:") for p in ports), f"the Temporal UI is published beyond loopback: {ports}"
    env = env_of(ui)
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true", "the UI must not signal, reset or terminate cases"
    assert env.get("TEMPORAL_AUTH_ENABLED", "false") == "false" or ports == []
    for name, svc in services.items():  # Temporal's gRPC and PostgreSQL are reached inside the network only
        if name in ("postgres", "temporal"):
            assert not svc.get("ports"), f"{name} must not be published"


def test_the_app_and_workers_run_in_production_mode(services):
    for name in ("app", "worker"):
        env = env_of(services[name])
        assert env["APP_ENV"] == "production", f"{name}: APP_ENV must be production (closed by default)"
        assert re.fullmatch(r"\$\{PAYLOAD_KEYS:\?[^}]+\}", env["PAYLOAD_KEYS"]), "PAYLOAD_KEYS must be required"
        # Set (possibly empty, meaning no officer API), never defaulted to a token.
        assert re.fullmatch(r"\$\{OFFICER_API_TOKENS\?[^}]+\}", env["OFFICER_API_TOKENS"])


SECRET_WORDS = ("PASSWORD", "PWD", "SECRET", "TOKEN", "KEY")


def test_no_password_or_secret_has_a_default():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name, op, default in re.findall(r"\$\{([A-Z0-9_]+)(:?[-?+]?)([^}]*)\}", text):
        if any(word in name for word in SECRET_WORDS) and op in (":-", "-"):  # empty = off (a LINE channel)
            assert default == "", f"${{{name}}} must be required (${{{name}:?...}}), not defaulted"
    urls = re.findall(r"postgres(?:ql)?://[^\s]+", text)
    assert urls and all(re.match(r"postgres(?:ql)?://\w+:\$\{[A-Z_]+:\?", u) for u in urls), urls


def test_each_job_has_its_own_database_role(services):
    users = {
        name: urlsplit(interpolated(env_of(services[name])["DATABASE_URL"])).username
        for name in ("app", "worker", "migrate")
    }
    assert users["app"] == users["worker"] == "damrongdham_app"
    assert users["migrate"] == "damrongdham_owner"
    temporal = env_of(services["temporal"])
    assert temporal["POSTGRES_USER"] == "temporal"
    superuser = env_of(services["postgres"])["POSTGRES_USER"]
    assert superuser not in set(users.values()) | {"temporal"}, "no service may use the superuser"
    assert (
        "TEMPORAL_DB_PASSWORD" in temporal["POSTGRES_PWD"]
        and "APP_DB_PASSWORD" in env_of(services["app"])["DATABASE_URL"]
    )


def test_app_and_worker_get_every_variable_the_code_reads(services):
    for name in ("app", "worker"):
        env = env_of(services[name])
        missing = (APP_ENV | AGENCY_SECRETS) - set(env)
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
        assert env["VAR_DIR"] == "/app/var"
        assert env["NLP_MODEL_DIR"].startswith("/app/var/")
        assert re.fullmatch(r"\$\{APP_SECRET:\?[^}]+\}", env["APP_SECRET"]), "APP_SECRET must be required"
        for secret in AGENCY_SECRETS:  # unset means the public dev secret (db/credentials.py)
            assert env[secret].startswith(f"${{{secret}:?"), f"{name}: {secret} must be required"
        assert any(
            str(v).split(":")[-1] == "/app/var" or ":/app/var:" in str(v) for v in services[name].get("volumes", [])
        ), f"{name} needs a volume at /app/var"
    assert env_of(services["app"]) == env_of(services["worker"])
    migrate_env = env_of(services["migrate"])
    assert {"DATABASE_URL", "AGENCY_API_BASE_URL"} <= set(migrate_env)


def test_agency_secret_names_match_the_directory():
    source = (ROOT / "db" / "directory.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    codes = set()
    for node in ast.walk(tree):
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(target, ast.Name) and target.id == "LINKED_AGENCIES" and node.value is not None:
            codes = {elt.elts[0].value for elt in node.value.elts}
    assert codes, "LINKED_AGENCIES not found in db/directory.py"
    assert 'credential_ref": f"AGENCY_SECRET_{code.upper()}"' in source
    assert {f"AGENCY_SECRET_{c.upper()}" for c in codes} == AGENCY_SECRETS


def test_database_urls_name_a_service(services):
    urls = {name: env_of(svc)["DATABASE_URL"] for name, svc in services.items() if "DATABASE_URL" in env_of(svc)}
    assert set(urls) >= {"app", "worker", "migrate"}
    for name, url in urls.items():
        parts = urlsplit(interpolated(url))
        assert parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"), url
        assert parts.hostname in services, f"{name}: DATABASE_URL host {parts.hostname!r} is no service"
        assert parts.path == "/damrongdham", url
    temporal = env_of(services["temporal"])
    assert temporal["DB"] == "postgres12"
    assert temporal["POSTGRES_SEEDS"] in services


def test_the_init_script_creates_least_privilege_roles(services):
    init = ROOT / "deploy" / "postgres" / "init-roles.sh"
    assert init.is_file() and os.access(init, os.X_OK), "the entrypoint runs an executable .sh"
    mounted = [str(v) for v in services["postgres"]["volumes"] if "init-roles.sh" in str(v)]
    assert mounted and mounted[0].split(":")[1].startswith("/docker-entrypoint-initdb.d/")
    code = [line for line in init.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith(("#", "--"))]
    sql = " ".join(" ".join(code).lower().split())
    assert "create database temporal owner temporal;" in sql
    assert "create database temporal_visibility owner temporal;" in sql
    assert "alter database damrongdham owner to damrongdham_owner;" in sql
    for db in ("damrongdham", "temporal", "temporal_visibility"):
        assert f"revoke all on database {db} from public;" in sql
    assert "grant select, insert, update, delete on tables to damrongdham_app;" in sql
    assert "damrongdham_app" not in sql.split("create database temporal")[1].split("sql")[0]
    assert not re.search(r"grant (all|create)[^;]*to damrongdham_app", sql), "the app gets rows, never DDL"
    assert not re.search(r"(superuser|createdb|createrole)", sql)
    env = env_of(services["postgres"])
    for var in ("DB_OWNER_PASSWORD", "APP_DB_PASSWORD", "TEMPORAL_DB_PASSWORD"):
        assert f"${var}" in init.read_text() and env[var].startswith(f"${{{var}:?")


def test_bind_mounts_exist(services):
    for name, svc in services.items():
        for volume in svc.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def test_commands_name_real_modules(services):
    assert command_of(services["migrate"])[:3] == ["python", "-m", "scripts.migrate"]
    assert command_of(services["worker"])[:3] == ["python", "-m", "activities.worker"]
    for module in ("scripts.migrate", "activities.worker"):
        source = module_file(module).read_text(encoding="utf-8")
        assert '__name__ == "__main__"' in source, f"{module} is not runnable with -m"
    app_cmd = command_of(services["app"]) or ["uvicorn", "api.app:create_app", "--factory"]
    target = next(arg for arg in app_cmd if ":" in arg and not arg.startswith("-"))
    module, attr = target.split(":")
    assert "--factory" in app_cmd
    tree = ast.parse(module_file(module).read_text(encoding="utf-8"))
    assert attr in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, f"{module} lacks {attr}"


def test_dockerfile():
    steps = dockerfile_instructions()
    words = [w for w, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    runs = " ".join(rest for w, rest in steps if w == "RUN")
    assert re.search(r"pip install [^&]*--no-cache-dir[^&]*-r requirements\.txt", runs)
    assert ("COPY", "requirements.txt ./") in steps or any(
        w == "COPY" and "requirements.txt" in rest for w, rest in steps
    )
    users = [rest for w, rest in steps if w == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN")
    env = " ".join(rest for w, rest in steps if w == "ENV")
    assert "PYTHONPATH=/app" in env
    assert "APP_ENV=production" in env, "the image is closed by default, whoever runs it"
    health = next(rest for w, rest in steps if w == "HEALTHCHECK")
    assert "urllib" in health and "/health" in health
    cmd = next(rest for w, rest in reversed(steps) if w == "CMD")
    assert cmd == '["uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]'


def test_dockerignore_keeps_local_state_out():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "var", ".git"} <= ignored


def _docker_compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_accepts_the_file():
    cli = _docker_compose()
    if cli is None:
        pytest.skip("no `docker compose` plugin or `docker-compose` binary here; structure is checked above")
    env = {**os.environ, **CONFIG_ENV}
    result = subprocess.run(
        [*cli, "-f", str(COMPOSE_FILE), "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    missing = {k: v for k, v in env.items() if k != "APP_SECRET"}
    result = subprocess.run(
        [*cli, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=missing,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "APP_SECRET" in result.stderr, "APP_SECRET must be required"
    for var in ("PAYLOAD_KEYS", "APP_DB_PASSWORD", "POSTGRES_PASSWORD"):
        env_without = {k: v for k, v in env.items() if k != var}
        result = subprocess.run(
            [*cli, "-f", str(COMPOSE_FILE), "config", "-q"],
            cwd=ROOT,
            env=env_without,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0 and var in result.stderr, f"{var} must be required"


PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(scope="module")
def throwaway_postgres():
    """A PostgreSQL cluster of its own (the roles are cluster-wide), started as the `postgres` user, with
    the empty `damrongdham` database the image's entrypoint would make; yields its port."""
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists() or not shutil.which("runuser"):
        pytest.skip("needs root, runuser and PostgreSQL's server binaries to make a throwaway cluster")
    import socket
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="pg-roles-"))  # not under pytest's root-only temp directory
    shutil.chown(home, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    as_postgres = ["runuser", "-u", "postgres", "--"]
    data = home / "data"
    subprocess.run(
        [*as_postgres, PG_BIN / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*as_postgres, PG_BIN / "pg_ctl", "-D", data, "-o", options, "-l", home / "log", "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        psql(port, "postgres", "postgres", "CREATE DATABASE damrongdham")
        yield port
    finally:
        subprocess.run([*as_postgres, PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def psql(port: int, user: str, database: str, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_on_a_real_postgres_each_role_gets_only_its_part(throwaway_postgres):
    port = throwaway_postgres
    env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(port),
        "POSTGRES_USER": "postgres",
        "DB_OWNER_PASSWORD": "pw-owner",
        "APP_DB_PASSWORD": "pw-app",
        "TEMPORAL_DB_PASSWORD": "pw-temporal",
    }
    init = subprocess.run(["sh", ROOT / "deploy/postgres/init-roles.sh"], env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    # The migrate job, as the owner, builds and seeds the read model (no superuser needed).
    migrate = subprocess.run(
        [sys.executable, "-m", "scripts.migrate"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"postgresql://damrongdham_owner:x@127.0.0.1:{port}/damrongdham"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    app = "damrongdham_app"
    assert psql(port, app, "damrongdham", "SELECT count(*) FROM centers").stdout.strip() != "0"
    wrote = psql(port, app, "damrongdham", "UPDATE centers SET name_en = name_en WHERE code = 'MOI' RETURNING code")
    assert wrote.returncode == 0 and wrote.stdout.split()[0] == "MOI", wrote.stderr
    for ddl in ("CREATE TABLE evil (x int)", "DROP TABLE centers", "ALTER TABLE centers ADD COLUMN evil int"):
        refused = psql(port, app, "damrongdham", ddl)
        assert refused.returncode != 0 and ("permission denied" in refused.stderr or "must be owner" in refused.stderr)
    for user, database in ((app, "temporal"), (app, "temporal_visibility"), ("temporal", "damrongdham")):
        refused = psql(port, user, database, "SELECT 1")
        assert refused.returncode != 0 and "permission denied" in refused.stderr, (user, database)
    assert psql(port, "temporal", "temporal_visibility", "CREATE TABLE t (x int)").returncode == 0  # its own
    assert (
        psql(
            port,
            "postgres",
            "postgres",
            "SELECT rolsuper FROM pg_roles WHERE rolname IN ('damrongdham_owner', 'damrongdham_app', 'temporal')",
        ).stdout.split()
        == ["f"] * 3
    )


def test_the_env_example_names_every_required_variable_and_fills_none():
    required = set(re.findall(r"\$\{([A-Z0-9_]+):?\?", COMPOSE_FILE.read_text(encoding="utf-8")))
    lines = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8").splitlines()
    example = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert required - {"APP_VERSION"} <= set(example), sorted(required - set(example))
    assert all(value == "" for value in example.values()), "an example value would become a default password"
