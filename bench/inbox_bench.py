"""The staff front's figures for `make bench`: how fast the officers' inbox list and the supervisors'
board answer with 100,000 cases in PostgreSQL (goal: p95 under 100 ms).

It creates a fresh PostgreSQL database (127.0.0.1:5432, trust auth; dropped afterwards), migrates and
seeds it (the 957 real centers), bulk-loads a realistic year of cases with COPY (cases spread over
the centers, statuses by age, their clocks, open and done tasks, timelines, personal data), vacuums,
then times the pages. Through HTTP when the staff front is there: the app served by uvicorn on a free
loopback port (with a Temporal dev server behind it, as the app's lifespan needs one), a signed-in
ministry supervisor and a provincial one, GET /inbox and /board. The read queries themselves are timed
as well (always), so a missing page still leaves figures. `run(...) -> dict`; `python -m
bench.inbox_bench` prints the JSON on stdout (progress on stderr)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from bench.bare import percentile

log = logging.getLogger("bench")
ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GOAL_MS = 100.0
TEXTS = (
    "ถนนหน้าบ้านเป็นหลุมใหญ่หลายจุด ฝนตกน้ำขังทุกวัน ขอให้มาซ่อมโดยเร็ว",
    "สั่งซื้อโทรศัพท์ทางออนไลน์ โอนเงินแล้วแต่ได้กล่องเปล่า ร้านค้าไม่ตอบแชท",
    "เพื่อนบ้านสร้างรั้วรุกล้ำที่ดินประมาณสองเมตร ขอให้สำนักงานที่ดินมารังวัดใหม่",
    "ร้านคาราโอเกะข้างบ้านเปิดเพลงเสียงดังถึงตีสองทุกคืน",
    "รถเก็บขยะไม่มาเก็บขยะในซอยมาสองสัปดาห์แล้ว ส่งกลิ่นเหม็น",
    "Street lights on our soi have been out for a month; it is dark and unsafe at night.",
    "เจ้าหน้าที่เรียกรับเงินเพิ่มในการออกใบอนุญาต",
    "My landlord keeps my deposit and will not answer; please help.",
)


# --- the database --------------------------------------------------------------------------------


def create_database() -> str:
    name = f"bench_inbox_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate_and_seed(url: str) -> None:
    from alembic.config import Config

    from alembic import command
    from db.seed import seed_directory
    from db.session import make_engine, make_sessions

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")
    engine = make_engine(url)
    with make_sessions(engine).begin() as s:
        seed_directory(s)
    engine.dispose()


def _number(i: int) -> str:
    chars = []
    for _ in range(6):
        i, r = divmod(i, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "2569-" + "".join(reversed(chars))


def _above(code: str) -> str:
    return "P" + code[1:3] if code.startswith("D") else "MOI"


def load_cases(url: str, n: int, now: datetime, seed: int = 5) -> dict:
    """COPY `n` cases with clocks, tasks, events and personal data; returns counts and timing."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
    with psycopg.connect(url) as conn:
        centers = conn.execute("SELECT code, level, province_code, district_code FROM centers").fetchall()
        categories = [r[0] for r in conn.execute("SELECT code FROM categories")]
        districts = [c for c in centers if c[1] == "district"]
        provinces = [c for c in centers if c[1] == "province"]
        tops = [c for c in centers if c[1] in ("ministry", "dopa")]
        counts = {"cases": 0, "clocks": 0, "tasks": 0, "events": 0}
        with conn.cursor() as cur:
            with cur.copy(
                "COPY cases (tracking_number, workflow_id, pin_hash, status, text, category, "
                "category_confidence, center_code, filed_with, province_code, district_code, "
                "channel, anonymous, escalated_to, assignee, filed_at, routed_at, updated_at, "
                "closed_at, last_seq, next_due_at, late) FROM STDIN"
            ) as cases:
                rows = []
                for i in range(n):
                    roll = rng.random()
                    center = rng.choice(districts if roll < 0.85 else provinces if roll < 0.98 else tops)
                    rows.append(_case(rng, i, center, rng.choice(categories), now))
                    cases.write_row(rows[-1]["case"])
            counts["cases"] = n
            with cur.copy(
                "COPY case_clocks (tracking_number, name, state, due_at, remaining_seconds, overdue) FROM STDIN"
            ) as copy:
                for r in rows:
                    for clock in r["clocks"]:
                        copy.write_row(clock)
                        counts["clocks"] += 1
            with cur.copy(
                "COPY tasks (task_key, tracking_number, kind, center_code, assignee, state, reason, "
                "opened_at, closed_at) FROM STDIN"
            ) as copy:
                for r in rows:
                    for task in r["tasks"]:
                        copy.write_row(task)
                        counts["tasks"] += 1
            with cur.copy(
                "COPY case_events (event_key, tracking_number, seq, kind, status, actor, note, public, "
                "data, at) FROM STDIN"
            ) as copy:
                for r in rows:
                    for event in r["events"]:
                        copy.write_row(event)
                        counts["events"] += 1
            with cur.copy("COPY personal_data (tracking_number, name, phone, anonymous) FROM STDIN") as copy:
                for r in rows:
                    number = r["case"][0]
                    anonymous = r["case"][12]
                    copy.write_row(
                        (
                            number,
                            None if anonymous else f"ผู้ร้อง {number[-4:]}",
                            None if anonymous else f"08{rng.randrange(10**8):08d}",
                            anonymous,
                        )
                    )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps: statistics, visibility map
        counts["overdue_open"] = conn.execute(
            "SELECT count(*) FROM cases WHERE next_due_at < %s AND status NOT IN "
            "('RESOLVED','CLOSED','WITHDRAWN','REJECTED')",
            (now,),
        ).fetchone()[0]
        counts["open_tasks"] = conn.execute("SELECT count(*) FROM tasks WHERE state = 'open'").fetchone()[0]
    counts["load_s"] = round(time.perf_counter() - t0, 1)
    return counts


def _case(rng: random.Random, i: int, center: tuple, category: str, now: datetime) -> dict:
    """One case as a year of real traffic leaves it: the older, the likelier settled."""
    code, level, province, district = center
    number = _number(i * 7919 + 17)
    age = timedelta(days=365 * rng.random() ** 1.6, seconds=rng.randrange(86400))
    filed = now - age
    days = age.total_seconds() / 86400
    settled = rng.random() < min(0.93, days / 45)
    if settled:
        status = rng.choices(("CLOSED", "REJECTED", "WITHDRAWN", "RESOLVED"), (80, 8, 5, 7))[0]
    elif days < 0.3:
        status = rng.choice(("RECEIVED", "TRIAGE"))
    else:
        status = rng.choices(
            ("TRIAGE", "RECEIVED", "FORWARDED", "IN_PROGRESS", "NEEDS_INFO", "RETURNED"), (10, 15, 25, 38, 10, 2)
        )[0]
    routed = filed + timedelta(hours=rng.uniform(0.05, 30)) if status not in ("TRIAGE", "RETURNED") else None
    if routed and routed > now:
        routed = now
    ended = filed + (now - filed) * rng.uniform(0.3, 1.0)
    if status == "RESOLVED":
        ended = now - timedelta(days=rng.uniform(0, 7))
    open_ = status not in ("RESOLVED", "CLOSED", "WITHDRAWN", "REJECTED")
    clocks, running = [], []

    def clock(name, due, state, remaining=None):
        late = (state == "running" and due is not None and due < now) or (
            state in ("met", "stopped") and due is not None and due < ended and rng.random() < 0.5
        )
        clocks.append((number, name, state, due, remaining, late))
        if state == "running" and due is not None:
            running.append(due)

    paused = status == "NEEDS_INFO"
    live = "paused" if paused else "running"
    screening_due = filed + timedelta(days=1 + (2 if filed.weekday() >= 4 else 0))
    clock("screening", screening_due, "met" if routed else live, 3600 if paused and not routed else None)
    clock(
        "statutory",
        filed + timedelta(days=15),
        live if open_ else "met" if status in ("RESOLVED", "CLOSED") else "stopped",
        86400 if paused else None,
    )
    if routed:
        clock(
            "resolution",
            routed + timedelta(days=42),
            live if open_ else "met" if status != "WITHDRAWN" else "stopped",
            86400 * 5 if paused else None,
        )
    if status in ("FORWARDED", "IN_PROGRESS"):
        last = routed + (now - routed) * rng.random()
        due = last + timedelta(days=15)
        clock("progress", due if due > now else last + timedelta(days=30), "running")
    if status == "RESOLVED":
        clock("rating", ended + timedelta(days=7), "running")
    next_due = min(running) if running else None
    overdue = open_ and next_due is not None and next_due < now
    assignee = f"officer{rng.randrange(4)}.{code.lower()}" if open_ and rng.random() < 0.6 else None
    tasks = []
    kind = {"TRIAGE": "triage", "RETURNED": "triage", "RECEIVED": "forward_letter"}.get(status)
    if kind is None and status == "IN_PROGRESS" and rng.random() < 0.3:
        kind = "follow_up"
    if kind:
        tasks.append((f"{number}:{kind}:2", number, kind, code, assignee, "open", None, filed, None))
    if routed:
        tasks.append((f"{number}:triage:1", number, "triage", code, None, "done", None, filed, routed))
    kinds = ["received", "routed" if routed else "classified"]
    if status in ("FORWARDED", "IN_PROGRESS", "RESOLVED", "CLOSED"):
        kinds.append("forwarded")
    if status in ("IN_PROGRESS", "RESOLVED", "CLOSED"):
        kinds += ["progress"] * rng.randrange(1, 3)
    if not open_:
        kinds.append({"CLOSED": "closed", "RESOLVED": "resolved"}.get(status, status.lower()))
    events = []
    for seq, kind_ in enumerate(kinds, 1):
        at = filed if seq == 1 else min(now, filed + (ended - filed) * seq / len(kinds))
        events.append(
            (
                f"{number}:{seq}",
                number,
                seq,
                kind_,
                status if seq == len(kinds) else "RECEIVED",
                "system",
                None,
                True,
                "{}",
                at,
            )
        )
    anonymous = rng.random() < 0.3
    row = (
        number,
        f"complaint-{number}",
        "0" * 64,
        status,
        f"{rng.choice(TEXTS)} #{i}",
        category,
        round(rng.uniform(0.4, 0.99), 2),
        code,
        code,
        province,
        district,
        rng.choice(("web", "line", "api")),
        anonymous,
        _above(code) if overdue else None,
        assignee,
        filed,
        routed,
        ended if not open_ else now,
        ended if status in ("CLOSED", "WITHDRAWN", "REJECTED") else None,
        len(kinds),
        next_due,
        any(k[5] for k in clocks),
    )
    return {"case": row, "clocks": clocks, "tasks": tasks, "events": events}


# --- timing ----------------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


def time_calls(fn, repeat: int) -> dict:
    fn()  # warm the plan cache and the pool
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return summary(samples)


def time_queries(url: str, now: datetime, repeat: int) -> dict:
    """The board's read queries as /board and its compliance fragment run them, for the whole country
    and for one province's supervisor, timed without HTTP."""
    from sqlalchemy import select

    from db import board_queries as bq
    from db.models import Center
    from db.session import make_engine, make_sessions
    from web.scope import Scope, case_clause

    engine = make_engine(url)
    sessions = make_sessions(engine)
    out = {}
    try:
        with sessions() as s:
            province = bq.node(s, "P30")  # Nakhon Ratchasima: the most districts
            codes = tuple(s.scalars(select(Center.code).where(Center.province_code == "30")))
        visible = case_clause(Scope(False, codes))  # what a provincial supervisor's board passes

        def board(visible_, at):
            def call():
                with sessions() as s:
                    bq.center_loads(s, visible_, at, now)
                    bq.overdue_cases(s, visible_, at, now)

            return call

        def compliance(visible_, at, days):
            def call():
                with sessions() as s:
                    bq.compliance(s, visible_, at, now - timedelta(days=days), now, now)

            return call

        out["board_queries_all"] = time_calls(board(None, bq.ALL), repeat)
        out["board_queries_province"] = time_calls(board(visible, province), repeat)
        out["compliance_query_all_30d"] = time_calls(compliance(None, bq.ALL, 30), repeat)
        out["compliance_query_province_30d"] = time_calls(compliance(visible, province, 30), repeat)
    finally:
        engine.dispose()
    return out


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_http(url: str, repeat: int) -> dict:
    """GET /inbox and /board as signed-in staff, through uvicorn on loopback."""
    try:
        from db import staff
        from web import auth  # noqa: F401  (the staff front is there)
    except ImportError as err:
        return {"skipped": f"the staff front is not importable: {err}"}
    import httpx
    import uvicorn
    from temporalio.testing import WorkflowEnvironment

    from api.app import create_app
    from api.settings import Settings
    from db.session import make_engine, make_sessions

    async def start_temporal():
        return await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(Path(sys.executable).parent / "temporal")
        )

    loop = asyncio.new_event_loop()
    # The dev server prints a banner on the inherited stdout, which must carry only the JSON.
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        env = loop.run_until_complete(start_temporal())
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    engine = make_engine(url)
    tokens = {}
    with make_sessions(engine).begin() as s:
        for username, role, center in (
            ("bench.moi", "supervisor", "MOI"),
            ("bench.p30", "supervisor", "P30"),
            ("bench.d3001", "officer", "D3001"),
        ):
            staff.add_account(s, username, username, role, center, "bench-password-1")
            tokens[username] = staff.open_session(s, username).token
    engine.dispose()
    port = _free_port()
    settings = Settings(
        database_url=url,
        temporal_address=env.client.service_client.config.target_host,
        dispatch_in_app=False,
        var_dir=Path(os.environ.get("TMPDIR", "/tmp")) / "inbox-bench",
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    out: dict = {}
    try:
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.1)
        cookie = auth.COOKIE
        base = f"http://127.0.0.1:{port}"
        pages = {
            "inbox_page_district_officer": ("bench.d3001", "/inbox"),
            "inbox_page_province_supervisor": ("bench.p30", "/inbox"),
            "inbox_page_ministry": ("bench.moi", "/inbox"),
            "inbox_overdue_filter_ministry": ("bench.moi", "/inbox?due=overdue"),
            "board_page_ministry": ("bench.moi", "/board"),
            "board_page_province_supervisor": ("bench.p30", "/board"),
            "board_fragment_ministry": ("bench.moi", "/board"),
            "board_drilled_province_fragment": ("bench.moi", "/board?at=P30"),
            "compliance_fragment_ministry_30d": ("bench.moi", "/board/compliance"),
            "compliance_fragment_province_30d": ("bench.p30", "/board/compliance"),
            "compliance_fragment_ministry_90d": ("bench.moi", "/board/compliance?period=90d"),
        }
        for name, (user, path) in pages.items():
            headers = {"HX-Request": "true"} if "fragment" in name else {}  # what htmx asks for
            with httpx.Client(
                base_url=base, cookies={cookie: tokens[user]}, timeout=30, trust_env=False, follow_redirects=False
            ) as client:
                first = client.get(path, headers=headers)
                if first.status_code != 200:
                    out[name] = {"error": f"HTTP {first.status_code}", "path": path}
                    continue
                samples = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    r = client.get(path, headers=headers)
                    samples.append(time.perf_counter() - t0)
                    r.raise_for_status()
                out[name] = {"path": path, "bytes": len(first.content), **summary(samples)}
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        loop.run_until_complete(env.shutdown())
        loop.close()
    return out


# --- the run ---------------------------------------------------------------------------------------

GOALS = {
    "inbox_p95_lt_100ms": "every /inbox page timed over HTTP: p95 < 100 ms",
    "board_p95_lt_100ms": "every /board page and fragment timed over HTTP: p95 < 100 ms",
    "compliance_p95_lt_100ms": "every /board/compliance fragment (loaded after the board) timed over HTTP: "
    "p95 < 100 ms",
}


def goals(report: dict) -> dict:
    """One boolean per goal over the HTTP figures (None when the pages could not be timed)."""
    http = {k: v for k, v in report.get("http", {}).items() if isinstance(v, dict)}

    def met(prefix: str) -> bool | None:
        pages = [v for k, v in http.items() if k.startswith(prefix)]
        if not pages:
            return None
        return all("p95_ms" in v and v["p95_ms"] < GOAL_MS for v in pages)

    return {
        "inbox_p95_lt_100ms": met("inbox_"),
        "board_p95_lt_100ms": met("board_"),
        "compliance_p95_lt_100ms": met("compliance_"),
    }


def run(n: int = 100_000, repeat: int = 60, keep: bool = False, http: bool = True) -> dict:
    """Load `n` cases into a fresh PostgreSQL database and time the inbox and the board; the database
    is dropped afterwards unless `keep`."""
    now = datetime.now(UTC)
    report: dict = {
        "config": {
            "n": n,
            "repeat": repeat,
            "goal_p95_ms": GOAL_MS,
            "loadavg_at_start": [round(v, 2) for v in os.getloadavg()],
        }
    }
    try:
        url = create_database()
    except psycopg.Error as err:
        report["error"] = f"no PostgreSQL at {PG_ADMIN}: {err}"
        return report
    report["config"]["database"] = url.rsplit("/", 1)[1]
    try:
        log.info("migrating and seeding %s", url)
        migrate_and_seed(url)
        log.info("loading %d cases", n)
        report["data"] = load_cases(url, n, now)
        log.info("loaded: %s", report["data"])
        report["queries"] = time_queries(url, now, repeat)
        log.info("queries: %s", report["queries"])
        if http:
            report["http"] = time_http(url, repeat)
            log.info("http: %s", report["http"])
        report["goals"] = goals(report)
        report["goal_definitions"] = GOALS
        report["all_goals_met"] = all(v is not False for v in report["goals"].values())
    except Exception as err:  # a figure missing says why; the caller's other figures still print
        log.exception("the inbox bench failed")
        report["error"] = f"{type(err).__name__}: {err}"
    finally:
        if not keep:
            drop_database(url)
    report["config"]["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_bench", description=__doc__)
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_CASES", 100_000)))
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per page (default 60)")
    parser.add_argument("--no-http", action="store_true", help="time the queries only")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is in config)")
    args = parser.parse_args(argv)
    out, sys.stdout = sys.stdout, sys.stderr
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    report = run(args.n, args.repeat, keep=args.keep, http=not args.no_http)
    print(json.dumps(report, ensure_ascii=False, indent=2), file=out, flush=True)
    return 1 if "error" in report else 0


if __name__ == "__main__":
    sys.exit(main())
