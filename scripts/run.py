"""`make run`: start the embedded stack, print where everything is, and keep it up until Ctrl-C, which
stops every child. Running it again resumes on the same files (var/temporal.db, var/app.db)."""

from __future__ import annotations

import signal
import sys
import time

from api.settings import DEV_OFFICER_TOKEN
from db import open311
from db.session import make_engine, make_sessions
from db.staff import DEMO_PASSWORD, seed_demo_accounts
from scripts.stack import Stack


def seed_demo_staff(database_url: str) -> str:
    """The demo accounts (an officer at Sikao district, Trang's supervisor, the ministry's admin)."""
    engine = make_engine(database_url)
    try:
        with make_sessions(engine).begin() as s:
            accounts = seed_demo_accounts(s)
    finally:
        engine.dispose()
    return ", ".join(f"{name} ({role}, {center})" for name, role, center in accounts)


def issue_demo_open311_key(database_url: str) -> str:
    """The demo Open311 client's key (a production app never accepts it: db/open311.py)."""
    engine = make_engine(database_url)
    try:
        with make_sessions(engine).begin() as s:
            open311.ensure_dev_client(s)
    finally:
        engine.dispose()
    return open311.DEV_KEY


def main() -> int:
    stack = Stack()
    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        counts = stack.start()
        demo = seed_demo_staff(stack.database_url)
        open311_key = issue_demo_open311_key(stack.database_url)
    except Exception as err:
        stack.stop()
        print(f"could not start: {err}", file=sys.stderr)
        return 1
    base = f"http://127.0.0.1:{stack.app_port}"
    print(
        f"""
  Damrongdham complaint platform is running   (Ctrl-C stops everything)

  citizens' chat .......... {base}/chat
  API and its docs ........ {base}/docs
  file a complaint ........ curl -X POST {base}/api/complaints -H 'Content-Type: application/json' \\
                              -d '{{"text": "ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มบ่อย", "province": "ตรัง", "district": "สิเกา", "anonymous": true}}'
  track it ................ curl {base}/api/complaints/<tracking number> -H 'X-Tracking-Pin: <pin>'
  staff inbox ............. {base}/inbox   sign in as {demo} (password: {DEMO_PASSWORD})
  supervisors' board ...... {base}/board
  officer actions ......... POST {base}/api/complaints/<n>/actions/<action>  (Authorization: Bearer {DEV_OFFICER_TOKEN})
  Open311 (GeoReport v2) .. {base}/open311/v2/services.json   demo client key: {open311_key}
  health .................. {base}/health
  Temporal UI ............. {f"http://127.0.0.1:{stack.ui_port}" if not stack.external_temporal else "(external cluster at " + stack.temporal_address + ")"}
  demo agency sandbox ..... http://127.0.0.1:{stack.sandbox_port}/
  read model .............. {stack.database_url}
  directory ............... {counts.get("centers", 0)} centers, {counts.get("agencies", 0)} agencies
  logs .................... {stack.var_dir}/*.log
""",
        flush=True,
    )
    try:
        while not stopping:
            problem = stack.failed()
            if problem:
                print(problem, file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        print("stopping...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
