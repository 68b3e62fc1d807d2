"""The supervisors' board as read queries: overdue and at-risk cases counted by center with a drill-down
(ministry -> province -> district), aging buckets, SLA compliance per center and per category over a
period, the page of overdue cases with who holds them and which clock is late, and the rows of the CSV
export. Every query takes the viewer's scope as a SQL filter on `cases` (None: every case), and the
node of the drill-down it looks at.

What counts (the definitions the board prints):
- a case is *overdue* when one of its clocks is running past its due time. `cases.next_due_at` is the
  earliest running due time, so that is `next_due_at < now`. RESOLVED cases are left out (their only
  running clock is the citizen's rating window), and so are closed ones (no clock runs) and paused
  ones (waiting for the citizen);
- *at risk* is due within the next 24 hours of wall-clock time (not business time: a supervisor looks
  at the board on a Friday afternoon too);
- aging: overdue by up to 7 days, 8 to 30 days, over 30 days;
- SLA compliance over a period, for the cases filed in it: *late* when any SLA clock (screening,
  statutory, resolution, stale progress) was flagged overdue or is running past due; *met* when the case
  was resolved, closed or rejected and none was late; the rest are *pending* (still open, or withdrawn).
  The rate is met / (met + late).

Plain SQL through SQLAlchemy over indexed columns (cases.next_due_at, cases.center_code, cases.filed_at);
nothing here writes or commits."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Index, and_, case, func, literal, or_, select, text
from sqlalchemy.orm import Session

from db.models import Case, CaseClock, Category, Center, Task
from db.queries import aware

AT_RISK_WINDOW = timedelta(hours=24)
SLA_CLOCKS = ("screening", "statutory", "resolution", "progress")
# Statuses in which a running clock past due is not the office's lateness.
NOT_OVERDUE_STATUSES = ("RESOLVED", "CLOSED", "WITHDRAWN", "REJECTED")
SETTLED_STATUSES = ("RESOLVED", "CLOSED", "REJECTED")
PAGE_SIZE = 50
CSV_LIMIT = 100_000  # rows in one export

# The board's index (migration 0006): the open cases' (center, next due time), partial on the statuses
# that can be overdue: the counts by center read it alone (no table access), and a province's or a
# district's overdue cases are ranges of it (the two single-column indexes would meet in a bitmap AND
# over every overdue case in the country).
_OPEN = Case.status.not_in(NOT_OVERDUE_STATUSES)
Index("ix_cases_center_due", Case.center_code, Case.next_due_at, postgresql_where=_OPEN, sqlite_where=_OPEN)
# The compliance table scans the cases filed in a period and needs only these columns: the index
# covers them, so the scan never touches the table.
Index(
    "ix_cases_filed_outcome", Case.filed_at, Case.center_code, Case.category, Case.status, Case.late, Case.next_due_at
)

Visible = ColumnElement[bool] | None  # which cases the viewer may see; None = all of them


@dataclass(frozen=True)
class Aging:
    at_risk: int = 0
    up_to_7: int = 0
    d8_30: int = 0
    over_30: int = 0

    @property
    def overdue(self) -> int:
        return self.up_to_7 + self.d8_30 + self.over_30

    def __add__(self, other: Aging) -> Aging:
        return Aging(
            self.at_risk + other.at_risk,
            self.up_to_7 + other.up_to_7,
            self.d8_30 + other.d8_30,
            self.over_30 + other.over_30,
        )


@dataclass(frozen=True)
class Node:
    """Where the board is looking: a center, or the whole country (code None)."""

    code: str | None
    level: str  # all | ministry | dopa | province | district
    name_th: str
    name_en: str
    province_code: str | None = None


ALL = Node(None, "all", "ทุกศูนย์", "All centers")


@dataclass(frozen=True)
class CenterLoad:
    code: str | None
    name_th: str
    name_en: str
    aging: Aging
    drillable: bool  # a province row opens on its districts


@dataclass(frozen=True)
class Compliance:
    key: str | None
    name_th: str
    name_en: str
    met: int
    late: int
    pending: int

    @property
    def total(self) -> int:
        return self.met + self.late + self.pending

    @property
    def rate(self) -> float | None:
        decided = self.met + self.late
        return self.met / decided if decided else None


@dataclass(frozen=True)
class Holder:
    task_key: str
    kind: str
    assignee: str | None


@dataclass(frozen=True)
class OverdueCase:
    tracking_number: str
    status: str
    category: str | None
    center_code: str | None
    center_th: str
    center_en: str
    escalated_to: str | None
    assignee: str | None  # the officer holding the case, if anyone claimed it
    due_at: datetime
    late_for: timedelta
    late_clocks: tuple[str, ...] = ()
    holders: tuple[Holder, ...] = field(default_factory=tuple)

    @property
    def days_late(self) -> int:
        return self.late_for.days


def utc(t: datetime) -> datetime:
    """Aware UTC: SQLite stores stamps without an offset, so every bound value must be UTC."""
    return aware(t).astimezone(UTC)


# --- where the board looks -------------------------------------------------------------------------


def node(s: Session, code: str | None) -> Node | None:
    """The center to drill into; None when the code is unknown. No code = all centers; the ministry's
    center, too, looks at the whole country."""
    if not code:
        return ALL
    if "\x00" in code:  # no center's code holds a NUL, and PostgreSQL cannot even compare one (a 500)
        return None
    row = s.get(Center, code)
    if row is None:
        return None
    if row.level == "ministry":
        return Node(row.code, "ministry", row.name_th, row.name_en)
    return Node(row.code, row.level, row.name_th, row.name_en, row.province_code)


def trail(s: Session, at: Node) -> list[Node]:
    """The breadcrumb from the top down to `at` (inclusive)."""
    out: list[Node] = []
    code = at.code
    while code:
        row = s.get(Center, code)
        if row is None:
            break
        out.append(node(s, row.code))  # type: ignore[arg-type]
        code = row.parent_code
    out.reverse()
    if not out or out[0].level != "ministry":
        out.insert(0, ALL)
    return out


def _rollup(at: Node):
    """The group key for the rows one level under `at`. A district's code names its province
    ("D9205" is in "P92", as `workflows.domain.centers` relies on too), so no join is needed."""
    if at.level in ("all", "ministry"):
        # A province's own cases and its districts' roll up into the province row.
        return case(
            (Case.center_code.like("D%"), literal("P") + func.substr(Case.center_code, 2, 2)), else_=Case.center_code
        )
    return Case.center_code


def _in_scope(visible: Visible, at: Node) -> list:
    where = [] if visible is None else [visible]
    if at.level == "province":
        where.append(Case.center_code.in_(select(Center.code).where(Center.province_code == at.province_code)))
    elif at.level in ("district", "dopa"):
        where.append(Case.center_code == at.code)
    return where


def _open_due():
    return and_(Case.next_due_at.is_not(None), Case.status.not_in(NOT_OVERDUE_STATUSES))


def _no_jit(s: Session) -> None:
    """PostgreSQL's JIT compiles these aggregates for longer than they run (a second for a 30-day
    compliance table with 100,000 cases); off for this transaction only."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET LOCAL jit = off"))


def _names(s: Session, codes: Collection[str | None]) -> dict[str, Center]:
    wanted = [c for c in codes if c]
    if not wanted:
        return {}
    return {c.code: c for c in s.scalars(select(Center).where(Center.code.in_(wanted)))}


# --- counts by center and aging --------------------------------------------------------------------


def center_loads(s: Session, visible: Visible, at: Node, now: datetime) -> list[CenterLoad]:
    """Overdue and at-risk counts per center one level under `at`, most overdue first."""
    now = utc(now)
    _no_jit(s)
    key = _rollup(at)
    due = Case.next_due_at
    week, month = now - timedelta(days=7), now - timedelta(days=30)

    def count(cond):
        return func.sum(case((cond, 1), else_=0))

    q = (
        select(
            key.label("key"),
            count(and_(due >= now, due < now + AT_RISK_WINDOW)),
            count(and_(due < now, due >= week)),
            count(and_(due < week, due >= month)),
            count(due < month),
        )
        .select_from(Case)
        .outerjoin(Center, Center.code == Case.center_code)
        .where(_open_due(), due < now + AT_RISK_WINDOW, *_in_scope(visible, at))
        .group_by(key)
    )
    rows = s.execute(q).all()
    names = _names(s, [r[0] for r in rows])
    out = []
    for code, risk, d7, d30, older in rows:
        c = names.get(code)
        out.append(
            CenterLoad(
                code,
                c.name_th if c else "ไม่ระบุศูนย์",
                c.name_en if c else "No center",
                Aging(int(risk or 0), int(d7 or 0), int(d30 or 0), int(older or 0)),
                drillable=bool(c and c.level == "province" and at.level != "province"),
            )
        )
    out.sort(key=lambda r: (-r.aging.overdue, -r.aging.at_risk, r.code or ""))
    return out


def total_aging(loads: Collection[CenterLoad]) -> Aging:
    total = Aging()
    for row in loads:
        total = total + row.aging
    return total


# --- SLA compliance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceTables:
    by_center: list[Compliance]
    by_category: list[Compliance]
    total: Compliance


def _was_late(now: datetime):
    """Late: a clock running past due now (the case row knows the earliest), or one the workflow flagged
    overdue at some point (`cases.late`, kept by the projection), so lateness is read off the case row
    and the compliance table is one scan of the period's cases."""
    return or_(and_(Case.next_due_at < now, Case.status.not_in(NOT_OVERDUE_STATUSES)), Case.late)


def compliance(
    s: Session, visible: Visible, at: Node, start: datetime, end: datetime, now: datetime
) -> ComplianceTables:
    """Met / late / pending for the cases filed in [start, end), per center one level under `at` and
    per category, from one scan grouped by both."""
    now, start, end = utc(now), utc(start), utc(end)
    _no_jit(s)
    # One outcome per case, so the lateness test runs once per case.
    outcome = case((_was_late(now), "late"), (Case.status.in_(SETTLED_STATUSES), "met"), else_="pending")
    inner = (
        select(_rollup(at).label("key"), Case.category.label("category"), outcome.label("outcome"))
        .where(Case.filed_at >= start, Case.filed_at < end, *_in_scope(visible, at))
        .subquery()
    )
    rows = s.execute(
        select(inner.c.key, inner.c.category, inner.c.outcome, func.count()).group_by(
            inner.c.key, inner.c.category, inner.c.outcome
        )
    ).all()
    slot = {"met": 0, "late": 1, "pending": 2}
    centers: dict[str | None, list[int]] = {}
    cats: dict[str | None, list[int]] = {}
    for k, category, result, n in rows:
        for table, name in ((centers, k), (cats, category)):
            table.setdefault(name, [0, 0, 0])[slot[result]] += int(n)
    names = _names(s, centers)
    known = {c.code: c for c in s.scalars(select(Category))}

    def table(acc, label) -> list[Compliance]:
        out = [Compliance(k, *label(k), met=m, late=lt, pending=p) for k, (m, lt, p) in acc.items()]
        out.sort(key=lambda r: (r.rate if r.rate is not None else 2.0, -r.total, r.key or ""))
        return out

    by_center = table(
        centers, lambda k: (names[k].name_th, names[k].name_en) if k in names else ("ไม่ระบุศูนย์", "No center")
    )
    by_category = table(
        cats, lambda k: (known[k].name_th, known[k].name_en) if k in known else (k or "ไม่ระบุ", k or "None")
    )
    return ComplianceTables(
        by_center,
        by_category,
        Compliance(
            None,
            "รวม",
            "Total",
            sum(r.met for r in by_center),
            sum(r.late for r in by_center),
            sum(r.pending for r in by_center),
        ),
    )


# --- the overdue list --------------------------------------------------------------------------------


def _overdue_query(visible: Visible, at: Node, now: datetime):
    return (
        select(
            Case.tracking_number,
            Case.status,
            Case.category,
            Case.center_code,
            Case.escalated_to,
            Case.assignee,
            Case.next_due_at,
        )
        .where(_open_due(), Case.next_due_at < now, *_in_scope(visible, at))
        .order_by(Case.next_due_at, Case.tracking_number)
    )


def overdue_cases(
    s: Session, visible: Visible, at: Node, now: datetime, limit: int = PAGE_SIZE, offset: int = 0
) -> list[OverdueCase]:
    """The overdue cases under `at`, longest overdue first, with their late clocks and open tasks."""
    now = utc(now)
    rows = s.execute(_overdue_query(visible, at, now).limit(limit).offset(offset)).all()
    return _detailed(s, rows, now)


def _detailed(s: Session, rows, now: datetime) -> list[OverdueCase]:
    numbers = [r.tracking_number for r in rows]
    if not numbers:
        return []
    clocks: dict[str, list[str]] = {}
    for number, name in s.execute(
        select(CaseClock.tracking_number, CaseClock.name)
        .where(
            CaseClock.tracking_number.in_(numbers),
            CaseClock.name.in_(SLA_CLOCKS),
            CaseClock.state == "running",
            CaseClock.due_at < now,
        )
        .order_by(CaseClock.tracking_number, CaseClock.due_at)
    ):
        clocks.setdefault(number, []).append(name)
    holders: dict[str, list[Holder]] = {}
    for t in s.execute(
        select(Task.tracking_number, Task.task_key, Task.kind, Task.assignee)
        .where(Task.tracking_number.in_(numbers), Task.state == "open")
        .order_by(Task.tracking_number, Task.id)
    ):
        holders.setdefault(t.tracking_number, []).append(Holder(t.task_key, t.kind, t.assignee))
    names = _names(s, {r.center_code for r in rows})
    out = []
    for r in rows:
        c = names.get(r.center_code)
        due = utc(r.next_due_at)
        out.append(
            OverdueCase(
                r.tracking_number,
                r.status,
                r.category,
                r.center_code,
                c.name_th if c else "",
                c.name_en if c else "",
                r.escalated_to,
                r.assignee,
                due,
                now - due,
                tuple(clocks.get(r.tracking_number, ())),
                tuple(holders.get(r.tracking_number, ())),
            )
        )
    return out


# --- the CSV export ---------------------------------------------------------------------------------


def all_overdue(s: Session, visible: Visible, at: Node, now: datetime, limit: int = CSV_LIMIT) -> Iterator[OverdueCase]:
    """The whole overdue list under `at` (for the export), streamed a thousand cases at a time."""
    now = utc(now)
    result = s.execute(_overdue_query(visible, at, now).limit(limit).execution_options(yield_per=1000))
    for rows in result.partitions():
        yield from _detailed(s, rows, now)
