"""Which centers a staff member sees (issue 5 §2). A district officer sees the cases filed with or
routed to their own center; a provincial one also those of the province's district centers; the
ministry's and DOPA's centers see every case. Anything outside is answered as if it did not exist
(404), never 403, so scope does not leak which tracking numbers exist.

`scope_of(s, user)` gives a `Scope`; `Scope.clause(*columns)` is a SQL filter for any query (true
when the user sees all); `ensure_visible(s, user, case)` raises `CaseNotFound` for a case outside."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from db.models import Case, Center
from workflows.domain.centers import MINISTRY
from workflows.errors import CaseNotFound

NATIONWIDE = frozenset({"ministry", "dopa"})


@dataclass(frozen=True)
class Scope:
    everything: bool
    codes: tuple[str, ...]  # the centers seen (empty when `everything`)

    def covers(self, *codes: str | None) -> bool:
        return self.everything or any(code in self.codes for code in codes if code)

    def clause(self, *columns) -> ColumnElement[bool]:
        """Rows whose any of `columns` (center codes) is one of the user's centers."""
        if self.everything:
            return true()
        return or_(*(col.in_(self.codes) for col in columns))


def scope_of(s: Session, user) -> Scope:
    center = s.get(Center, user.center_code)
    if center is None:
        return Scope(False, ())
    if center.level in NATIONWIDE:
        return Scope(True, ())
    codes = [center.code]
    if center.level == "province":
        codes += s.scalars(select(Center.code).where(Center.parent_code == center.code).order_by(Center.code)).all()
    return Scope(False, tuple(codes))


def case_clause(scope: Scope) -> ColumnElement[bool]:
    """Cases filed with or routed to one of the user's centers."""
    return scope.clause(Case.center_code, Case.filed_with)


def ensure_visible(s: Session, user, case: Case | None) -> Case:
    """The case, when the user may see it; else CaseNotFound (404)."""
    if case is None or not scope_of(s, user).covers(case.center_code, case.filed_with):
        raise CaseNotFound()
    return case


def question_visible(scope: Scope, center_code: str | None, escalated_to: str | None) -> bool:
    """A question asked of no center is the ministry's; an escalated one is also its new center's."""
    return scope.covers(center_code or MINISTRY, escalated_to)
