"""Engines and sessions for the read model, on SQLite (the embedded default) or PostgreSQL, from one
URL. SQLite gets WAL and a busy timeout so the worker's threads and the app can write side by side.
The caller owns the transaction: `with sessions.begin() as s:` commits or rolls back as one. Engines
hide bound parameters from errors and logs (personal data)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'app.db'}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def filings_url(url: str) -> str:
    """Where the filings queue lives. On PostgreSQL, in the read model. On SQLite, in a sibling file:
    SQLite has one writer per file, and a burst's acknowledgements must not queue behind the
    worker's projections."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return "sqlite:///" + str(Path(url.split("///", 1)[1]).with_name("filings.db"))
    return url


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = normalise_url(url or database_url())
    # A failed statement's error (and SQL logging, when on) shows `[SQL parameters hidden]`, never the
    # bound values: they hold names, phones, national IDs and chat addresses.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
