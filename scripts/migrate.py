"""Migrate the read model at DATABASE_URL to the newest schema and seed the directory (idempotent).
The deployment's one-shot migration job runs `python -m scripts.migrate`."""

from __future__ import annotations

import json
import os

from db.session import database_url
from scripts.stack import migrate_and_seed

if __name__ == "__main__":
    counts = migrate_and_seed(database_url(), os.environ.get("AGENCY_API_BASE_URL", "http://127.0.0.1:8100"))
    print(json.dumps(counts))
