"""The officers' inbox as one SQL query: open tasks of the cases in scope (triage, forward by letter
or by hand, follow up, review a dispute; a returned case is a triage task) and the open questions left
for an officer, as one list. Filters by task kind, case status, category, agency, center, due state
(overdue, at risk) and holder (mine, unassigned), a search in Thai or English (tracking number, the
complaint's text, the agency's name), three orders, and keyset pagination (a cursor of the last row's
sort value and key), so the hundredth page costs what the first does. The caller passes the scope as a
SQL clause builder; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, and_, cast, func, literal, null, or_, select, tuple_
from sqlalchemy.orm import Session

from db.models import Agency, Case, Question, Task
from db.queries import aware

AT_RISK = timedelta(hours=24)
QUESTION_KIND = "answer_question"
SORTS = ("newest", "oldest", "due")


@dataclass
class InboxFilter:
    kind: str = ""
    status: str = ""
    category: str = ""
    agency: str = ""
    center: str = ""
    due: str = ""  # overdue | at_risk
    holder: str = ""  # mine | unassigned
    q: str = ""
    sort: str = "newest"
    after: str = ""  # the cursor: "<sort value>|<key>"
    limit: int = 25


@dataclass
class InboxRow:
    kind: str
    key: str
    ref: str  # tracking number, or question id
    text: str
    status: str | None
    category: str | None
    agency_code: str | None
    center_code: str | None
    assignee: str | None
    opened_at: datetime
    due_at: datetime | None

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and aware(self.due_at) < now

    def at_risk(self, now: datetime) -> bool:
        return self.due_at is not None and now <= aware(self.due_at) < now + AT_RISK


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    filters: InboxFilter = field(default_factory=InboxFilter)


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _task_rows(f: InboxFilter, scope_clause, username: str, now: datetime):
    due = Case.next_due_at
    conds = [Task.state == "open", scope_clause(Case.center_code, Case.filed_with)]
    if f.kind:
        conds.append(Task.kind == f.kind)
    if f.status:
        conds.append(Case.status == f.status)
    if f.category:
        conds.append(Case.category == f.category)
    if f.agency:
        conds.append(Case.agency_code == f.agency)
    if f.center:
        conds.append(Case.center_code == f.center)
    if f.q:
        q = f.q.strip()
        agencies = select(Agency.code).where(
            or_(Agency.search_key.like(_like(q.lower()), escape="\\"), Agency.name_th.like(_like(q), escape="\\"))
        )
        conds.append(
            or_(
                Case.tracking_number == q.upper(),
                Case.text.ilike(_like(q), escape="\\"),
                Case.agency_code.in_(agencies),
            )
        )
    conds += _due_and_holder(f, due, Task.assignee, username, now)
    stmt = (
        select(
            Task.kind.label("kind"),
            Task.task_key.label("key"),
            Case.tracking_number.label("ref"),
            Case.text.label("text"),
            Case.status.label("status"),
            Case.category.label("category"),
            Case.agency_code.label("agency_code"),
            Case.center_code.label("center_code"),
            Task.assignee.label("assignee"),
            Task.opened_at.label("opened_at"),
            due.label("due_at"),
        )
        .join(Case, Case.tracking_number == Task.tracking_number)
        .where(*conds)
    )
    return stmt, (due if f.sort == "due" else Task.opened_at), Task.task_key


def _question_rows(f: InboxFilter, scope_clause, username: str, now: datetime):
    if f.status or f.category or f.agency or (f.kind and f.kind != QUESTION_KIND):
        return None  # those filters are about cases
    asked_of = func.coalesce(Question.center_code, literal("MOI"))
    conds = [Question.status == "open", scope_clause(asked_of, Question.escalated_to)]
    if f.center:
        conds.append(asked_of == f.center)
    if f.q:
        conds.append(or_(Question.text.ilike(_like(f.q.strip()), escape="\\"), Question.question_id == f.q.strip()))
    conds += _due_and_holder(f, Question.due_at, Question.assignee, username, now)
    stmt = select(
        literal(QUESTION_KIND).label("kind"),
        Question.question_id.label("key"),
        Question.question_id.label("ref"),
        Question.text.label("text"),
        cast(null(), String).label("status"),
        cast(null(), String).label("category"),
        cast(null(), String).label("agency_code"),
        Question.center_code.label("center_code"),
        Question.assignee.label("assignee"),
        Question.asked_at.label("opened_at"),
        Question.due_at.label("due_at"),
    ).where(*conds)
    return stmt, (Question.due_at if f.sort == "due" else Question.asked_at), Question.question_id


def _due_and_holder(f: InboxFilter, due, assignee, username: str, now: datetime) -> list:
    conds = []
    if f.due == "overdue":
        conds.append(due < now)
    elif f.due == "at_risk":
        conds.append(and_(due >= now, due < now + AT_RISK))
    if f.holder == "mine":
        conds.append(assignee == username)
    elif f.holder == "unassigned":
        conds.append(assignee.is_(None))
    return conds


def _page_of(part, sort: str, cursor, limit: int):
    """One source's rows after the cursor, in the page's order. Each source is ordered and limited on
    its own (tasks by an index on (state, opened_at, task_key)), which a UNION would prevent."""
    stmt, value, key = part
    if cursor is not None:
        at, last = cursor
        if sort == "newest":
            stmt = stmt.where(tuple_(value, key) < tuple_(at, last))
        elif sort == "oldest":
            stmt = stmt.where(tuple_(value, key) > tuple_(at, last))
        elif at is None:  # due, within the rows that have no due time (they come last)
            stmt = stmt.where(value.is_(None), key > last)
        else:
            stmt = stmt.where(or_(tuple_(value, key) > tuple_(at, last), value.is_(None)))
    if sort == "newest":
        order = (value.desc(), key.desc())
    elif sort == "oldest":
        order = (value.asc(), key.asc())
    else:
        order = (value.asc().nulls_last(), key.asc())
    return stmt.order_by(*order).limit(limit)


def _sort_key(row: InboxRow, sort: str):
    if sort == "due":
        due = aware(row.due_at)
        return (due is None, due or datetime.min.replace(tzinfo=UTC), row.key)
    return (aware(row.opened_at), row.key)


def inbox_page(s: Session, f: InboxFilter, scope_clause, username: str, now: datetime) -> InboxPage:
    """One page of the inbox. `scope_clause(*center_columns)` restricts rows to the user's centers."""
    sort = f.sort if f.sort in SORTS else "newest"
    f.sort = sort
    cursor = _parse_cursor(f.after, sort)
    got: list[InboxRow] = []
    for part in (_task_rows(f, scope_clause, username, now), _question_rows(f, scope_clause, username, now)):
        if part is not None:
            got += [InboxRow(**r._mapping) for r in s.execute(_page_of(part, sort, cursor, f.limit + 1))]
    got.sort(key=lambda r: _sort_key(r, sort), reverse=sort == "newest")
    more = len(got) > f.limit
    got = got[: f.limit]
    next_cursor = None
    if more and got:
        last = got[-1]
        mark = last.due_at if sort == "due" else last.opened_at
        next_cursor = f"{_stamp(mark)}|{last.key}"
    return InboxPage(got, next_cursor, f)


def _stamp(t: datetime | None) -> str:
    return "" if t is None else aware(t).isoformat()


def _parse_cursor(raw: str, sort: str) -> tuple[datetime | None, str] | None:
    at, sep, key = (raw or "").partition("|")
    if not sep or not key:
        return None
    if at == "" and sort == "due":
        return None, key
    try:
        return _for_db(datetime.fromisoformat(at)), key
    except ValueError:
        return None


def _for_db(t: datetime) -> datetime:
    """Cursor instants in UTC: SQLite stores UTC without an offset, PostgreSQL compares instants."""
    return t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)
