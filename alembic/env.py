"""Alembic environment: migrates the read model at DATABASE_URL (or the embedded SQLite file), or at
the URL a caller passes in `config.attributes["url"]` (the tests do)."""

from __future__ import annotations

import db.board_queries  # noqa: F401 (the board's indexes on cases and clocks)
import db.chat  # noqa: F401  (the chat front's tables join Base.metadata)
import db.staff  # noqa: F401 (the staff front's tables)
from alembic import context
from db.models import Base
from db.session import database_url, make_engine

config = context.config
url = config.attributes.get("url") or database_url()


def run() -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=Base.metadata,
            render_as_batch=conn.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
